// SPDX-License-Identifier: GPL-2.0

//! The live rpmem disks, for `rpmemctl status`. The list holds what each
//! disk shares ([`DiskShared`]), by reference count; a disk is listed from
//! the end of its probe to the start of its remove.

use kernel::new_mutex;
use kernel::prelude::*;
use kernel::sync::{Arc, Mutex};

use super::disk_shared::DiskShared;
use crate::uapi::DiskInfo;

/// The list.
#[pin_data]
pub(crate) struct DiskList {
    #[pin]
    disks: Mutex<KVec<Arc<DiskShared>>>,
}

impl DiskList {
    /// An empty list.
    pub(crate) fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(DiskList {
                disks <- new_mutex!(KVec::new()),
            }),
            GFP_KERNEL,
        )
    }

    /// List `disk`.
    pub(crate) fn list(&self, disk: &Arc<DiskShared>) -> Result {
        self.disks.lock().push(disk.clone(), GFP_KERNEL)?;
        Ok(())
    }

    /// Unlist `disk`.
    pub(crate) fn unlist(&self, disk: &Arc<DiskShared>) {
        let mut disks = self.disks.lock();
        if let Some(i) = disks.iter().position(|d| Arc::ptr_eq(d, disk)) {
            // The index is in bounds; nothing to handle.
            let _ = disks.remove(i);
        }
    }

    /// The `index`-th listed disk, as `rpmemctl status` shows it.
    pub(crate) fn info(&self, index: u32) -> Option<DiskInfo> {
        let disk = self.disks.lock().get(index as usize)?.clone();
        Some(disk.info(index))
    }
}
