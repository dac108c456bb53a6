// SPDX-License-Identifier: GPL-2.0

//! A bio-based gendisk (`struct gendisk`), built like rnull's
//! `GenDiskBuilder`: limits and features are set on a builder,
//! [`GenDiskBuilder::add`] takes the pinned queue data that the disk's
//! `submit_bio` reaches ([`super::disk_type`]), and [`GenDisk`] deletes the
//! disk before that data goes.

use core::ptr::{null_mut, NonNull};

use kernel::error::from_err_ptr;
use kernel::prelude::*;
use kernel::sync::Arc;

use super::bindings;
use super::disk_type::{DiskFamily, DiskFrames, DiskIdentity, DiskRecord, DiskType};
use super::namespace::{CommonNamespace, Namespace};
use super::sysfs_dirent::SysfsDirent;

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

    fn feature(mut self, on: bool, feature: u32) -> Self {
        if on {
            self.lim.features |= feature;
        }
        self
    }

    /// A volatile write cache: `REQ_PREFLUSH` reaches the driver.
    pub(crate) fn write_cache(self, on: bool) -> Self {
        self.feature(on, bindings::BLK_FEAT_WRITE_CACHE)
    }

    /// `REQ_FUA` reaches the driver.
    pub(crate) fn fua(self, on: bool) -> Self {
        self.feature(on, bindings::BLK_FEAT_FUA)
    }

    /// Bios complete in `submit_bio`'s context (`BLK_FEAT_SYNCHRONOUS`).
    pub(crate) fn synchronous(self, on: bool) -> Self {
        self.feature(on, bindings::BLK_FEAT_SYNCHRONOUS)
    }

    /// `REQ_NOWAIT` bios are served (`BLK_FEAT_NOWAIT`).
    pub(crate) fn nowait(self, on: bool) -> Self {
        self.feature(on, bindings::BLK_FEAT_NOWAIT)
    }

    /// NUMA node for the disk's allocations.
    pub(crate) fn node(mut self, node: i32) -> Self {
        self.node = node;
        self
    }

    /// Allocate a disk of family `F`, name it after namespace `ns` as
    /// nd_pmem does, give it `capacity` sectors and `queue`, publish its
    /// record (its `frames` and `identity`) and add it under `parent`. The
    /// disk may see I/O (the partition scan) before this returns.
    #[expect(
        clippy::too_many_arguments,
        reason = "one of each thing a disk is made of"
    )]
    pub(crate) fn add<'ns, F: DiskFamily>(
        mut self,
        ty: &'static DiskType<F>,
        queue: Pin<KBox<F::Queue<'ns>>>,
        frames: DiskFrames,
        identity: Arc<F::Identity>,
        parent: &Namespace<'ns>,
        ns: &CommonNamespace<'ns>,
        capacity: u64,
    ) -> Result<GenDisk<'ns, F>> {
        let record = Arc::new(
            DiskRecord {
                space: frames.space,
                frames: frames.range,
                identity,
            },
            GFP_KERNEL,
        )?;
        // SAFETY: `lim` is initialised; may sleep (probe context).
        let disk = from_err_ptr(unsafe { bindings::rpmem_alloc_disk(&mut self.lim, self.node) })?;
        let disk = NonNull::new(disk).ok_or(ENOMEM)?;
        let d = disk.as_ptr();
        // SAFETY: `d` is a fresh gendisk we own, with its queue. `queue` is
        // pinned and owned by the `GenDisk` returned below, which deletes
        // the disk before it drops `queue`; so is the record's reference,
        // released after `del_gendisk`, and the bad-block list lives in the
        // record's identity.
        unsafe {
            (*d).fops = &ty.fops;
            (*d).private_data = core::ptr::from_ref::<F::Queue<'ns>>(&queue)
                .cast_mut()
                .cast();
            bindings::nvdimm_namespace_disk_name(ns.as_ptr(), (*d).disk_name.as_mut_ptr());
            bindings::set_capacity(d, capacity);
            // The kernel crate declares `badblocks` opaque; ours is the full type.
            (*d).bb = record.identity.badblocks().as_ptr().cast();
            (*(*d).queue).queuedata = Arc::into_raw(record).cast_mut().cast();
        }
        // SAFETY: `parent` is the live namespace device; no attribute groups.
        let rc = unsafe { bindings::device_add_disk(parent.as_ptr(), d, null_mut()) };
        if rc != 0 {
            // SAFETY: the disk was never added, so no bio and no reader of
            // the record reached it: release the record and the disk.
            unsafe {
                drop(take_record::<F>(d));
                bindings::put_disk(d);
            }
            return Err(Error::from_errno(rc));
        }
        let disk = GenDisk { disk, queue };
        // SAFETY: the disk is live and added; its parent is a namespace.
        unsafe { bindings::nvdimm_check_and_set_ro(d) };
        Ok(disk)
    }
}

