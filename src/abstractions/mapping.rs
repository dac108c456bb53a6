// SPDX-License-Identifier: GPL-2.0

//! [`Mapping`]: a namespace's physical range, claimed in `iomem_resource`
//! and mapped write-back with `memremap()` (what pmem.c uses for raw
//! namespaces), with no `struct page`. One mapping per namespace: the
//! kernel maps it with the largest page-table entries the alignment allows.

use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::prelude::*;
use kernel::str::CString;

use super::bindings;
use super::namespace::Namespace;
use crate::pfn::PAGE_SIZE;
use crate::span::end_within;

/// A claimed, mapped namespace range; it lives no longer than the
/// namespace's binding (`'ns`).
pub(crate) struct Mapping<'ns> {
    phys: u64,
    size: usize,
    virt: NonNull<u8>,
    /// The claim's name: `/proc/iomem` points at it while the claim lasts.
    _name: CString,
    _ns: PhantomData<Namespace<'ns>>,
}

// SAFETY: the mapping is plain memory reachable from any CPU; `Mapping`
// only hands out its address and does bounded, non-sleeping copies.
unsafe impl Send for Mapping<'_> {}
// SAFETY: as above.
unsafe impl Sync for Mapping<'_> {}

impl<'ns> Mapping<'ns> {
    /// Claim the whole range of namespace `ns` and map it. The range must
    /// be page aligned and at least a page (`EINVAL` otherwise).
    pub(crate) fn of_namespace(ns: &Namespace<'ns>) -> Result<Self> {
        let (phys, end) = ns.resource();
        let size = end
            .checked_sub(phys)
            .and_then(|n| n.checked_add(1))
            .ok_or(EINVAL)?;
        let page = PAGE_SIZE as u64;
        if phys % page != 0 || size % page != 0 || size == 0 {
            return Err(EINVAL);
        }
        let len = usize::try_from(size).map_err(|_| EINVAL)?;
        let name = ns.name();
        let owned = CString::try_from_fmt(fmt!("{}", name))?;
        // SAFETY: `iomem_resource` is the global resource root; the name is
        // ours and outlives the claim (released in `drop` first).
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
        // SAFETY: we own the physical range now (claimed above, and it is
        // the namespace's, which the nd bus gave to this binding);
        // write-back is what pmem.c uses (ARCH_MEMREMAP_PMEM) and creates no
        // struct pages.
        let virt = unsafe { bindings::memremap(phys, len, bindings::MEMREMAP_WB as usize) };
        match NonNull::new(virt.cast::<u8>()) {
            Some(virt) => Ok(Mapping {
                phys,
                size: len,
                virt,
                _name: owned,
                _ns: PhantomData,
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

    /// Physical address of the first byte.
    pub(crate) fn phys(&self) -> u64 {
        self.phys
    }

    /// Bytes mapped.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Kernel virtual address of the first byte.
    pub(super) fn base(&self) -> usize {
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

impl Drop for Mapping<'_> {
    fn drop(&mut self) {
        // SAFETY: undoes `memremap` and the claim of `of_namespace`. Nothing
        // maps the range any more: a registration of it borrows the mapping
        // (`RegisteredMapping` drops it first), and so does every
        // `PfnMapping` made from it.
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
