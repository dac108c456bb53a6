// SPDX-License-Identifier: GPL-2.0

//! A sorted table of device pfn ranges with O(log n) lookup.
//!
//! The registry publishes one immutable table at a time; writers build a new
//! table with [`RangeTable::with`] or [`RangeTable::without`] and swap it in.
//! Pure logic: the host unit tests build this file as is.

/// Most ranges the registry holds at once.
pub(crate) const MAX_RANGES: usize = 128;

/// Why a table update was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RangeError {
    /// The new range is empty or wraps around.
    Empty,
    /// The new range overlaps a registered one.
    Overlap,
    /// The table is full.
    Full,
    /// No range starts at the given pfn.
    NotFound,
}

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
        pfn >= self.start_pfn && pfn < self.end_pfn()
    }
}

/// Ranges sorted by `start_pfn`, pairwise disjoint.
#[derive(Clone)]
pub(crate) struct RangeTable {
    len: usize,
    ranges: [DevRange; MAX_RANGES],
}

impl Default for RangeTable {
    fn default() -> Self {
        Self::new()
    }
}

impl RangeTable {
    /// An empty table.
    pub(crate) const fn new() -> Self {
        RangeTable {
            len: 0,
            ranges: [DevRange {
                start_pfn: 0,
                nr_pages: 0,
                base: 0,
            }; MAX_RANGES],
        }
    }

    /// Number of ranges.
    pub(crate) const fn len(&self) -> usize {
        self.len
    }

    /// True when no range is registered.
    #[allow(dead_code, reason = "pairs with len(); used by the host tests")]
    pub(crate) const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The registered ranges, in pfn order.
    pub(crate) fn ranges(&self) -> &[DevRange] {
        &self.ranges[..self.len]
    }

    /// The range holding `pfn`, by binary search.
    #[inline]
    pub(crate) fn lookup(&self, pfn: u64) -> Option<&DevRange> {
        let ranges = self.ranges();
        // Index of the first range starting after `pfn`; the candidate is
        // the one before it.
        let idx = ranges.partition_point(|r| r.start_pfn <= pfn);
        let r = ranges.get(idx.checked_sub(1)?)?;
        r.contains(pfn).then_some(r)
    }

    /// Copy the table into `out` with `range` added.
    pub(crate) fn with(&self, range: DevRange, out: &mut RangeTable) -> Result<(), RangeError> {
        if range.nr_pages == 0 || range.start_pfn.checked_add(range.nr_pages).is_none() {
            return Err(RangeError::Empty);
        }
        if self.len == MAX_RANGES {
            return Err(RangeError::Full);
        }
        let ranges = self.ranges();
        let idx = ranges.partition_point(|r| r.start_pfn < range.start_pfn);
        let overlaps_prev = idx > 0 && ranges[idx - 1].end_pfn() > range.start_pfn;
        let overlaps_next = idx < self.len && ranges[idx].start_pfn < range.end_pfn();
        if overlaps_prev || overlaps_next {
            return Err(RangeError::Overlap);
        }
        let (before, after) = ranges.split_at(idx);
        let new = before.iter().chain(Some(&range)).chain(after);
        for (slot, r) in out.ranges.iter_mut().zip(new) {
            *slot = *r;
        }
        out.len = self.len + 1;
        Ok(())
    }

    /// Copy the table into `out` without the range starting at `start_pfn`.
    pub(crate) fn without(
        &self,
        start_pfn: u64,
        out: &mut RangeTable,
    ) -> Result<DevRange, RangeError> {
        let ranges = self.ranges();
        let idx = ranges
            .iter()
            .position(|r| r.start_pfn == start_pfn)
            .ok_or(RangeError::NotFound)?;
        let kept = ranges.iter().enumerate().filter(|&(i, _)| i != idx);
        for (slot, (_, r)) in out.ranges.iter_mut().zip(kept) {
            *slot = *r;
        }
        out.len = self.len - 1;
        Ok(ranges[idx])
    }
}
