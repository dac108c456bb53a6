// SPDX-License-Identifier: GPL-2.0

//! `kmap_atomic_pfn_t()`: map a [`Pfn`] whether or not it has a `struct page`.
//!
//! Frames with a page go through `kmap_local_page()`; device frames without
//! one are found in the [`crate::registry`] and mapped as `base + offset`,
//! with no `struct page` access at all. The returned [`PfnMapping`] unmaps
//! on drop. Neither path sleeps, so mappings may be taken in atomic context;
//! like `kmap_local`, a mapping must be dropped on the CPU and in the
//! context that took it (it is neither `Send` nor `Sync`).

use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::sync::rcu;

use crate::bindings;
use crate::pfn::{Pfn, PAGE_SHIFT, PAGE_SIZE};
use crate::registry;

enum Hold {
    /// A `kmap_local_page()` address to hand back to `kunmap_local()`.
    Page(NonNull<u8>),
    /// The RCU read-side section that keeps the device range registered.
    Device(#[allow(dead_code)] rcu::Guard),
}

/// A mapped byte range of one frame (or of a contiguous device range).
pub(crate) struct PfnMapping {
    addr: NonNull<u8>,
    len: usize,
    hold: Hold,
    _not_send: PhantomData<*mut u8>,
}

/// Map `len` bytes at `offset` into frame `pfn`.
///
/// Frames with a page must keep `offset + len` within the page; device frames
/// may run on to the end of their registered range. Returns `None` for a
/// frame that is neither valid RAM nor in a registered range, or a span that
/// leaves its frame or range.
#[inline]
pub(crate) fn kmap_atomic_pfn_t(pfn: Pfn, offset: usize, len: usize) -> Option<PfnMapping> {
    if pfn.has_page() {
        if offset.checked_add(len)? > PAGE_SIZE {
            return None;
        }
        // SAFETY: the shim maps the frame with `kmap_local_page()` only if
        // `pfn_valid()` says it has a `struct page` (NULL otherwise); it
        // does not sleep.
        let base = unsafe { bindings::rpmem_kmap_local_pfn(pfn.number()) };
        let base = NonNull::new(base.cast::<u8>())?;
        // SAFETY: `offset < PAGE_SIZE`, inside the mapped page.
        let addr = unsafe { base.add(offset) };
        return Some(PfnMapping {
            addr,
            len,
            hold: Hold::Page(base),
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
        hold: Hold::Device(guard),
        _not_send: PhantomData,
    })
}

impl PfnMapping {
    /// Kernel address of the first mapped byte.
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.addr.as_ptr()
    }

    /// Copy `src` into `self` with `copy_mc_to_kernel()`: a poisoned source
    /// line ends the copy instead of raising a machine check. Returns
    /// `Err(bytes_not_copied)` on poison. Spans must have equal length.
    pub(crate) fn copy_mc_from(&mut self, src: &PfnMapping) -> Result<(), usize> {
        let len = self.len.min(src.len);
        // SAFETY: both spans are mapped for `len` bytes and live while the
        // mappings do; `copy_mc_to_kernel` does not sleep.
        let left = unsafe {
            bindings::copy_mc_to_kernel(self.as_ptr().cast(), src.as_ptr().cast(), len as u32)
        };
        if left == 0 {
            Ok(())
        } else {
            Err(left as usize)
        }
    }

    /// Copy `src` into `self` with non-temporal stores and flush the
    /// destination out of the CPU cache (`memcpy_flushcache`).
    pub(crate) fn copy_flushcache_from(&mut self, src: &PfnMapping) {
        let len = self.len.min(src.len);
        // SAFETY: both spans are mapped for `len` bytes and live while the
        // mappings do; `__memcpy_flushcache` does not sleep.
        unsafe { bindings::__memcpy_flushcache(self.as_ptr().cast(), src.as_ptr().cast(), len) };
    }
}

impl Drop for PfnMapping {
    #[inline]
    fn drop(&mut self) {
        if let Hold::Page(base) = self.hold {
            // SAFETY: `base` came from `kmap_local_page()` in this context.
            unsafe { bindings::kunmap_local(base.as_ptr().cast()) };
        }
        // A device mapping ends its RCU read-side section as `hold` drops.
    }
}
