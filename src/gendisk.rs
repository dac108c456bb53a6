// SPDX-License-Identifier: GPL-2.0

//! A bio-based gendisk built like rnull's `GenDiskBuilder`: the limits are
//! set on a builder, [`GenDiskBuilder::add`] takes the (pinned) queue data
//! that the disk's `submit_bio` reaches, and [`GenDisk`] deletes the disk
//! before that data goes.

use core::marker::PhantomData;
use core::ptr::{null_mut, NonNull};
use core::sync::atomic::{AtomicPtr, Ordering};

use kernel::error::from_err_ptr;
use kernel::prelude::*;

use crate::badblocks::BadBlocks;
use crate::bindings;
use crate::bio::Bio;
use crate::namespace::{CommonNamespace, Namespace};

/// What a disk's queue does with the bios submitted to it.
pub(crate) trait BioQueue: Send + Sync {
    /// Serve `bio` (complete it or hand it off). Must not sleep for a
    /// `REQ_NOWAIT` bio.
    fn submit_bio(&self, bio: Bio);
    /// The bad-block list the disk publishes (`disk->bb`, sysfs `badblocks`).
    fn badblocks(&self) -> &BadBlocks;
}

/// The `block_device_operations` of disks whose queue is a `T`.
struct Vtable<T>(PhantomData<T>);

impl<T: BioQueue> Vtable<T> {
    const FOPS: bindings::block_device_operations = bindings::block_device_operations {
        owner: (&raw const bindings::__this_module).cast_mut(),
        submit_bio: Some(submit_bio_callback::<T>),
        // SAFETY: all-zero is a valid `block_device_operations` (no callbacks).
        ..unsafe { core::mem::zeroed() }
    };
}

// The I/O path starts a page of its own: the whole of `submit_bio_callback`
// (with the `BioQueue::submit_bio` it inlines) lies in that page, as
// nd_pmem's `pmem_submit_bio()` lies in one, so a bio's jumps inside it
// stay in one page (one iTLB entry; under QEMU TCG a jump into another
// page is looked up, not chained). `scripts/check-io-path.py` checks it.
core::arch::global_asm!(
    ".pushsection .text.rpmem_io_path,\"ax\",@progbits",
    ".balign 4096",
    ".popsection"
);

/// `submit_bio` of every disk built by [`GenDiskBuilder::add`] for a `T`.
///
/// # Safety
///
/// Called by the block layer with a live bio for one of those disks.
#[link_section = ".text.rpmem_io_path"]
unsafe extern "C" fn submit_bio_callback<T: BioQueue>(bio: *mut bindings::bio) {
    // SAFETY: the block layer hands us a live bio to complete.
    let Some(bio) = (unsafe { Bio::from_raw(bio) }) else {
        return;
    };
    // SAFETY: `private_data` points at the pinned `T` that the `GenDisk`
    // owns; it outlives every bio because `del_gendisk` drains them first.
    let queue = unsafe { &*bio.disk_private().cast::<T>() };
    queue.submit_bio(bio);
}

/// Limits and features of a disk to be added.
pub(crate) struct GenDiskBuilder {
    lim: bindings::queue_limits,
    node: i32,
}

impl GenDiskBuilder {
    /// Default limits (all zero means "defaults" to the block layer).
    pub(crate) fn new() -> Self {
        GenDiskBuilder {
            // SAFETY: all-zero `queue_limits` is valid and means defaults.
            lim: unsafe { core::mem::zeroed() },
            node: bindings::NUMA_NO_NODE,
        }
    }

    /// Logical and physical block size.
    pub(crate) fn block_sizes(mut self, logical: u32, physical: u32) -> Self {
        self.lim.logical_block_size = logical;
        self.lim.physical_block_size = physical;
        self
    }

    /// Largest request in sectors.
    pub(crate) fn max_hw_sectors(mut self, sectors: u32) -> Self {
        self.lim.max_hw_sectors = sectors;
        self
    }

    /// Add `BLK_FEAT_*` feature bits.
    pub(crate) fn features(mut self, features: u32) -> Self {
        self.lim.features |= features;
        self
    }

    /// NUMA node for the disk's allocations.
    pub(crate) fn node(mut self, node: i32) -> Self {
        self.node = node;
        self
    }

