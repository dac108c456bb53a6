// SPDX-License-Identifier: GPL-2.0

//! rpmem: a persistent-memory block driver that needs no `struct page`.
//!
//! Binds raw namespaces on the nd bus, maps them with `memremap` and serves
//! each as `/dev/pmemN`. Bios are walked through typed pfn accessors and
//! every device frame is mapped through `kmap_atomic_pfn_t()`, which
//! reaches page-less memory through a registry of pfn ranges.
//! `/dev/rpmem-ctl` copies between rpmem disks with pfn bios.
//!
//! Three layers: [`abstractions`] (safe types over the C objects, every
//! `unsafe` of the module argued there), [`driver`] (no `unsafe`, no
//! `bindings::`), and the pure logic below, shared with the host unit tests.

use kernel::prelude::*;
use kernel::str::BStr;

mod abstractions;
mod driver;

// Pure logic (src/logic/), host-tested by hosttest/.
#[path = "logic/dev_range.rs"]
mod dev_range;
#[path = "logic/geometry.rs"]
mod geometry;
#[path = "logic/info_block.rs"]
mod info_block;
#[path = "logic/map_fault.rs"]
mod map_fault;
#[path = "logic/params.rs"]
mod params;
#[path = "logic/pfn.rs"]
mod pfn;
#[path = "logic/range_index.rs"]
mod range_index;
#[path = "logic/range_table.rs"]
mod range_table;
#[path = "logic/segments.rs"]
mod segments;
#[path = "logic/span.rs"]
mod span;
#[allow(
    dead_code,
    unreachable_pub,
    reason = "shared with rpmemctl (pub items); not every item is used here"
)]
#[path = "logic/uapi.rs"]
mod uapi;

use abstractions::control_device::ControlDevice;
use abstractions::module_param;
use abstractions::nd_driver::NdDriver;
use abstractions::pfn_space::PfnSpace;
use driver::control::Control;
use driver::disk_list::DiskList;
use driver::probe::{RpmemNd, DRIVER_NAME};

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

/// Refuse out-of-range parameter values with a message naming them. (Unknown
/// names never reach the module: the kernel warns "unknown parameter ...
/// ignored" and loads it, by design, so stale modprobe.d options cannot stop
/// a boot.)
fn check_params(nowait: u32, list: &[u8]) -> Result {
    if nowait > 1 {
        pr_err!("nowait={} is out of range (0 or 1)\n", nowait);
        return Err(EINVAL);
    }
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

/// The module: the nd bus driver (every binding) and the control device.
/// Fields drop in order: the driver first, which unbinds every namespace;
/// the control device cannot be open then (an open file pins the module).
#[pin_data]
struct Rpmem {
    #[pin]
    driver: NdDriver<RpmemNd>,
    #[pin]
    control: ControlDevice<Control>,
}

impl kernel::InPlaceModule for Rpmem {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let nowait = *module_parameters::nowait.value();
        let namespaces = module_param::namespaces();
        let state = check_params(nowait, namespaces).and_then(|()| {
            let space = PfnSpace::new()?;
            let disks = DiskList::new()?;
            let control = Control::new(disks.clone())?;
            Ok((space, disks, control))
        });
        try_pin_init!(Self {
            control <- {
                let (_, _, control) = state.as_ref().map_err(|e| *e)?;
                ControlDevice::register(c"rpmem-ctl", control.clone())
            },
            driver <- {
                let (space, disks, _) = state.as_ref().map_err(|e| *e)?;
                NdDriver::register(
                    DRIVER_NAME,
                    module,
                    RpmemNd {
                        space: space.clone(),
                        disks: disks.clone(),
                        nowait: nowait != 0,
                        namespaces,
                    },
                )
            },
        })
    }
}
