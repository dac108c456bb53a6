// SPDX-License-Identifier: GPL-2.0

//! `kmap_atomic_pfn_t()`: map a [`Pfn`] whether or not it has a `struct page`.
//!
//! Frames with a page are RAM: once `pfn_valid()` holds (checked here, or
//! by the bio abstraction for a bio's pages) they are reached at their
//! direct-map address, which is what `kmap_local_page()` returns on a kernel
//! without highmem, the only kind rpmem builds for ([`super::memmap`]).
//! Device frames without a page are found in a [`Registry`] and mapped as
//! `base + offset`, with no `struct page` access at all; the mapping holds
//! a read-side [`Section`] (preemption disabled, as `kmap_atomic()` always
//! did) until it is dropped, which is what keeps the range registered.
//! Neither path sleeps, so mappings may be taken in atomic context.

use core::ptr::NonNull;

use kernel::sync::rcu;

use super::bindings;
use super::memmap::{self, MemMap};
use super::pfn_mapping::{PfnMapping, Pmem, Ram};
use super::preempt::{ReadSide, Section};
use super::registry::{RegisteredMapping, Registry};
use crate::pfn::{Pfn, PAGES_PER_SUBSECTION, PAGE_SHIFT, PAGE_SIZE};
use crate::range_table::{DevRange, RangeTable};
use crate::span::end_within;

// `Pfn` keeps `PFN_CHECKED` within a subsection of this many frames.
const _: () = assert!(PAGES_PER_SUBSECTION == bindings::PAGES_PER_SUBSECTION as u64);

/// Map `len` bytes at `offset` into frame `pfn` and the frames after it.
///
/// RAM frames (with a page) must be physically contiguous over the span, as
/// the pages of one `bio_vec` are; every subsection the span touches must
/// have a memmap. Device frames may run on to the end of their registered
/// range in `registry`. Returns `None` for a frame that is neither valid RAM
/// nor registered, or a span that leaves it.
///
/// # Safety
///
/// If `pfn` has a `struct page`, the caller must be allowed to read and
/// write the `len` bytes at `offset` into it for `'a` (for example, pages
/// pinned for a bio in flight, and `'a` ends before the bio completes):
/// a RAM frame is mapped at its direct-map address, unchecked beyond
/// `pfn_valid()`. Device frames are safe to map: a registry holds only
/// memory its registrants keep mapped, and the mapping keeps it so.
#[inline(always)]
pub(crate) unsafe fn kmap_atomic_pfn_t<'a>(
    registry: &Registry,
    memmap: &MemMap,
    pfn: Pfn,
    offset: usize,
    len: usize,
) -> Option<PfnMapping<'a, Pmem>> {
    if pfn.has_page() {
        // SAFETY: the caller's contract, for a frame with a page.
        return unsafe { kmap_ram(memmap, pfn, offset, len) }.map(PfnMapping::into_pmem);
    }
    let section = Section::enter();
    let addr = device_address(registry, pfn, offset, len, &section)?;
    // SAFETY: the range holding the span is registered, so its registrant
    // keeps it mapped until it unregisters, which waits for `section`.
    Some(unsafe { PfnMapping::new(addr, len, Some(section)) })
}

/// [`kmap_atomic_pfn_t`] of a RAM frame: `None` unless every frame of the
/// span has a `struct page`.
///
/// # Safety
///
/// As for [`kmap_atomic_pfn_t`] with a frame that has a page.
#[inline(always)]
pub(crate) unsafe fn kmap_ram<'a>(
    memmap: &MemMap,
    pfn: Pfn,
    offset: usize,
    len: usize,
) -> Option<PfnMapping<'a, Ram>> {
    if !pfn.has_page() {
        return None;
    }
    let pages = offset.checked_add(len)?.div_ceil(PAGE_SIZE).max(1) as u64;
    // `PFN_CHECKED` vouches for the frame's memmap subsection (the contract
    // of `Pfn::ram_checked`): if the span stays inside it, every frame is
    // covered. Anything else is checked here.
    if !pfn.is_checked_for(pages) && !memmap::frames_valid(pfn.number(), pages) {
        return None;
    }
    let addr = memmap.direct_map_address(pfn.number()).wrapping_add(offset);
    // SAFETY: every frame of the span has a `struct page`, so it is RAM in
    // the direct map, contiguous over contiguous frames: `addr` is a
    // direct-map address in the kernel's upper half (not 0), and the caller
    // may use the bytes for `'a`.
    Some(unsafe { PfnMapping::new(NonNull::new_unchecked(addr as *mut u8), len, None) })
}
/// Map `len` bytes at `offset` into RAM frame `pfn` and the frames after
/// it, with no check: the span is a bio vector's, whose pages the block
/// layer vouches for.
///
/// # Safety
///
/// Every frame the span touches must have a `struct page` and be physically
/// contiguous with the one before (as the pages of one `bio_vec` are), and
/// the caller must be allowed to read and write the bytes for `'a`.
#[inline(always)]
pub(crate) unsafe fn kmap_bvec_ram<'a>(
    memmap: &MemMap,
    pfn: Pfn,
    offset: usize,
    len: usize,
) -> PfnMapping<'a, Ram> {
    let addr = memmap.direct_map_address(pfn.number()).wrapping_add(offset);
    // SAFETY: frames with a `struct page` are RAM in the direct map,
    // contiguous over contiguous frames: `addr` is a direct-map address in
    // the kernel's upper half (not 0), and the caller may use the bytes for
    // `'a` (the caller's contract).
    unsafe { PfnMapping::new(NonNull::new_unchecked(addr as *mut u8), len, None) }
}

