// SPDX-License-Identifier: GPL-2.0

//! A sorted table of device pfn ranges with a flat-cost lookup.
//!
//! The registry publishes one immutable table at a time; writers build a new
//! table with [`RangeTable::with`] or [`RangeTable::without`] and swap it in.
//! Besides the sorted ranges a table holds an index. The ranges are split
//! into at most [`MAX_CLUSTERS`] clusters at the widest gaps between them
//! (namespaces of different DIMMs or sockets lie far apart); each cluster's
//! span is cut into equal slots, and each slot names the first range that
//! ends after the slot starts. A lookup finds the cluster, reads one slot
//! and checks the range it names, which holds the frame unless a range
//! boundary falls inside the slot; only then are the (usually one or two)
//! ranges up to the next slot searched. Its cost does not depend on how many
//! ranges are registered, and it writes nothing, so readers on different
//! CPUs share the table's cache lines. Pure logic: the host unit tests build
//! this file as is.

pub(crate) use crate::dev_range::{DevRange, PFN_LIMIT};
use crate::range_index::{build, cold, Cluster, Geometry, INDEX_LEN, MAX_CLUSTERS, RANGE_BYTES};

/// Most ranges the registry holds at once.
pub(crate) const MAX_RANGES: usize = 1088;
// The index stores ranges' byte offsets in a u16.
const _: () = assert!(MAX_RANGES * RANGE_BYTES <= u16::MAX as usize);
/// Why a table update was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RangeError {
    /// The new range is empty or wraps around.
    Empty,
    /// The new range overlaps a registered one.
    Overlap,
    /// The table is full.
    Full,
    /// The range ends above [`PFN_LIMIT`], or its mapping starts at address
    /// 0 or wraps around.
    TooHigh,
    /// No range starts at the given pfn.
    NotFound,
}

