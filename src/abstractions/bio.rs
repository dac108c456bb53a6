// SPDX-License-Identifier: GPL-2.0

//! [`Bio`]: a bio (`struct bio`) handed to the driver, completed exactly
//! once, and its segments with typed pfn accessors. A vector's frame is
//! read only through [`bvec_pfn`] and set only by the pfn bio abstraction
//! ([`super::pfn_bio`]); nothing else touches `bv_page`.

use core::marker::PhantomData;
use core::ptr::NonNull;

use super::bindings;
use super::kmap::kmap_atomic_pfn_t;
use super::memmap::MemMap;
use super::pfn_mapping::PfnMapping;
use super::pfn_space::PfnSpace;
use super::status::Status;
use crate::pfn::{Pfn, PAGES_PER_SUBSECTION};
use crate::segments::{BvecIter, BvecTable, RawBvec, Segment, Segments};
use crate::span::end_within;

// `Pfn` keeps `PFN_CHECKED` within a subsection of this many frames.
const _: () = assert!(PAGES_PER_SUBSECTION == bindings::PAGES_PER_SUBSECTION as u64);

/// What a bio asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    /// `REQ_OP_READ`.
    Read,
    /// `REQ_OP_WRITE`.
    Write,
    /// Anything else (discard, write zeroes, ...).
    Other,
}

/// A bio handed to the driver by `submit_bio`. Dropping it completes it
/// (`bio_endio`) with the status set so far.
#[must_use = "a bio must be completed: drop it or call end()"]
pub(crate) struct Bio(NonNull<bindings::bio>);

/// I/O accounting started for a bio ([`Bio::start_acct`]).
#[must_use = "pass it to Bio::end_acct"]
pub(crate) struct IoAcct(usize);

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

impl Bio {
    /// Take ownership of a bio.
    ///
    /// # Safety
    ///
    /// `bio` must be a live bio that the caller passes to us to complete.
    #[inline(always)]
    pub(super) unsafe fn from_raw(bio: NonNull<bindings::bio>) -> Self {
        Bio(bio)
    }

    /// Give up ownership without completing the bio; whoever receives the
    /// pointer must complete it (or give it back with [`Bio::from_raw`]).
    pub(super) fn into_raw(self) -> NonNull<bindings::bio> {
        let raw = self.0;
        core::mem::forget(self);
        raw
    }

    fn raw(&self) -> &bindings::bio {
        // SAFETY: we own a live bio (see `from_raw`).
        unsafe { self.0.as_ref() }
    }

    /// The operation (`bio_op()`).
    pub(crate) fn op(&self) -> Op {
        match self.raw().bi_opf & bindings::REQ_OP_MASK {
            bindings::req_op_REQ_OP_READ => Op::Read,
            bindings::req_op_REQ_OP_WRITE => Op::Write,
            _ => Op::Other,
        }
    }

    fn has_flag(&self, flag: u32) -> bool {
        self.raw().bi_opf & flag != 0
    }

    /// `REQ_NOWAIT`: the submitter may not sleep.
    pub(crate) fn is_nowait(&self) -> bool {
        self.has_flag(bindings::REQ_NOWAIT)
    }

    /// `REQ_PREFLUSH`: flush before the data.
    pub(crate) fn is_preflush(&self) -> bool {
        self.has_flag(bindings::REQ_PREFLUSH)
    }

    /// `REQ_FUA`: the data must be durable at completion.
    pub(crate) fn is_fua(&self) -> bool {
        self.has_flag(bindings::REQ_FUA)
    }

    /// First device sector of the bio's remaining data.
    pub(crate) fn sector(&self) -> u64 {
        self.raw().bi_iter.bi_sector
    }

    /// Bytes of data left in the bio.
    pub(crate) fn size(&self) -> u32 {
        self.raw().bi_iter.bi_size
    }

