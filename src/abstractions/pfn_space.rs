// SPDX-License-Identifier: GPL-2.0

//! [`PfnSpace`]: what the pfn I/O of one module shares: the registry of its
//! device ranges, the bio set its pfn bios come from, and the memmap
//! arithmetic. Built once, by the module's initialiser, and shared by
//! reference count with every disk and copy; it goes when the last of them
//! does.

use kernel::prelude::*;
use kernel::sync::Arc;

use super::bio_set::PfnBioSet;
use super::memmap::MemMap;
use super::registry::Registry;

/// The module's pfn I/O state.
pub(crate) struct PfnSpace {
    registry: Arc<Registry>,
    pfn_bios: PfnBioSet,
    memmap: MemMap,
}

impl PfnSpace {
    /// A new space with an empty registry and its own bio set.
    pub(crate) fn new() -> Result<Arc<Self>> {
        let memmap = MemMap::read()?;
        let registry = Arc::pin_init(Registry::new(), GFP_KERNEL)?;
        let pfn_bios = PfnBioSet::new()?;
        Arc::new(
            PfnSpace {
                registry,
                pfn_bios,
                memmap,
            },
            GFP_KERNEL,
        )
        .map_err(Into::into)
    }

    /// The registry of device ranges.
    pub(crate) fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// The bio set of pfn bios.
    pub(super) fn pfn_bios(&self) -> &PfnBioSet {
        &self.pfn_bios
    }

    /// The memmap arithmetic.
    pub(crate) fn memmap(&self) -> &MemMap {
        &self.memmap
    }
}
