// SPDX-License-Identifier: GPL-2.0

//! `/dev/rpmem-ctl`: the control device. Its ioctls (ABI in [`crate::uapi`])
//! copy a sector range between rpmem disks with pfn I/O, report the copy's
//! progress and each disk's state, and run the kmap and copy-bandwidth
//! micro-benchmarks.

use kernel::fs::File;
use kernel::miscdevice::{MiscDevice, MiscDeviceRegistration};
use kernel::prelude::*;
use kernel::uaccess::{UserPtr, UserSlice};

use crate::copy;
use crate::copy_bench;
use crate::disks;
use crate::kmap_bench;
use crate::uapi::{
    BenchCopy, BenchKmap, CopyRequest, DiskInfo, IOC_BENCH_COPY, IOC_BENCH_KMAP, IOC_COPY,
    IOC_DISK_INFO, IOC_STATUS,
};

/// The control device; it has no per-open state.
pub(crate) struct Ctl;

#[vtable]
impl MiscDevice for Ctl {
    type Ptr = KBox<Self>;

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result<KBox<Self>> {
        Ok(KBox::new(Ctl, GFP_KERNEL)?)
    }

    fn ioctl(_me: &Ctl, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        let user = |size| UserSlice::new(UserPtr::from_addr(arg), size);
        match cmd {
            IOC_COPY => {
                let req: CopyRequest = user(size_of::<CopyRequest>()).reader().read()?;
                copy::copy(&req).map(|()| 0)
            }
            IOC_STATUS => {
                user(size_of_val(&copy::status()))
                    .writer()
                    .write(&copy::status())?;
                Ok(0)
            }
            IOC_DISK_INFO => {
                let (mut reader, mut writer) = user(size_of::<DiskInfo>()).reader_writer();
                let req: DiskInfo = reader.read()?;
                let info = disks::info(req.index).ok_or(ENOENT)?;
                writer.write(&info)?;
                Ok(0)
            }
            IOC_BENCH_KMAP => {
                let (mut reader, mut writer) = user(size_of::<BenchKmap>()).reader_writer();
                let mut b: BenchKmap = reader.read()?;
                let r = kmap_bench::run(b.nr_ranges, b.iterations)?;
                b.registry_ps = r.registry_ps;
                b.registry_held_ps = r.registry_held_ps;
                b.list_ps = r.list_ps;
                b.page_ps = r.page_ps;
                b.page_section_ps = r.page_section_ps;
                b.kmap_atomic_ps = r.kmap_atomic_ps;
                writer.write(&b)?;
                Ok(0)
            }
            IOC_BENCH_COPY => {
                let (mut reader, mut writer) = user(size_of::<BenchCopy>()).reader_writer();
                let mut b: BenchCopy = reader.read()?;
                let r = copy_bench::run(b.mib)?;
                b.memcpy_kibs = r.memcpy_kibs;
                b.copy_mc_kibs = r.copy_mc_kibs;
                b.flushcache_kibs = r.flushcache_kibs;
                writer.write(&b)?;
                Ok(0)
            }
            _ => Err(ENOTTY),
        }
    }
}
