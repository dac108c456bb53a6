// SPDX-License-Identifier: GPL-2.0

//! The index of a [`crate::range_table::RangeTable`]: the ranges split into
//! at most [`MAX_CLUSTERS`] clusters at the widest gaps between them, each
//! cluster's span cut into equal slots, each slot naming the first range
//! that ends after the slot starts. Pure logic, host-tested.

use crate::dev_range::DevRange;

/// Calling it marks a path unlikely: the compiler lays it out apart from
/// the likely one (`core::hint::cold_path()` needs Rust 1.95, and the
/// kernel builds with 1.85 on).
#[cold]
#[inline(always)]
pub(crate) fn cold() {}

/// Slots of the lookup index, over all clusters (with one entry past each
/// cluster's last slot, [`INDEX_LEN`] entries in all).
pub(crate) const INDEX_SLOTS: usize = INDEX_LEN - MAX_CLUSTERS;
/// Most clusters (a power of two: lookups mask cluster numbers with it).
pub(crate) const MAX_CLUSTERS: usize = 8;
/// A gap is cut when it is at least this fraction of the whole span.
const CUT_FRACTION: u64 = 64;
/// Entries of the index: per cluster its slots and one past the last (a
/// power of two: lookups mask entry numbers with it).
pub(crate) const INDEX_LEN: usize = 4096;
/// Fewest slots a cluster gets.
const MIN_SLOTS: usize = 16;
const _: () = assert!(INDEX_LEN.is_power_of_two() && MAX_CLUSTERS.is_power_of_two());
/// Bytes of a [`DevRange`]: the unit of index entries.
pub(crate) const RANGE_BYTES: usize = core::mem::size_of::<DevRange>();

/// A run of ranges indexed together: 16 bytes, two loads.
#[derive(Clone, Copy)]
pub(crate) struct Cluster {
    /// Start of its first range; [`u64::MAX`] for an unused cluster, so
    /// that a walk over the clusters in use stops at the first unused one.
    pub(crate) start_pfn: u64,
    /// Its [`Geometry`], packed.
    pub(crate) geometry: u64,
}

impl Cluster {
    /// A cluster not in use: no frame is at or above its start.
    pub(crate) const UNUSED: Cluster = Cluster {
        start_pfn: u64::MAX,
        geometry: 0,
    };
}

/// How a cluster's frames map to index entries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Geometry {
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
    pub(crate) const fn slots(packed: u64) -> u64 {
        (packed >> 8) & 0xffff
    }

    #[inline(always)]
    pub(crate) const fn shift(packed: u64) -> u32 {
        packed as u32 & 0x3f
    }

    #[inline(always)]
    pub(crate) const fn first_entry(packed: u64) -> usize {
        (packed >> 24) as usize & 0xffff
    }

    #[inline(always)]
    pub(crate) const fn ranges_end(packed: u64) -> usize {
        (packed >> 40) as usize & 0xffff
    }
}

/// Recompute `clusters` and `index` for `ranges` (sorted, disjoint).
pub(crate) fn build(
    ranges: &[DevRange],
    clusters: &mut [Cluster; MAX_CLUSTERS],
    index: &mut [u16; INDEX_LEN],
) {
    clusters.fill(Cluster::UNUSED);
    index.fill(0);
    let len = ranges.len();
    let (Some(first), Some(last)) = (ranges.first(), ranges.last()) else {
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
            .map(|i| (ranges[i].start_pfn - ranges[i - 1].end_pfn(), i))
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
        build_cluster(ranges, clusters, index, n, start, end, entry, slots as u16);
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
#[expect(
    clippy::too_many_arguments,
    reason = "the table's parts and the cluster's"
)]
fn build_cluster(
    ranges: &[DevRange],
    clusters: &mut [Cluster; MAX_CLUSTERS],
    index: &mut [u16; INDEX_LEN],
    n: usize,
    first: usize,
    end: usize,
    first_entry: usize,
    slots: u16,
) {
    let start_pfn = ranges[first].start_pfn;
    let span = ranges[end - 1].end_pfn() - start_pfn;
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
    clusters[n] = Cluster {
        start_pfn,
        geometry: geometry.pack(),
    };
    let mut i = first;
    for slot in 0..=slots as usize {
        let slot_start = start_pfn.saturating_add((slot as u64) << shift);
        while i < end && ranges[i].end_pfn() <= slot_start {
            i += 1;
        }
        // `i <= end <= len`: the invariant of `index`.
        index[first_entry + slot] = (i * RANGE_BYTES) as u16;
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
