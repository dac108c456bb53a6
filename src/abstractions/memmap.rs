// SPDX-License-Identifier: GPL-2.0

//! x86-64 frame arithmetic, done in Rust so the per-vector hot path makes no
//! call into C for it: `page_to_pfn()`/`pfn_to_page()` over the virtual
//! memmap (SPARSEMEM_VMEMMAP) and the direct-map address that
//! `kmap_local_page()` returns for a page on a kernel without highmem.
//! bindings/shim.c refuses to build for any other memory model. The bases
//! move with KASLR, so [`MemMap::read`] reads them at run time; the module
//! keeps one copy in its [`super::pfn_space::PfnSpace`].

use kernel::prelude::*;

use super::bindings;
use crate::pfn::PAGE_SHIFT;

const PAGE_STRUCT: usize = size_of::<bindings::page>();

/// The bases of the virtual memmap and of the direct map.
#[derive(Clone, Copy)]
pub(crate) struct MemMap {
    vmemmap: usize,
    direct_map: usize,
}

impl MemMap {
    /// Read the bases (boot-time constants); fails if the bindings' `struct
    /// page` is not the kernel's.
    pub(crate) fn read() -> Result<Self> {
        // SAFETY: pure reads of boot-time constants.
        let (vmemmap, direct_map, size) = unsafe {
            (
                bindings::rpmem_vmemmap_base(),
                bindings::rpmem_direct_map_base(),
                bindings::rpmem_struct_page_size(),
            )
        };
        if size != PAGE_STRUCT {
            pr_err!(
                "struct page is {} bytes but the bindings say {}\n",
                size,
                PAGE_STRUCT
            );
            return Err(EINVAL);
        }
        Ok(MemMap {
            vmemmap,
            direct_map,
        })
    }

    /// `page_to_pfn()`: arithmetic only, `page` is not dereferenced.
    #[inline(always)]
    pub(crate) fn page_to_pfn(&self, page: *const bindings::page) -> u64 {
        ((page as usize).wrapping_sub(self.vmemmap) / PAGE_STRUCT) as u64
    }

    /// `pfn_to_page()`: arithmetic only; the result may name no `struct page`.
    #[inline(always)]
    pub(crate) fn pfn_to_page(&self, pfn: u64) -> *mut bindings::page {
        self.vmemmap
            .wrapping_add((pfn as usize).wrapping_mul(PAGE_STRUCT)) as *mut bindings::page
    }

    /// Direct-map address of RAM frame `pfn` (`page_address()` without
    /// highmem). Meaningful only for a frame with a `struct page`.
    #[inline(always)]
    pub(crate) fn direct_map_address(&self, pfn: u64) -> usize {
        self.direct_map.wrapping_add((pfn << PAGE_SHIFT) as usize)
    }
}

/// True if every memmap subsection that `nr` frames from `pfn` touch has a
/// `struct page` (`pfn_valid()`).
#[inline]
pub(crate) fn frames_valid(pfn: u64, nr: u64) -> bool {
    // SAFETY: `pfn_valid()` only reads the memory-section tables.
    unsafe { bindings::rpmem_pfns_valid(pfn, nr) }
}

/// The first of `nr` frames from `pfn` that has a `struct page`, if any.
pub(crate) fn first_frame_with_page(pfn: u64, nr: u64) -> Option<u64> {
    // SAFETY: `pfn_valid()` only reads the memory-section tables.
    let found = unsafe { bindings::rpmem_first_valid_pfn(pfn, nr) };
    (found != u64::MAX).then_some(found)
}

/// True if a memory section that `size` bytes at `phys` touch also holds
/// System RAM.
pub(crate) fn shares_section_with_ram(phys: u64, size: u64) -> bool {
    // SAFETY: reads the resource tree under its own lock.
    unsafe { bindings::rpmem_shares_section_with_ram(phys, size) }
}

/// True if the architecture has `memcpy_flushcache()` (writes can be made
/// durable without a flush of the whole CPU cache).
pub(crate) fn arch_has_flushcache() -> bool {
    // SAFETY: a constant query.
    unsafe { bindings::rpmem_arch_has_flushcache() }
}