/// Where `len` bytes at `offset` into device frame `pfn` are mapped, if its
/// registered range holds them all; `rcu` keeps the range registered.
///
/// The fast path is the range the index names ([`RangeTable::candidate`])
/// and one branch for all its checks ([`address_in`]); anything else goes
/// out of line to the full lookup.
#[inline(always)]
fn device_address(
    registry: &Registry,
    pfn: Pfn,
    offset: usize,
    len: usize,
    rcu: &impl ReadSide,
) -> Option<NonNull<u8>> {
    let table = registry.table(rcu);
    let pfn = pfn.number();
    match address_in(table.candidate(pfn), pfn, offset, len) {
        Some(addr) => Some(addr),
        None => device_address_slow(table, pfn, offset, len),
    }
}

/// [`device_address`] through the full lookup.
#[cold]
#[inline(never)]
fn device_address_slow(
    table: &RangeTable,
    pfn: u64,
    offset: usize,
    len: usize,
) -> Option<NonNull<u8>> {
    address_in(table.lookup(pfn)?, pfn, offset, len)
}

/// Where `len` bytes at `offset` into frame `pfn` of `range` are mapped, if
/// `range` holds `pfn` and the bytes ([`DevRange::holds_span`]).
#[inline(always)]
fn address_in(range: &DevRange, pfn: u64, offset: usize, len: usize) -> Option<NonNull<u8>> {
    if !range.holds_span(pfn, offset, len) {
        return None;
    }
    let addr = range.address_at(pfn, offset);
    // SAFETY: `range` is in a table, so it is mapped above address 0 and
    // its mapping does not wrap (`RangeTable::with` refuses others), and
    // `addr` lies inside it: not 0.
    Some(unsafe { NonNull::new_unchecked(addr as *mut u8) })
}

/// Map `len` bytes at `offset` into device frame `pfn` inside the caller's
/// RCU read-side section `rcu`, which keeps the range registered while the
/// mapping borrows it. `None` for a frame with a page or not registered.
#[inline(always)]
#[allow(dead_code, reason = "used by the benchmark module (src/bench/)")]
pub(crate) fn kmap_device_in<'a>(
    registry: &'a Registry,
    rcu: &'a rcu::Guard,
    pfn: Pfn,
    offset: usize,
    len: usize,
) -> Option<PfnMapping<'a, Pmem>> {
    if pfn.has_page() {
        return None;
    }
    let addr = device_address(registry, pfn, offset, len, rcu)?;
    // SAFETY: registered, and `rcu` (borrowed for `'a`) keeps it so.
    Some(unsafe { PfnMapping::new(addr, len, None) })
}

/// Map `len` bytes at byte `offset` of the frames `frames` registered: for
/// their owner, which needs no lookup and no section (the range stays
/// registered, and mapped, while `frames` is borrowed).
#[inline]
pub(crate) fn kmap_registered<'a>(
    frames: &'a RegisteredMapping<'_>,
    offset: usize,
    len: usize,
) -> Option<PfnMapping<'a, Pmem>> {
    let range = frames.range();
    end_within(offset, len, (range.nr_pages << PAGE_SHIFT) as usize)?;
    // SAFETY: `offset + len` lies inside the registered range, which is
    // mapped above address 0 without wrapping (`RangeTable::with` refuses
    // others), so the address is not 0; the range stays mapped while
    // `frames` is borrowed for `'a`.
    Some(unsafe {
        PfnMapping::new(
            NonNull::new_unchecked(range.base.wrapping_add(offset) as *mut u8),
            len,
            None,
        )
    })
}