/// An added disk of family `F` and the queue data its bios reach, for as
/// long as the namespace's binding (`'ns`).
pub(crate) struct GenDisk<'ns, F: DiskFamily> {
    disk: NonNull<bindings::gendisk>,
    queue: Pin<KBox<F::Queue<'ns>>>,
}

// SAFETY: the gendisk may be used from any thread; the queue is `Send + Sync`.
unsafe impl<F: DiskFamily> Send for GenDisk<'_, F> {}
// SAFETY: as above; `&GenDisk` only gives read-only queries.
unsafe impl<F: DiskFamily> Sync for GenDisk<'_, F> {}

impl<'ns, F: DiskFamily> GenDisk<'ns, F> {
    /// The queue data.
    pub(crate) fn queue(&self) -> &F::Queue<'ns> {
        &self.queue
    }

    /// True if the disk is read-only.
    pub(crate) fn read_only(&self) -> bool {
        // SAFETY: the gendisk is live.
        unsafe { bindings::rpmem_disk_ro(self.disk.as_ptr()) }
    }

    /// Re-apply the region's read-only state (`nvdimm_check_and_set_ro()`).
    pub(crate) fn apply_region_ro(&self) {
        // SAFETY: the gendisk is live and added under a namespace.
        unsafe { bindings::nvdimm_check_and_set_ro(self.disk.as_ptr()) };
    }

    /// The disk's sysfs `badblocks` file, to notify pollers of changes.
    pub(crate) fn badblocks_dirent(&self) -> Option<SysfsDirent> {
        // SAFETY: the disk is live and added.
        let dirent = unsafe { bindings::rpmem_disk_badblocks_dirent(self.disk.as_ptr()) };
        // SAFETY: `sysfs_get_dirent()` gave us a reference.
        NonNull::new(dirent).map(|d| unsafe { SysfsDirent::from_raw(d) })
    }
}

impl<F: DiskFamily> Drop for GenDisk<'_, F> {
    fn drop(&mut self) {
        let d = self.disk.as_ptr();
        // SAFETY: `del_gendisk` drains in-flight bios before it returns (a
        // no-op for a disk never added). Then the record is unpublished:
        // readers take it under `rcu_read_lock()` (`super::pfn_bio`), so
        // after a grace period we drop the reference it held. The gendisk
        // itself may live on while a block device stays open; it keeps no
        // pointer into `queue`, which is dropped after this.
        unsafe {
            bindings::del_gendisk(d);
            // Block devices closed from now on find no queue data
            // (`disk_type`'s release callback).
            bindings::rpmem_disk_detach(d);
            let record = take_record::<F>(d);
            bindings::synchronize_rcu();
            drop(record);
            bindings::put_disk(d);
        }
    }
}

/// Unpublish the record of disk `d` and take back its reference.
///
/// # Safety
///
/// `d` must be a disk of family `F` built by [`GenDiskBuilder::add`]; the
/// result may only be dropped after a grace period, unless no reader can
/// have seen the record.
unsafe fn take_record<F: DiskFamily>(
    d: *mut bindings::gendisk,
) -> Option<Arc<DiskRecord<F::Identity>>> {
    // SAFETY: the disk and its queue are live (caller); readers load the
    // record once, under RCU, as `READ_ONCE()` does.
    unsafe {
        let slot = &raw mut (*(*d).queue).queuedata;
        let record = core::ptr::read_volatile(slot);
        core::ptr::write_volatile(slot, null_mut());
        (*d).bb = null_mut();
        // The reference `add` published with `Arc::into_raw`.
        (!record.is_null()).then(|| Arc::from_raw(record.cast::<DiskRecord<F::Identity>>()))
    }
}
