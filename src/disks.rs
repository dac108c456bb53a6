// SPDX-License-Identifier: GPL-2.0

//! The list of live rpmem disks, for the control device. The lock is held
//! only to look a disk up: a copy keeps what it needs of a disk (an
//! [`Arc<DiskShared>`] and the block device it opens), not the lock, so
//! binding and unbinding go on while copies run.

use kernel::prelude::*;
use kernel::sync::Arc;

use crate::disk::{DiskShared, PmemDisk};
use crate::gendisk::DiskId;
use crate::uapi::DiskInfo;

/// A listed disk.
struct DiskRef(*const PmemDisk);

// SAFETY: the pointee is only used under the list lock, which keeps it
// alive (`remove` unlists a disk before dropping it); `PmemDisk`'s shared
// methods are safe to call from any thread.
unsafe impl Send for DiskRef {}

kernel::sync::global_lock! {
    // SAFETY: initialised by `disks::init()` from the module initialiser.
    unsafe(uninit) static DISKS: Mutex<KVec<DiskRef>> = KVec::new();
}

/// Prepare the list. Call once, from module init.
pub(crate) fn init() {
    // SAFETY: called exactly once, before any other use of `DISKS`.
    unsafe { DISKS.init() };
}

/// Free the list's storage. Call once, from module exit, after every disk
/// has been unlisted (the static outlives the module's heap).
pub(crate) fn shutdown() {
    *DISKS.lock() = KVec::new();
}

/// List `disk`; it must stay at its address until [`unlist`].
pub(crate) fn list(disk: &Pin<KBox<PmemDisk>>) -> Result {
    let p: *const PmemDisk = &**disk;
    DISKS.lock().push(DiskRef(p), GFP_KERNEL)?;
    Ok(())
}

/// Unlist `disk` (before it is dropped).
pub(crate) fn unlist(disk: &PmemDisk) {
    let mut disks = DISKS.lock();
    if let Some(i) = disks.iter().position(|d| core::ptr::eq(d.0, disk)) {
        // The index is in bounds; nothing to handle.
        let _ = disks.remove(i);
    }
}

/// Run `f` on each listed disk, under the lock, until it returns `Some`.
fn find_map<R>(mut f: impl FnMut(usize, &PmemDisk) -> Option<R>) -> Option<R> {
    let disks = DISKS.lock();
    let mut index = 0usize;
    disks.iter().find_map(|d| {
        // SAFETY: listed disks are live while the lock is held.
        let disk = unsafe { &*d.0 };
        let found = f(index, disk);
        // At most one per namespace: the count cannot wrap.
        index = index.wrapping_add(1);
        found
    })
}

/// What a copy holds of a disk it found by name.
pub(crate) struct Found {
    /// Geometry, bad blocks, names.
    pub(crate) shared: Arc<DiskShared>,
    /// Device number, to open it through the block layer.
    pub(crate) devt: u32,
    /// Identity, to check the opened device is this disk.
    pub(crate) id: DiskId,
}

/// The rpmem disk called `name`, if any.
pub(crate) fn find(name: &[u8]) -> Option<Found> {
    find_map(|_, disk| {
        (disk.name() == name).then(|| Found {
            shared: disk.shared().clone(),
            devt: disk.devt(),
            id: disk.id(),
        })
    })
}

/// The `index`-th listed disk, as `rpmemctl status` shows it.
pub(crate) fn info(index: u32) -> Option<DiskInfo> {
    find_map(|i, disk| (i == index as usize).then(|| disk.info(index)))
}
