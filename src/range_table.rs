// SPDX-License-Identifier: GPL-2.0

//! A sorted table of device pfn ranges with a flat-cost lookup.
//!
//! The registry publishes one immutable table at a time; writers build a new
//! table with [`RangeTable::with`] or [`RangeTable::without`] and swap it in.
//! Besides the sorted ranges a table holds an index: the span from the first
//! range's start to the last one's end is cut into [`INDEX_SLOTS`] equal
//! slots, and each slot names the first range that ends after the slot
//! starts. A lookup reads one slot and searches the (usually one or two)
//! ranges between it and the next slot, so its cost hardly depends on how
//! many ranges are registered. Pure logic: the host unit tests build this
//! file as is.

/// Most ranges the registry holds at once.
pub(crate) const MAX_RANGES: usize = 1024;
/// Slots of the lookup index.
pub(crate) const INDEX_SLOTS: usize = 2048;

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

/// Ranges sorted by `start_pfn`, pairwise disjoint, and their index.
#[derive(Clone)]
pub(crate) struct RangeTable {
    len: usize,
    /// First frame of slot 0 (the first range's start).
    index_base: u64,
    /// A slot covers `1 << index_shift` frames.
    index_shift: u32,
    /// Per slot (and one past the last): the first range ending after the
    /// slot's first frame.
    index: [u16; INDEX_SLOTS + 1],
    ranges: [DevRange; MAX_RANGES],
}

// The index stores range positions in a u16.
const _: () = assert!(MAX_RANGES <= u16::MAX as usize);

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
            index_base: 0,
            index_shift: 0,
            index: [0; INDEX_SLOTS + 1],
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

    /// The range holding `pfn`: one index slot, then a binary search of
    /// the few ranges it leaves.
    #[inline]
    pub(crate) fn lookup(&self, pfn: u64) -> Option<&DevRange> {
        let slot = usize::try_from(pfn.checked_sub(self.index_base)? >> self.index_shift).ok()?;
        // A frame past the last slot lies past the last range.
        let first = *self.index.get(slot)? as usize;
        let next = *self.index.get(slot + 1)? as usize;
        // The holder, if any, is in `first..=next` (see `rebuild_index`).
        let candidates = self.ranges().get(first..(next + 1).min(self.len))?;
        let idx = candidates.partition_point(|r| r.start_pfn <= pfn);
        let r = candidates.get(idx.checked_sub(1)?)?;
        r.contains(pfn).then_some(r)
    }

    /// Recompute the index after the ranges changed. A range holding a
    /// frame of slot `s` ends after the slot starts, so it is at or after
    /// `index[s]`; every range before it ends at or before that frame, so
    /// it is at or before `index[s + 1]` (the first range ending after slot
    /// `s + 1` starts, which is it when it runs into that slot).
    fn rebuild_index(&mut self) {
        let (first, last) = match (self.ranges().first(), self.ranges().last()) {
            (Some(f), Some(l)) => (f.start_pfn, l.end_pfn()),
            _ => {
                self.index_base = 0;
                self.index_shift = 0;
                self.index = [0; INDEX_SLOTS + 1];
                return;
            }
        };
        let span = last - first;
        let mut shift = 0;
        while shift < 63 && (span >> shift) >= INDEX_SLOTS as u64 {
            shift += 1;
        }
        self.index_base = first;
        self.index_shift = shift;
        let mut i = 0;
        for (slot, entry) in self.index.iter_mut().enumerate() {
            let start = first.saturating_add((slot as u64) << shift);
            while i < self.len && self.ranges[i].end_pfn() <= start {
                i += 1;
            }
            *entry = i as u16;
        }
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
        out.rebuild_index();
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
        out.rebuild_index();
        Ok(ranges[idx])
    }
}
