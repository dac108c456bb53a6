// SPDX-License-Identifier: GPL-2.0

//! The control device `/dev/rpmem-ctl` and its typed ioctls (copy,
//! status, disk info); the typed ioctl call the benchmark device shares.

use std::fs::{File, OpenOptions};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::errno::{Errno, ENOENT, ENOTTY};
use crate::sys;
use crate::uapi::{self, BenchCopy, BenchKmap, CopyRequest, CopyStatus, DiskInfo};

/// The control device; `RPMEMCTL_DEVICE` overrides it (host tests).
pub fn device_path() -> String {
    std::env::var("RPMEMCTL_DEVICE").unwrap_or_else(|_| "/dev/rpmem-ctl".into())
}

/// Bits of an ioctl number holding the argument size (`_IOC_SIZEMASK`).
const IOC_SIZE_SHIFT: u32 = 16;
const IOC_SIZE_MASK: u32 = 0x3fff;

/// `RPMEM_IOC_STATUS` of modules from before the names were added to
/// [`CopyStatus`]: the same request with the size of the fields before `src`.
pub const IOC_STATUS_NO_NAMES: u32 = (uapi::IOC_STATUS & !(IOC_SIZE_MASK << IOC_SIZE_SHIFT))
    | ((core::mem::offset_of!(CopyStatus, src) as u32) << IOC_SIZE_SHIFT);

/// An open `/dev/rpmem-ctl`.
pub struct Ctl {
    file: File,
    /// The module answered only [`IOC_STATUS_NO_NAMES`].
    status_no_names: AtomicBool,
}

/// The argument types of the rpmem ioctls: `repr(C)` structs of plain
/// integers (src/logic/uapi.rs).
pub trait IoctlArg {}
impl IoctlArg for CopyRequest {}
impl IoctlArg for CopyStatus {}
impl IoctlArg for DiskInfo {}
impl IoctlArg for BenchKmap {}
impl IoctlArg for BenchCopy {}

/// One ioctl on `file` whose argument is `arg`; `request` must be one of
/// the rpmem numbers for `T` (or [`IOC_STATUS_NO_NAMES`]).
pub fn ioctl<T: IoctlArg>(file: &File, request: u32, arg: &mut T) -> Result<(), Errno> {
    // SAFETY: `arg` is a live, exclusively borrowed `repr(C)` struct of
    // plain integers whose size is the one `request` encodes (or larger,
    // for IOC_STATUS_NO_NAMES); the kernel reads or writes only that.
    unsafe { sys::ioctl_ptr(file, request, arg as *mut T) }?;
    Ok(())
}

/// Open a control or benchmark device for reading and writing.
pub fn open_device(path: &str) -> Result<File, Errno> {
    Ok(OpenOptions::new().read(true).write(true).open(path)?)
}

impl Ctl {
    pub fn open() -> Result<Ctl, Errno> {
        Ok(Ctl {
            file: open_device(&device_path())?,
            status_no_names: AtomicBool::new(false),
        })
    }

    fn ioctl<T: IoctlArg>(&self, request: u32, arg: &mut T) -> Result<(), Errno> {
        ioctl(&self.file, request, arg)
    }

    /// Run a copy between the disks open on `req`'s descriptors; blocks
    /// until it ends (`EINTR` when a signal stopped it).
    pub fn copy(&self, req: &CopyRequest) -> Result<(), Errno> {
        let mut req = *req;
        self.ioctl(uapi::IOC_COPY, &mut req)
    }

    /// The running or last copy. Modules without the names in
    /// [`CopyStatus`] answer it with empty names.
    pub fn status(&self) -> Result<CopyStatus, Errno> {
        let mut st = CopyStatus {
            done_sectors: 0,
            total_sectors: 0,
            active: 0,
            last_error: 0,
            src: [0; uapi::NAME_LEN],
            dst: [0; uapi::NAME_LEN],
        };
        if !self.status_no_names.load(Ordering::Relaxed) {
            match self.ioctl(uapi::IOC_STATUS, &mut st) {
                Err(Errno(ENOTTY)) => self.status_no_names.store(true, Ordering::Relaxed),
                r => return r.map(|()| st),
            }
        }
        self.ioctl(IOC_STATUS_NO_NAMES, &mut st).map(|()| st)
    }

