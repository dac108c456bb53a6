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

/// Calling it marks a path unlikely: the compiler lays it out apart from
/// the likely one (`core::hint::cold_path()` needs Rust 1.95, and the
/// kernel builds with 1.85 on).
#[cold]
#[inline(always)]
fn cold() {}

/// Most ranges the registry holds at once.
pub(crate) const MAX_RANGES: usize = 1088;
/// Slots of the lookup index, over all clusters (with one entry past each
/// cluster's last slot, [`INDEX_LEN`] entries in all).
pub(crate) const INDEX_SLOTS: usize = INDEX_LEN - MAX_CLUSTERS;
/// Most clusters (a power of two: lookups mask cluster numbers with it).
pub(crate) const MAX_CLUSTERS: usize = 8;
/// A gap is cut when it is at least this fraction of the whole span.
const CUT_FRACTION: u64 = 64;
/// Entries of the index: per cluster its slots and one past the last (a
/// power of two: lookups mask entry numbers with it).
const INDEX_LEN: usize = 4096;
/// Fewest slots a cluster gets.
const MIN_SLOTS: usize = 16;
const _: () = assert!(INDEX_LEN.is_power_of_two() && MAX_CLUSTERS.is_power_of_two());
/// Ranges must end at or below this frame, so that a range's byte size and
/// the byte offset of any of its frames fit in a `u64`.
pub(crate) const PFN_LIMIT: u64 = 1 << (64 - crate::pfn::PAGE_SHIFT);

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
    /// table ([`RangeTable::with`] refuses others), not 0 and not wrapped.
    #[inline(always)]
    pub(crate) const fn address_at(&self, pfn: u64, offset: usize) -> usize {
        let first = (pfn.wrapping_sub(self.start_pfn) << crate::pfn::PAGE_SHIFT) as usize;
        self.base.wrapping_add(first).wrapping_add(offset)
    }
}

/// A run of ranges indexed together: 16 bytes, two loads.
#[derive(Clone, Copy)]
struct Cluster {
    /// Start of its first range; [`u64::MAX`] for an unused cluster, so
    /// that a walk over the clusters in use stops at the first unused one.
    start_pfn: u64,
    /// Its [`Geometry`], packed.
    geometry: u64,
}

impl Cluster {
    /// A cluster not in use: no frame is at or above its start.
    const UNUSED: Cluster = Cluster {
        start_pfn: u64::MAX,
        geometry: 0,
    };
}

/// How a cluster's frames map to index entries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Geometry {
    /// Slots that hold its frames (up to its last range's end).
    slots: u16,
    /// A slot covers `1 << shift` frames.
    shift: u8,
    /// Its first entry in `index`; it has one more than it has slots.
    first_entry: u16,
    /// One past its last range.
    ranges_end: u16,
}

impl Geometry {
    /// The shift in the low bits, where a shift instruction takes its
    /// count from (and ignores the bits above): the lookup's shift then
    /// needs no unpacking.
    const fn pack(self) -> u64 {
        self.shift as u64
            | (self.slots as u64) << 8
            | (self.first_entry as u64) << 24
            | (self.ranges_end as u64) << 40
    }

    #[inline(always)]
    const fn slots(packed: u64) -> u64 {
        (packed >> 8) & 0xffff
    }

    #[inline(always)]
    const fn shift(packed: u64) -> u32 {
        packed as u32 & 0x3f
    }

    #[inline(always)]
    const fn first_entry(packed: u64) -> usize {
        (packed >> 24) as usize & 0xffff
    }

    #[inline(always)]
    const fn ranges_end(packed: u64) -> usize {
        (packed >> 40) as usize & 0xffff
    }
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

/// Bytes of a [`DevRange`]: the unit of index entries.
const RANGE_BYTES: usize = core::mem::size_of::<DevRange>();
// The index stores ranges' byte offsets in a u16.
const _: () = assert!(MAX_RANGES * RANGE_BYTES <= u16::MAX as usize);

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

