// SPDX-License-Identifier: GPL-2.0

//! rpmem: a persistent-memory block driver that needs no `struct page`.
//!
//! Binds raw NVDIMM namespaces on the nd bus, maps them with `memremap` and
//! serves each as `/dev/pmemN`. Bios are walked through typed pfn accessors
//! ([`bio`]) and every segment is mapped through [`kmap::kmap_atomic_pfn_t`],
//! which reaches page-less device memory through a registry of pfn ranges.
//! `/dev/rpmem-ctl` ([`ctl`]) copies between rpmem disks with bios whose
//! vectors are device frames ([`pfn_io`]).
//!
//! Driver logic, with no `unsafe`: `nd` (which namespaces, probe/remove),
//! `disk` (a disk's lifecycle), `io` (the I/O path), `copy` (the pfn copy),
//! `ctl` (the control device). Raw FFI is confined to small wrapper types:
//! `namespace` (nd bus device and driver), `region`, `mapping`, `badblocks`,
//! `gendisk`, `bio`, `bdev`, `kmap`/`registry`/`memmap`. Pure logic shared
//! with the host unit tests: `pfn`, `segments`, `span`, `range_table`,
//! `geometry`, `info_block`, `params`, `uapi`.

use kernel::miscdevice::{MiscDeviceOptions, MiscDeviceRegistration};
use kernel::prelude::*;
use kernel::str::BStr;

mod abi;
mod badblocks;
mod bdev;
#[path = "../bindings/mod.rs"]
mod bindings;
mod bio;
mod copy;
mod copy_bench;
mod ctl;
mod disk;
mod disks;
mod gendisk;
mod geometry;
mod info_block;
mod io;
mod kmap;
mod kmap_bench;
mod mapping;
mod memmap;
mod namespace;
mod nd;
mod params;
mod pfn;
mod range_table;
mod read_section;
mod region;
mod registry;
mod segments;
mod span;
#[allow(
    dead_code,
    unreachable_pub,
    reason = "shared with rpmemctl (pub items); not every item is used here"
)]
mod uapi;
mod xorshift;

module! {
    type: Rpmem,
    name: "rpmem",
    authors: ["rpmem developers"],
    description: "Persistent memory block driver without struct page (pfn I/O)",
    license: "GPL",
    params: {
        nowait: u32 {
            default: 1,
            description: "Serve REQ_NOWAIT bios inline (1, default) or leave BLK_FEAT_NOWAIT off as nd_pmem does (0)",
        },
    },
}

/// Whether disks advertise `BLK_FEAT_NOWAIT` (module parameter `nowait`).
pub(crate) fn nowait_param() -> bool {
    *module_parameters::nowait.value() != 0
}

/// Refuse out-of-range parameter values with a message naming them. (Unknown
/// names never reach the module: the kernel warns "unknown parameter ...
/// ignored" and loads it, by design, so stale modprobe.d options cannot stop
/// a boot.)
fn check_params() -> Result {
    let nowait = *module_parameters::nowait.value();
    if nowait > 1 {
        pr_err!("nowait={} is out of range (0 or 1)\n", nowait);
        return Err(EINVAL);
    }
    let list = namespace::namespaces_param();
    match params::check_list(list) {
        Ok(()) => Ok(()),
        Err(params::ListError::NotANamespace(item)) => {
            pr_err!(
                "namespaces={}: '{}' is not a namespace name (namespaceN.M)\n",
                BStr::from_bytes(list),
                BStr::from_bytes(item)
            );
            Err(EINVAL)
        }
        Err(params::ListError::TooMany) => {
            pr_err!(
                "namespaces={}: more than {} namespaces\n",
                BStr::from_bytes(list),
                params::MAX_NAMESPACES
            );
            Err(EINVAL)
        }
    }
}

#[pin_data(PinnedDrop)]
struct Rpmem {
    // Fields drop in this order, after `PinnedDrop::drop`.
    driver: Option<namespace::NdDriver<nd::RpmemNd>>,
    #[pin]
    ctl: MiscDeviceRegistration<ctl::Ctl>,
    pfn_bios: bio::PfnBioSet,
}

impl kernel::InPlaceModule for Rpmem {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            pfn_bios: {
                check_params()?;
                memmap::init()?;
                registry::init();
                disks::init();
                bio::PfnBioSet::new()?
            },
            ctl <- MiscDeviceRegistration::register(MiscDeviceOptions { name: c"rpmem-ctl" }),
            driver: Some(namespace::NdDriver::register(nd::DRIVER_NAME, module)?),
        })
    }
}

#[pinned_drop]
impl PinnedDrop for Rpmem {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: we only take the driver out; nothing pinned moves.
        let this = unsafe { self.get_unchecked_mut() };
        // Unbind every namespace first; then no range is registered.
        drop(this.driver.take());
        let left = registry::count();
        if left != 0 {
            pr_warn!("{} pfn ranges still registered at unload\n", left);
        }
        registry::shutdown();
        disks::shutdown();
        pr_info!("unloaded\n");
    }
}
