// SPDX-License-Identifier: GPL-2.0

//! Page frame numbers with the 2015 `__pfn_t` flags.
//!
//! A [`Pfn`] names a page frame and says how it may be reached: RAM frames
//! have a `struct page`; device frames (`PFN_DEV`) may have none, in which case
//! only a registered device range can map them. Pure logic: no kernel calls,
//! so the host unit tests build this file as is.

/// Page size on x86-64, the only architecture rpmem supports.
pub(crate) const PAGE_SHIFT: u32 = 12;
/// Bytes in one page.
pub(crate) const PAGE_SIZE: usize = 1 << PAGE_SHIFT;

/// Flag: the frame is device memory (pmem), not ordinary RAM.
pub(crate) const PFN_DEV: u64 = 1 << 61;
/// Flag: a device frame that nonetheless has a `struct page`.
pub(crate) const PFN_MAP: u64 = 1 << 60;
/// Flag (rpmem's own): a RAM frame whose `struct page` was just checked to
/// exist (`pfn_valid()`), so mapping it need not check again. Only
/// [`Pfn::ram_checked`] sets it; [`Pfn::add`] keeps it only within the same
/// memmap subsection, the unit `pfn_valid()` answers for.
pub(crate) const PFN_CHECKED: u64 = 1 << 62;
/// Frames per memmap subsection on x86-64 (2 MiB): `pfn_valid()` gives one
/// answer for all frames of a subsection.
pub(crate) const PAGES_PER_SUBSECTION: u64 = 512;
/// All flag bits; the frame number lives below them.
pub(crate) const PFN_FLAGS_MASK: u64 = 0xf << 60;

/// A page frame number carrying the series' flags in its top bits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Pfn(u64);

impl Pfn {
    /// A RAM frame: it has a `struct page` (mapping it checks that again).
    ///
    /// # Safety
    ///
    /// The frame must be memory the caller may read and write for as long
    /// as the result is used (for example a page pinned for I/O): mapping it
    /// gives its direct-map address, and nothing else vouches for it.
    pub(crate) const unsafe fn ram(pfn: u64) -> Self {
        Pfn(pfn & !PFN_FLAGS_MASK)
    }

    /// A RAM frame known to have a `struct page`, as have all frames of its
    /// memmap subsection.
    ///
    /// # Safety
    ///
    /// As for [`Pfn::ram`], and `pfn_valid(pfn)` must hold for as long as
    /// the result is used (true of a page pinned for I/O: its subsection
    /// cannot go offline meanwhile).
    #[allow(
        dead_code,
        reason = "part of the pfn_t model; rpmem_bench.ko maps RAM through it"
    )]
    pub(crate) const unsafe fn ram_checked(pfn: u64) -> Self {
        Pfn((pfn & !PFN_FLAGS_MASK) | PFN_CHECKED)
    }

    /// True if [`Pfn::ram_checked`] vouched for this frame's `struct page`.
    pub(crate) const fn is_checked(self) -> bool {
        self.0 & PFN_CHECKED != 0
    }

    /// True if [`Pfn::ram_checked`] vouched for this frame and the `pages`
    /// frames from it all lie in its memmap subsection (what
    /// `self.add(pages - 1).is_checked()` says, in fewer steps).
    pub(crate) const fn is_checked_for(self, pages: u64) -> bool {
        self.is_checked() && pages <= PAGES_PER_SUBSECTION - self.number() % PAGES_PER_SUBSECTION
    }

    /// A device frame with no `struct page`.
    pub(crate) const fn device(pfn: u64) -> Self {
        Pfn((pfn & !PFN_FLAGS_MASK) | PFN_DEV)
    }

    /// A device frame that has a `struct page` (ZONE_DEVICE style).
    #[allow(
        dead_code,
        reason = "part of the pfn_t model; rpmem's frames have no page"
    )]
    pub(crate) const fn device_mapped(pfn: u64) -> Self {
        Pfn((pfn & !PFN_FLAGS_MASK) | PFN_DEV | PFN_MAP)
    }

    /// The bare frame number, flags stripped.
    pub(crate) const fn number(self) -> u64 {
        self.0 & !PFN_FLAGS_MASK
    }

    /// The flag bits.
    pub(crate) const fn flags(self) -> u64 {
        self.0 & PFN_FLAGS_MASK
    }

    /// True for device memory, with or without a page.
    #[allow(
        dead_code,
        reason = "part of the pfn_t model; the driver knows a pfn bio by its bio set"
    )]
    pub(crate) const fn is_device(self) -> bool {
        self.0 & PFN_DEV != 0
    }

    /// True when a `struct page` backs the frame: RAM, or `PFN_DEV|PFN_MAP`.
    pub(crate) const fn has_page(self) -> bool {
        self.0 & PFN_DEV == 0 || self.0 & PFN_MAP != 0
    }

    /// The frame `n` pages further on, same flags (but [`PFN_CHECKED`] only
    /// while still in the same memmap subsection: the check was for that).
    pub(crate) const fn add(self, n: u64) -> Self {
        let number = self.number().wrapping_add(n) & !PFN_FLAGS_MASK;
        let flags = if number / PAGES_PER_SUBSECTION == self.number() / PAGES_PER_SUBSECTION {
            self.flags()
        } else {
            self.flags() & !PFN_CHECKED
        };
        Pfn(flags | number)
    }
}
