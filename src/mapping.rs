// SPDX-License-Identifier: GPL-2.0

//! [`Mapping`]: a namespace's physical range, claimed (`request_mem_region`)
//! and mapped write-back with `memremap`, which creates no `struct page`.

use core::ptr::NonNull;

use kernel::prelude::*;
use kernel::str::{CStr, CString};

use crate::bindings;
use crate::pfn::{PAGE_SHIFT, PAGE_SIZE};
use crate::range_table::DevRange;
use crate::registry::Registration;
use crate::span::end_within;

/// Where the alias of a mapping starts, in bytes into the range: one page,
/// so that no page of the alias shares its address bits below 1 GiB with
/// the same page in any main mapping (the cost: the alias is mapped with
/// 4 KiB page-table entries, 2 MiB of page tables per GiB).
pub(crate) const ALIAS_START: usize = PAGE_SIZE;

/// A claimed, mapped physical range.
pub(crate) struct Mapping {
    phys: u64,
    size: usize,
    virt: NonNull<u8>,
    /// A second mapping of the range from [`ALIAS_START`] on, for copies
    /// whose other side is another namespace's mapping (see [`Mapping::alias`]);
    /// `None` if the range is too small or the map failed.
    alias: Option<NonNull<u8>>,
    /// The claim's name: `/proc/iomem` points at it while the claim lasts.
    _name: CString,
}

// SAFETY: the mapping is plain memory reachable from any CPU; `Mapping`
// only hands out its address and does bounded, non-sleeping copies.
unsafe impl Send for Mapping {}
// SAFETY: as above.
unsafe impl Sync for Mapping {}

impl Mapping {
    /// Claim `[phys, phys + size)` for `name` and map it.
    pub(crate) fn new(name: &CStr, phys: u64, size: u64) -> Result<Self> {
        let len = usize::try_from(size).map_err(|_| EINVAL)?;
        let owned = CString::try_from_fmt(fmt!("{}", name))?;
        // SAFETY: `iomem_resource` is the global resource root; the name
        // is ours and outlives the claim (released in `drop` first).
        let res = unsafe {
            bindings::__request_region(
                &raw mut bindings::iomem_resource,
                phys,
                size,
                owned.as_char_ptr(),
                0,
            )
        };
        if res.is_null() {
            pr_err!(
                "{}: region {:#x}+{:#x} busy, cannot claim it\n",
                name,
                phys,
                size
            );
            return Err(EBUSY);
        }
        // SAFETY: we own the physical range now; write-back is what pmem.c
        // uses (ARCH_MEMREMAP_PMEM) and creates no struct pages.
        let virt = unsafe { bindings::memremap(phys, len, bindings::MEMREMAP_WB as usize) };
        match NonNull::new(virt.cast::<u8>()) {
            Some(virt) => Ok(Mapping {
                phys,
                size: len,
                virt,
                alias: Self::map_alias(phys, len),
                _name: owned,
            }),
            None => {
                pr_err!("{}: memremap of {:#x}+{:#x} failed\n", name, phys, size);
                // SAFETY: releases the claim taken above.
                unsafe {
                    bindings::__release_region(&raw mut bindings::iomem_resource, phys, size)
                };
                Err(ENOMEM)
            }
        }
    }

    /// Map `[phys + ALIAS_START, phys + size)` a second time, write-back
    /// like the first; the caller has claimed the range.
    fn map_alias(phys: u64, size: usize) -> Option<NonNull<u8>> {
        let len = size.checked_sub(ALIAS_START).filter(|&n| n > 0)?;
        // SAFETY: a sub-range of the range the caller claimed and mapped
        // write-back; a second write-back mapping of the same memory is
        // coherent (x86 caches are physically tagged) and creates no
        // struct page. Unmapped in `drop`, before the claim is released.
        let virt = unsafe {
            bindings::memremap(
                phys + ALIAS_START as u64,
                len,
                bindings::MEMREMAP_WB as usize,
            )
        };
        NonNull::new(virt.cast::<u8>())
    }