    /// Recompute the clusters and the index after the ranges changed.
    fn rebuild_index(&mut self) {
        self.clusters.fill(Cluster::UNUSED);
        self.index.fill(0);
        let len = self.len;
        let (Some(first), Some(last)) = (self.ranges().first(), self.ranges().last()) else {
            return;
        };
        let span = last.end_pfn() - first.start_pfn;
        // Cut at the widest gaps that are a sizeable part of the span; not
        // at all when one cluster can give every frame a slot of its own
        // (each cut costs a lookup one comparison, and in a span of a few
        // frames every gap is "a sizeable part").
        let mut cuts = [0usize; MAX_CLUSTERS - 1];
        let mut ncuts = 0;
        let max_cuts = if span <= INDEX_SLOTS as u64 {
            0
        } else {
            MAX_CLUSTERS - 1
        };
        for _ in 0..max_cuts {
            let widest = (1..len)
                .filter(|i| !cuts[..ncuts].contains(i))
                .map(|i| (self.ranges[i].start_pfn - self.ranges[i - 1].end_pfn(), i))
                .max();
            match widest {
                Some((gap, i)) if gap > 0 && gap >= span / CUT_FRACTION => {
                    cuts[ncuts] = i;
                    ncuts += 1;
                }
                _ => break,
            }
        }
        // Put the cuts in order (at most seven: insertion sort).
        for i in 1..ncuts {
            let mut j = i;
            while j > 0 && cuts[j - 1] > cuts[j] {
                cuts.swap(j - 1, j);
                j -= 1;
            }
        }
        // Each cluster gets slots in proportion to its ranges (and a few
        // at least), so that a cluster of many small ranges has about
        // four slots per range and one of a few namespaces does not take
        // half the index.
        let spare = INDEX_SLOTS - MIN_SLOTS * MAX_CLUSTERS;
        let mut start = 0;
        let mut entry = 0;
        for (n, &end) in cuts[..ncuts].iter().chain(Some(&len)).enumerate() {
            let slots = MIN_SLOTS + spare * (end - start) / len;
            self.build_cluster(n, start, end, entry, slots as u16);
            entry += slots + 1;
            start = end;
        }
    }

    /// Index cluster `n`, ranges `first..end`, with `slots` slots from index
    /// entry `first_entry` on (and one entry past them). A range
    /// holding a frame of slot `s` ends after the slot starts, so it is at or
    /// after entry `s`; every range before it ends at or before that frame,
    /// so it is at or before entry `s + 1` (the first range ending after
    /// slot `s + 1` starts, which is it when it runs into that slot).
    fn build_cluster(
        &mut self,
        n: usize,
        first: usize,
        end: usize,
        first_entry: usize,
        slots: u16,
    ) {
        let start_pfn = self.ranges[first].start_pfn;
        let span = self.ranges[end - 1].end_pfn() - start_pfn;
        let mut shift = 0;
        while shift < 63 && ((span - 1) >> shift) >= u64::from(slots) {
            shift += 1;
        }
        let geometry = Geometry {
            slots: (((span - 1) >> shift) + 1) as u16,
            shift,
            first_entry: first_entry as u16,
            ranges_end: end as u16,
        };
        self.clusters[n] = Cluster {
            start_pfn,
            geometry: geometry.pack(),
        };
        let mut i = first;
        for slot in 0..=slots as usize {
            let slot_start = start_pfn.saturating_add((slot as u64) << shift);
            while i < end && self.ranges[i].end_pfn() <= slot_start {
                i += 1;
            }
            // `i <= end <= len`: the invariant of `index`.
            self.index[first_entry + slot] = (i * RANGE_BYTES) as u16;
        }
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
        out.ranges.fill(DevRange::default());
        for (slot, (_, r)) in out.ranges.iter_mut().zip(kept) {
            *slot = *r;
        }
        out.len = self.len - 1;
        out.rebuild_index();
        Ok(ranges[idx])
    }
}

#[cfg(test)]
mod tests {
    use super::Geometry;

    #[test]
    fn geometry_packs_losslessly() {
        for g in [
            Geometry {
                slots: 4088,
                shift: 63,
                first_entry: 4095,
                ranges_end: 1088,
            },
            Geometry {
                slots: 1,
                shift: 0,
                first_entry: 0,
                ranges_end: 0,
            },
        ] {
            let p = g.pack();
            assert_eq!(Geometry::slots(p), u64::from(g.slots));
            assert_eq!(Geometry::shift(p), u32::from(g.shift));
            assert_eq!(Geometry::first_entry(p), usize::from(g.first_entry));
            assert_eq!(Geometry::ranges_end(p), usize::from(g.ranges_end));
        }
    }
}
