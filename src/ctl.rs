// SPDX-License-Identifier: GPL-2.0

//! `/dev/rpmem-ctl`: the control device. Its ioctls (ABI in
//! tools/rpmem_ioctl.h) copy a sector range between rpmem disks with pfn
//! I/O, report the copy's progress, and run the kmap and copy-bandwidth
//! micro-benchmarks.

use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};

use kernel::fs::File;
use kernel::ioctl::{_IOR, _IOW, _IOWR};
use kernel::miscdevice::{MiscDevice, MiscDeviceRegistration};
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::transmute::{AsBytes, FromBytes};
use kernel::uaccess::{UserPtr, UserSlice};

use crate::copy_bench;
use crate::disk::PmemDisk;
use crate::disks;
use crate::kmap_bench;
use crate::pfn_io::write_from_pfn;

const NAME_LEN: usize = 32;
/// Sectors per pfn bio (1 MiB).
const CHUNK_SECTORS: u64 = 2048;

/// `struct rpmem_copy`.
#[repr(C)]
#[derive(Clone, Copy)]
struct CopyRequest {
    src: [u8; NAME_LEN],
    dst: [u8; NAME_LEN],
    src_sector: u64,
    dst_sector: u64,
    nr_sectors: u64,
}

/// `struct rpmem_copy_status`.
#[repr(C)]
#[derive(Clone, Copy)]
struct CopyStatus {
    done_sectors: u64,
    total_sectors: u64,
    active: u32,
    last_error: i32,
}

/// `struct rpmem_bench_kmap`.
#[repr(C)]
#[derive(Clone, Copy)]
struct BenchKmap {
    nr_ranges: u32,
    iterations: u32,
    registry_ps: u64,
    list_ps: u64,
    page_ps: u64,
}

/// `struct rpmem_bench_copy`.
#[repr(C)]
#[derive(Clone, Copy)]
struct BenchCopy {
    mib: u32,
    pad: u32,
    memcpy_kibs: u64,
    copy_mc_kibs: u64,
    flushcache_kibs: u64,
}

// SAFETY: plain `repr(C)` structs of integers and byte arrays with no
// padding; every bit pattern is valid and every byte is initialised.
unsafe impl FromBytes for CopyRequest {}
// SAFETY: as above.
unsafe impl AsBytes for CopyStatus {}
// SAFETY: as above.
unsafe impl FromBytes for BenchKmap {}
// SAFETY: as above.
unsafe impl AsBytes for BenchKmap {}
// SAFETY: as above.
unsafe impl FromBytes for BenchCopy {}
// SAFETY: as above.
unsafe impl AsBytes for BenchCopy {}

const IOC_COPY: u32 = _IOW::<CopyRequest>(b'R' as u32, 1);
const IOC_STATUS: u32 = _IOR::<CopyStatus>(b'R' as u32, 2);
const IOC_BENCH_KMAP: u32 = _IOWR::<BenchKmap>(b'R' as u32, 3);
const IOC_BENCH_COPY: u32 = _IOWR::<BenchCopy>(b'R' as u32, 4);

static COPY_ACTIVE: AtomicBool = AtomicBool::new(false);
static COPY_DONE: AtomicU64 = AtomicU64::new(0);
static COPY_TOTAL: AtomicU64 = AtomicU64::new(0);
static COPY_ERROR: AtomicI32 = AtomicI32::new(0);

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
                copy(&req).map(|()| 0)
            }
            IOC_STATUS => {
                let status = CopyStatus {
                    done_sectors: COPY_DONE.load(Ordering::Relaxed),
                    total_sectors: COPY_TOTAL.load(Ordering::Relaxed),
                    active: u32::from(COPY_ACTIVE.load(Ordering::Relaxed)),
                    last_error: COPY_ERROR.load(Ordering::Relaxed),
                };
                user(size_of::<CopyStatus>()).writer().write(&status)?;
                Ok(0)
            }
            IOC_BENCH_KMAP => {
                let (mut reader, mut writer) = user(size_of::<BenchKmap>()).reader_writer();
                let mut b: BenchKmap = reader.read()?;
                let r = kmap_bench::run(b.nr_ranges, b.iterations)?;
                b.registry_ps = r.registry_ps;
                b.list_ps = r.list_ps;
                b.page_ps = r.page_ps;
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

/// A NUL-terminated disk name from a fixed-size field.
fn name_of(field: &[u8; NAME_LEN]) -> Result<&CStr> {
    CStr::from_bytes_until_nul(field).map_err(|_| EINVAL)
}

/// Validate and run one copy; only one runs at a time.
fn copy(req: &CopyRequest) -> Result {
    if COPY_ACTIVE
        .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
        .is_err()
    {
        return Err(EBUSY);
    }
    COPY_DONE.store(0, Ordering::Relaxed);
    COPY_TOTAL.store(0, Ordering::Relaxed);
    let result = disks::with_disks(|listed| -> Result {
        let src = listed.find(name_of(&req.src)?).ok_or(ENODEV)?;
        let dst = listed.find(name_of(&req.dst)?).ok_or(ENODEV)?;
        let nr = check_ranges(req, src, dst)?;
        COPY_TOTAL.store(nr, Ordering::Relaxed);
        copy_sectors(src, req.src_sector, dst, req.dst_sector, nr)
    });
    COPY_ERROR.store(result.err().map_or(0, |e| e.to_errno()), Ordering::Relaxed);
    COPY_ACTIVE.store(false, Ordering::Release);
    if let Err(e) = result {
        pr_info!("copy failed: {:?}\n", e);
    }
    result
}

/// The number of sectors to copy, or why the request is refused.
fn check_ranges(req: &CopyRequest, src: &PmemDisk, dst: &PmemDisk) -> Result<u64> {
    let nr = if req.nr_sectors == 0 {
        if req.src_sector != 0 || req.dst_sector != 0 {
            return Err(EINVAL);
        }
        if src.sectors() != dst.sectors() {
            return Err(EFBIG);
        }
        src.sectors()
    } else {
        req.nr_sectors
    };
    let fits = |start: u64, disk: &PmemDisk| {
        start
            .checked_add(nr)
            .is_some_and(|end| end <= disk.sectors())
    };
    if !fits(req.src_sector, src) || !fits(req.dst_sector, dst) {
        return Err(ERANGE);
    }
    let same = core::ptr::eq(src, dst);
    if same && req.src_sector < req.dst_sector + nr && req.dst_sector < req.src_sector + nr {
        return Err(EINVAL);
    }
    if dst.read_only() {
        return Err(EROFS);
    }
    if src.has_bad_blocks(req.src_sector, nr) {
        return Err(EIO);
    }
    Ok(nr)
}

fn copy_sectors(
    src: &PmemDisk,
    src_sector: u64,
    dst: &PmemDisk,
    dst_sector: u64,
    nr: u64,
) -> Result {
    let mut done = 0;
    while done < nr {
        let n = (nr - done).min(CHUNK_SECTORS);
        write_from_pfn(
            dst,
            dst_sector + done,
            src.base_pfn(),
            (src_sector + done) << 9,
            (n << 9) as u32,
        )?;
        done += n;
        COPY_DONE.store(done, Ordering::Relaxed);
    }
    match dst.flush() {
        0 => Ok(()),
        rc => Err(Error::from_errno(rc)),
    }
}
