// SPDX-License-Identifier: GPL-2.0

//! [`Region`]: the nd region a bound namespace lives in: its flushes,
//! persistence properties and poison list.

use core::ptr::NonNull;

use kernel::prelude::*;

use crate::badblocks::BadBlocks;
use crate::bindings;
use crate::bio::Bio;

/// The parent region of a bound namespace.
///
/// Invariant: the region is live while the handle exists: a handle is only
/// made from a namespace being probed, and kept by that namespace's disk,
/// which is torn down before the namespace is unbound.
pub(crate) struct Region(NonNull<bindings::nd_region>);

// SAFETY: libnvdimm's region calls used here may come from any thread.
unsafe impl Send for Region {}
// SAFETY: as above; `&Region` only gives calls libnvdimm serialises itself.
unsafe impl Sync for Region {}

/// What became of a bio handed to [`Region::flush_fua`].
pub(crate) enum FuaFlush {
    /// The flush is done (or failed); the bio is back, to be completed.
    Done(Bio, Result),
    /// The region flushes asynchronously and completes the bio itself.
    Async,
}

impl Region {
    /// The region of a namespace device being probed.
    ///
    /// # Safety
    ///
    /// `dev` must be a live namespace device on the nd bus, and the result
    /// must not outlive its binding (see the type invariant).
    pub(crate) unsafe fn of_namespace(dev: *mut bindings::device) -> Option<Self> {
        // SAFETY: a namespace's parent is its region (caller's contract).
        NonNull::new(unsafe { bindings::to_nd_region((*dev).parent) }).map(Region)
    }

    /// The raw region, for C calls of the wrappers.
    pub(crate) fn as_ptr(&self) -> *mut bindings::nd_region {
        self.0.as_ptr()
    }

    /// Flush the region's write-pending queues (`nvdimm_flush()`); may
    /// sleep on an asynchronous region.
    pub(crate) fn flush(&self) -> Result {
        // SAFETY: the region is live; a NULL bio asks for a synchronous flush.
        match unsafe { bindings::nvdimm_flush(self.as_ptr(), core::ptr::null_mut()) } {
            0 => Ok(()),
            rc => Err(Error::from_errno(rc)),
        }
    }

    /// The flush after a `REQ_FUA` write: on an asynchronous region the
    /// flush takes over the bio and completes it when the host is done.
    pub(crate) fn flush_fua(&self, bio: Bio) -> FuaFlush {
        let mut rc = 0;
        let back = bio.hand_off(|raw| {
            // SAFETY: region and bio are live; `NVDIMM_FLUSH_ASYNC` means the
            // region took the bio and will complete it, anything else leaves
            // it with us.
            rc = unsafe { bindings::nvdimm_flush(self.as_ptr(), raw) };
            rc == bindings::NVDIMM_FLUSH_ASYNC
        });
        match back {
            None => FuaFlush::Async,
            Some(bio) if rc == 0 => FuaFlush::Done(bio, Ok(())),
            Some(bio) => FuaFlush::Done(bio, Err(Error::from_errno(rc))),
        }
    }

    /// `nvdimm_has_flush()`: 1 if writes need flush hints to be durable
    /// (FUA is meaningful), 0 if not, negative if it cannot tell.
    pub(crate) fn has_flush(&self) -> i32 {
        // SAFETY: the region is live; reads its configuration.
        unsafe { bindings::nvdimm_has_flush(self.as_ptr()) }
    }

    /// False if the region flushes asynchronously (virtio-pmem): a flush
    /// then sleeps until the host is done.
    pub(crate) fn is_sync(&self) -> bool {
        // SAFETY: the region is live; reads a flag.
        unsafe { bindings::is_nvdimm_sync(self.as_ptr()) }
    }

    /// Fill `bb` from the region's poison list for `[start, start + len)`.
    pub(crate) fn populate_badblocks(&self, bb: &BadBlocks, start: u64, len: u64) {
        let range = bindings::range {
            start,
            end: start + len - 1,
        };
        // SAFETY: region and list are live; may sleep (process context).
        unsafe { bindings::nvdimm_badblocks_populate(self.as_ptr(), bb.as_ptr(), &range) };
    }
}
