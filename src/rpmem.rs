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
//! Data flows one way: `nd` (bus glue) -> `disk` (block device) -> `bio`
//! (pfn accessors, segments) -> `kmap` -> `registry`; `pfn`, `segments`,
//! `range_table` and `geometry` are pure logic shared with the host unit tests.

use kernel::miscdevice::{MiscDeviceOptions, MiscDeviceRegistration};
use kernel::prelude::*;

#[path = "../bindings/mod.rs"]
mod bindings;
mod bio;
mod copy_bench;
mod ctl;
mod disk;
mod disks;
mod geometry;
mod kmap;
mod kmap_bench;
mod memmap;
mod nd;
mod pfn;
mod pfn_io;
mod range_table;
mod registry;
mod segments;

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
    Ok(())
}

#[pin_data(PinnedDrop)]
struct Rpmem {
    driver: Option<nd::NdDriver>,
    #[pin]
    ctl: MiscDeviceRegistration<ctl::Ctl>,
}

impl kernel::InPlaceModule for Rpmem {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            ctl <- {
                check_params()?;
                memmap::init()?;
                registry::init();
                disks::init();
                MiscDeviceRegistration::register(MiscDeviceOptions { name: c"rpmem-ctl" })
            },
            driver: Some(nd::NdDriver::register(module)?),
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
