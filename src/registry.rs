// SPDX-License-Identifier: GPL-2.0

//! The registry of device pfn ranges behind [`crate::kmap`].
//!
//! Readers (the I/O path) find a range with an RCU-protected load of the
//! current [`RangeTable`] and its index (one slot, one range): no lock, no
//! list walk, no write to shared memory.
//! Writers (probe and remove) serialise on a mutex, publish a new table and
//! free the old one after an RCU grace period, so unregistering waits for
//! every mapping still using the range.

use core::ptr::addr_of;
use core::sync::atomic::{AtomicPtr, Ordering};

use kernel::prelude::*;
use kernel::sync::rcu;

use crate::read_section::ReadSide;

use crate::bindings;
use crate::range_table::{DevRange, RangeError, RangeTable};

kernel::sync::global_lock! {
    // SAFETY: initialised by `registry::init()` from the module initialiser
    // before any registration.
    unsafe(uninit) static WRITER: Mutex<()> = ();
}

/// The table used when none is published. It is never written: the
/// pointer to it in [`CURRENT`] is only read through.
static EMPTY: RangeTable = RangeTable::new();

/// The published table: [`EMPTY`] until the first registration (never null,
/// so a lookup needs no null check), else a `KVBox` from [`publish`].
static CURRENT: AtomicPtr<RangeTable> = AtomicPtr::new(addr_of!(EMPTY).cast_mut());

/// Free a table swapped out of [`CURRENT`], unless it is [`EMPTY`].
///
/// # Safety
///
/// `old` came from [`CURRENT`], is no longer published, and a grace period
/// has passed since it was swapped out (or it was never published).
unsafe fn free_table(old: *mut RangeTable) {
    if !core::ptr::eq(old, addr_of!(EMPTY)) && !old.is_null() {
        // SAFETY: every published table but `EMPTY` came from
        // `KVBox::into_raw` in `publish`; the caller says no one uses it.
        drop(unsafe { KVBox::from_raw(old) });
    }
}

/// Prepare the registry. Call once, from module init.
pub(crate) fn init() {
    // SAFETY: called exactly once, from the module initialiser, before any
    // other use of `WRITER`.
    unsafe { WRITER.init() };
}

/// Free the last table. Call once, from module exit, after every
/// [`Registration`] has been dropped.
pub(crate) fn shutdown() {
    let old = CURRENT.swap(addr_of!(EMPTY).cast_mut(), Ordering::AcqRel);
    if !core::ptr::eq(old, addr_of!(EMPTY)) {
        // SAFETY: readers may still hold `old` until a grace period passes.
        unsafe { bindings::synchronize_rcu() };
        // SAFETY: swapped out, and a grace period has passed.
        unsafe { free_table(old) };
    }
}

/// The published table, for lookups ([`RangeTable::lookup`],
/// [`RangeTable::candidate`]).
///
/// The caller's read-side section (`_rcu`) keeps the table, and the ranges
/// it holds, mapped: an unregistration cannot complete until the section
/// ends.
#[inline(always)]
pub(crate) fn table<'a>(_rcu: &'a impl ReadSide) -> &'a RangeTable {
    // SAFETY: `CURRENT` is never null; it points to `EMPTY` or to a table
    // freed only after an RCU grace period, and the caller's read-side
    // section, which the result borrows, outlasts every use.
    unsafe { &*CURRENT.load(Ordering::Acquire) }
}

/// Number of ranges registered now.
pub(crate) fn count() -> usize {
    let guard = rcu::read_lock();
    // SAFETY: as in `lookup`, inside a read-side section.
    let n = unsafe { &*CURRENT.load(Ordering::Acquire) }.len();
    drop(guard);
    n
}

fn to_error(e: RangeError) -> Error {
    match e {
        RangeError::Empty => EINVAL,
        RangeError::Overlap => EEXIST,
        RangeError::Full => ENOSPC,
        RangeError::NotFound => ENOENT,
        RangeError::TooHigh => ERANGE,
    }
}

/// Swap `new` in as the current table, wait a grace period and free the old
/// one. The caller holds `WRITER`.
fn publish(new: KVBox<RangeTable>) {
    let old = CURRENT.swap(KVBox::into_raw(new), Ordering::AcqRel);
    // SAFETY: waits for readers that may still use `old`; we may sleep here
    // (probe/remove context).
    unsafe { bindings::synchronize_rcu() };
    // SAFETY: swapped out, and a grace period has passed.
    unsafe { free_table(old) };
}

/// A registered device range; dropping it unregisters the range and waits
/// until no mapping of it remains.
pub(crate) struct Registration {
    range: DevRange,
    /// Preallocated table for the removal, so that drop cannot fail.
    spare: Option<KVBox<RangeTable>>,
}

impl Registration {
    /// Register `range`; fails on overlap with a registered range or when the
    /// registry is full.
    ///
    /// # Safety
    ///
    /// `range.base` must be the kernel address of `range.nr_pages` pages of
    /// memory that the caller owns and keeps mapped until the registration
    /// is dropped: anyone may then map them through `kmap_atomic_pfn_t()`.
    pub(crate) unsafe fn new(range: DevRange) -> Result<Self> {
        let mut new = empty_table()?;
        let spare = empty_table()?;
        let _writer = WRITER.lock();
        current_table(|cur| cur.with(range, &mut new)).map_err(to_error)?;
        publish(new);
        Ok(Registration {
            range,
            spare: Some(spare),
        })
    }

    /// The registered range; it stays registered while `self` lives.
    pub(crate) fn range(&self) -> DevRange {
        self.range
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let Some(mut new) = self.spare.take() else {
            return;
        };
        let _writer = WRITER.lock();
        if current_table(|cur| cur.without(self.range.start_pfn, &mut new)).is_ok() {
            publish(new);
        }
    }
}

// SAFETY: a `RangeTable` is integers only, and all-zero keeps the index
// invariant (`len == 0`, every entry 0).
unsafe impl Zeroable for RangeTable {}

/// A heap-allocated all-zero table, built in place (about 29 KiB, so
/// `kvmalloc`): the output of [`RangeTable::with`] or
/// [`RangeTable::without`], which build it whole.
fn empty_table() -> Result<KVBox<RangeTable>> {
    KVBox::init(pin_init::init_zeroed(), GFP_KERNEL)
}

/// Run `f` on the current table ([`EMPTY`] if none is published).
/// The caller holds `WRITER`, so the table cannot be freed under us.
fn current_table<R>(f: impl FnOnce(&RangeTable) -> R) -> R {
    // SAFETY: `CURRENT` is never null; only writers free tables and the
    // caller holds `WRITER`.
    f(unsafe { &*CURRENT.load(Ordering::Acquire) })
}
