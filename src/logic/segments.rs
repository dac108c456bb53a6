// SPDX-License-Identifier: GPL-2.0

//! `bio_for_each_segment` and `bio_for_each_bvec` as one iterator.
//!
//! Walks a table of (possibly multi-page) bio_vecs from a `bvec_iter`
//! position exactly as the C macros do: with `PER_PAGE` it yields
//! single-page segments (multi-page vectors split at page boundaries, like
//! `bio_for_each_segment`); without, one segment per vector
//! (`bio_for_each_bvec`), its frame normalised so that the offset lies in
//! the first page; the per-page walk is the vector walk cut at page ends.
//! Either way the lengths sum to `bi_size`. Pure logic over a [`BvecTable`], so the host
//! unit tests drive it with plain arrays.

use crate::pfn::{Pfn, PAGE_SIZE};

/// One bio_vec as the pfn accessors see it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct RawBvec {
    /// Frame of the vector's first page.
    pub(crate) pfn: Pfn,
    /// Bytes in the vector (may span several pages).
    pub(crate) len: u32,
    /// Offset of the first byte within the first page (may exceed a page).
    pub(crate) offset: u32,
}

/// Random access to a bio's vector table.
pub(crate) trait BvecTable {
    /// The vector at `idx`.
    ///
    /// # Safety
    ///
    /// `idx` must be an index the walk of a [`Segments`] reaches while bytes
    /// remain, as `bio_for_each_segment` reaches them: one of the vectors
    /// that describe the iterator's bytes (see [`Segments::new`]).
    unsafe fn bvec(&mut self, idx: u32) -> RawBvec;
}

/// A position in a bio: the fields of `struct bvec_iter`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct BvecIter {
    /// Device sector of the next byte.
    pub(crate) sector: u64,
    /// Bytes left.
    pub(crate) size: u32,
    /// Current vector.
    pub(crate) idx: u32,
    /// Bytes of the current vector already consumed.
    pub(crate) done: u32,
}

/// A piece of I/O over physically contiguous memory.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Segment {
    /// Memory frame of the segment's first byte.
    pub(crate) pfn: Pfn,
    /// Offset in that page (always below `PAGE_SIZE`).
    pub(crate) offset: u32,
    /// Bytes; with `PER_PAGE`, never crossing the page end.
    pub(crate) len: u32,
    /// Device sector the segment starts at, as `bvec_iter` counts it
    /// (whole sectors only: use `bio_offset` for the byte position).
    pub(crate) sector: u64,
    /// Bytes of the walk before this segment.
    pub(crate) bio_offset: u32,
}

/// Iterator over the segments of a vector table: whole vectors, or with
/// `PER_PAGE` the same vectors cut at page boundaries.
pub(crate) struct Segments<T: BvecTable, const PER_PAGE: bool> {
    table: T,
    iter: BvecIter,
    /// Bytes handed out so far.
    walked: u32,
    /// With `PER_PAGE`: what is left of the current vector after the pages
    /// already handed out.
    rest: Option<Segment>,
}

impl<T: BvecTable, const PER_PAGE: bool> Segments<T, PER_PAGE> {
    /// Start at `iter` (normally a copy of the bio's `bi_iter`).
    ///
    /// # Safety
    ///
    /// The `iter.size` bytes from `iter` must be described by vectors of
    /// `table` from `iter.idx` on (the `bio_for_each_segment` contract of a
    /// bio and its `bi_iter`), so that every index the walk reaches is one
    /// [`BvecTable::bvec`] may be asked for.
    pub(crate) unsafe fn new(table: T, iter: BvecIter) -> Self {
        Segments {
            table,
            iter,
            walked: 0,
            rest: None,
        }
    }

    /// `bio_for_each_bvec` step: the rest of the current vector (up to the
    /// bytes left), read once, with no per-page state. This is the hot path
    /// of every bio the driver serves.
    #[inline(always)]
    fn next_vector(&mut self) -> Option<Segment> {
        while self.iter.size > 0 {
            // SAFETY: bytes remain, so `idx` names one of the vectors that
            // describe them (the contract of `Segments::new`).
            let bv = unsafe { self.table.bvec(self.iter.idx) };
            let done = self.iter.done;
            if done >= bv.len {
                // Empty or exhausted vector: skip it as bvec_iter_advance does.
                self.iter.idx = self.iter.idx.wrapping_add(1);
                self.iter.done = 0;
                continue;
            }
            let avail = bv.len - done;
            let len = avail.min(self.iter.size);
            if len == avail {
                self.iter.idx = self.iter.idx.wrapping_add(1);
                self.iter.done = 0;
            } else {
                // The bio ends inside this vector: `len < avail`, so
                // `done + len < bv.len` (no wrap, and no overflow check).
                self.iter.done = done.wrapping_add(len);
            }
            let mp_offset = bv.offset as usize + done as usize;
            let sector = self.iter.sector;
            let bio_offset = self.walked;
            self.iter.size -= len;
            self.iter.sector = sector.wrapping_add(u64::from(len >> 9));
            self.walked = bio_offset.wrapping_add(len);
            return Some(Segment {
                pfn: bv.pfn.add((mp_offset / PAGE_SIZE) as u64),
                offset: (mp_offset % PAGE_SIZE) as u32,
                len,
                sector,
                bio_offset,
            });
        }
        None
    }
}

impl<T: BvecTable, const PER_PAGE: bool> Iterator for Segments<T, PER_PAGE> {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        if !PER_PAGE {
            return self.next_vector();
        }
        // `bio_for_each_segment`: the vector walk, each piece cut at the end
        // of its first page.
        let mut seg = match self.rest.take() {
            Some(seg) => seg,
            None => self.next_vector()?,
        };
        let first = seg.len.min((PAGE_SIZE - seg.offset as usize) as u32);
        if first < seg.len {
            self.rest = Some(Segment {
                pfn: seg.pfn.add(1),
                offset: 0,
                len: seg.len - first,
                sector: seg.sector.wrapping_add(u64::from(first >> 9)),
                bio_offset: seg.bio_offset.wrapping_add(first),
            });
            seg.len = first;
        }
        Some(seg)
    }
}
