// SPDX-License-Identifier: GPL-2.0

//! Typed access to bios: the pfn accessors for `bio_vec`, a safe segment
//! iterator, and [`Bio`], a bio handed to the driver, which is completed
//! exactly once. The driver reads or sets a vector's frame only through
//! [`bvec_pfn`] and [`bvec_set_pfn`]; nothing else touches `bv_page`.

use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicPtr, Ordering};

use kernel::prelude::*;

use crate::bindings;
use crate::kmap::{kmap_atomic_pfn_t, PfnMapping};
use crate::memmap;
use crate::pfn::{Pfn, PAGES_PER_SUBSECTION};
use crate::segments::{BvecIter, BvecTable, RawBvec, Segment, Segments};

// `Pfn` keeps `PFN_CHECKED` within a subsection of this many frames.
const _: () = assert!(PAGES_PER_SUBSECTION == bindings::PAGES_PER_SUBSECTION as u64);

/// The bio set of pfn bios while a [`PfnBioSet`] lives; null otherwise.
static PFN_BIOSET: AtomicPtr<kernel::ffi::c_void> = AtomicPtr::new(core::ptr::null_mut());

/// The bio set that pfn bios come from; one, owned by the module.
pub(crate) struct PfnBioSet(());

impl PfnBioSet {
    /// Set it up. Call once, from module init.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: called once, before any pfn bio is allocated.
        let rc = unsafe { bindings::rpmem_pfn_bioset_init() };
        if rc != 0 {
            return Err(Error::from_errno(rc));
        }
        // SAFETY: returns the address of a static.
        let set = unsafe { bindings::rpmem_pfn_bioset_ptr() };
        PFN_BIOSET.store(set.cast_mut(), Ordering::Relaxed);
        Ok(PfnBioSet(()))
    }
}

impl Drop for PfnBioSet {
    fn drop(&mut self) {
        PFN_BIOSET.store(core::ptr::null_mut(), Ordering::Relaxed);
        // SAFETY: initialised in `new`; no pfn bio is left: copies hold the
        // control device open, so the module is not unloading during one.
        unsafe { bindings::rpmem_pfn_bioset_exit() };
    }
}

/// The frame a vector starts at, typed: a vector of a pfn bio (one from
/// rpmem's own bio set, built with [`bvec_set_pfn`]) names device frames
/// (`Pfn::device`); a vector of any other bio names RAM pages, which have a
/// `struct page` by the block layer's contract (`Pfn::ram_checked`).
///
/// # Safety
///
/// `bv` must be a vector of a bio in flight, whose pages are pinned until
/// the bio completes, `pfn_bio` must say whether that bio is a pfn bio, and
/// the result must not be used after the bio completes.
#[inline]
pub(crate) unsafe fn bvec_pfn(bv: &bindings::bio_vec, pfn_bio: bool) -> Pfn {
    // Arithmetic on the vmemmap: `bv_page` is not dereferenced.
    let pfn = memmap::page_to_pfn(bv.bv_page);
    if pfn_bio {
        Pfn::device(pfn)
    } else {
        // SAFETY: a page of a bio that is not a pfn bio has a `struct
        // page`, so `pfn_valid()` holds; it is pinned for the bio's I/O (its
        // memory section stays online), and the bio's owner lends it to us
        // until the bio completes (caller's contract).
        unsafe { Pfn::ram_checked(pfn) }
    }
}

/// Point a vector at `len` bytes from `offset` in device frame `pfn`.
///
/// For a frame with no `struct page` this stores `pfn_to_page(pfn)`, an
/// address in the vmemmap that is never dereferenced: [`bvec_pfn`] turns it
/// back into the frame (see docs/pfn-io.md for why that holds on x86-64).
pub(crate) fn bvec_set_pfn(bv: &mut bindings::bio_vec, pfn: Pfn, offset: u32, len: u32) {
    bv.bv_page = memmap::pfn_to_page(pfn.number());
    bv.bv_offset = offset;
    bv.bv_len = len;
}

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

/// A completion status (`blk_status_t`).
pub(crate) type Status = bindings::blk_status_t;

