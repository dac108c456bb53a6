// SPDX-License-Identifier: GPL-2.0

//! Pfn I/O between disks of this module: [`PfnSource`] and [`PfnTarget`]
//! are the only ways to build a pfn bio, a bio whose vector names device
//! frames with no `struct page`. Both are made from a block device the
//! caller opened ([`UserBlockDevice`]) after checking that its disk is a
//! live disk of the given [`DiskType`], through the record the disk itself
//! publishes; so a pfn bio reaches only a disk that knows pfn bios, never
//! another driver (which would take its `bv_page` for a `struct page`).

use core::ptr::NonNull;

use kernel::prelude::*;
use kernel::sync::{rcu, Arc};

use super::bindings;
use super::block_device::UserBlockDevice;
use super::disk_type::{DiskFamily, DiskRecord, DiskType};
use crate::pfn::{Pfn, PAGE_SHIFT, PAGE_SIZE};

/// The record of the disk open on `dev`, if it is a live disk of `ty`.
fn record_of<F: DiskFamily>(
    dev: &UserBlockDevice,
    ty: &'static DiskType<F>,
) -> Result<Arc<DiskRecord<F::Identity>>> {
    let disk = dev.disk();
    if !ty.owns(disk) || dev.is_partition() {
        return Err(ENODEV);
    }
    let guard = rcu::read_lock();
    // SAFETY: the disk is live while `dev` is open, and it is of family `F`:
    // its queue's `queuedata` is null or the reference on a `DiskRecord` of
    // `F::Identity` that `GenDiskBuilder::add` published; it is released
    // only after a grace period, and we are inside a read-side section.
    let record = unsafe {
        let p = core::ptr::read_volatile(&raw const (*(*disk).queue).queuedata);
        let p = NonNull::new(p.cast::<DiskRecord<F::Identity>>()).ok_or(ENODEV)?;
        kernel::sync::ArcBorrow::from_raw(p.as_ptr()).into()
    };
    drop(guard);
    Ok(record)
}

/// A disk of this module to copy from: opened for reading by the caller.
pub(crate) struct PfnSource<F: DiskFamily> {
    record: Arc<DiskRecord<F::Identity>>,
}

impl<F: DiskFamily> PfnSource<F> {
    /// The disk open on `dev` as a source: `EBADF` if the caller did not
    /// open it for reading, `ENODEV` if it is not a live disk of `ty`.
    pub(crate) fn new(dev: &UserBlockDevice, ty: &'static DiskType<F>) -> Result<Self> {
        if !dev.readable() {
            return Err(EBADF);
        }
        Ok(PfnSource {
            record: record_of(dev, ty)?,
        })
    }

    /// The disk's identity.
    pub(crate) fn identity(&self) -> &Arc<F::Identity> {
        self.record.identity()
    }

    /// Capacity in 512-byte sectors.
    pub(crate) fn sectors(&self) -> u64 {
        self.record.sectors()
    }
}

/// A disk of this module to copy to: opened for writing, exclusively, by
/// the caller. Only a target sends pfn bios.
pub(crate) struct PfnTarget<'a, F: DiskFamily> {
    dev: &'a UserBlockDevice,
    record: Arc<DiskRecord<F::Identity>>,
}

impl<'a, F: DiskFamily> PfnTarget<'a, F> {
    /// The disk open on `dev` as a target: `EBADF` if the caller did not
    /// open it for writing, `EBUSY` if not exclusively (`O_EXCL`), `EROFS`
    /// if it is read-only, `ENODEV` if it is not a live disk of `ty`.
    pub(crate) fn new(dev: &'a UserBlockDevice, ty: &'static DiskType<F>) -> Result<Self> {
        if !dev.writable() {
            return Err(EBADF);
        }
        if !dev.exclusive() {
            return Err(EBUSY);
        }
        let record = record_of(dev, ty)?;
        if dev.read_only() {
            return Err(EROFS);
        }
        Ok(PfnTarget { dev, record })
    }

    /// The disk's identity.
    pub(crate) fn identity(&self) -> &Arc<F::Identity> {
        self.record.identity()
    }

    /// Capacity in 512-byte sectors.
    pub(crate) fn sectors(&self) -> u64 {
        self.record.sectors()
    }

    /// Write `nr` sectors of `src` from `src_sector` to `dst_sector`: one
    /// bio with a single multi-page vector naming the source's device
    /// frames, submitted through the block layer and waited for. The
    /// receiving disk maps the frames through its registry, machine-check
    /// safely; `EXDEV` if the two disks do not share one, `ERANGE` outside
    /// either disk. May sleep.
    pub(crate) fn write_from(
        &self,
        src: &PfnSource<F>,
        src_sector: u64,
        dst_sector: u64,
        nr: u64,
    ) -> Result {
        if !Arc::ptr_eq(&self.record.space, &src.record.space) {
            return Err(EXDEV);
        }
        let fits = |start: u64, size: u64| start.checked_add(nr).is_some_and(|e| e <= size);
        if nr == 0 || !fits(src_sector, src.sectors()) || !fits(dst_sector, self.sectors()) {
            return Err(ERANGE);
        }
        let len = nr
            .checked_mul(512)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or(ERANGE)?;
        // `src_sector + nr` fits in the source (checked above): no overflow.
        let byte = src_sector.checked_mul(512).ok_or(ERANGE)?;
        let first = src.record.frames.start_pfn.checked_add(byte >> PAGE_SHIFT);
        let pfn = Pfn::device(first.ok_or(ERANGE)?);
        let offset = (byte as usize & (PAGE_SIZE - 1)) as u32;
        let space = &self.record.space;
        let opf = bindings::req_op_REQ_OP_WRITE | bindings::REQ_SYNC;
        // SAFETY: the device is open; may sleep. The bio comes from the
        // receiving disk's pfn bio set, which is how it knows the frames.
        let bio = unsafe {
            bindings::rpmem_pfn_bio_alloc(self.dev.as_ptr(), opf, space.pfn_bios().as_ptr())
        };
        let bio = NonNull::new(bio).ok_or(ENOMEM)?;
        // SAFETY: a fresh bio with room for one inline vector, owned by us
        // until `bio_put`; `submit_bio_wait` returns after completion. The
        // vector stores `pfn_to_page(pfn)`, an address in the vmemmap that
        // is never dereferenced: the receiver turns it back into the frame.
        let rc = unsafe {
            let b = bio.as_ptr();
            let bv = &mut *bindings::rpmem_bio_first_vec(b);
            bv.bv_page = space.memmap().pfn_to_page(pfn.number());
            bv.bv_offset = offset;
            bv.bv_len = len;
            (*b).bi_vcnt = 1;
            (*b).bi_iter.bi_sector = dst_sector;
            (*b).bi_iter.bi_size = len;
            let rc = bindings::submit_bio_wait(b);
            bindings::bio_put(b);
            rc
        };
        kernel::error::to_result(rc)
    }
}