/// Ranges sorted by `start_pfn`, pairwise disjoint, and their index.
pub(crate) struct RangeTable {
    len: usize,
    /// In pfn order, then [`Cluster::UNUSED`] ones.
    clusters: [Cluster; MAX_CLUSTERS],
    /// Per cluster slot (and one past each cluster's last): the first
    /// range ending after the slot's first frame, as its byte offset in
    /// `ranges` (a lookup then scales nothing). Invariant: every entry is
    /// `i * RANGE_BYTES` for some `i <= len`, so it names an element of
    /// `ranges`.
    index: [u16; INDEX_LEN],
    /// The ranges, then all-zero (empty) ones: at least one, so that an
    /// index entry equal to `len` names an empty range even in a full table.
    ranges: [DevRange; MAX_RANGES + 1],
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
            clusters: [Cluster::UNUSED; MAX_CLUSTERS],
            index: [0; INDEX_LEN],
            ranges: [DevRange {
                start_pfn: 0,
                nr_pages: 0,
                base: 0,
            }; MAX_RANGES + 1],
        }
    }

    /// Number of ranges.
    #[allow(dead_code, reason = "used by the benchmark module (src/bench/)")]
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

    /// Number of clusters less one, below [`MAX_CLUSTERS`].
    #[allow(dead_code, reason = "the host tests read it")]
    pub(crate) fn last_cluster(&self) -> usize {
        let used = self.clusters.iter().filter(|c| c.start_pfn != u64::MAX);
        used.count().saturating_sub(1)
    }

    /// The range holding `pfn`: its cluster, one index slot and the range
    /// the slot names ([`RangeTable::candidate`]); a search of the slot's
    /// other ranges only when that one does not hold `pfn`.
    #[inline(always)]
    pub(crate) fn lookup(&self, pfn: u64) -> Option<&DevRange> {
        let r = self.candidate(pfn);
        if pfn.wrapping_sub(r.start_pfn) < r.nr_pages {
            return Some(r);
        }
        self.lookup_checked(pfn)
    }

    /// The range that `pfn`'s index slot names, unchecked: if it holds
    /// `pfn`, it is the registered range that does (ranges are disjoint,
    /// and entries past `len` are all zero, empty); if not, only
    /// [`RangeTable::lookup`] can tell whether another range does.
    /// Branch-light on purpose, for callers that fold their own bounds
    /// check into the one of the range: a frame below the second cluster
    /// (any frame, in a table of one cluster) costs one comparison and no
    /// walk, and a frame outside its cluster's slots reads some entry of
    /// the index all the same (entry numbers are masked, and the entries
    /// need no check: see `index`).
    #[inline(always)]
    pub(crate) fn candidate(&self, pfn: u64) -> &DevRange {
        let entry = if pfn < self.clusters[1].start_pfn {
            // The first cluster (the only one, commonly: the namespaces of
            // one DIMM or region): its slots start at entry 0.
            let c = &self.clusters[0];
            pfn.wrapping_sub(c.start_pfn)
                .wrapping_shr(Geometry::shift(c.geometry)) as usize
        } else {
            self.entry_past_first_cluster(pfn)
        };
        let at = self.index[entry & (INDEX_LEN - 1)] as usize;
        // SAFETY: every index entry is the byte offset of element `i` of
        // `ranges` for some `i <= len <= MAX_RANGES` (the invariant of
        // `index`): inside `ranges`, and aligned as an element is.
        unsafe { &*self.ranges.as_ptr().byte_add(at) }
    }

    /// [`RangeTable::candidate`]'s index entry for a frame at or above the
    /// second cluster's start: laid out apart (a cold path), so that the
    /// first cluster's frames run straight through.
    #[inline(always)]
    fn entry_past_first_cluster(&self, pfn: u64) -> usize {
        cold();
        let (c, slot) = self.slot_of(pfn, 1);
        Geometry::first_entry(c.geometry).wrapping_add(slot as usize)
    }

    /// The cluster that would hold `pfn`, and `pfn`'s slot in it (which
    /// may be past its last slot), walking from cluster `from` (at or
    /// below `pfn`'s): the last cluster starting at or below `pfn`
    /// (unused ones start at `u64::MAX`).
    #[inline(always)]
    fn slot_of(&self, pfn: u64, from: usize) -> (&Cluster, u64) {
        let mut k = from;
        while k < MAX_CLUSTERS - 1 && self.clusters[k + 1].start_pfn <= pfn {
            k += 1;
        }
        let c = &self.clusters[k & (MAX_CLUSTERS - 1)];
        // Below the cluster's start the difference wraps: past every slot.
        let slot = pfn
            .wrapping_sub(c.start_pfn)
            .wrapping_shr(Geometry::shift(c.geometry));
        (c, slot)
    }

    /// The rest of [`RangeTable::lookup`], out of line: the cluster's
    /// slot bounds checked, then the ranges of the slot searched.
    #[cold]
    #[inline(never)]
    fn lookup_checked(&self, pfn: u64) -> Option<&DevRange> {
        let (c, slot) = self.slot_of(pfn, 0);
        if slot >= Geometry::slots(c.geometry) {
            return None;
        }
        // A frame past the cluster's end but in its last slot goes on: the
        // slot names no range holding it, and the search refuses it.
        let entry = Geometry::first_entry(c.geometry).wrapping_add(slot as usize);
        self.lookup_in_slot(pfn, Geometry::ranges_end(c.geometry), entry)
    }

    /// The holder of `pfn`, if any, is between the ranges that index
    /// entries `entry` and `entry + 1` name (see `build_cluster`).
    fn lookup_in_slot(&self, pfn: u64, ranges_end: usize, entry: usize) -> Option<&DevRange> {
        let first = *self.index.get(entry)? as usize / RANGE_BYTES;
        let next = *self.index.get(entry.checked_add(1)?)? as usize / RANGE_BYTES;
        let candidates = self
            .ranges()
            .get(first..next.saturating_add(1).min(ranges_end))?;
        let idx = candidates
            .partition_point(|r| r.start_pfn <= pfn)
            .checked_sub(1)?;
        candidates.get(idx).filter(|r| r.contains(pfn))
    }

    /// Copy the table into `out` with `range` added.
    pub(crate) fn with(&self, range: DevRange, out: &mut RangeTable) -> Result<(), RangeError> {
        let Some(end_pfn) = range.start_pfn.checked_add(range.nr_pages) else {
            return Err(RangeError::Empty);
        };
        if range.nr_pages == 0 {
            return Err(RangeError::Empty);
        }
        let bytes = range.nr_pages << crate::pfn::PAGE_SHIFT;
        if end_pfn > PFN_LIMIT
            || range.nr_pages >= PFN_LIMIT
            || range.base == 0
            || (range.base as u64).checked_add(bytes).is_none()
        {
            return Err(RangeError::TooHigh);
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
        out.ranges.fill(DevRange::default());
        for (slot, r) in out.ranges.iter_mut().zip(new) {
            *slot = *r;
        }
        out.len = self.len + 1;
        build(&out.ranges[..out.len], &mut out.clusters, &mut out.index);
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
        out.ranges.fill(DevRange::default());
        for (slot, (_, r)) in out.ranges.iter_mut().zip(kept) {
            *slot = *r;
        }
        out.len = self.len - 1;
        build(&out.ranges[..out.len], &mut out.clusters, &mut out.index);
        Ok(ranges[idx])
    }
}
