// SPDX-License-Identifier: GPL-2.0

//! [`Registry`]: the device pfn ranges behind `kmap_atomic_pfn_t()`.
//!
//! Readers (the I/O path) find a range with an RCU-protected load of the
//! current [`RangeTable`] and its index (one slot, one range): no lock, no
//! list walk, no write to shared memory. Writers (probe and remove)
//! serialise on the registry's mutex, publish a new table and free the old
//! one after an RCU grace period, so unregistering waits for every mapping
//! still using the range. A registry is an object: the module owns one
//! (in its [`super::pfn_space::PfnSpace`]), a benchmark module its own.

use core::ptr::addr_of;
use core::sync::atomic::{AtomicPtr, Ordering};

use kernel::new_mutex;
use kernel::prelude::*;
use kernel::sync::{rcu, Arc, Mutex};

use super::bindings;
use super::mapping::Mapping;
use super::preempt::ReadSide;
use crate::pfn::PAGE_SHIFT;
use crate::range_table::{DevRange, RangeError, RangeTable};

/// The table used when none is published; never written.
static EMPTY: RangeTable = RangeTable::new();

/// A registry of device pfn ranges.
#[pin_data(PinnedDrop)]
pub(crate) struct Registry {
    /// Serialises writers.
    #[pin]
    writer: Mutex<()>,
    /// The published table: [`EMPTY`] or a `KVBox` from [`Registry::publish`];
    /// never null, so a lookup needs no null check.
    current: AtomicPtr<RangeTable>,
}

// SAFETY: a `RangeTable` is integers only, and all-zero keeps the index
// invariant (`len == 0`, every entry 0).
unsafe impl Zeroable for RangeTable {}

/// A heap-allocated all-zero table, built in place (about 29 KiB, so
/// `kvmalloc`), the output of [`RangeTable::with`] or
/// [`RangeTable::without`], which build it whole.
fn empty_table() -> Result<KVBox<RangeTable>> {
    KVBox::init(pin_init::init_zeroed(), GFP_KERNEL)
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

/// Free a table swapped out of a registry, unless it is [`EMPTY`].
///
/// # Safety
///
/// `old` was published by a registry, is no longer, and a grace period has
/// passed since it was swapped out.
unsafe fn free_table(old: *mut RangeTable) {
    if !core::ptr::eq(old, addr_of!(EMPTY)) && !old.is_null() {
        // SAFETY: every published table but `EMPTY` came from
        // `KVBox::into_raw` in `publish`; the caller says no one uses it.
        drop(unsafe { KVBox::from_raw(old) });
    }
}

impl Registry {
    /// An empty registry.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            writer <- new_mutex!(()),
            current: AtomicPtr::new(addr_of!(EMPTY).cast_mut()),
        })
    }

    /// The published table, for lookups. The caller's read-side section,
    /// which the result borrows, keeps the table and the ranges it holds
    /// mapped: an unregistration cannot complete until the section ends.
    #[inline(always)]
    pub(crate) fn table<'a>(&'a self, _rcu: &'a impl ReadSide) -> &'a RangeTable {
        // SAFETY: `current` is never null; it points to `EMPTY` or to a
        // table freed only after an RCU grace period, and the caller's
        // read-side section outlasts every use of the result.
        unsafe { &*self.current.load(Ordering::Acquire) }
    }

    /// Number of ranges registered now.
    #[allow(dead_code, reason = "used by the benchmark module (src/bench/)")]
    pub(crate) fn count(&self) -> usize {
        let guard = rcu::read_lock();
        self.table(&guard).len()
    }

    /// Run `f` on the current table; the caller holds `writer`, so the
    /// table cannot be freed under us.
    fn with_current<R>(&self, f: impl FnOnce(&RangeTable) -> R) -> R {
        // SAFETY: never null; only writers free tables, and the caller
        // holds the writer lock.
        f(unsafe { &*self.current.load(Ordering::Acquire) })
    }

    /// Swap `new` in, wait a grace period and free the old table. The
    /// caller holds `writer`; may sleep (probe/remove context).
    fn publish(&self, new: KVBox<RangeTable>) {
        let old = self.current.swap(KVBox::into_raw(new), Ordering::AcqRel);
        // SAFETY: waits for readers that may still use `old`.
        unsafe { bindings::synchronize_rcu() };
        // SAFETY: swapped out, and a grace period has passed.
        unsafe { free_table(old) };
    }
}

