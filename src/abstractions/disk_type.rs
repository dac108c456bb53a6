// SPDX-License-Identifier: GPL-2.0

//! A kind of disk ([`DiskFamily`]) and its [`DiskType`]: a static of the
//! driver's holding the disks' `block_device_operations`, whose address
//! tells this module's disks from any other (`disk->fops`), as
//! `is_dm_device()`-style checks do; and the [`DiskRecord`] each disk
//! publishes in its queue's `queuedata` until it is deleted, which the pfn
//! bio abstraction reads to find a disk from an opened block device
//! ([`super::pfn_bio`]).

use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::prelude::*;
use kernel::sync::Arc;

use super::badblocks::BadBlocks;
use super::bindings;
use super::bio::Bio;
use super::pfn_space::PfnSpace;
use super::registry::RegisteredMapping;
use crate::range_table::DevRange;

/// What a disk's queue does with the bios submitted to it.
pub(crate) trait BioQueue: Send + Sync {
    /// Serve `bio` (complete it or pass it on). Must not sleep for a
    /// `REQ_NOWAIT` bio.
    fn submit_bio(&self, bio: Bio);
    /// The disk's block device is being opened (for writing if `write`);
    /// `Err` refuses it. Called under the disk's open mutex.
    fn open(&self, _write: bool) -> Result {
        Ok(())
    }
    /// One open of the block device has been closed (the block layer does
    /// not say which). Called under the disk's open mutex.
    fn release(&self) {}
    /// A block device of the disk (the whole disk or a partition) is being
    /// set read-only (`read_only`) or writable by `BLKROSET`; `was`: its
    /// read-only flag before. `Err` refuses it. Called under the disk's
    /// open mutex.
    fn set_read_only(&self, _read_only: bool, _was: bool) -> Result {
        Ok(())
    }
}

/// What the disks of a driver share with users that may outlive a binding
/// (an open block device, a copy): no pointer into the namespace.
pub(crate) trait DiskIdentity: Send + Sync + 'static {
    /// The disk's bad-block list (`disk->bb`, sysfs `badblocks`).
    fn badblocks(&self) -> &BadBlocks;
}

/// A kind of disk: its queue data (which may borrow the namespace's
/// binding, `'ns`) and its identity.
pub(crate) trait DiskFamily: 'static {
    /// The data every bio of one disk reaches.
    type Queue<'ns>: BioQueue + 'ns;
    /// What the disk shares beyond its binding.
    type Identity: DiskIdentity;
}

/// The `block_device_operations` of the disks of family `F`. Declare one
/// `static` per family: its address identifies the family's disks.
pub(crate) struct DiskType<F: DiskFamily> {
    pub(super) fops: bindings::block_device_operations,
    _family: PhantomData<F>,
}

// SAFETY: the operations table is immutable after construction.
unsafe impl<F: DiskFamily> Sync for DiskType<F> {}

impl<F: DiskFamily> DiskType<F> {
    /// The operations of family `F`: this module as owner (an open disk
    /// pins it), `submit_bio` reaching the disk's `F::Queue`.
    pub(crate) const fn new() -> Self {
        DiskType {
            fops: bindings::block_device_operations {
                owner: (&raw const bindings::__this_module).cast_mut(),
                submit_bio: Some(submit_bio_callback::<F>),
                open: Some(open_callback::<F>),
                release: Some(release_callback::<F>),
                set_read_only: Some(set_read_only_callback::<F>),
                // SAFETY: all-zero is a valid `block_device_operations`.
                ..unsafe { core::mem::zeroed() }
            },
            _family: PhantomData,
        }
    }

    /// True if `disk` is one of this family's disks.
    pub(super) fn owns(&self, disk: *const bindings::gendisk) -> bool {
        // SAFETY: the caller passes a live gendisk (an open device's).
        core::ptr::eq(unsafe { (*disk).fops }, &self.fops)
    }
}

/// The frames a disk serves, registered in the registry of its pfn space.
pub(crate) struct DiskFrames {
    pub(super) space: Arc<PfnSpace>,
    pub(super) range: DevRange,
}

