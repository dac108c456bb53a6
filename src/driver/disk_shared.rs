// SPDX-License-Identifier: GPL-2.0

//! [`DiskShared`]: what an rpmem disk shares with users that may outlive
//! its binding (an open block device, a copy, the disk list).

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use kernel::prelude::*;
use kernel::sync::Arc;

use crate::abstractions::badblocks::BadBlocks;
use crate::abstractions::disk_type::DiskIdentity;
use crate::uapi::{self, NAME_LEN};

/// What a disk shares with users that may outlive its binding: names,
/// geometry, state and its bad-block list; no pointer into the namespace.
#[pin_data]
pub(crate) struct DiskShared {
    /// Disk name (`pmem0`), NUL-padded.
    pub(crate) name: [u8; NAME_LEN],
    /// Namespace name (`namespace0.0`), NUL-padded.
    pub(crate) namespace: [u8; NAME_LEN],
    /// Capacity in sectors.
    pub(crate) sectors: u64,
    /// `uapi::DISK_FUA`, `DISK_ASYNC_FLUSH`, `DISK_NOWAIT`.
    pub(crate) flags: u32,
    /// The region's read-only state, as last applied to the disk.
    read_only: AtomicBool,
    /// Copies reading from or writing to the disk now.
    copies: AtomicU32,
    /// Load/store mappings (VMAs) of the disk now.
    mappings: AtomicU32,
    /// Known-bad sectors.
    #[pin]
    pub(crate) badblocks: BadBlocks,
}

impl DiskIdentity for DiskShared {
    fn badblocks(&self) -> &BadBlocks {
        &self.badblocks
    }
}

/// Marks a disk as used by a copy while it lives.
pub(crate) struct CopyUse(Arc<DiskShared>);

impl DiskShared {
    /// A disk's shared state: names (NUL-padded), capacity, `DISK_*` flags,
    /// and an empty bad-block list.
    pub(crate) fn new(
        name: [u8; NAME_LEN],
        namespace: [u8; NAME_LEN],
        sectors: u64,
        flags: u32,
    ) -> Result<Arc<Self>> {
        Arc::pin_init(
            try_pin_init!(DiskShared {
                name,
                namespace,
                sectors,
                flags,
                read_only: AtomicBool::new(false),
                copies: AtomicU32::new(0),
                mappings: AtomicU32::new(0),
                badblocks <- BadBlocks::new(),
            }),
            GFP_KERNEL,
        )
    }

    /// Record the disk's read-only state (the region's, as applied).
    pub(crate) fn set_read_only(&self, read_only: bool) {
        self.read_only.store(read_only, Ordering::Relaxed);
    }

    /// The region's read-only state, as last applied to the disk.
    pub(crate) fn read_only(&self) -> bool {
        self.read_only.load(Ordering::Relaxed)
    }

    /// Count one more load/store mapping of the disk.
    pub(crate) fn map_use(&self) {
        self.mappings.fetch_add(1, Ordering::Relaxed);
    }

    /// Count one load/store mapping fewer.
    pub(crate) fn map_done(&self) {
        self.mappings.fetch_sub(1, Ordering::Relaxed);
    }

    /// Mark the disk as used by a copy until the result is dropped.
    pub(crate) fn copy_use(this: &Arc<DiskShared>) -> CopyUse {
        this.copies.fetch_add(1, Ordering::Relaxed);
        CopyUse(this.clone())
    }

    /// The disk name (`pmemN`).
    pub(crate) fn name(&self) -> &[u8] {
        uapi::field_name(&self.name)
    }

    /// The disk as `rpmemctl status` reports it.
    pub(crate) fn info(&self, index: u32) -> uapi::DiskInfo {
        let mut flags = self.flags;
        if self.read_only.load(Ordering::Relaxed) {
            flags |= uapi::DISK_READ_ONLY;
        }
        if self.copies.load(Ordering::Relaxed) != 0 {
            flags |= uapi::DISK_COPYING;
        }
        uapi::DiskInfo {
            index,
            flags,
            name: self.name,
            namespace: self.namespace,
            sectors: self.sectors,
            bad_sectors: self.badblocks.bad_sectors(self.sectors),
        }
    }
}

impl Drop for CopyUse {
    fn drop(&mut self) {
        self.0.copies.fetch_sub(1, Ordering::Relaxed);
    }
}
