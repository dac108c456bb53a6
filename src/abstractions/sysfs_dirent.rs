// SPDX-License-Identifier: GPL-2.0

//! [`SysfsDirent`]: a reference on a sysfs file (`struct kernfs_node`), to
//! wake its pollers, and [`DirentSlot`], where one is published once.

use core::ptr::{null_mut, NonNull};
use core::sync::atomic::{AtomicPtr, Ordering};

use kernel::ffi::c_void;

use super::bindings;

/// A reference on a sysfs file.
pub(crate) struct SysfsDirent(NonNull<c_void>);

// SAFETY: a kernfs node reference may be used and dropped on any thread.
unsafe impl Send for SysfsDirent {}

impl SysfsDirent {
    /// A reference `sysfs_get_dirent()` returned.
    ///
    /// # Safety
    ///
    /// `dirent` must be a reference the caller owns.
    pub(super) unsafe fn from_raw(dirent: NonNull<c_void>) -> Self {
        SysfsDirent(dirent)
    }
}

impl Drop for SysfsDirent {
    fn drop(&mut self) {
        // SAFETY: releases the reference we own.
        unsafe { bindings::rpmem_put_dirent(self.0.as_ptr()) };
    }
}

/// A [`SysfsDirent`] published while code that may notify it already runs:
/// set once, read with acquire semantics.
pub(crate) struct DirentSlot(AtomicPtr<c_void>);

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
