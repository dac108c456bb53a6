// SPDX-License-Identifier: GPL-2.0

//! rpmem: a persistent-memory block driver that needs no `struct page`.
//!
//! Binds raw NVDIMM namespaces on the nd bus, maps them with `memremap` and
//! serves each as `/dev/pmemN`. Bios are walked through typed pfn accessors
//! ([`bio`]) and every segment is mapped through [`kmap::kmap_atomic_pfn_t`],
//! which reaches page-less device memory through a registry of pfn ranges.
//!
//! Data flows one way: `nd` (bus glue) -> `disk` (block device) -> `bio`
//! (pfn accessors, segments) -> `kmap` -> `registry`; `pfn`, `segments` and
//! `range_table` are pure logic shared with the host unit tests.

use kernel::prelude::*;

#[path = "../bindings/mod.rs"]
mod bindings;
mod bio;
mod disk;
mod kmap;
mod nd;
mod pfn;
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

struct Rpmem {
    driver: Option<nd::NdDriver>,
}

impl kernel::Module for Rpmem {
    fn init(module: &'static ThisModule) -> Result<Self> {
        registry::init();
        let driver = nd::NdDriver::register(module)?;
        pr_info!("registered nd driver '{}'\n", nd::DRIVER_NAME);
        Ok(Rpmem {
            driver: Some(driver),
        })
    }
}

impl Drop for Rpmem {
    fn drop(&mut self) {
        // Unbind every namespace first; then no range is registered.
        drop(self.driver.take());
        let left = registry::count();
        if left != 0 {
            pr_warn!("{} pfn ranges still registered at unload\n", left);
        }
        registry::shutdown();
        pr_info!("unloaded\n");
    }
}
