// SPDX-License-Identifier: GPL-2.0

//! [`Mapping`]: a namespace's physical range, claimed (`request_mem_region`)
//! and mapped write-back with `memremap`, which creates no `struct page`.

use core::ptr::NonNull;

use kernel::prelude::*;
use kernel::str::{CStr, CString};

use crate::bindings;
use crate::pfn::PAGE_SHIFT;
use crate::range_table::DevRange;
use crate::registry::Registration;
use crate::span::end_within;

/// A claimed, mapped physical range.
pub(crate) struct Mapping {
    phys: u64,
    size: usize,
    virt: NonNull<u8>,
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
