// SPDX-License-Identifier: GPL-2.0

//! `kmap_atomic_pfn_t()`: map a [`Pfn`] whether or not it has a `struct page`.
//!
//! Frames with a page are RAM: once `pfn_valid()` holds (checked here, or
//! by [`crate::bio::bvec_pfn`] for a bio's pages) they are reached at their
//! direct-map address, which is what `kmap_local_page()` returns on a kernel
//! without highmem, the only kind rpmem builds for ([`crate::memmap`]).
//! Device frames without a page are found in the [`crate::registry`] and
//! mapped as `base + offset`, with no `struct page` access at all; the
//! mapping holds a read-side section until it is dropped, which is what
//! keeps the range registered: preemption disabled, as `kmap_atomic()`
//! always did, inline ([`crate::read_section`]). Neither path sleeps, so
//! mappings may be taken in atomic context; like `kmap_local`, a mapping
//! must be dropped on the CPU and in the context that took it (it is
//! neither `Send` nor `Sync`).

use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::sync::rcu;

use crate::bindings;
use crate::mapping::RegisteredMapping;
use crate::memmap;
use crate::pfn::{Pfn, PAGE_SHIFT, PAGE_SIZE};
use crate::range_table::{DevRange, RangeTable};
use crate::read_section::{ReadSide, Section};
use crate::registry::{self, Registration};
use crate::span::end_within;

/// A mapped, contiguous byte range: a run of RAM frames or part of a
/// registered device range.
pub(crate) struct PfnMapping<'a> {
    addr: NonNull<u8>,
    len: usize,
    /// For a device range found by lookup, the read-side section (preemption
    /// disabled, as under `kmap_atomic()`) that keeps it registered. A RAM
    /// frame's direct-map address needs nothing undone (`kunmap_local()` is
    /// empty without highmem).
    _rcu: Option<Section>,
    /// For a range mapped through its [`Registration`] or inside a
    /// caller's RCU section, the borrow of it.
    _registration: PhantomData<&'a Registration>,
    _not_send: PhantomData<*mut u8>,
}

/// Map `len` bytes at `offset` into frame `pfn` and the frames after it.
///
/// RAM frames (with a page) must be physically contiguous over the span, as
/// the pages of one `bio_vec` are; every subsection the span touches must
/// have a memmap. Device frames may run on to the end of their registered
/// range. Returns `None` for a frame that is neither valid RAM nor in a
/// registered range, or a span that leaves it.
///
/// # Safety
///
/// If `pfn` has a `struct page`, the caller must be allowed to read and
/// write the `len` bytes at `offset` into it for `'a` (for example, pages
/// pinned for a bio in flight, and `'a` ends before the bio completes):
/// a RAM frame is mapped at its direct-map address, unchecked beyond
/// `pfn_valid()`. Device frames are safe to map: the registry only holds
/// rpmem's own mapped namespaces, and the mapping keeps them mapped.
#[inline(always)]
pub(crate) unsafe fn kmap_atomic_pfn_t<'a>(
    pfn: Pfn,
    offset: usize,
    len: usize,
) -> Option<PfnMapping<'a>> {
    if pfn.has_page() {
        let pages = offset.checked_add(len)?.div_ceil(PAGE_SIZE).max(1) as u64;
        // `PFN_CHECKED` vouches for the frame's memmap subsection (the
        // contract of `Pfn::ram_checked`): if the span stays inside it,
        // every frame is covered. Anything else is checked here.
        let valid = pfn.is_checked_for(pages)
            // SAFETY: `pfn_valid()` only reads the memory-section tables.
            || unsafe { bindings::rpmem_pfns_valid(pfn.number(), pages) };
        if !valid {
            return None;
        }
        // Every frame has a `struct page`, so it is RAM in the direct map,
        // contiguous over contiguous frames.
        let addr = memmap::direct_map_address(pfn.number()).wrapping_add(offset);
        return Some(PfnMapping {
            // SAFETY: `offset` lies inside the span's frames, which are all
            // in the direct map (checked above): `addr` is a direct-map
            // address, in the kernel's upper half, so not 0 (nor wrapped).
            addr: unsafe { NonNull::new_unchecked(addr as *mut u8) },
            len,
            _rcu: None,
            _registration: PhantomData,
            _not_send: PhantomData,
        });
    }
    debug_assert!(pfn.is_device());
    let guard = Section::enter();
    let addr = device_address(pfn, offset, len, &guard)?;
    Some(PfnMapping {
        addr,
        len,
        _rcu: Some(guard),
        _registration: PhantomData,
        _not_send: PhantomData,
    })
}

