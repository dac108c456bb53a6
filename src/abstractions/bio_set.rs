// SPDX-License-Identifier: GPL-2.0

//! [`PfnBioSet`]: the bio set (`struct bio_set`) that pfn bios come from.
//! A bio's `bi_pool` tells a pfn bio, whose vectors name device frames
//! with no `struct page`, from every other bio, whose pages are RAM.

use core::ptr::NonNull;

use kernel::prelude::*;

use super::bindings;

/// A bio set of its own, for pfn bios; freed when dropped.
pub(crate) struct PfnBioSet(NonNull<bindings::bio_set>);

// SAFETY: a bio set may be used (allocated from, compared with) from any
// thread; it is only freed on drop.
unsafe impl Send for PfnBioSet {}
// SAFETY: as above.
unsafe impl Sync for PfnBioSet {}

impl PfnBioSet {
    /// A new, empty bio set.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: allocates and initialises a bio set; may sleep.
        let set = unsafe { bindings::rpmem_bioset_create() };
        NonNull::new(set).map(PfnBioSet).ok_or(ENOMEM)
    }

    /// The raw set, for `bi_pool` comparisons and allocation.
    pub(super) fn as_ptr(&self) -> *mut bindings::bio_set {
        self.0.as_ptr()
    }
}

impl Drop for PfnBioSet {
    fn drop(&mut self) {
        // SAFETY: created in `new`; every pfn bio is freed before its
        // allocation returns (`PfnTarget` waits for and puts each one), and
        // those borrow the set.
        unsafe { bindings::rpmem_bioset_destroy(self.0.as_ptr()) };
    }
}
