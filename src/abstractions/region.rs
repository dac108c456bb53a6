// SPDX-License-Identifier: GPL-2.0

//! [`Region`]: the nd region (`struct nd_region`) a namespace lives in: its
//! flushes, persistence properties and poison list.

use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::prelude::*;

use super::badblocks::BadBlocks;
use super::bindings;
use super::bio::Bio;
use super::namespace::Namespace;

/// The parent region of a namespace, live for `'ns` (a region outlives its
/// namespaces).
pub(crate) struct Region<'ns> {
    region: NonNull<bindings::nd_region>,
    _ns: PhantomData<&'ns bindings::nd_region>,
}

// SAFETY: libnvdimm's region calls used here may come from any thread.
unsafe impl Send for Region<'_> {}
// SAFETY: as above; `&Region` only gives calls libnvdimm serialises itself.
unsafe impl Sync for Region<'_> {}

/// What became of a bio handed to [`Region::flush_fua`].
pub(crate) enum FuaFlush {
    /// The flush is done (or failed); the bio is back, to be completed.
    Done(Bio, Result),
    /// The region flushes asynchronously and completes the bio itself.
    Async,
}

impl<'ns> Region<'ns> {
    /// The region of namespace `ns`, live as long as the namespace.
    pub(crate) fn of(ns: &Namespace<'ns>) -> Result<Self> {
        // SAFETY: a namespace's parent is its region, which outlives it.
        let region = unsafe { bindings::to_nd_region((*ns.as_ptr()).parent) };
        NonNull::new(region)
            .map(|region| Region {
                region,
                _ns: PhantomData,
            })
            .ok_or(ENXIO)
    }
}

impl Region<'_> {
    fn as_ptr(&self) -> *mut bindings::nd_region {
        self.region.as_ptr()
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
        let raw = bio.into_raw();
        // SAFETY: region and bio are live; `nvdimm_flush()` with a bio
        // either takes it over (`NVDIMM_FLUSH_ASYNC`: it completes it) or
        // leaves it with us.
        let rc = unsafe { bindings::nvdimm_flush(self.as_ptr(), raw.as_ptr()) };
        if rc == bindings::NVDIMM_FLUSH_ASYNC {
            return FuaFlush::Async;
        }
        // SAFETY: not taken over: the bio is ours again, to complete once.
        let bio = unsafe { Bio::from_raw(raw) };
        if rc == 0 {
            FuaFlush::Done(bio, Ok(()))
        } else {
            FuaFlush::Done(bio, Err(Error::from_errno(rc)))
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
        let Some(end) = start.checked_add(len).and_then(|e| e.checked_sub(1)) else {
            return;
        };
        let range = bindings::range { start, end };
        // SAFETY: region and list are live; may sleep (process context).
        unsafe { bindings::nvdimm_badblocks_populate(self.as_ptr(), bb.as_ptr(), &range) };
    }
}
