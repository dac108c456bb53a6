// SPDX-License-Identifier: GPL-2.0

//! [`DevRange`]: a contiguous run of device frames mapped at a kernel
//! virtual address. Pure logic, host-tested.

/// Ranges must end at or below this frame, so that a range's byte size and
/// the byte offset of any of its frames fit in a `u64`.
pub(crate) const PFN_LIMIT: u64 = 1 << (64 - crate::pfn::PAGE_SHIFT);

/// A contiguous run of device frames mapped at a kernel virtual address.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct DevRange {
    /// First frame.
    pub(crate) start_pfn: u64,
    /// Number of frames.
    pub(crate) nr_pages: u64,
    /// Kernel virtual address of `start_pfn`'s first byte.
    pub(crate) base: usize,
}

impl DevRange {
    /// One past the last frame.
    pub(crate) const fn end_pfn(&self) -> u64 {
        self.start_pfn + self.nr_pages
    }

    /// True if `pfn` lies in the range.
    pub(crate) const fn contains(&self, pfn: u64) -> bool {
        pfn >= self.start_pfn && pfn - self.start_pfn < self.nr_pages
    }

    /// True if the range holds frame `pfn` and the `len` bytes at `offset`
    /// into it (device frames may run on to the end of their range).
    ///
    /// One comparison: the end of the span, and at least the end of frame
    /// `pfn`, as a byte offset into the range must not pass the range's
    /// end. In 128 bits no shift or sum wraps, whatever the arguments.
    #[inline(always)]
    pub(crate) const fn holds_span(&self, pfn: u64, offset: usize, len: usize) -> bool {
        let page = pfn.wrapping_sub(self.start_pfn) as u128;
        let span = (offset as u128).wrapping_add(len as u128);
        let page_size = 1u128 << crate::pfn::PAGE_SHIFT;
        let span = if span > page_size { span } else { page_size };
        let end = (page << crate::pfn::PAGE_SHIFT).wrapping_add(span);
        end <= (self.nr_pages as u128) << crate::pfn::PAGE_SHIFT
    }

    /// Kernel address of the byte at `offset` into frame `pfn`: meaningful
    /// when [`DevRange::holds_span`] says so, and then, for a range in a
    /// table (`RangeTable::with` refuses others), not 0 and not wrapped.
    #[inline(always)]
    pub(crate) const fn address_at(&self, pfn: u64, offset: usize) -> usize {
        let first = (pfn.wrapping_sub(self.start_pfn) << crate::pfn::PAGE_SHIFT) as usize;
        self.base.wrapping_add(first).wrapping_add(offset)
    }
}
