// SPDX-License-Identifier: GPL-2.0

//! [`BdevFile`]: a block device opened through the block layer, as every
//! writer of a disk opens it (`bdev_file_open_by_dev()`): exclusive opens,
//! the write-to-mounted-device protection and the page cache apply. The pfn
//! copy reads and writes disks only through these.

use core::ptr::NonNull;

use kernel::error::from_err_ptr;
use kernel::prelude::*;

use crate::bindings;
use crate::bio::bvec_set_pfn;
use crate::gendisk::DiskId;
use crate::pfn::{Pfn, PAGE_SHIFT, PAGE_SIZE};

/// How to open a block device.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenMode {
    /// Shared, read-only.
    Read,
    /// Read-write, exclusive (a mounted or otherwise claimed disk is
    /// `EBUSY`), and no other writer while it is open.
    WriteExclusive,
}

/// The holder of our exclusive opens.
static HOLDER: u8 = 0;

/// An open block device; closed on drop.
pub(crate) struct BdevFile {
    file: NonNull<bindings::file>,
    bdev: NonNull<bindings::block_device>,
}

// SAFETY: an open block device file may be used and closed from any thread.
unsafe impl Send for BdevFile {}
// SAFETY: `&BdevFile` only gives calls the block layer serialises itself.
unsafe impl Sync for BdevFile {}

impl BdevFile {
    /// Open device number `devt` in `mode`.
    pub(crate) fn open(devt: u32, mode: OpenMode) -> Result<Self> {
        let (flags, holder) = match mode {
            OpenMode::Read => (bindings::BLK_OPEN_READ, core::ptr::null_mut()),
            OpenMode::WriteExclusive => (
                bindings::BLK_OPEN_READ
                    | bindings::BLK_OPEN_WRITE
                    | bindings::BLK_OPEN_RESTRICT_WRITES,
                (&raw const HOLDER).cast_mut().cast(),
            ),
        };
        // SAFETY: opening by number takes its own references; the holder is
        // a static that outlives every open. May sleep (ioctl context).
        let file = from_err_ptr(unsafe {
            bindings::bdev_file_open_by_dev(devt, flags, holder, core::ptr::null())
        })?;
        let file = NonNull::new(file).ok_or(ENXIO)?;
        // SAFETY: `file` is an open block device file.
        let bdev = unsafe { bindings::file_bdev(file.as_ptr()) };
        let Some(bdev) = NonNull::new(bdev) else {
            // SAFETY: closes the file just opened.
            unsafe { bindings::bdev_fput(file.as_ptr()) };
            return Err(ENXIO);
        };
        Ok(BdevFile { file, bdev })
    }

    /// The disk behind the open device.
    pub(crate) fn disk_id(&self) -> DiskId {
        // SAFETY: the device is open, so its disk is live.
        DiskId(unsafe { (*self.bdev.as_ptr()).bd_disk } as usize)
    }

    /// True if the device is read-only (`bdev_read_only()`).
    pub(crate) fn read_only(&self) -> bool {
        // SAFETY: the device is open.
        unsafe { bindings::rpmem_bdev_read_only(self.bdev.as_ptr()) }
    }

    /// Byte range `[first, last]` of `nr` sectors from `sector`.
    fn byte_range(sector: u64, nr: u64) -> Result<(i64, i64)> {
        let first = sector.checked_mul(512).ok_or(ERANGE)?;
        let last = sector
            .checked_add(nr)
            .and_then(|e| e.checked_mul(512))
            .ok_or(ERANGE)?;
        Ok((
            i64::try_from(first).map_err(|_| ERANGE)?,
            i64::try_from(last).map_err(|_| ERANGE)? - 1,
        ))
    }

    /// Write back dirty page cache over `nr` sectors from `sector`, so that
    /// the device holds what buffered writers wrote.
    pub(crate) fn write_back(&self, sector: u64, nr: u64) -> Result {
        let (first, last) = Self::byte_range(sector, nr)?;
        // SAFETY: the device is open; its mapping lives as long; may sleep.
        let rc = unsafe {
            bindings::filemap_write_and_wait_range((*self.bdev.as_ptr()).bd_mapping, first, last)
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(Error::from_errno(rc))
        }
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
        if rc == 0 {
            Ok(())
        } else {
            Err(Error::from_errno(rc))
        }
    }

    /// Flush the device's volatile cache (`blkdev_issue_flush()`).
    pub(crate) fn flush(&self) -> Result {
        // SAFETY: the device is open; may sleep.
        match unsafe { bindings::blkdev_issue_flush(self.bdev.as_ptr()) } {
            0 => Ok(()),
            rc => Err(Error::from_errno(rc)),
        }
    }

    /// Write `len` bytes from device frame `src`, `offset` bytes in, to
    /// `sector`: one bio with a single multi-page vector naming the device
    /// frames (pfn I/O), submitted through the block layer, waited for.
    /// `src` must be a device frame: the receiving rpmem disk maps it
    /// through the registry, and refuses it (`EIO`) if it is not registered.
    pub(crate) fn write_from_device(&self, sector: u64, src: Pfn, offset: u64, len: u32) -> Result {
        if !src.is_device() || len == 0 {
            return Err(EINVAL);
        }
        let src = src.add(offset >> PAGE_SHIFT);
        let offset = (offset as usize & (PAGE_SIZE - 1)) as u32;
        let opf = bindings::req_op_REQ_OP_WRITE | bindings::REQ_SYNC;
        // SAFETY: the device is open; may sleep. The bio comes from the pfn
        // bio set, which is how the receiving disk knows its frames.
        let bio = unsafe { bindings::rpmem_pfn_bio_alloc(self.bdev.as_ptr(), opf) };
        let bio = NonNull::new(bio).ok_or(ENOMEM)?;
        // SAFETY: a fresh bio with room for one inline vector, owned by us
        // until `bio_put`; `submit_bio_wait` returns after completion.
        let rc = unsafe {
            let b = bio.as_ptr();
            bvec_set_pfn(&mut *bindings::rpmem_bio_first_vec(b), src, offset, len);
            (*b).bi_vcnt = 1;
            (*b).bi_iter.bi_sector = sector;
            (*b).bi_iter.bi_size = len;
            let rc = bindings::submit_bio_wait(b);
            bindings::bio_put(b);
            rc
        };
        match rc {
            0 => Ok(()),
            rc => Err(Error::from_errno(rc)),
        }
    }
}

impl Drop for BdevFile {
    fn drop(&mut self) {
        // SAFETY: closes the file `open` opened (and its exclusive claim).
        unsafe { bindings::bdev_fput(self.file.as_ptr()) };
    }
}
