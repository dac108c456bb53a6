// SPDX-License-Identifier: GPL-2.0

//! rpmem_bench: the in-kernel micro-benchmarks of rpmem, as a module of its
//! own that `make` and `make install` do not build or ship
//! (`make bench-module` does). `/dev/rpmem-bench` runs the
//! `kmap_atomic_pfn_t()` benchmark on a registry of its own (its fake
//! ranges never enter rpmem's, so it cannot fail or slow a real probe) and
//! the copy-bandwidth benchmark; both need `CAP_SYS_ADMIN`.

use kernel::prelude::*;
use kernel::sync::Arc;
use kernel::uaccess::{UserPtr, UserSlice};

#[allow(dead_code, reason = "rpmem's abstractions; the benchmarks use a few")]
#[path = "../abstractions/mod.rs"]
mod abstractions;
#[allow(
    dead_code,
    clashing_extern_declarations,
    reason = "the benchmarks' own FFI (the clock, the C reference loop), a second copy of the abstractions' bindings"
)]
#[path = "../../bindings/mod.rs"]
mod bindings;
mod copy_bench;
mod kmap_bench;
mod kmap_timing;

/// rpmem's pure logic, of which the benchmarks use a few items.
#[allow(
    dead_code,
    reason = "rpmem's pure logic; the benchmarks use a few items"
)]
#[path = "../logic"]
mod logic {
    pub(crate) mod dev_range;
    pub(crate) mod map_fault;
    pub(crate) mod pfn;
    pub(crate) mod range_index;
    pub(crate) mod range_table;
    pub(crate) mod segments;
    pub(crate) mod span;
}
use logic::{dev_range, map_fault, pfn, range_index, range_table, segments, span};

#[allow(
    dead_code,
    unreachable_pub,
    reason = "shared with rpmemctl (pub items); not every item is used here"
)]
#[path = "../logic/uapi.rs"]
mod uapi;
#[path = "../logic/xorshift.rs"]
mod xorshift;

use abstractions::capability;
use abstractions::control_device::{ControlDevice, ControlOps};
use abstractions::memmap::MemMap;
use abstractions::registry::Registry;
use uapi::{BenchCopy, BenchKmap, IOC_BENCH_COPY, IOC_BENCH_KMAP};

module! {
    type: RpmemBench,
    name: "rpmem_bench",
    authors: ["rpmem developers"],
    description: "rpmem's in-kernel micro-benchmarks (not for production)",
    license: "GPL",
}

/// The benchmarks' state: a registry of their own.
struct Bench {
    registry: Arc<Registry>,
    memmap: MemMap,
}

impl ControlOps for Bench {
    fn ioctl(&self, cmd: u32, arg: usize) -> Result<isize> {
        if !capability::sys_admin() {
            return Err(EPERM);
        }
        let user = |size| UserSlice::new(UserPtr::from_addr(arg), size);
        match cmd {
            IOC_BENCH_KMAP => {
                let (mut reader, mut writer) = user(size_of::<BenchKmap>()).reader_writer();
                let mut b: BenchKmap = reader.read()?;
                let r = kmap_bench::run(&self.registry, &self.memmap, b.nr_ranges, b.iterations)?;
                b.registry_ps = r.registry_ps;
                b.registry_held_ps = r.registry_held_ps;
                b.list_ps = r.list_ps;
                b.page_ps = r.page_ps;
                b.page_section_ps = r.page_section_ps;
                b.kmap_atomic_ps = r.kmap_atomic_ps;
                writer.write(&b)?;
                Ok(0)
            }
            IOC_BENCH_COPY => {
                let (mut reader, mut writer) = user(size_of::<BenchCopy>()).reader_writer();
                let mut b: BenchCopy = reader.read()?;
                let r = copy_bench::run(b.mib)?;
                b.memcpy_kibs = r.memcpy_kibs;
                b.copy_mc_kibs = r.copy_mc_kibs;
                b.flushcache_kibs = r.flushcache_kibs;
                writer.write(&b)?;
                Ok(0)
            }
            _ => Err(ENOTTY),
        }
    }
}

#[pin_data]
struct RpmemBench {
    #[pin]
    device: ControlDevice<Bench>,
}

impl kernel::InPlaceModule for RpmemBench {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let bench = MemMap::read().and_then(|memmap| {
            let registry = Arc::pin_init(Registry::new(), GFP_KERNEL)?;
            Ok(Arc::new(Bench { registry, memmap }, GFP_KERNEL)?)
        });
        try_pin_init!(Self {
            device <- ControlDevice::register(c"rpmem-bench", bench?),
        })
    }
}
