// SPDX-License-Identifier: GPL-2.0

//! [`UserBlockDevice`]: a block device that the calling process opened and
//! passed by file descriptor. It carries the caller's own rights: read or
//! write as the file was opened, and exclusivity (`O_EXCL`: refused while
//! mounted or claimed, and it keeps mounts and other exclusive openers out
//! while it is open), as `copy_file_range()` and `FICLONE` act on files the
//! caller opened. The pfn copy reads and writes disks only through these.

use core::ptr::NonNull;

use kernel::fs::file::LocalFile;
use kernel::prelude::*;
use kernel::sync::aref::ARef;

use super::bindings;
use crate::pfn::PAGE_SHIFT;

/// An open block device file of the caller's; the reference goes on drop.
pub(crate) struct UserBlockDevice {
    file: ARef<LocalFile>,
    bdev: NonNull<bindings::block_device>,
}

impl UserBlockDevice {
    /// The block device open on `fd` in the calling process: `EBADF` if
    /// `fd` is not open, `ENOTBLK` if it is not a block device.
    pub(crate) fn from_fd(fd: i32) -> Result<Self> {
        let fd = u32::try_from(fd).map_err(|_| EBADF)?;
        let file = LocalFile::fget(fd).map_err(|_| EBADF)?;
        // SAFETY: `file` is an open file we hold a reference on; the helper
        // returns its block device only for a block special file, whose
        // open made `f_mapping` the device's (`bdev_open()`).
        let bdev = unsafe { bindings::rpmem_file_bdev(file.as_ptr()) };
        let bdev = NonNull::new(bdev).ok_or(ENOTBLK)?;
        Ok(UserBlockDevice { file, bdev })
    }

    /// True if the caller opened it for reading.
    pub(crate) fn readable(&self) -> bool {
        // SAFETY: reads the mode of an open file.
        unsafe { bindings::rpmem_file_readable(self.file.as_ptr()) }
    }

    /// True if the caller opened it for writing.
    pub(crate) fn writable(&self) -> bool {
        // SAFETY: reads the mode of an open file.
        unsafe { bindings::rpmem_file_writable(self.file.as_ptr()) }
    }

    /// True if the caller opened it exclusively (`O_EXCL`).
    pub(crate) fn exclusive(&self) -> bool {
        // SAFETY: reads the holder of an open block device file.
        unsafe { bindings::rpmem_bdev_file_exclusive(self.file.as_ptr()) }
    }

    /// The disk behind the device (live while the file is open).
    pub(super) fn disk(&self) -> *mut bindings::gendisk {
        // SAFETY: the device is open, so it and its disk are live.
        unsafe { (*self.bdev.as_ptr()).bd_disk }
    }

    /// The raw device, for submitting bios to it.
    pub(super) fn as_ptr(&self) -> *mut bindings::block_device {
        self.bdev.as_ptr()
    }

    /// True if the device is a partition (the pfn copy works on whole disks).
    pub(crate) fn is_partition(&self) -> bool {
        // SAFETY: the device is open.
        unsafe { bindings::rpmem_bdev_is_partition(self.bdev.as_ptr()) }
    }

    /// True if the device is read-only (`bdev_read_only()`).
    pub(crate) fn read_only(&self) -> bool {
        // SAFETY: the device is open.
        unsafe { bindings::rpmem_bdev_read_only(self.bdev.as_ptr()) }
    }

    /// Byte range `[first, last]` of `nr` sectors from `sector`.
    fn byte_range(sector: u64, nr: u64) -> Result<(i64, i64)> {
        let first = sector.checked_mul(512).ok_or(ERANGE)?;
        let end = sector
            .checked_add(nr)
            .and_then(|e| e.checked_mul(512))
            .ok_or(ERANGE)?;
        let first = i64::try_from(first).map_err(|_| ERANGE)?;
        let last = i64::try_from(end).map_err(|_| ERANGE)?;
        Ok((first, last.saturating_sub(1)))
    }

    /// Write back dirty page cache over `nr` sectors from `sector`, so that
    /// the device holds what buffered writers wrote.
    pub(crate) fn write_back(&self, sector: u64, nr: u64) -> Result {
        let (first, last) = Self::byte_range(sector, nr)?;
        // SAFETY: the device is open; its mapping lives as long; may sleep.
        let rc = unsafe {
            bindings::filemap_write_and_wait_range((*self.bdev.as_ptr()).bd_mapping, first, last)
        };
        kernel::error::to_result(rc)
    }

    /// Drop the page cache over `nr` sectors from `sector`, so buffered
    /// readers see what was written under it (as after an `O_DIRECT` write).
    pub(crate) fn invalidate(&self, sector: u64, nr: u64) -> Result {
        let (first, last) = Self::byte_range(sector, nr)?;
        let first_page = (first as u64 >> PAGE_SHIFT) as usize;
        let last_page = (last as u64 >> PAGE_SHIFT) as usize;
        // SAFETY: the device is open; its mapping lives as long; may sleep.
        let rc = unsafe {
            bindings::invalidate_inode_pages2_range(
                (*self.bdev.as_ptr()).bd_mapping,
                first_page,
                last_page,
            )
        };
        kernel::error::to_result(rc)
    }

    /// Flush the device's volatile cache (`blkdev_issue_flush()`).
    pub(crate) fn flush(&self) -> Result {
        // SAFETY: the device is open; may sleep.
        kernel::error::to_result(unsafe { bindings::blkdev_issue_flush(self.bdev.as_ptr()) })
    }
}
