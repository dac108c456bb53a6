// SPDX-License-Identifier: GPL-2.0

//! One rpmem disk: the lifecycle of `/dev/pmemN` for a bound namespace.
//! [`PmemDisk::new`] maps the namespace, registers its frames, reads its
//! poison list and adds the disk; dropping it (at unbind) deletes the disk,
//! draining I/O, then unregisters and unmaps. What may outlive the binding
//! (an open block device, a copy, the disk list) is [`DiskShared`].

use kernel::prelude::*;
use kernel::sync::Arc;

use super::disk_map::{self, DiskMap};
use super::disk_shared::DiskShared;
use super::io::DiskIo;
use crate::abstractions::disk_type::{DiskFamily, DiskFrames, DiskType};
use crate::abstractions::gendisk::{GenDisk, GenDiskBuilder};
use crate::abstractions::map_device::MapDevice;
use crate::abstractions::mapping::Mapping;
use crate::abstractions::memmap;
use crate::abstractions::namespace::{CommonNamespace, Namespace};
use crate::abstractions::pfn_space::PfnSpace;
use crate::abstractions::region::Region;
use crate::abstractions::registry::RegisteredMapping;
use crate::pfn::PAGE_SIZE;
use crate::uapi::{self, NAME_LEN};

/// rpmem's disks.
pub(crate) struct RpmemDisks;

impl DiskFamily for RpmemDisks {
    type Queue<'ns> = DiskIo<'ns>;
    type Identity = DiskShared;
}

/// Their operations: the address tells an rpmem disk from any other.
pub(crate) static RPMEM_DISKS: DiskType<RpmemDisks> = DiskType::new();

/// One rpmem disk, owned by the namespace's binding.
pub(crate) struct PmemDisk<'ns> {
    /// First to drop: revokes the load/store mappings before the disk and
    /// its frames go.
    map: Pin<KBox<MapDevice<DiskMap>>>,
    disk: GenDisk<'ns, RpmemDisks>,
    shared: Arc<DiskShared>,
}

/// A name as a NUL-padded field (truncated names never occur: disk and
/// namespace names are short).
fn field(name: &[u8]) -> [u8; NAME_LEN] {
    uapi::name_field(name).unwrap_or([0; NAME_LEN])
}

/// How writes are made durable on a region, and whether the disk serves
/// `REQ_NOWAIT` bios.
struct Flushing {
    fua: bool,
    sync: bool,
    nowait: bool,
}

impl<'ns> PmemDisk<'ns> {
    /// Serve namespace `ns` (already checked and mapped by `mapping`) as a
    /// new disk whose frames are registered in `space`.
    pub(crate) fn new(
        space: &Arc<PfnSpace>,
        ns: Namespace<'ns>,
        common: CommonNamespace<'ns>,
        mapping: Mapping<'ns>,
        nowait_param: bool,
    ) -> Result<Pin<KBox<Self>>> {
        let name = ns.name();
        let region = Region::of(&ns)?;
        let size = mapping.size() as u64;
        let frames = RegisteredMapping::new(space.registry().clone(), mapping)
            .inspect_err(|e| pr_err!("{}: cannot register pfn range: {:?}\n", name, e))?;

        let has_flush = region.has_flush();
        let sync = region.is_sync();
        let how = Flushing {
            fua: if !memmap::arch_has_flushcache() || has_flush < 0 {
                pr_warn!("{}: unable to guarantee persistence of writes\n", name);
                false
            } else {
                has_flush != 0
            },
            sync,
            nowait: sync && nowait_param,
        };
        if !how.nowait {
            pr_info!("{}: BLK_FEAT_NOWAIT off (nowait=0 or async flush)\n", name);
        }
        let mut flags = 0;
        if how.fua {
            flags |= uapi::DISK_FUA;
        }
        if !how.sync {
            flags |= uapi::DISK_ASYNC_FLUSH;
        }
        if how.nowait {
            flags |= uapi::DISK_NOWAIT;
        }

        let (disk_name, ns_name) = (field(&common.disk_name()), field(name.to_bytes()));
        let shared = DiskShared::new(disk_name, ns_name, size >> 9, flags)?;
        let phys = frames.mapping().phys();
        region.populate_badblocks(&shared.badblocks, phys, size);

        let disk_frames = DiskFrames::new(space.clone(), &frames)?;
        let queue = KBox::pin(
            DiskIo::new(shared.clone(), ns, region, frames, space.clone()),
            GFP_KERNEL,
        )?;
        let disk = GenDiskBuilder::new()
            .block_sizes(common.sector_size(), PAGE_SIZE as u32)
            .max_hw_sectors(u32::MAX)
            .write_cache(true)
            .synchronous(true)
            .fua(how.fua)
            .nowait(how.nowait)
            .node(ns.node())
            .add(
                &RPMEM_DISKS,
                queue,
                disk_frames,
                shared.clone(),
                &ns,
                &common,
                size >> 9,
            )
            .inspect_err(|e| pr_err!("{}: cannot add the disk: {:?}\n", name, e))?;
        match disk.badblocks_dirent() {
            Some(dirent) => disk.queue().badblocks_dirent().publish(dirent),
            None => pr_warn!("{}: 'badblocks' notification disabled\n", name),
        }
        shared.set_read_only(disk.read_only());
        let map = disk_map::register(&shared, phys, size)
            .inspect_err(|e| pr_err!("{}: cannot add the map device: {:?}\n", name, e))?;
        Ok(KBox::pin(PmemDisk { map, disk, shared }, GFP_KERNEL)?)
    }

    /// What outlives the binding.
    pub(crate) fn shared(&self) -> &Arc<DiskShared> {
        &self.shared
    }

    /// Re-read the region's poison list; a page found bad is no longer
    /// reached through the load/store mappings made before.
    pub(crate) fn revalidate_poison(&self) {
        self.disk.queue().revalidate_poison();
        self.map.zap();
    }

    /// Re-apply the region's read-only state; a disk that became read-only
    /// is no longer written through the writable mappings made before.
    pub(crate) fn revalidate_region(&self) {
        self.disk.apply_region_ro();
        let read_only = self.disk.read_only();
        let was_read_only = self.shared.set_read_only(read_only);
        if read_only && !was_read_only {
            self.map.zap();
        }
    }

    /// Flush the region (before power-off).
    pub(crate) fn flush(&self) -> Result {
        self.disk.queue().flush()
    }
}
