// SPDX-License-Identifier: GPL-2.0

//! Typed access to bios: the pfn accessors for `bio_vec` and a safe segment
//! iterator. The driver reads or sets a vector's frame only through
//! [`bvec_pfn`] and [`bvec_set_pfn`]; nothing else touches `bv_page`.

use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::bindings;
use crate::memmap;
use crate::pfn::{Pfn, PAGES_PER_SUBSECTION};
use crate::segments::{BvecIter, BvecTable, RawBvec, Segments};

/// The last block of frames that `pfn_valid()` held for, during one walk of
/// one bio: `pfn_valid()` gives one answer for a whole block (an early,
/// boot-time section, or else a 2 MiB memmap subsection) while any memory
/// in it stays online, and a page of the bio, pinned while it is in flight,
/// keeps its block online. The RAM pages of a bio mostly come from one user
/// buffer, so most vectors need no call into C at all.
#[derive(Default)]
pub(crate) struct ValidBlock {
    /// First frame of the block.
    first: u64,
    /// Frames in the block; 0 while nothing is cached.
    pages: u64,
}

// `Pfn` keeps `PFN_CHECKED` within a subsection of this many frames.
const _: () = assert!(PAGES_PER_SUBSECTION == bindings::PAGES_PER_SUBSECTION as u64);

impl ValidBlock {
    /// `pfn_valid(pfn)`, answered from the cache when it can be.
    #[inline]
    fn pfn_valid(&mut self, pfn: u64) -> bool {
        if pfn.wrapping_sub(self.first) < self.pages {
            return true;
        }
        // SAFETY: `pfn_valid()` only reads the memory-section tables.
        let pages = unsafe { bindings::rpmem_pfn_valid_block(pfn) };
        if pages == 0 {
            return false;
        }
        // A section or subsection size: a power of two (checked in shim.c).
        self.first = pfn & !(pages - 1);
        self.pages = pages;
        true
    }
}

/// The frame a vector starts at, typed: a frame with a `struct page` is RAM
/// (`Pfn::ram_checked`), one without is device memory (`Pfn::device`).
/// `valid` carries what earlier vectors of the same bio established.
#[inline]
pub(crate) fn bvec_pfn(bv: &bindings::bio_vec, valid: &mut ValidBlock) -> Pfn {
    // Arithmetic on the vmemmap: `bv_page` is not dereferenced, so any value
    // of it is fine.
    let pfn = memmap::page_to_pfn(bv.bv_page);
    if valid.pfn_valid(pfn) {
        // SAFETY: `pfn_valid()` holds, and the pages of a bio in flight are
        // pinned, so their memory section stays online.
        unsafe { Pfn::ram_checked(pfn) }
    } else {
        Pfn::device(pfn)
    }
}

/// Point a vector at `len` bytes from `offset` in frame `pfn`.
///
/// For a frame with no `struct page` this stores `pfn_to_page(pfn)`, an
/// address in the vmemmap that is never dereferenced: [`bvec_pfn`] turns it
/// back into the frame (see docs/pfn-io.md for why that holds on x86-64).
#[allow(
    dead_code,
    reason = "the write side of the accessors, for pfn bios (M5)"
)]
pub(crate) fn bvec_set_pfn(bv: &mut bindings::bio_vec, pfn: Pfn, offset: u32, len: u32) {
    bv.bv_page = memmap::pfn_to_page(pfn.number());
    bv.bv_offset = offset;
    bv.bv_len = len;
}

/// A bio handed to the driver, owned until [`Bio::end`].
pub(crate) struct Bio(NonNull<bindings::bio>);

impl Bio {
    /// Take ownership of a bio from `submit_bio`.
    ///
    /// # Safety
    ///
    /// `bio` must be a live bio that the caller passes to us to complete.
    pub(crate) unsafe fn from_raw(bio: *mut bindings::bio) -> Option<Self> {
        NonNull::new(bio).map(Bio)
    }

    fn raw(&self) -> &bindings::bio {
        // SAFETY: we own a live bio (see `from_raw`).
        unsafe { self.0.as_ref() }
    }

    /// The raw pointer, for calls into the block layer.
    pub(crate) fn as_ptr(&self) -> *mut bindings::bio {
        self.0.as_ptr()
    }

    /// Operation and flags (`bi_opf`).
    pub(crate) fn opf(&self) -> u32 {
        self.raw().bi_opf
    }

    /// The operation (`bio_op()`).
    pub(crate) fn op(&self) -> u32 {
        self.opf() & bindings::REQ_OP_MASK
    }

    /// `private_data` of the disk the bio was submitted to.
    pub(crate) fn disk_private(&self) -> *mut kernel::ffi::c_void {
        // SAFETY: a submitted bio has a live `bi_bdev` with a live disk.
        unsafe { (*(*self.raw().bi_bdev).bd_disk).private_data }
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
    /// contiguous segment each, with `bio_for_each_bvec` semantics. The bio
    /// itself is not advanced.
    pub(crate) fn bvecs(&self) -> Segments<BioVecs<'_>, false> {
        let it = &self.raw().bi_iter;
        Segments::new(
            BioVecs {
                vecs: self.raw().bi_io_vec,
                valid: ValidBlock::default(),
                _bio: PhantomData,
            },
            BvecIter {
                sector: it.bi_sector,
                size: it.bi_size,
                idx: it.bi_idx,
                done: it.bi_bvec_done,
            },
        )
    }

    /// Set the completion status.
    pub(crate) fn set_status(&mut self, status: bindings::blk_status_t) {
        // SAFETY: we own the bio; nobody else writes its status now.
        unsafe { (*self.0.as_ptr()).bi_status = status };
    }

    /// The completion status so far.
    pub(crate) fn status(&self) -> bindings::blk_status_t {
        self.raw().bi_status
    }

    /// Complete the bio (`bio_endio`).
    pub(crate) fn end(self) {
        // SAFETY: we own the bio and give it back exactly once.
        unsafe { bindings::bio_endio(self.0.as_ptr()) };
    }

    /// Complete the bio with `status`.
    pub(crate) fn end_with(mut self, status: bindings::blk_status_t) {
        self.set_status(status);
        self.end();
    }

    /// Give up ownership without completing (someone else now completes it).
    pub(crate) fn forget(self) {}
}

/// The vector table of a [`Bio`], borrowed for a segment walk.
pub(crate) struct BioVecs<'a> {
    vecs: *const bindings::bio_vec,
    valid: ValidBlock,
    _bio: PhantomData<&'a Bio>,
}

impl BvecTable for BioVecs<'_> {
    #[inline]
    fn bvec(&mut self, idx: u32) -> RawBvec {
        // SAFETY: the segment walk only asks for vectors while bytes remain,
        // and the block layer guarantees `bi_size` bytes are described by the
        // vectors from `bi_idx` on (the `bio_for_each_segment` contract).
        let bv = unsafe { &*self.vecs.add(idx as usize) };
        RawBvec {
            pfn: bvec_pfn(bv, &mut self.valid),
            len: bv.bv_len,
            offset: bv.bv_offset,
        }
    }
}