    /// The bio's vectors from its current position, one physically
    /// contiguous segment each (`bio_for_each_bvec`); `space` tells the
    /// module's pfn bios from others. The bio itself is not advanced.
    pub(crate) fn segments<'a>(
        &'a self,
        space: &'a PfnSpace,
    ) -> impl Iterator<Item = BioSegment<'a>> + 'a {
        let raw = self.raw();
        let it = &raw.bi_iter;
        let table = BioVecs {
            vecs: raw.bi_io_vec,
            pfn_bio: core::ptr::eq(raw.bi_pool, space.pfn_bios().as_ptr()),
            memmap: space.memmap(),
            _bio: PhantomData,
        };
        let iter = BvecIter {
            sector: it.bi_sector,
            size: it.bi_size,
            idx: it.bi_idx,
            done: it.bi_bvec_done,
        };
        // SAFETY: the block layer guarantees that `bi_size` bytes from
        // `bi_iter` are described by the vectors from `bi_idx` on (the
        // `bio_for_each_segment` contract), for the bio we own.
        let segs: Segments<BioVecs<'a>, false> = unsafe { Segments::new(table, iter) };
        segs.map(move |seg| BioSegment {
            seg,
            space,
            _bio: PhantomData,
        })
    }

    /// Start I/O accounting if the disk's queue keeps I/O statistics
    /// (`blk_queue_io_stat()` + `bio_start_io_acct()`).
    #[inline]
    pub(crate) fn start_acct(&self) -> Option<IoAcct> {
        // SAFETY: the bio's disk and queue are live while it is in flight.
        let features = unsafe { (*(*(*self.raw().bi_bdev).bd_disk).queue).limits.features };
        if features & bindings::BLK_FEAT_IO_STAT == 0 {
            return None;
        }
        // SAFETY: the bio is live and ours.
        Some(IoAcct(unsafe {
            bindings::bio_start_io_acct(self.0.as_ptr())
        }))
    }

    /// End the accounting [`Bio::start_acct`] started: what C's inline
    /// `bio_end_io_acct()` calls.
    #[inline]
    pub(crate) fn end_acct(&self, acct: IoAcct) {
        // SAFETY: pairs with `bio_start_io_acct()` on this live bio, whose
        // block device is live while it is in flight.
        unsafe { bindings::bio_end_io_acct_remapped(self.0.as_ptr(), acct.0, self.raw().bi_bdev) };
    }

    /// Set the completion status.
    pub(crate) fn set_status(&mut self, status: Status) {
        // SAFETY: we own the bio; nobody else writes its status now.
        unsafe { (*self.0.as_ptr()).bi_status = status.raw() };
    }

    /// The completion status so far.
    pub(crate) fn status(&self) -> Status {
        Status::from_raw(self.raw().bi_status)
    }

    /// Complete the bio (`bio_endio`) with the status set so far.
    pub(crate) fn end(self) {
        drop(self);
    }

    /// Complete the bio with `status`.
    pub(crate) fn end_with(mut self, status: Status) {
        self.set_status(status);
    }
}

impl Drop for Bio {
    fn drop(&mut self) {
        // SAFETY: we own the bio and complete it exactly once: `into_raw`
        // forgets a bio whose completion it passes on.
        unsafe { bindings::bio_endio(self.0.as_ptr()) };
    }
}

/// One physically contiguous segment of a [`Bio`] in flight; its memory may
/// be mapped while the bio is borrowed.
pub(crate) struct BioSegment<'a> {
    seg: Segment,
    space: &'a PfnSpace,
    _bio: PhantomData<&'a Bio>,
}

impl<'a> BioSegment<'a> {
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

    /// True if the segment is device memory (a pfn bio's frames), which may
    /// hold poison and is not made durable by plain stores.
    #[inline]
    pub(crate) fn is_device(&self) -> bool {
        self.seg.pfn.is_device()
    }

    /// Map the whole segment: RAM pages pinned for the bio, or device frames
    /// of a pfn bio (found in the registry, `None` if unregistered).
    #[inline(always)]
    pub(crate) fn map(&self) -> Option<PfnMapping<'a>> {
        // SAFETY: as in `map_part`, for the whole segment.
        unsafe {
            kmap_atomic_pfn_t(
                self.space.registry(),
                self.space.memmap(),
                self.seg.pfn,
                self.seg.offset as usize,
                self.seg.len as usize,
            )
        }
    }

    /// Map `len` bytes at `at` into the segment (a device frame's mapping
    /// keeps preemption off until dropped: map a bounded part at a time).
    #[inline(always)]
    pub(crate) fn map_part(&self, at: usize, len: usize) -> Option<PfnMapping<'a>> {
        end_within(at, len, self.seg.len as usize)?;
        let offset = (self.seg.offset as usize).checked_add(at)?;
        // SAFETY: the frames are the bio's own memory, which its submitter
        // lends us until the bio completes, and the span lies inside the
        // segment; the mapping borrows the bio for `'a`, so it cannot
        // outlive that.
        unsafe {
            kmap_atomic_pfn_t(
                self.space.registry(),
                self.space.memmap(),
                self.seg.pfn,
                offset,
                len,
            )
        }
    }
}

/// The vector table of a [`Bio`], borrowed for a segment walk.
struct BioVecs<'a> {
    vecs: *const bindings::bio_vec,
    /// The bio comes from the pfn bio set: its vectors are device frames.
    pfn_bio: bool,
    memmap: &'a MemMap,
    _bio: PhantomData<&'a Bio>,
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
            pfn: unsafe { bvec_pfn(self.memmap, bv, self.pfn_bio) },
            len: bv.bv_len,
            offset: bv.bv_offset,
        }
    }
}
