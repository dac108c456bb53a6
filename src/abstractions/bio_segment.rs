// SPDX-License-Identifier: GPL-2.0

//! [`BioSegment`]: a physically contiguous segment of a bio (`struct
//! bio_vec`) with its typed frame. A vector's frame is read only through
//! `bvec_pfn` here and set only by the pfn bio abstraction
//! ([`super::pfn_bio`]); nothing else touches `bv_page`.

use core::marker::PhantomData;

use super::bindings;
use super::kmap::{kmap_atomic_pfn_t, kmap_ram};
use super::memmap::MemMap;
use super::pfn_mapping::PfnMapping;
use super::pfn_space::PfnSpace;
use crate::pfn::{Pfn, PAGES_PER_SUBSECTION};
use crate::segments::{BvecTable, RawBvec, Segment};
use crate::span::end_within;

// `Pfn` keeps `PFN_CHECKED` within a subsection of this many frames.
const _: () = assert!(PAGES_PER_SUBSECTION == bindings::PAGES_PER_SUBSECTION as u64);

/// The frame a vector starts at, typed: a vector of a pfn bio names device
/// frames (`Pfn::device`); a vector of any other bio names RAM pages, which
/// have a `struct page` by the block layer's contract (`Pfn::ram_checked`).
///
/// # Safety
///
/// `bv` must be a vector of a bio in flight, whose pages are pinned until
/// the bio completes, `pfn_bio` must say whether that bio is a pfn bio, and
/// the result must not be used after the bio completes.
#[inline]
unsafe fn bvec_pfn(memmap: &MemMap, bv: &bindings::bio_vec, pfn_bio: bool) -> Pfn {
    // Arithmetic on the vmemmap: `bv_page` is not dereferenced.
    let pfn = memmap.page_to_pfn(bv.bv_page);
    if pfn_bio {
        Pfn::device(pfn)
    } else {
        // SAFETY: a page of a bio that is not a pfn bio has a `struct page`,
        // so `pfn_valid()` holds; it is pinned for the bio's I/O (its memory
        // section stays online), and the bio's owner lends it to us until
        // the bio completes (caller's contract).
        unsafe { Pfn::ram_checked(pfn) }
    }
}

/// One physically contiguous segment of a bio in flight (`'a` borrows the
/// bio); its memory may be mapped while the bio is borrowed.
pub(crate) struct BioSegment<'a> {
    seg: Segment,
    /// The walk's memmap arithmetic, by value (two words, in registers).
    memmap: MemMap,
    _bio: PhantomData<&'a ()>,
}

impl<'a> BioSegment<'a> {
    /// A segment found by a walk of a bio borrowed for `'a`.
    #[inline(always)]
    pub(super) fn new(seg: Segment, memmap: MemMap) -> Self {
        BioSegment {
            seg,
            memmap,
            _bio: PhantomData,
        }
    }

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

    /// The segment's device frames, if it is device memory (a pfn bio's),
    /// which may hold poison and is not made durable by plain stores.
    #[inline(always)]
    pub(crate) fn device(&self) -> Option<DeviceSegment<'a>> {
        self.seg.pfn.is_device().then_some(DeviceSegment {
            pfn: self.seg.pfn,
            offset: self.seg.offset,
            len: self.seg.len,
            _bio: PhantomData,
        })
    }

    /// Map the whole segment if it is RAM (the pages of a bio that is not a
    /// pfn bio); `None` for device frames, which [`BioSegment::device`] maps.
    #[inline(always)]
    pub(crate) fn map(&self) -> Option<PfnMapping<'a>> {
        // SAFETY: RAM pages of the bio, which its submitter lends us until it
        // completes; the mapping borrows the bio for `'a`.
        unsafe {
            kmap_ram(
                &self.memmap,
                self.seg.pfn,
                self.seg.offset as usize,
                self.seg.len as usize,
            )
        }
    }
}

/// The device frames of a pfn bio's segment (16 bytes: passed in
/// registers), mapped a bounded part at a time.
pub(crate) struct DeviceSegment<'a> {
    pfn: Pfn,
    offset: u32,
    len: u32,
    _bio: PhantomData<&'a ()>,
}

impl<'a> DeviceSegment<'a> {
    /// Bytes in the segment.
    pub(crate) fn len(&self) -> u32 {
        self.len
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
    ) -> Option<PfnMapping<'a>> {
        end_within(at, len, self.len as usize)?;
        let offset = (self.offset as usize).checked_add(at)?;
        // SAFETY: device frames of the bio's own vector, which its submitter
        // lends us until the bio completes; the mapping borrows the bio for
        // `'a`, and a device frame is found only if registered.
        unsafe { kmap_atomic_pfn_t(space.registry(), space.memmap(), self.pfn, offset, len) }
    }
}

/// The vector table of a bio, borrowed for a segment walk (`'a`).
pub(super) struct BioVecs<'a> {
    vecs: *const bindings::bio_vec,
    /// The bio comes from the pfn bio set: its vectors are device frames.
    pfn_bio: bool,
    memmap: MemMap,
    _bio: PhantomData<&'a ()>,
}

impl<'a> BioVecs<'a> {
    /// The table at `vecs`, of a pfn bio or not.
    ///
    /// # Safety
    ///
    /// `vecs` must be the vector table of a bio in flight for `'a`, whose
    /// pages are pinned until it completes, and `pfn_bio` must say whether
    /// it comes from the walker's pfn bio set.
    pub(super) unsafe fn new(
        vecs: *const bindings::bio_vec,
        pfn_bio: bool,
        memmap: MemMap,
    ) -> Self {
        BioVecs {
            vecs,
            pfn_bio,
            memmap,
            _bio: PhantomData,
        }
    }
}

impl BvecTable for BioVecs<'_> {
    #[inline]
    unsafe fn bvec(&mut self, idx: u32) -> RawBvec {
        // SAFETY: `idx` is one of the vectors that describe the bio's
        // remaining bytes (the caller's contract, from `Segments::new`).
        let bv = unsafe { &*self.vecs.add(idx as usize) };
        RawBvec {
            // SAFETY: a vector of the borrowed bio, in flight for `'a`; the
            // frames are used only while the bio is being served.
            pfn: unsafe { bvec_pfn(&self.memmap, bv, self.pfn_bio) },
            len: bv.bv_len,
            offset: bv.bv_offset,
        }
    }
}