#[pinned_drop]
impl PinnedDrop for Registry {
    fn drop(self: Pin<&mut Self>) {
        // Every `Registration` holds an `Arc` of the registry, so none is
        // left: only the last table is freed.
        let old = self
            .current
            .swap(addr_of!(EMPTY).cast_mut(), Ordering::AcqRel);
        if !core::ptr::eq(old, addr_of!(EMPTY)) {
            // SAFETY: readers may still hold `old` until a grace period.
            unsafe { bindings::synchronize_rcu() };
            // SAFETY: swapped out, and a grace period has passed.
            unsafe { free_table(old) };
        }
    }
}

/// A registered device range; dropping it unregisters the range and waits
/// until no mapping of it remains.
pub(crate) struct Registration {
    registry: Arc<Registry>,
    range: DevRange,
    /// Preallocated table for the removal, so that drop cannot fail.
    spare: Option<KVBox<RangeTable>>,
}

impl Registration {
    /// Register `range` in `registry`; fails on overlap with a registered
    /// range or when the registry is full.
    ///
    /// # Safety
    ///
    /// `range.base` must be the kernel address of `range.nr_pages` pages of
    /// memory that the caller owns and keeps mapped until the registration
    /// is dropped: anyone may then map them through `kmap_atomic_pfn_t()`.
    pub(crate) unsafe fn new(registry: Arc<Registry>, range: DevRange) -> Result<Self> {
        let mut new = empty_table()?;
        let spare = empty_table()?;
        let _writer = registry.writer.lock();
        registry
            .with_current(|cur| cur.with(range, &mut new))
            .map_err(to_error)?;
        registry.publish(new);
        drop(_writer);
        Ok(Registration {
            registry,
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
        let _writer = self.registry.writer.lock();
        let start = self.range.start_pfn;
        if self
            .registry
            .with_current(|cur| cur.without(start, &mut new))
            .is_ok()
        {
            self.registry.publish(new);
        }
    }
}

/// A namespace's [`Mapping`] whose frames are registered, so that
/// `kmap_atomic_pfn_t()` reaches them; the registration goes (waiting out
/// every mapping of it) before the memory is unmapped. Like the mapping,
/// it lives no longer than the namespace's binding (`'ns`).
pub(crate) struct RegisteredMapping<'ns> {
    // Dropped first: fields drop in declaration order.
    registration: Registration,
    mapping: Mapping<'ns>,
}

impl<'ns> RegisteredMapping<'ns> {
    /// Register the frames of `mapping` in `registry`.
    pub(crate) fn new(registry: Arc<Registry>, mapping: Mapping<'ns>) -> Result<Self> {
        let range = DevRange {
            start_pfn: mapping.phys() >> PAGE_SHIFT,
            nr_pages: (mapping.size() >> PAGE_SHIFT) as u64,
            base: mapping.base(),
        };
        // SAFETY: `base` maps all `nr_pages` pages, and `mapping` outlives
        // the registration (it is dropped after it, see the field order).
        let registration = unsafe { Registration::new(registry, range) }?;
        Ok(RegisteredMapping {
            registration,
            mapping,
        })
    }

    /// The registered range.
    pub(crate) fn range(&self) -> DevRange {
        self.registration.range()
    }

    /// True if the frames are registered in `registry`.
    pub(super) fn registered_in(&self, registry: &Arc<Registry>) -> bool {
        Arc::ptr_eq(&self.registration.registry, registry)
    }

    /// The mapping.
    pub(crate) fn mapping(&self) -> &Mapping<'ns> {
        &self.mapping
    }
}
