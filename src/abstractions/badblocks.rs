// SPDX-License-Identifier: GPL-2.0

//! [`BadBlocks`]: a pinned `struct badblocks`, the list of known-bad
//! sectors of one disk (libnvdimm fills it from the region's poison list).

use kernel::prelude::*;
use kernel::types::Opaque;

use super::bindings;

/// A bad-block list, initialised on creation and freed on drop.
#[pin_data(PinnedDrop)]
pub(crate) struct BadBlocks {
    #[pin]
    bb: Opaque<bindings::badblocks>,
}

// SAFETY: `struct badblocks` serialises its users with its own seqlock;
// `count()` is a single aligned read.
unsafe impl Send for BadBlocks {}
// SAFETY: as above.
unsafe impl Sync for BadBlocks {}

impl BadBlocks {
    /// An empty, enabled list.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            bb <- Opaque::try_ffi_init(|slot: *mut bindings::badblocks| {
                // SAFETY: `slot` is valid for writes; all-zero is the state
                // `badblocks_init()` expects, and it may sleep (process
                // context, as every caller is).
                let rc = unsafe {
                    core::ptr::write_bytes(slot, 0, 1);
                    bindings::badblocks_init(slot, 1)
                };
                if rc == 0 {
                    Ok(())
                } else {
                    Err(ENOMEM)
                }
            }),
        })
    }

    /// The raw list, for C APIs that fill or publish it.
    pub(super) fn as_ptr(&self) -> *mut bindings::badblocks {
        self.bb.get()
    }

    /// Number of bad ranges, read once with no lock (`READ_ONCE`): a hint,
    /// as `is_bad_pmem()` uses it; [`BadBlocks::check`] is exact.
    #[inline]
    pub(crate) fn count(&self) -> u32 {
        // SAFETY: the list is initialised and `count` is an aligned int,
        // read volatile as `READ_ONCE()` does.
        let n = unsafe { core::ptr::read_volatile(&raw const (*self.bb.get()).count) };
        n.max(0) as u32
    }

    /// True if any of `nr` sectors from `sector` is bad.
    pub(crate) fn check(&self, sector: u64, nr: u64) -> bool {
        if nr == 0 || self.count() == 0 {
            return false;
        }
        let mut first: bindings::sector_t = 0;
        let mut num: bindings::sector_t = 0;
        // SAFETY: the list is initialised; `badblocks_check()` reads it
        // under its seqlock and does not sleep.
        unsafe { bindings::badblocks_check(self.bb.get(), sector, nr, &mut first, &mut num) != 0 }
    }

    /// Known-bad sectors in all (sum of the ranges' lengths).
    pub(crate) fn bad_sectors(&self, capacity: u64) -> u64 {
        // Walk the capacity in large steps: `badblocks_check()` reports the
        // first bad range of a span; count until none is left.
        let mut bad = 0;
        let mut s = 0;
        while s < capacity && self.count() != 0 {
            let mut first: bindings::sector_t = 0;
            let mut num: bindings::sector_t = 0;
            // SAFETY: as in `check`.
            let rc = unsafe {
                bindings::badblocks_check(self.bb.get(), s, capacity - s, &mut first, &mut num)
            };
            if rc == 0 || num == 0 {
                break;
            }
            let end = first.saturating_add(num).min(capacity);
            bad += end.saturating_sub(first.max(s));
            s = end.max(s + 1);
        }
        bad
    }

    /// Forget `nr` bad sectors from `sector` (their poison was cleared).
    pub(crate) fn clear(&self, sector: u64, nr: u64) {
        // SAFETY: the list is initialised; takes its own lock.
        unsafe { bindings::badblocks_clear(self.bb.get(), sector, nr) };
    }
}

#[pinned_drop]
impl PinnedDrop for BadBlocks {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: initialised in `new`; nobody uses the list any more.
        unsafe { bindings::badblocks_exit(self.bb.get()) };
    }
}
