// SPDX-License-Identifier: GPL-2.0

//! The load/store mapping of a disk: `/dev/pmemN.map`, a character device
//! whose shared `mmap` maps the namespace's frames with no `struct page`
//! (see docs/dax.md). What it asks of the disk: its bad blocks (a fault
//! over one is `SIGBUS`), its read-only state, and the count of mappings.

use kernel::prelude::*;
use kernel::str::CString;
use kernel::sync::Arc;

use super::disk_shared::DiskShared;
use crate::abstractions::map_device::{MapDevice, MapOps};
use crate::pfn::PAGE_SIZE;

/// Sectors per page.
const PAGE_SECTORS: u64 = PAGE_SIZE as u64 / 512;

/// What the map device of a disk asks of the disk.
pub(crate) struct DiskMap {
    shared: Arc<DiskShared>,
}

impl MapOps for DiskMap {
    fn map(&self, write: bool) -> Result<bool> {
        self.shared.map_use(write)
    }

    fn map_again(&self) {
        self.shared.map_again();
    }

    fn unmap(&self) {
        self.shared.map_done();
    }

    fn bad(&self, pgoff: u64, pages: u64) -> bool {
        self.shared
            .badblocks
            .check(pgoff * PAGE_SECTORS, pages * PAGE_SECTORS)
    }

    fn read_only(&self) -> bool {
        self.shared.read_only()
    }
}

/// The map device of disk `shared` (named `<disk>.map`), serving the
/// `size` bytes of frames at physical address `phys`, which the caller
/// keeps mapped until it drops the device.
pub(crate) fn register(
    shared: &Arc<DiskShared>,
    phys: u64,
    size: u64,
) -> Result<Pin<KBox<MapDevice<DiskMap>>>> {
    let name = CString::try_from_fmt(fmt!("{}.map", kernel::str::BStr::from_bytes(shared.name())))?;
    let ops = Arc::new(
        DiskMap {
            shared: shared.clone(),
        },
        GFP_KERNEL,
    )?;
    MapDevice::register(name, phys / PAGE_SIZE as u64, size / PAGE_SIZE as u64, ops)
}
