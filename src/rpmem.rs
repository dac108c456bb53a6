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
//! (pfn accessors, segments) -> `kmap` -> `registry`; `pfn`, `segments` and
//! `range_table` are pure logic shared with the host unit tests.

use kernel::miscdevice::{MiscDeviceOptions, MiscDeviceRegistration};
use kernel::prelude::*;

#[path = "../bindings/mod.rs"]
mod bindings;
mod bio;
mod ctl;
mod disk;
mod disks;
mod kmap;
mod kmap_bench;
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
}

#[pin_data(PinnedDrop)]
struct Rpmem {
    driver: Option<nd::NdDriver>,
    #[pin]
    ctl: MiscDeviceRegistration<ctl::Ctl>,
}

impl kernel::InPlaceModule for Rpmem {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        registry::init();
        disks::init();
        try_pin_init!(Self {
            ctl <- MiscDeviceRegistration::register(MiscDeviceOptions { name: c"rpmem-ctl" }),
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
