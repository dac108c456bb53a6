// SPDX-License-Identifier: GPL-2.0

//! `kmap_atomic_pfn_t()`: map a [`Pfn`] whether or not it has a `struct page`.
//!
//! Frames with a page are RAM: once `pfn_valid()` holds (checked here, or
//! by [`crate::bio::bvec_pfn`] for a bio's pages) they are reached at their
//! direct-map address, which is what `kmap_local_page()` returns on a kernel
//! without highmem, the only kind rpmem builds for ([`crate::memmap`]).
//! Device frames without a page are found in the [`crate::registry`] and
//! mapped as `base + offset`, with no `struct page` access at all; the
//! mapping holds an RCU read-side section until it is dropped, which is what
//! keeps the range registered. Neither path sleeps, so mappings may be
//! taken in atomic context; like `kmap_local`, a mapping must be dropped on
//! the CPU and in the context that took it (it is neither `Send` nor
//! `Sync`).

use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::sync::rcu;

use crate::bindings;
use crate::memmap;
use crate::pfn::{Pfn, PAGE_SHIFT, PAGE_SIZE};
use crate::registry::{self, Registration};

/// A mapped, contiguous byte range: a run of RAM frames or part of a
/// registered device range.
pub(crate) struct PfnMapping<'a> {
    addr: NonNull<u8>,
    len: usize,
    /// For a device range found by lookup, the RCU read-side section that
    /// keeps it registered. A RAM frame's direct-map address needs nothing
    /// undone (`kunmap_local()` is empty without highmem).
    _rcu: Option<rcu::Guard>,
    /// For a range mapped through its [`Registration`], the borrow of it.
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
#[inline(always)]
pub(crate) fn kmap_atomic_pfn_t(
    pfn: Pfn,
    offset: usize,
    len: usize,
) -> Option<PfnMapping<'static>> {
    if pfn.has_page() {
        let pages = offset.checked_add(len)?.div_ceil(PAGE_SIZE).max(1) as u64;
        // `PFN_CHECKED` vouches for the frame's memmap subsection (the
        // contract of `Pfn::ram_checked`) and survives `add` only inside it:
        // if the last frame still has it, every frame is covered. Anything
        // else is checked here.
        let valid = pfn.add(pages - 1).is_checked()
            // SAFETY: `pfn_valid()` only reads the memory-section tables.
            || unsafe { bindings::rpmem_pfns_valid(pfn.number(), pages) };
        if !valid {
            return None;
        }
        // Every frame has a `struct page`, so it is RAM in the direct map,
        // contiguous over contiguous frames.
        let addr = memmap::direct_map_address(pfn.number()).checked_add(offset)?;
        return Some(PfnMapping {
            addr: NonNull::new(addr as *mut u8)?,
            len,
            _rcu: None,
            _registration: PhantomData,
            _not_send: PhantomData,
        });
    }
    debug_assert!(pfn.is_device());
    let guard = rcu::read_lock();
    let range = registry::lookup(pfn.number(), &guard)?;
    let start = ((pfn.number() - range.start_pfn) << PAGE_SHIFT) as usize;
    let span = (range.nr_pages << PAGE_SHIFT) as usize;
    let first = start.checked_add(offset)?;
    if first.checked_add(len)? > span {
        return None;
    }
    let addr = NonNull::new(range.base.checked_add(first)? as *mut u8)?;
    Some(PfnMapping {
        addr,
        len,
        _rcu: Some(guard),
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
    if offset.checked_add(len)? > (range.nr_pages << PAGE_SHIFT) as usize {
        return None;
    }
    let addr = NonNull::new(range.base.checked_add(offset)? as *mut u8)?;
    Some(PfnMapping {
        addr,
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
        if at.checked_add(len)? > self.len {
            return None;
        }
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
