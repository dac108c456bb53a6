// SPDX-License-Identifier: GPL-2.0

//! [`PfnMapping`]: a mapped, contiguous byte range of frames (a run of RAM
//! pages, or part of a registered device range) and the copies the I/O
//! path makes between two of them: machine-check safe reads
//! (`copy_mc_to_kernel()`), durable writes (`memcpy_flushcache()`), and a
//! machine-check safe copy made durable by writing the cache back.
//!
//! The kind of memory is in the type ([`Ram`], [`Pmem`]), and each copy
//! takes the kinds it is right for: device memory is only ever read with
//! `copy_mc_to_kernel()` and only ever written durably, so a driver cannot
//! read pmem with a copy that a poisoned line would turn into a machine
//! check the kernel cannot recover from.

use core::marker::PhantomData;
use core::ptr::NonNull;

use super::bindings;
use super::preempt::Section;
use crate::span::end_within;

/// RAM with a `struct page` that a bio's submitter lends us: read and
/// written with plain copies.
pub(crate) enum Ram {}

/// Device memory, or any frame reached by its number (treated alike):
/// a line may be poisoned, so reads go through `copy_mc_to_kernel()`, and
/// stores must reach the media, so writes are durable.
pub(crate) enum Pmem {}

/// `len` mapped bytes of memory kind `M` ([`Ram`] or [`Pmem`]) at `addr`,
/// valid for `'a`. Like `kmap_local`, a mapping must be dropped on the CPU
/// and in the context that took it (it is neither `Send` nor `Sync`).
pub(crate) struct PfnMapping<'a, M> {
    addr: NonNull<u8>,
    len: usize,
    /// For a device range found by lookup, the read-side section
    /// (preemption disabled, as under `kmap_atomic()`) that keeps it
    /// registered. A RAM frame's direct-map address needs nothing undone.
    _section: Option<Section>,
    _lifetime: PhantomData<&'a ()>,
    _not_send: PhantomData<*mut u8>,
    _memory: PhantomData<M>,
}

/// A copy that did not complete: `left` bytes were not copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShortCopy {
    /// Bytes not copied (all of them if the spans were out of bounds).
    pub(crate) left: usize,
}

impl<'a, M> PfnMapping<'a, M> {
    /// A mapping of `len` bytes at `addr`.
    ///
    /// # Safety
    ///
    /// The `len` bytes at `addr` must be mapped kernel memory that the
    /// caller may read and write for `'a`, and stay so while `section` (if
    /// any) is held; for `M` = [`Ram`], RAM with a `struct page`.
    #[inline(always)]
    pub(super) unsafe fn new(addr: NonNull<u8>, len: usize, section: Option<Section>) -> Self {
        PfnMapping {
            addr,
            len,
            _section: section,
            _lifetime: PhantomData,
            _not_send: PhantomData,
            _memory: PhantomData,
        }
    }

    /// Kernel address of the first mapped byte (for benchmarks that keep
    /// it; nothing may be read or written through it).
    #[allow(dead_code, reason = "used by the benchmark module (src/bench/)")]
    pub(crate) fn address(&self) -> usize {
        self.addr.as_ptr() as usize
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
    fn spans<S>(
        &mut self,
        at: usize,
        src: &PfnMapping<'_, S>,
        src_at: usize,
        len: usize,
    ) -> Result<(*mut u8, *const u8), ShortCopy> {
        match (self.span(at, len), src.span(src_at, len)) {
            (Some(dst), Some(from)) => Ok((dst, from.cast_const())),
            _ => Err(ShortCopy { left: len }),
        }
    }
}

impl<'a> PfnMapping<'a, Ram> {
    /// Read `len` bytes of device memory `src` at `src_at` into `self` at
    /// `at`, machine-check safe (`copy_mc_to_kernel()`).
    #[inline]
    pub(crate) fn copy_mc_from(
        &mut self,
        at: usize,
        src: &PfnMapping<'_, Pmem>,
        src_at: usize,
        len: usize,
    ) -> Result<(), ShortCopy> {
        let (dst, from) = self.spans(at, src, src_at, len)?;
        // SAFETY: `spans` checked both spans inside their mappings, which
        // are borrowed for the call.
        unsafe { copy_mc(dst, from, len) }
    }

    /// The same bytes as device memory (see [`Pmem`]): read machine-check
    /// safe and written durably from now on, which RAM allows.
    #[inline(always)]
    pub(super) fn into_pmem(self) -> PfnMapping<'a, Pmem> {
        PfnMapping {
            addr: self.addr,
            len: self.len,
            _section: self._section,
            _lifetime: PhantomData,
            _not_send: PhantomData,
            _memory: PhantomData,
        }
    }
}

impl PfnMapping<'_, Pmem> {
    /// Copy `len` bytes of device memory `src` at `src_at` to device memory
    /// `self` at `at`: machine-check safe on the source
    /// (`copy_mc_to_kernel()`), then the destination's cache lines are
    /// written back to the media (`arch_wb_cache_pmem()`), so it is as
    /// durable as after `memcpy_flushcache()`.
    #[inline]
    pub(crate) fn copy_mc_durable_from(
        &mut self,
        at: usize,
        src: &PfnMapping<'_, Pmem>,
        src_at: usize,
        len: usize,
    ) -> Result<(), ShortCopy> {
        let (dst, from) = self.spans(at, src, src_at, len)?;
        // SAFETY: `spans` checked both spans inside their mappings, which
        // are borrowed for the call.
        unsafe { copy_mc(dst, from, len) }?;
        // SAFETY: the span is mapped for `len` bytes; writing back cache
        // lines does not change memory contents or sleep.
        unsafe { bindings::arch_wb_cache_pmem(dst.cast(), len) };
        Ok(())
    }

    /// Copy `len` bytes of RAM `src` at `src_at` to `self` at `at` with
    /// non-temporal stores, flushing the destination out of the CPU cache
    /// (`memcpy_flushcache`).
    #[inline]
    pub(crate) fn copy_flushcache_from(
        &mut self,
        at: usize,
        src: &PfnMapping<'_, Ram>,
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

/// Copy `len` bytes from `from` to `dst` with `copy_mc_to_kernel()`: a
/// poisoned source line ends the copy instead of raising a machine check.
///
/// # Safety
///
/// `dst` must be writable and `from` readable for `len` bytes (spans that
/// [`PfnMapping::spans`] checked, of mappings that are still held).
#[inline]
unsafe fn copy_mc(dst: *mut u8, from: *const u8, len: usize) -> Result<(), ShortCopy> {
    let n = u32::try_from(len).map_err(|_| ShortCopy { left: len })?;
    // SAFETY: both spans are mapped for `len` bytes (the caller's contract);
    // `copy_mc_to_kernel` does not sleep.
    match unsafe { bindings::copy_mc_to_kernel(dst.cast(), from.cast(), n) } {
        0 => Ok(()),
        left => Err(ShortCopy { left }),
    }
}
