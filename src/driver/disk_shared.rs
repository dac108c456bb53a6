// SPDX-License-Identifier: GPL-2.0

//! [`DiskShared`]: what an rpmem disk shares with users that may outlive
//! its binding (an open block device, a copy, the disk list).

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use kernel::new_mutex;
use kernel::prelude::*;
use kernel::sync::{Arc, Mutex};

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
    /// The block device's opens and the load/store mappings: the
    /// exclusion rule between them (docs/dax.md).
    #[pin]
    access: Mutex<Access>,
    /// Known-bad sectors.
    #[pin]
    pub(crate) badblocks: BadBlocks,
}

impl DiskIdentity for DiskShared {
    fn badblocks(&self) -> &BadBlocks {
        &self.badblocks
    }
}

/// Who uses the disk: the block device's opens and the load/store
/// mappings.
#[derive(Default)]
struct Access {
    /// Opens of the block device not yet closed.
    opens: u32,
    /// One of them was for writing.
    opened_for_write: bool,
    /// Load/store mappings (VMAs).
    mappings: u32,
    /// Block devices of the disk (whole or partitions) set read-only by
    /// `BLKROSET` (`blockdev --setro`).
    read_only_bdevs: u32,
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
                access <- new_mutex!(Access::default()),
                badblocks <- BadBlocks::new(),
            }),
            GFP_KERNEL,
        )
    }

    /// Record the disk's read-only state (the region's, as applied); the
    /// state recorded before.
    pub(crate) fn set_read_only(&self, read_only: bool) -> bool {
        self.read_only.swap(read_only, Ordering::Relaxed)
    }

    /// The region's read-only state, as last applied to the disk.
    pub(crate) fn read_only(&self) -> bool {
        self.read_only.load(Ordering::Relaxed)
    }

    /// The block device is being opened: for writing, refused (`EBUSY`)
    /// while the disk is mapped.
    pub(crate) fn block_open(&self, write: bool) -> Result {
        let mut a = self.access.lock();
        if write && a.mappings != 0 {
            return Err(EBUSY);
        }
        a.opens += 1;
        a.opened_for_write |= write;
        Ok(())
    }

    /// One open of the block device was closed. The block layer does not
    /// say which, so "open for write" lasts until every open is closed.
    pub(crate) fn block_release(&self) {
        let mut a = self.access.lock();
        a.opens = a.opens.saturating_sub(1);
        if a.opens == 0 {
            a.opened_for_write = false;
        }
    }

    /// A block device of the disk is being set read-only or writable
    /// (`BLKROSET`; `was`: its flag before): set read-only, refused
    /// (`EBUSY`) while the disk is mapped, since a mapping spans every
    /// partition.
    pub(crate) fn block_set_read_only(&self, read_only: bool, was: bool) -> Result {
        let mut a = self.access.lock();
        match (read_only, was) {
            (true, false) => {
                if a.mappings != 0 {
                    return Err(EBUSY);
                }
                a.read_only_bdevs = a.read_only_bdevs.saturating_add(1);
            }
            (false, true) => a.read_only_bdevs = a.read_only_bdevs.saturating_sub(1),
            _ => {}
        }
        Ok(())
    }

    /// A new load/store mapping, writable if `write`: refused (`EBUSY`)
    /// while the block device is open for write, and if writable (`EACCES`)
    /// while the region or a block device of the disk is read-only.
    /// `Ok(true)`: read-only, never to be made writable.
    pub(crate) fn map_use(&self, write: bool) -> Result<bool> {
        let mut a = self.access.lock();
        if a.opened_for_write {
            return Err(EBUSY);
        }
        let read_only = self.read_only() || a.read_only_bdevs != 0;
        if write && read_only {
            return Err(EACCES);
        }
        a.mappings += 1;
        Ok(read_only)
    }

    /// A copy or split of a mapping: one more, never refused.
    pub(crate) fn map_again(&self) {
        self.access.lock().mappings += 1;
    }

    /// One load/store mapping fewer.
    pub(crate) fn map_done(&self) {
        let mut a = self.access.lock();
        a.mappings = a.mappings.saturating_sub(1);
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