    /// The address of `len` bytes at `offset` in the alias, if the alias
    /// holds them all.
    ///
    /// Why an alias: `memremap()` aligns an area of 1 GiB to 1 GiB (to the
    /// size's order up to 1 GiB), so every namespace's mapping has the same
    /// address bits below that, and a copy between equal offsets of two of
    /// them alternates between two pages whose addresses agree in all of
    /// those bits. QEMU's TCG soft TLB is direct-mapped on them: each switch
    /// from source to destination evicts the other's entry, about two
    /// refills per 32 bytes, which made the pfn copy 5-10x slower than at
    /// unequal offsets (docs/copy-bandwidth.md). The alias starts
    /// `ALIAS_START` into the range at a 1 GiB-aligned address, so each of
    /// its pages sits one page below where the main mappings put the same
    /// offset, whatever the TLB's size. (A 2 MiB shift, which would keep
    /// PMD mappings, only helps while QEMU's TLB has more than 512 entries;
    /// it resizes it at flushes, and a probe copy was fast in one round
    /// and slow in the next.)
    pub(crate) fn alias(&self, offset: usize, len: usize) -> Option<NonNull<u8>> {
        let alias = self.alias?;
        let at = offset.checked_sub(ALIAS_START)?;
        end_within(at, len, self.size.checked_sub(ALIAS_START)?)?;
        // SAFETY: `at + len` lies inside the alias (checked above).
        Some(unsafe { alias.add(at) })
    }

    /// Kernel virtual address of the first byte.
    pub(crate) fn base(&self) -> usize {
        self.virt.as_ptr() as usize
    }

    /// Read `buf.len()` bytes at `offset` machine-check safely
    /// (`copy_mc_to_kernel()`); `EIO` if a poisoned line was hit.
    pub(crate) fn read_mc(&self, offset: usize, buf: &mut [u8]) -> Result {
        end_within(offset, buf.len(), self.size).ok_or(EINVAL)?;
        let n = u32::try_from(buf.len()).map_err(|_| EINVAL)?;
        // SAFETY: the source span lies inside the mapping (checked above),
        // the destination is `buf`; `copy_mc_to_kernel` does not sleep.
        let left = unsafe {
            bindings::copy_mc_to_kernel(
                buf.as_mut_ptr().cast(),
                self.virt.as_ptr().add(offset).cast(),
                n,
            )
        };
        if left == 0 {
            Ok(())
        } else {
            Err(EIO)
        }
    }

    /// Drop any CPU cache lines over `len` bytes at `offset` after their
    /// poison was cleared (`arch_invalidate_pmem()`).
    pub(crate) fn invalidate(&self, offset: usize, len: usize) {
        if end_within(offset, len, self.size).is_none() {
            return;
        }
        // SAFETY: the span lies inside the mapping; invalidating cache
        // lines does not sleep.
        unsafe { bindings::arch_invalidate_pmem(self.virt.as_ptr().add(offset).cast(), len) };
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: undoes `memremap` and the claim from `new`; the owner
        // guarantees nothing maps the range any more (its registration is
        // gone and its disk deleted).
        unsafe {
            if let Some(alias) = self.alias {
                bindings::memunmap(alias.as_ptr().cast());
            }
            bindings::memunmap(self.virt.as_ptr().cast());
            bindings::__release_region(
                &raw mut bindings::iomem_resource,
                self.phys,
                self.size as u64,
            );
        }
    }
}

/// A [`Mapping`] whose frames are registered, so that `kmap_atomic_pfn_t()`
/// reaches them; the registration goes (waiting out every mapping of it)
/// before the memory is unmapped.
pub(crate) struct RegisteredMapping {
    // Dropped first: fields drop in declaration order.
    registration: Registration,
    mapping: Mapping,
}

impl RegisteredMapping {
    /// Register the frames of `mapping`.
    pub(crate) fn new(mapping: Mapping) -> Result<Self> {
        let range = DevRange {
            start_pfn: mapping.phys >> PAGE_SHIFT,
            nr_pages: (mapping.size >> PAGE_SHIFT) as u64,
            base: mapping.base(),
        };
        // SAFETY: `base` maps all `nr_pages` pages, and `mapping` outlives
        // the registration (it is dropped after it, see the field order).
        let registration = unsafe { Registration::new(range) }?;
        Ok(RegisteredMapping {
            registration,
            mapping,
        })
    }

    /// The registration, to map the frames without a lookup.
    pub(crate) fn registration(&self) -> &Registration {
        &self.registration
    }

    /// The mapping.
    pub(crate) fn mapping(&self) -> &Mapping {
        &self.mapping
    }
}