/// Where `len` bytes at `offset` into device frame `pfn` are mapped, if its
/// registered range holds them all; `rcu` keeps the range registered.
///
/// The fast path is the range the index names ([`RangeTable::candidate`])
/// and one branch for all its checks ([`address_in`]); anything else (a
/// range boundary inside the frame's index slot, a miss, a span too long)
/// goes out of line to the full lookup.
#[inline(always)]
fn device_address(pfn: Pfn, offset: usize, len: usize, rcu: &impl ReadSide) -> Option<NonNull<u8>> {
    let table = registry::table(rcu);
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
/// `range` holds `pfn` and the bytes: one comparison, one branch
/// ([`DevRange::holds_span`]).
#[inline(always)]
fn address_in(range: &DevRange, pfn: u64, offset: usize, len: usize) -> Option<NonNull<u8>> {
    if !range.holds_span(pfn, offset, len) {
        return None;
    }
    let addr = range.address_at(pfn, offset);
    // SAFETY: `range` is in a table, so it is mapped above address 0 and
    // its mapping does not wrap ([`crate::range_table::RangeTable::with`]
    // refuses others), and `addr` lies inside it: not 0.
    Some(unsafe { NonNull::new_unchecked(addr as *mut u8) })
}

/// Map `len` bytes at `offset` into device frame `pfn` inside the caller's
/// RCU read-side section `rcu`, which keeps the range registered while the
/// mapping borrows it: a batch of mappings under one section pays for the
/// section once. `None` for a frame with a page or outside the registry.
#[inline(always)]
pub(crate) fn kmap_device_in<'a>(
    rcu: &'a rcu::Guard,
    pfn: Pfn,
    offset: usize,
    len: usize,
) -> Option<PfnMapping<'a>> {
    if pfn.has_page() {
        return None;
    }
    Some(PfnMapping {
        addr: device_address(pfn, offset, len, rcu)?,
        len,
        _rcu: None,
        _registration: PhantomData,
        _not_send: PhantomData,
    })
}

/// Map `len` bytes at byte `offset` of the range `reg` registered: for the
/// owner of a registration, which needs no lookup and no RCU section (the
/// range stays registered, and mapped, while `reg` is borrowed).
#[inline]
pub(crate) fn kmap_registered(
    reg: &Registration,
    offset: usize,
    len: usize,
) -> Option<PfnMapping<'_>> {
    let range = reg.range();
    end_within(offset, len, (range.nr_pages << PAGE_SHIFT) as usize)?;
    Some(PfnMapping {
        // SAFETY: `offset` lies inside the range, and a registered range is
        // mapped above address 0 without wrapping (`RangeTable::with`
        // refuses others), so `base + offset` is neither 0 nor wrapped.
        addr: unsafe { NonNull::new_unchecked(range.base.wrapping_add(offset) as *mut u8) },
        len,
        _rcu: None,
        _registration: PhantomData,
        _not_send: PhantomData,
    })
}

/// Map `len` bytes at byte `offset` of `frames` through its alias (see
/// [`crate::mapping::Mapping::alias`]), if the alias holds them all: for the
/// owner of the frames, which stay registered and mapped while borrowed.
#[inline]
pub(crate) fn kmap_alias(
    frames: &RegisteredMapping,
    offset: usize,
    len: usize,
) -> Option<PfnMapping<'_>> {
    Some(PfnMapping {
        addr: frames.mapping().alias(offset, len)?,
        len,
        _rcu: None,
        _registration: PhantomData,
        _not_send: PhantomData,
    })
}