/// An error as a block status (`errno_to_blk_status()`).
pub(crate) fn error_status(e: kernel::error::Error) -> Status {
    // SAFETY: a pure conversion.
    unsafe { bindings::errno_to_blk_status(e.to_errno()) }
}

/// A bio handed to the driver by `submit_bio`. Dropping it completes it
/// (`bio_endio`) with the status set so far; [`Bio::hand_off`] gives it to
/// someone else who completes it.
#[must_use = "a bio must be completed: drop it, call end(), or hand_off()"]
pub(crate) struct Bio(NonNull<bindings::bio>);

/// I/O accounting started for a bio ([`Bio::start_acct`]).
#[must_use = "pass it to Bio::end_acct"]
pub(crate) struct IoAcct(usize);

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
    pub(crate) fn segments(&self) -> impl Iterator<Item = BioSegment<'_>> {
        self.bvecs().map(|seg| BioSegment {
            seg,
            _bio: PhantomData,
        })
    }

    fn bvecs(&self) -> Segments<BioVecs<'_>, false> {
        let it = &self.raw().bi_iter;
        Segments::new(
            BioVecs {
                vecs: self.raw().bi_io_vec,
                pfn_bio: self.raw().bi_pool.cast::<kernel::ffi::c_void>()
                    == PFN_BIOSET.load(Ordering::Relaxed),
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
        unsafe { (*self.0.as_ptr()).bi_status = status };
    }

    /// The completion status so far.
    pub(crate) fn status(&self) -> Status {
        self.raw().bi_status
    }

    /// Complete the bio (`bio_endio`) with the status set so far.
    pub(crate) fn end(self) {
        drop(self);
    }

    /// Complete the bio with `status`.
    pub(crate) fn end_with(mut self, status: Status) {
        self.set_status(status);
    }

    /// Give the bio to a C function that takes over its completion; `f`
    /// gets the raw pointer and says whether it took the bio (true) or left
    /// it to us (false: the bio comes back).
    pub(crate) fn hand_off(self, f: impl FnOnce(*mut bindings::bio) -> bool) -> Option<Self> {
        let this = ManuallyDrop::new(self);
        if f(this.0.as_ptr()) {
            None
        } else {
            Some(ManuallyDrop::into_inner(this))
        }
    }
}

impl Drop for Bio {
    fn drop(&mut self) {
        // SAFETY: we own the bio and give it back exactly once: `hand_off`
        // never drops a bio that was taken over.
        unsafe { bindings::bio_endio(self.0.as_ptr()) };
    }
}

/// One physically contiguous segment of a [`Bio`] in flight; its memory may
/// be mapped while the bio is borrowed.
pub(crate) struct BioSegment<'a> {
    seg: Segment,
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

    /// The segment's frame.
    #[inline]
    pub(crate) fn pfn(&self) -> Pfn {
        self.seg.pfn
    }

    /// Map the segment's memory: RAM pages pinned for the bio, or device
    /// frames of a pfn bio (found in the registry, `None` if unregistered).
    #[inline(always)]
    pub(crate) fn map(&self) -> Option<PfnMapping<'a>> {
        // SAFETY: the frames are the bio's own memory, which its submitter
        // lends us until the bio completes; the mapping borrows the bio for
        // `'a`, so it cannot outlive that.
        unsafe {
            kmap_atomic_pfn_t(
                self.seg.pfn,
                self.seg.offset as usize,
                self.seg.len as usize,
            )
        }
    }
}

/// The vector table of a [`Bio`], borrowed for a segment walk.
pub(crate) struct BioVecs<'a> {
    vecs: *const bindings::bio_vec,
    /// The bio comes from the pfn bio set: its vectors are device frames.
    pfn_bio: bool,
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
            // SAFETY: a vector of the borrowed bio, in flight for `'a`; the
            // frames are used only while the bio is being served.
            pfn: unsafe { bvec_pfn(bv, self.pfn_bio) },
            len: bv.bv_len,
            offset: bv.bv_offset,
        }
    }
}
