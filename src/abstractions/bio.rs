// SPDX-License-Identifier: GPL-2.0

//! [`Bio`]: a bio (`struct bio`) handed to the driver, completed exactly
//! once, and its segments ([`super::bio_segment`]).

use core::ptr::NonNull;

use super::bindings;
use super::bio_segment::{BioData, BioVecs, DeviceSegments, RamSegments};
use super::pfn_space::PfnSpace;
use super::status::Status;
use crate::segments::{BvecIter, Segments};

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

    /// The bio's data from its current position, one physically contiguous
    /// segment per vector (`bio_for_each_bvec`): device frames if it is a
    /// pfn bio of `space`, RAM pages otherwise. The bio is not advanced.
    #[inline(always)]
    pub(crate) fn data<'a>(&'a self, space: &'a PfnSpace) -> BioData<'a> {
        let raw = self.raw();
        let it = &raw.bi_iter;
        let iter = BvecIter {
            sector: it.bi_sector,
            size: it.bi_size,
            idx: it.bi_idx,
            done: it.bi_bvec_done,
        };
        let memmap = *space.memmap();
        if core::ptr::eq(raw.bi_pool, space.pfn_bios().as_ptr()) {
            // SAFETY: the vector table of a pfn bio of `space` (its pool is
            // the set), which we own, in flight while borrowed for `'a`.
            let table = unsafe { BioVecs::<'a, true>::new(raw.bi_io_vec, memmap) };
            // SAFETY: the block layer guarantees that `bi_size` bytes from
            // `bi_iter` are described by the vectors from `bi_idx` on (the
            // `bio_for_each_segment` contract), for the bio we own.
            let walk = unsafe { Segments::new(table, iter) };
            BioData::Device(DeviceSegments { walk })
        } else {
            // SAFETY: as above, of a bio that is not a pfn bio.
            let table = unsafe { BioVecs::<'a, false>::new(raw.bi_io_vec, memmap) };
            // SAFETY: as above.
            let walk = unsafe { Segments::new(table, iter) };
            BioData::Ram(RamSegments { walk, memmap })
        }
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