impl DiskFrames {
    /// The frames of `frames`, which must be registered in `space`'s
    /// registry (`EINVAL` otherwise).
    pub(crate) fn new(space: Arc<PfnSpace>, frames: &RegisteredMapping<'_>) -> Result<Self> {
        if !frames.registered_in(space.registry()) {
            return Err(EINVAL);
        }
        Ok(DiskFrames {
            range: frames.range(),
            space,
        })
    }
}

/// What a disk of family `F` publishes while it is added: its pfn space,
/// its registered frames and its identity.
pub(crate) struct DiskRecord<I> {
    pub(super) space: Arc<PfnSpace>,
    pub(super) frames: DevRange,
    pub(super) identity: Arc<I>,
}

impl<I> DiskRecord<I> {
    /// The driver's identity of the disk.
    pub(crate) fn identity(&self) -> &Arc<I> {
        &self.identity
    }

    /// Capacity in 512-byte sectors (of its registered frames).
    pub(super) fn sectors(&self) -> u64 {
        self.frames
            .nr_pages
            .saturating_mul(crate::pfn::PAGE_SIZE as u64 / 512)
    }
}

/// `submit_bio` of every disk of family `F`.
///
/// # Safety
///
/// Called by the block layer with a live bio for one of those disks.
unsafe extern "C" fn submit_bio_callback<F: DiskFamily>(bio: *mut bindings::bio) {
    let Some(bio) = NonNull::new(bio) else {
        return;
    };
    // SAFETY: a disk of family `F` (its fops are `F`'s) has a pinned
    // `F::Queue` in `private_data`, which its `GenDisk` owns and drops only
    // after `del_gendisk` has drained every bio.
    let queue = unsafe {
        &*(*(*(*bio.as_ptr()).bi_bdev).bd_disk)
            .private_data
            .cast::<F::Queue<'_>>()
    };
    // SAFETY: the block layer hands us a live bio to complete.
    queue.submit_bio(unsafe { Bio::from_raw(bio) });
}

/// `open` of every disk of family `F`.
///
/// # Safety
///
/// Called by the block layer under `disk->open_mutex` for a live disk of
/// family `F`.
unsafe extern "C" fn open_callback<F: DiskFamily>(
    disk: *mut bindings::gendisk,
    mode: bindings::blk_mode_t,
) -> kernel::ffi::c_int {
    // SAFETY: a live disk of family `F` has its `F::Queue` in
    // `private_data` (the block layer opens only live disks, and
    // `GenDisk`'s drop clears it under the open mutex we hold before the
    // queue goes).
    let Some(queue) = (unsafe { (*disk).private_data.cast::<F::Queue<'_>>().as_ref() }) else {
        return ENXIO.to_errno();
    };
    match queue.open(mode & bindings::BLK_OPEN_WRITE != 0) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `release` of every disk of family `F`.
///
/// # Safety
///
/// Called by the block layer under `disk->open_mutex` for a disk of family
/// `F`, once per successful open.
unsafe extern "C" fn release_callback<F: DiskFamily>(disk: *mut bindings::gendisk) {
    // SAFETY: `private_data` is the live queue, or NULL once `GenDisk`'s
    // drop has detached it (under the open mutex we hold).
    if let Some(queue) = unsafe { (*disk).private_data.cast::<F::Queue<'_>>().as_ref() } {
        queue.release();
    }
}

/// `set_read_only` (`BLKROSET`) of every disk of family `F`.
///
/// # Safety
///
/// Called by the block layer, with no lock held, for an open block device
/// of a disk of family `F`.
unsafe extern "C" fn set_read_only_callback<F: DiskFamily>(
    bdev: *mut bindings::block_device,
    read_only: bool,
) -> kernel::ffi::c_int {
    let mut was = false;
    // SAFETY: `bdev` is open, so its disk is allocated; the shim locks the
    // disk's open mutex and returns `private_data`.
    let data = unsafe { bindings::rpmem_bdev_lock_disk(bdev, &mut was) };
    // SAFETY: `private_data` is the live queue, or NULL once `GenDisk`'s
    // drop has detached it (under the open mutex, held until the unlock).
    let ret = match unsafe { data.cast::<F::Queue<'_>>().as_ref() } {
        Some(queue) => match queue.set_read_only(read_only, was) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        },
        None => ENXIO.to_errno(),
    };
    // SAFETY: locked above.
    unsafe { bindings::rpmem_bdev_unlock_disk(bdev) };
    ret
}