    /// Every rpmem disk, or `None` if the module has no `RPMEM_IOC_DISK_INFO`.
    pub fn disks(&self) -> Result<Option<Vec<DiskInfo>>, Errno> {
        let mut disks = Vec::new();
        for index in 0.. {
            let mut info = DiskInfo {
                index,
                flags: 0,
                name: [0; uapi::NAME_LEN],
                namespace: [0; uapi::NAME_LEN],
                sectors: 0,
                bad_sectors: 0,
            };
            match self.ioctl(uapi::IOC_DISK_INFO, &mut info) {
                Ok(()) => disks.push(info),
                Err(Errno(ENOENT)) => break,
                Err(Errno(ENOTTY)) if index == 0 => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        Ok(Some(disks))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    /// `_IOC()` from include/uapi/asm-generic/ioctl.h, written out again:
    /// nr bits 0-7, type 8-15, size 16-29, direction 30-31 (write 1, read 2).
    fn ioc(dir: u64, ty: u8, nr: u64, size: u64) -> u64 {
        assert!(size < 1 << 14);
        (dir << 30) | (size << 16) | (u64::from(ty) << 8) | nr
    }

    /// The C layout (`struct rpmem_copy` as tools/copyfd.c declares it:
    /// two `int` descriptors, then three `__u64`): sizes and offsets.
    #[test]
    fn struct_layout() {
        assert_eq!(size_of::<CopyRequest>(), 4 + 4 + 3 * 8);
        assert_eq!(offset_of!(CopyRequest, src_fd), 0);
        assert_eq!(offset_of!(CopyRequest, dst_fd), 4);
        assert_eq!(offset_of!(CopyRequest, src_sector), 8);
        assert_eq!(offset_of!(CopyRequest, dst_sector), 16);
        assert_eq!(offset_of!(CopyRequest, nr_sectors), 24);
        assert_eq!(size_of::<CopyStatus>(), 8 + 8 + 4 + 4 + 32 + 32);
        assert_eq!(offset_of!(CopyStatus, active), 16);
        assert_eq!(offset_of!(CopyStatus, last_error), 20);
        assert_eq!(offset_of!(CopyStatus, src), 24);
        assert_eq!(offset_of!(CopyStatus, dst), 56);
        assert_eq!(size_of::<DiskInfo>(), 4 + 4 + 32 + 32 + 8 + 8);
        assert_eq!(offset_of!(DiskInfo, name), 8);
        assert_eq!(offset_of!(DiskInfo, namespace), 40);
        assert_eq!(offset_of!(DiskInfo, sectors), 72);
        assert_eq!(offset_of!(DiskInfo, bad_sectors), 80);
        assert_eq!(size_of::<BenchKmap>(), 4 + 4 + 6 * 8);
        assert_eq!(offset_of!(BenchKmap, page_section_ps), 40);
        assert_eq!(offset_of!(BenchKmap, kmap_atomic_ps), 48);
        assert_eq!(offset_of!(BenchKmap, registry_ps), 8);
        assert_eq!(size_of::<BenchCopy>(), 4 + 4 + 3 * 8);
        assert_eq!(offset_of!(BenchCopy, memcpy_kibs), 8);
    }

    #[test]
    fn ioctl_numbers() {
        let (w, r) = (1, 2);
        assert_eq!(u64::from(uapi::IOC_COPY), ioc(w, b'R', 1, 32));
        assert_eq!(u64::from(uapi::IOC_STATUS), ioc(r, b'R', 2, 88));
        assert_eq!(u64::from(uapi::IOC_BENCH_KMAP), ioc(r | w, b'R', 3, 56));
        assert_eq!(u64::from(uapi::IOC_BENCH_COPY), ioc(r | w, b'R', 4, 32));
        assert_eq!(u64::from(uapi::IOC_DISK_INFO), ioc(r | w, b'R', 5, 88));
        // _IOR('R', 2, struct rpmem_copy_status) of the 24-byte C struct.
        assert_eq!(u64::from(IOC_STATUS_NO_NAMES), ioc(r, b'R', 2, 24));
        // The same numbers as a C compiler gives for the C structs.
        assert_eq!(uapi::IOC_COPY, 0x4020_5201);
        assert_eq!(IOC_STATUS_NO_NAMES, 0x8018_5202);
        assert_eq!(uapi::IOC_BENCH_KMAP, 0xc038_5203);
        assert_eq!(uapi::IOC_BENCH_COPY, 0xc020_5204);
    }
}
