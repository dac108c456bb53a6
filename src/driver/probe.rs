// SPDX-License-Identifier: GPL-2.0

//! Which namespaces rpmem serves, and how it binds them: the probe and
//! remove of the "rpmem" nd bus driver.
//!
//! A namespace is served only if it is raw: not claimed by a personality
//! device and not carrying a BTT, pfn (fsdax) or dax (devdax) info block,
//! unless its `force_raw` is set, as the in-tree nd_pmem decides; and only
//! if none of its frames has a `struct page`.

use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::Arc;

use super::disk::PmemDisk;
use super::disk_list::DiskList;
use crate::abstractions::mapping::Mapping;
use crate::abstractions::memmap;
use crate::abstractions::namespace::Namespace;
use crate::abstractions::nd_driver::{NdDriverOps, NdEvent};
use crate::abstractions::pfn_space::PfnSpace;
use crate::geometry::{check_namespace, GeometryError};
use crate::info_block::{identify, INFO_BLOCK_OFFSETS, INFO_BLOCK_SIZE};
use crate::params;
use crate::pfn::{PAGE_SHIFT, PAGE_SIZE};

/// Name of the driver on the nd bus (`/sys/bus/nd/drivers/rpmem`).
pub(crate) const DRIVER_NAME: &CStr = c"rpmem";

/// The driver's state: what every binding shares.
pub(crate) struct RpmemNd {
    /// The module's pfn I/O state (registry, pfn bio set).
    pub(crate) space: Arc<PfnSpace>,
    /// The live disks.
    pub(crate) disks: Arc<DiskList>,
    /// Module parameter `nowait`.
    pub(crate) nowait: bool,
    /// Module parameter `namespaces`.
    pub(crate) namespaces: &'static [u8],
}

impl NdDriverOps for RpmemNd {
    type Bound<'ns> = PmemDisk<'ns>;

    fn probe<'ns>(&self, ns: Namespace<'ns>) -> Result<Pin<KBox<PmemDisk<'ns>>>> {
        let disk = self.bind(ns)?;
        self.disks.list(disk.shared())?;
        Ok(disk)
    }

    fn remove<'ns>(&self, ns: Namespace<'ns>, disk: Pin<KBox<PmemDisk<'ns>>>) {
        self.disks.unlist(disk.shared());
        drop(disk);
        pr_info!("{}: released\n", ns.name());
    }

    fn notify<'ns>(&self, ns: Namespace<'ns>, disk: &PmemDisk<'ns>, event: NdEvent) {
        match event {
            NdEvent::RevalidatePoison => disk.revalidate_poison(),
            NdEvent::RevalidateRegion => disk.revalidate_region(),
            NdEvent::Other(e) => pr_warn!("{}: unknown nvdimm event {}\n", ns.name(), e),
        }
    }

    fn shutdown<'ns>(&self, disk: &PmemDisk<'ns>) {
        let _ = disk.flush();
    }
}

impl RpmemNd {
    fn bind<'ns>(&self, ns: Namespace<'ns>) -> Result<Pin<KBox<PmemDisk<'ns>>>> {
        let name = ns.name();
        if !params::selects(self.namespaces, name.to_bytes()) {
            // Left to nd_pmem, quietly: the user chose other namespaces.
            return Err(ENODEV);
        }
        if let Some(claim) = ns.claimed_by() {
            pr_err!(
                "{}: claimed by {} (btt/pfn/dax personality); rpmem serves raw namespaces only\n",
                name,
                claim
            );
            return Err(ENXIO);
        }
        if ns.capacity() == 0 {
            // An idle seed namespace (every labelled region has one).
            return Err(ENODEV);
        }
        let (phys, end) = ns.resource();
        let size = checked_size(name, phys, end)?;
        let common = ns
            .common_probe()
            .inspect_err(|e| pr_err!("{}: namespace not usable: {:?}\n", name, e))?;
        refuse_struct_pages(name, phys, size)?;
        let mapping = Mapping::of_namespace(&ns)?;
        if ns.force_raw() {
            pr_info!(
                "{}: force_raw is set: serving it raw, info blocks ignored\n",
                name
            );
        } else {
            refuse_formatted(&ns, &mapping, size)?;
        }
        let disk = PmemDisk::new(&self.space, ns, common, mapping, self.nowait)?;
        pr_info!(
            "{}: serving {} MiB at {:#x} without struct page\n",
            name,
            size >> 20,
            phys
        );
        Ok(disk)
    }
}

/// The namespace's size, or a refusal with a message saying why.
fn checked_size(name: &CStr, phys: u64, end: u64) -> Result<u64> {
    match check_namespace(phys, end) {
        Ok(size) => Ok(size),
        Err(GeometryError::TooSmall) => {
            pr_err!(
                "{}: namespace {:#x}-{:#x} is smaller than a page ({} bytes); not served\n",
                name,
                phys,
                end,
                PAGE_SIZE
            );
            Err(ENOSPC)
        }
        Err(GeometryError::Misaligned) => {
            pr_err!(
                "{}: namespace {:#x}-{:#x} is not page aligned; not served\n",
                name,
                phys,
                end
            );
            Err(EINVAL)
        }
    }
}

/// rpmem maps a frame with a `struct page` as RAM: refuse a namespace any
/// frame of which has one, or that shares a memory section with RAM (the
/// memmap of such a section may come and go with the RAM's).
fn refuse_struct_pages(name: &CStr, phys: u64, size: u64) -> Result {
    if let Some(pfn) = memmap::first_frame_with_page(phys >> PAGE_SHIFT, size >> PAGE_SHIFT) {
        pr_err!(
            "{}: frame {:#x} has a struct page; rpmem serves page-less memory only (use nd_pmem)\n",
            name,
            pfn
        );
        return Err(EINVAL);
    }
    if memmap::shares_section_with_ram(phys, size) {
        pr_err!(
            "{}: {:#x}+{:#x} shares a memory section with System RAM, which rpmem cannot map safely (use nd_pmem)\n",
            name,
            phys,
            size
        );
        return Err(EINVAL);
    }
    pr_info!(
        "{}: pfn {:#x}..{:#x}: pfn_valid() is false, no struct page\n",
        name,
        phys >> PAGE_SHIFT,
        (phys + size) >> PAGE_SHIFT
    );
    Ok(())
}

/// Refuse a namespace formatted by a personality driver: its data is only
/// safe through that driver.
fn refuse_formatted(ns: &Namespace<'_>, mapping: &Mapping<'_>, size: u64) -> Result {
    let name = ns.name();
    let uuid = ns.uuid();
    let mut block = KVec::from_elem(0u8, INFO_BLOCK_SIZE, GFP_KERNEL)?;
    for offset in INFO_BLOCK_OFFSETS {
        if size < offset + INFO_BLOCK_SIZE as u64 {
            continue;
        }
        if mapping.read_mc(offset as usize, &mut block).is_err() {
            pr_err!(
                "{}: its info block area is poisoned, cannot tell whether it is formatted; not served raw. To serve it raw anyway: echo 1 > /sys/bus/nd/devices/{}/force_raw\n",
                name,
                name
            );
            return Err(EIO);
        }
        let block: &[u8; INFO_BLOCK_SIZE] = block.as_slice().try_into().map_err(|_| EINVAL)?;
        if let Some(kind) = identify(block, &uuid) {
            pr_err!(
                "{}: holds {}; not served raw. To serve it raw anyway: echo 1 > /sys/bus/nd/devices/{}/force_raw\n",
                name,
                kind.describe(),
                name
            );
            return Err(ENXIO);
        }
    }
    Ok(())
}
