// SPDX-License-Identifier: GPL-2.0

//! The segments of a bio (`struct bio_vec`s) with their typed frames: a
//! bio of RAM pages yields [`RamSegment`]s, a pfn bio [`DeviceSegment`]s.
//! A vector's frame is read only here and set only by the pfn bio
//! abstraction ([`super::pfn_bio`]); nothing else touches `bv_page`.

use core::marker::PhantomData;

use super::bindings;
use super::kmap::{kmap_atomic_pfn_t, kmap_bvec_ram};
use super::memmap::MemMap;
use super::pfn_mapping::{PfnMapping, Pmem, Ram};
use super::pfn_space::PfnSpace;
use crate::pfn::Pfn;
use crate::segments::{BvecTable, RawBvec, Segment, Segments};
use crate::span::end_within;

/// One physically contiguous segment of RAM pages of a bio in flight (`'a`
/// borrows the bio); it may be mapped while the bio is borrowed.
pub(crate) struct RamSegment<'a> {
    seg: Segment,
    /// The walk's memmap arithmetic, by value (two words, in registers).
    memmap: MemMap,
    _bio: PhantomData<&'a ()>,
}

impl<'a> RamSegment<'a> {
    /// Bytes in the segment.
    #[inline]
    pub(crate) fn len(&self) -> u32 {
        self.seg.len
    }

    /// Bytes of the bio before this segment.
    #[inline]
    pub(crate) fn bio_offset(&self) -> u32 {
        self.seg.bio_offset
    }

    /// Map the whole segment (at its direct-map address).
    #[inline(always)]
    pub(crate) fn map(&self) -> PfnMapping<'a, Ram> {
        // SAFETY: the segment lies in the pages of one vector of a bio that
        // is not a pfn bio: each has a `struct page`, and the pages of a
        // vector are physically contiguous (the block layer's contract, see
        // `RamSegments`); its submitter lends them to us until the bio
        // completes, and the mapping borrows the bio for `'a`.
        unsafe {
            kmap_bvec_ram(
                &self.memmap,
                self.seg.pfn,
                self.seg.offset as usize,
                self.seg.len as usize,
            )
        }
    }
}

/// The device frames of a pfn bio's segment, mapped a bounded part at a
/// time.
pub(crate) struct DeviceSegment<'a> {
    pfn: Pfn,
    offset: u32,
    len: u32,
    bio_offset: u32,
    _bio: PhantomData<&'a ()>,
}

impl<'a> DeviceSegment<'a> {
    /// Bytes in the segment.
    pub(crate) fn len(&self) -> u32 {
        self.len
    }

    /// Bytes of the bio before this segment.
    pub(crate) fn bio_offset(&self) -> u32 {
        self.bio_offset
    }

    /// Map `len` bytes at `at` into the segment through `space`'s registry.
    /// The mapping keeps preemption off until dropped: map a bounded part
    /// at a time.
    #[inline]
    pub(crate) fn map_part(
        &self,
        space: &'a PfnSpace,
        at: usize,
        len: usize,
    ) -> Option<PfnMapping<'a, Pmem>> {
        end_within(at, len, self.len as usize)?;
        let offset = (self.offset as usize).checked_add(at)?;
        // SAFETY: device frames of the bio's own vector, which its submitter
        // lends us until the bio completes; the mapping borrows the bio for
        // `'a`, and a device frame is found only if registered.
        unsafe { kmap_atomic_pfn_t(space.registry(), space.memmap(), self.pfn, offset, len) }
    }
}

/// The vector table of a bio, borrowed for a segment walk (`'a`): of a pfn
/// bio (`DEVICE`, its vectors name device frames) or of any other bio (its
/// vectors name RAM pages).
pub(super) struct BioVecs<'a, const DEVICE: bool> {
    vecs: *const bindings::bio_vec,
    memmap: MemMap,
    _bio: PhantomData<&'a ()>,
}

impl<'a, const DEVICE: bool> BioVecs<'a, DEVICE> {
    /// The table at `vecs`.
    ///
    /// # Safety
    ///
    /// `vecs` must be the vector table of a bio in flight for `'a`, whose
    /// pages are pinned until it completes, and `DEVICE` must say whether
    /// it comes from the walker's pfn bio set.
    pub(super) unsafe fn new(vecs: *const bindings::bio_vec, memmap: MemMap) -> Self {
        BioVecs {
            vecs,
            memmap,
            _bio: PhantomData,
        }
    }
}

impl<const DEVICE: bool> BvecTable for BioVecs<'_, DEVICE> {
    #[inline]
    unsafe fn bvec(&mut self, idx: u32) -> RawBvec {
        // SAFETY: `idx` is one of the vectors that describe the bio's
        // remaining bytes (the caller's contract, from `Segments::new`).
        let bv = unsafe { &*self.vecs.add(idx as usize) };
        // Arithmetic on the vmemmap: `bv_page` is not dereferenced.
        let frame = self.memmap.page_to_pfn(bv.bv_page);
        RawBvec {
            pfn: if DEVICE {
                Pfn::device(frame)
            } else {
                // SAFETY: a page of a bio that is not a pfn bio, lent to us
                // until the bio completes (`BioVecs::new`'s contract).
                unsafe { Pfn::ram(frame) }
            },
            len: bv.bv_len,
            offset: bv.bv_offset,
        }
    }
}

/// The segments of a bio of RAM pages (any bio but a pfn bio), one per
/// vector (`bio_for_each_bvec`).
pub(crate) struct RamSegments<'a> {
    pub(super) walk: Segments<BioVecs<'a, false>, false>,
    pub(super) memmap: MemMap,
}

impl<'a> Iterator for RamSegments<'a> {
    type Item = RamSegment<'a>;

    #[inline(always)]
    fn next(&mut self) -> Option<RamSegment<'a>> {
        let seg = self.walk.next()?;
        Some(RamSegment {
            seg,
            memmap: self.memmap,
            _bio: PhantomData,
        })
    }
}

/// The segments of a pfn bio, one per vector.
pub(crate) struct DeviceSegments<'a> {
    pub(super) walk: Segments<BioVecs<'a, true>, false>,
}

impl<'a> Iterator for DeviceSegments<'a> {
    type Item = DeviceSegment<'a>;

    fn next(&mut self) -> Option<DeviceSegment<'a>> {
        let seg = self.walk.next()?;
        Some(DeviceSegment {
            pfn: seg.pfn,
            offset: seg.offset,
            len: seg.len,
            bio_offset: seg.bio_offset,
            _bio: PhantomData,
        })
    }
}

/// What a bio's data is: RAM pages, or a pfn bio's device frames.
pub(crate) enum BioData<'a> {
    /// Pages of any bio but a pfn bio.
    Ram(RamSegments<'a>),
    /// Device frames of a pfn bio (of the walker's pfn bio set).
    Device(DeviceSegments<'a>),
}
