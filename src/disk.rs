// SPDX-License-Identifier: GPL-2.0

//! One rpmem disk: the lifecycle of `/dev/pmemN` for a bound namespace.
//! [`PmemDisk::new`] maps the namespace, registers its frames, reads its
//! poison list and adds the disk; dropping it deletes the disk (draining
//! I/O), then unregisters and unmaps. What outlives the binding (a copy may
//! hold it) is in [`DiskShared`].

use core::sync::atomic::{AtomicU32, Ordering};

use kernel::prelude::*;
use kernel::sync::Arc;

use crate::badblocks::BadBlocks;
use crate::bindings;
use crate::gendisk::{DiskId, GenDisk, GenDiskBuilder};
use crate::io::DiskIo;
use crate::mapping::{Mapping, RegisteredMapping};
use crate::memmap;
use crate::namespace::{BoundNamespace, CommonNamespace, Namespace};
use crate::pfn::{Pfn, PAGE_SIZE};
use crate::uapi::{self, DiskInfo, NAME_LEN};

const SECTOR_SHIFT: u32 = 9;

/// What a disk shares with users that may outlive its binding (a copy):
/// names, geometry and its bad-block list; no pointer into the namespace.
#[pin_data]
pub(crate) struct DiskShared {
    /// Disk name (`pmem0`), NUL-padded.
    pub(crate) name: [u8; NAME_LEN],
    /// Namespace name (`namespace0.0`), NUL-padded.
    pub(crate) namespace: [u8; NAME_LEN],
    /// Device frame of sector 0.
    pub(crate) base: Pfn,
    /// Capacity in sectors.
    pub(crate) sectors: u64,
    /// `uapi::DISK_FUA`, `DISK_ASYNC_FLUSH`, `DISK_NOWAIT`.
    pub(crate) flags: u32,
    /// Copies reading from or writing to the disk now.
    copies: AtomicU32,
    /// Known-bad sectors.
    #[pin]
    pub(crate) badblocks: BadBlocks,
}

/// Marks a disk as used by a copy while it lives.
pub(crate) struct CopyUse(Arc<DiskShared>);

impl DiskShared {
    /// Mark the disk as used by a copy until the result is dropped.
    pub(crate) fn copy_use(this: &Arc<DiskShared>) -> CopyUse {
        this.copies.fetch_add(1, Ordering::Relaxed);
        CopyUse(this.clone())
    }
}

impl Drop for CopyUse {
    fn drop(&mut self) {
        self.0.copies.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One rpmem disk, owned by the namespace's binding.
pub(crate) struct PmemDisk {
    // Dropped first: deleting the disk drains its I/O, then its queue
    // state (mapping, registration) goes.
    disk: GenDisk<DiskIo>,
    shared: Arc<DiskShared>,
}

/// A name as a NUL-padded field (truncated names never occur: disk and
/// namespace names are short).
fn field(name: &[u8]) -> [u8; NAME_LEN] {
    uapi::name_field(name).unwrap_or([0; NAME_LEN])
}

impl PmemDisk {
    /// Serve namespace `ns` (`size` bytes at `phys`, already mapped by
    /// `mapping`) as a new disk.
    pub(crate) fn new(
        ns: Namespace<'_>,
        common: CommonNamespace<'_>,
        mapping: Mapping,
        phys: u64,
        size: u64,
    ) -> Result<Pin<KBox<Self>>> {
        let name = ns.name();
        let region = ns.region()?;
        let frames = RegisteredMapping::new(mapping)
            .inspect_err(|e| pr_err!("{}: cannot register pfn range: {:?}\n", name, e))?;

        let has_flush = region.has_flush();
        let fua = if !memmap::arch_has_flushcache() || has_flush < 0 {
            pr_warn!("{}: unable to guarantee persistence of writes\n", name);
            false
        } else {
            has_flush != 0
        };
        let sync = region.is_sync();
        let nowait = sync && crate::nowait_param();
        let mut flags = 0;
        let mut features = bindings::BLK_FEAT_WRITE_CACHE | bindings::BLK_FEAT_SYNCHRONOUS;
        if fua {
            flags |= uapi::DISK_FUA;
            features |= bindings::BLK_FEAT_FUA;
        }
        if !sync {
            flags |= uapi::DISK_ASYNC_FLUSH;
        }
        if nowait {
            flags |= uapi::DISK_NOWAIT;
            features |= bindings::BLK_FEAT_NOWAIT;
        } else {
            pr_info!("{}: BLK_FEAT_NOWAIT off (nowait=0 or async flush)\n", name);
        }

        let (disk_name, ns_name) = (field(&common.disk_name()), field(name.to_bytes()));
        let shared = Arc::pin_init(
            try_pin_init!(DiskShared {
                name: disk_name,
                namespace: ns_name,
                base: Pfn::device_from_phys(phys),
                sectors: size >> SECTOR_SHIFT,
                flags,
                copies: AtomicU32::new(0),
                badblocks <- BadBlocks::new(),
            }),
            GFP_KERNEL,
        )?;
        region.populate_badblocks(&shared.badblocks, phys, size);

        let io = KBox::pin(
            DiskIo::new(shared.clone(), BoundNamespace::new(&ns), region, frames),
            GFP_KERNEL,
        )?;
        let disk = GenDiskBuilder::new()
            .block_sizes(common.sector_size(), PAGE_SIZE as u32)
            .max_hw_sectors(u32::MAX)
            .features(features)
            .node(ns.node())
            .add(io, &ns, &common, size >> SECTOR_SHIFT)
            .inspect_err(|e| pr_err!("{}: cannot add the disk: {:?}\n", name, e))?;
        match disk.badblocks_dirent() {
            Some(dirent) => disk.queue().badblocks_dirent().publish(dirent),
            None => pr_warn!("{}: 'badblocks' notification disabled\n", name),
        }
        Ok(KBox::pin(PmemDisk { disk, shared }, GFP_KERNEL)?)
    }

    /// What a copy needs of the disk, kept while it runs.
    pub(crate) fn shared(&self) -> &Arc<DiskShared> {
        &self.shared
    }

    /// The disk's device number.
    pub(crate) fn devt(&self) -> u32 {
        self.disk.devt()
    }

    /// The disk's identity.
    pub(crate) fn id(&self) -> DiskId {
        self.disk.id()
    }

    /// The disk name (`pmemN`).
    pub(crate) fn name(&self) -> &[u8] {
        uapi::field_name(&self.shared.name)
    }

    /// Re-read the region's poison list.
    pub(crate) fn revalidate_poison(&self) {
        self.disk.queue().revalidate_poison();
    }

    /// Re-apply the region's read-only state.
    pub(crate) fn revalidate_region(&self) {
        self.disk.apply_region_ro();
    }

    /// Flush the region (before power-off).
    pub(crate) fn flush(&self) -> Result {
        self.disk.queue().flush()
    }

    /// The disk as `rpmemctl status` reports it.
    pub(crate) fn info(&self, index: u32) -> DiskInfo {
        let s = &self.shared;
        let mut flags = s.flags;
        if self.disk.read_only() {
            flags |= uapi::DISK_READ_ONLY;
        }
        if s.copies.load(Ordering::Relaxed) != 0 {
            flags |= uapi::DISK_COPYING;
        }
        DiskInfo {
            index,
            flags,
            name: s.name,
            namespace: s.namespace,
            sectors: s.sectors,
            bad_sectors: s.badblocks.bad_sectors(s.sectors),
        }
    }
}
