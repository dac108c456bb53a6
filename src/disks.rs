// SPDX-License-Identifier: GPL-2.0

//! The list of live rpmem disks, by name, for the control device.
//!
//! Holding the list lock keeps every listed disk bound: `remove` must take
//! the lock to unlist a disk before tearing it down.

use kernel::prelude::*;
use kernel::str::CStr;

use crate::disk::PmemDisk;

/// A listed disk.
pub(crate) struct DiskRef(*const PmemDisk);

// SAFETY: the pointee is only used under the list lock, which keeps it
// alive; `PmemDisk`'s shared methods are safe to call from any thread.
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
pub(crate) fn list(disk: &PmemDisk) -> Result {
    DISKS
        .lock()
        .push(DiskRef(core::ptr::from_ref(disk)), GFP_KERNEL)?;
    Ok(())
}

/// Unlist `disk`; waits while a user of the list (a copy) runs.
pub(crate) fn unlist(disk: *const PmemDisk) {
    let mut disks = DISKS.lock();
    if let Some(i) = disks.iter().position(|d| d.0 == disk) {
        // The index is in bounds; nothing to handle.
        let _ = disks.remove(i);
    }
}

/// The listed disks, seen under the list lock.
pub(crate) struct Listed<'a>(&'a [DiskRef]);

impl<'a> Listed<'a> {
    /// The rpmem disk called `name`, if any.
    pub(crate) fn find(&self, name: &CStr) -> Option<&'a PmemDisk> {
        self.0.iter().find_map(|d| {
            // SAFETY: listed disks are live while the lock is held, which
            // outlives `'a`.
            let disk = unsafe { &*d.0 };
            (disk.name() == name).then_some(disk)
        })
    }
}

/// Run `f` on the listed disks; they stay bound while `f` runs.
pub(crate) fn with_disks<R>(f: impl FnOnce(&Listed<'_>) -> R) -> R {
    let disks = DISKS.lock();
    f(&Listed(&disks))
}