/// A copy that did not complete: `left` bytes were not copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShortCopy {
    /// Bytes not copied (all of them if the spans were out of bounds).
    pub(crate) left: usize,
}

impl PfnMapping<'_> {
    /// Kernel address of the first mapped byte.
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.addr.as_ptr()
    }

    /// Address of `len` bytes at `at`, if they lie inside the mapping.
    #[inline]
    fn span(&self, at: usize, len: usize) -> Option<*mut u8> {
        end_within(at, len, self.len)?;
        // SAFETY: `at + len <= self.len`, inside the mapping.
        Some(unsafe { self.addr.as_ptr().add(at) })
    }

    /// Destination and source addresses for copying `len` bytes from `src`
    /// at `src_at` to `self` at `at`, if both spans lie inside their mappings.
    #[inline]
    fn spans(
        &mut self,
        at: usize,
        src: &PfnMapping<'_>,
        src_at: usize,
        len: usize,
    ) -> Result<(*mut u8, *const u8), ShortCopy> {
        match (self.span(at, len), src.span(src_at, len)) {
            (Some(dst), Some(from)) => Ok((dst, from.cast_const())),
            _ => Err(ShortCopy { left: len }),
        }
    }

    /// Copy `len` bytes from `src` at `src_at` to `self` at `at` with
    /// `copy_mc_to_kernel()`: a poisoned source line ends the copy instead
    /// of raising a machine check.
    #[inline]
    pub(crate) fn copy_mc_from(
        &mut self,
        at: usize,
        src: &PfnMapping<'_>,
        src_at: usize,
        len: usize,
    ) -> Result<(), ShortCopy> {
        let n = u32::try_from(len).map_err(|_| ShortCopy { left: len })?;
        let (dst, from) = self.spans(at, src, src_at, len)?;
        // SAFETY: both spans are mapped for `len` bytes and live while the
        // mappings do; `copy_mc_to_kernel` does not sleep.
        match unsafe { bindings::copy_mc_to_kernel(dst.cast(), from.cast(), n) } {
            0 => Ok(()),
            left => Err(ShortCopy { left }),
        }
    }

    /// Copy `len` bytes of device memory `src` at `src_at` to device memory
    /// `self` at `at`: machine-check safe on the source
    /// (`copy_mc_to_kernel()`), then the destination's cache lines are
    /// written back to the media (`arch_wb_cache_pmem()`), so it is as
    /// durable as after `memcpy_flushcache()`.
    #[inline]
    pub(crate) fn copy_mc_durable_from(
        &mut self,
        at: usize,
        src: &PfnMapping<'_>,
        src_at: usize,
        len: usize,
    ) -> Result<(), ShortCopy> {
        self.copy_mc_from(at, src, src_at, len)?;
        if let Some(dst) = self.span(at, len) {
            // SAFETY: the span is mapped for `len` bytes; writing back cache
            // lines does not change memory contents or sleep.
            unsafe { bindings::arch_wb_cache_pmem(dst.cast(), len) };
        }
        Ok(())
    }

    /// Copy `len` bytes from `src` at `src_at` to `self` at `at` with
    /// non-temporal stores, flushing the destination out of the CPU cache
    /// (`memcpy_flushcache`).
    #[inline]
    pub(crate) fn copy_flushcache_from(
        &mut self,
        at: usize,
        src: &PfnMapping<'_>,
        src_at: usize,
        len: usize,
    ) -> Result<(), ShortCopy> {
        let (dst, from) = self.spans(at, src, src_at, len)?;
        // SAFETY: both spans are mapped for `len` bytes and live while the
        // mappings do; `__memcpy_flushcache` does not sleep.
        unsafe { bindings::__memcpy_flushcache(dst.cast(), from.cast(), len) };
        Ok(())
    }
}