    /// Allocate the disk, name it after namespace `ns` as nd_pmem does, give
    /// it `capacity` sectors and `queue`, and add it under `parent`. The
    /// disk may see I/O (the partition scan) before this returns.
    pub(crate) fn add<T: BioQueue>(
        mut self,
        queue: Pin<KBox<T>>,
        parent: &Namespace<'_>,
        ns: &CommonNamespace<'_>,
        capacity: u64,
    ) -> Result<GenDisk<T>> {
        // SAFETY: `lim` is initialised; may sleep (probe context).
        let disk = from_err_ptr(unsafe { bindings::rpmem_alloc_disk(&mut self.lim, self.node) })?;
        let disk = NonNull::new(disk).ok_or(ENOMEM)?;
        let d = disk.as_ptr();
        // SAFETY: `d` is a fresh gendisk we own. `queue` is pinned and owned
        // by the `GenDisk` returned below, which deletes the disk before it
        // drops `queue`; the bad-block list lives in `queue`.
        unsafe {
            (*d).fops = &Vtable::<T>::FOPS;
            (*d).private_data = core::ptr::from_ref::<T>(&queue).cast_mut().cast();
            bindings::nvdimm_namespace_disk_name(ns.as_ptr(), (*d).disk_name.as_mut_ptr());
            bindings::set_capacity(d, capacity);
            // The kernel crate declares `badblocks` opaque; ours is the full type.
            (*d).bb = queue.badblocks().as_ptr().cast();
        }
        // SAFETY: `parent` is the live namespace device; no attribute groups.
        let rc = unsafe { bindings::device_add_disk(parent.as_ptr(), d, null_mut()) };
        if rc != 0 {
            // SAFETY: the disk was never added; drop our reference.
            unsafe { bindings::put_disk(d) };
            return Err(Error::from_errno(rc));
        }
        // SAFETY: the disk is live and added; its parent is a namespace.
        unsafe { bindings::nvdimm_check_and_set_ro(d) };
        Ok(GenDisk { disk, queue })
    }
}

/// An added disk and the queue data its bios reach.
pub(crate) struct GenDisk<T: BioQueue> {
    disk: NonNull<bindings::gendisk>,
    queue: Pin<KBox<T>>,
}

// SAFETY: the gendisk may be used from any thread; `T` is `Send + Sync`.
unsafe impl<T: BioQueue> Send for GenDisk<T> {}
// SAFETY: as above; `&GenDisk` only gives read-only queries.
unsafe impl<T: BioQueue> Sync for GenDisk<T> {}

/// Identity of a disk, to tell whether an opened block device is it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct DiskId(pub(crate) usize);

impl<T: BioQueue> GenDisk<T> {
    /// The queue data.
    pub(crate) fn queue(&self) -> &T {
        &self.queue
    }

    /// True if the disk is read-only.
    pub(crate) fn read_only(&self) -> bool {
        // SAFETY: the gendisk is live.
        unsafe { bindings::rpmem_disk_ro(self.disk.as_ptr()) }
    }

    /// Re-apply the region's read-only state (`nvdimm_check_and_set_ro()`).
    pub(crate) fn apply_region_ro(&self) {
        // SAFETY: the gendisk is live and its parent is our namespace.
        unsafe { bindings::nvdimm_check_and_set_ro(self.disk.as_ptr()) };
    }

    /// The disk's device number.
    pub(crate) fn devt(&self) -> u32 {
        // SAFETY: the gendisk is live.
        unsafe { bindings::rpmem_disk_devt(self.disk.as_ptr()) }
    }

    /// The disk's identity.
    pub(crate) fn id(&self) -> DiskId {
        DiskId(self.disk.as_ptr() as usize)
    }

    /// The disk's sysfs `badblocks` file, to notify pollers of changes.
    pub(crate) fn badblocks_dirent(&self) -> Option<SysfsDirent> {
        // SAFETY: the disk is live and added.
        let dirent = unsafe { bindings::rpmem_disk_badblocks_dirent(self.disk.as_ptr()) };
        NonNull::new(dirent).map(SysfsDirent)
    }
}

impl<T: BioQueue> Drop for GenDisk<T> {
    fn drop(&mut self) {
        // SAFETY: we added the disk; `del_gendisk` drains in-flight bios
        // before it returns, then we drop our reference. `queue` is dropped
        // after this, when no bio can reach it any more.
        unsafe {
            bindings::del_gendisk(self.disk.as_ptr());
            bindings::put_disk(self.disk.as_ptr());
        }
    }
}

/// A reference on a sysfs file, to notify its pollers.
pub(crate) struct SysfsDirent(NonNull<kernel::ffi::c_void>);

/// A [`SysfsDirent`] published after the disk was added, while I/O that
/// may notify it already runs: set once, read with acquire semantics.
pub(crate) struct DirentSlot(AtomicPtr<kernel::ffi::c_void>);

impl DirentSlot {
    /// An empty slot.
    pub(crate) const fn new() -> Self {
        DirentSlot(AtomicPtr::new(null_mut()))
    }

    /// Publish `dirent` (once; a second one is released at once).
    pub(crate) fn publish(&self, dirent: SysfsDirent) {
        let p = dirent.0.as_ptr();
        if self
            .0
            .compare_exchange(null_mut(), p, Ordering::Release, Ordering::Relaxed)
            .is_ok()
        {
            core::mem::forget(dirent);
        }
    }

    /// Wake pollers of the file, if published.
    pub(crate) fn notify(&self) {
        let p = self.0.load(Ordering::Acquire);
        if !p.is_null() {
            // SAFETY: the slot holds a reference on the dirent until drop.
            unsafe { bindings::rpmem_notify_dirent(p) };
        }
    }
}

impl Drop for DirentSlot {
    fn drop(&mut self) {
        let p = *self.0.get_mut();
        if !p.is_null() {
            // SAFETY: releases the reference the slot took over.
            unsafe { bindings::rpmem_put_dirent(p) };
        }
    }
}

impl Drop for SysfsDirent {
    fn drop(&mut self) {
        // SAFETY: releases the reference `sysfs_get_dirent()` gave.
        unsafe { bindings::rpmem_put_dirent(self.0.as_ptr()) };
    }
}
