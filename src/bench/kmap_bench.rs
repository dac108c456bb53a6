// SPDX-License-Identifier: GPL-2.0

//! In-kernel micro-benchmark of [`kmap_atomic_pfn_t`]: the registry lookup
//! against the 2015 design (a linked list walked under RCU on every map)
//! and against a RAM page: its direct-map address (what `kmap_local_page()`
//! is without highmem, and what [`kmap_atomic_pfn_t`] gives for a RAM
//! frame), alone and inside the preemption-disabled section that
//! `kmap_atomic()`, and [`kmap_atomic_pfn_t`] for a device frame, take for
//! each mapping; and against the kernel's own `kmap_atomic_pfn()` of that
//! RAM frame, in C (`rpmem_bench_kmap_atomic_pfn` in the shim).
//!
//! Every variant runs the same loop: take the next frame from a table of
//! [`TARGETS`] frames, map 64 bytes of it, keep the address. For the device
//! variants the table holds the registered ranges in a pseudo-random order
//! (so the index is exercised, not just one cached slot); for the RAM
//! variant, RAM frames with a `struct page`. Before the timed loops every
//! lookup's answer is checked against the ranges registered, which is what
//! concurrent runs (tests/guest/t_kmap_race.sh) rely on: each registers and
//! unregisters its own ranges, publishing new tables while the others look
//! up theirs.

use core::hint::black_box;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

use kernel::prelude::*;
use kernel::sync::Arc;

use super::kmap_timing::{
    list_map, now_ns, per_call_ps, target, time_kmap, time_kmap_held, time_kmap_in_section, Node,
    Targets, TARGETS,
};
use crate::abstractions::kmap::kmap_atomic_pfn_t;
use crate::abstractions::memmap::MemMap;
use crate::abstractions::registry::{Registration, Registry};
use crate::bindings;
use crate::pfn::Pfn;
use crate::range_table::DevRange;
use crate::xorshift::Rng;

/// Fake device frames far above any physical memory (2^36 pages = 256 TiB).
const FAKE_PFN: u64 = 1 << 36;
/// Frames a run's fake ranges span at most (two per range); concurrent runs
/// take consecutive windows of this size above [`FAKE_PFN`].
const RUN_WINDOW: u64 = 2 * MAX_BENCH_RANGES as u64;
/// Windows used in turn by successive runs.
const RUN_WINDOWS: u64 = 64;
/// Slices each variant's iterations are cut into (see [`run`]).
const SLICES: u32 = 20;
/// Lookups checked before the timed loops, at most.
const CHECKED_LOOKUPS: u32 = 200_000;

/// Which window the next run takes.
static NEXT_WINDOW: AtomicU64 = AtomicU64::new(0);
/// Most ranges a run may register.
pub(crate) const MAX_BENCH_RANGES: u32 = 1024;
/// Most iterations per variant (keeps a run well under a second natively).
pub(crate) const MAX_ITERATIONS: u32 = 5_000_000;

/// Picoseconds per map+unmap for each variant: the fastest of [`SLICES`]
/// interleaved slices (the list walk runs a sixteenth of the iterations).
/// `page_ps` maps a RAM frame with [`kmap_atomic_pfn_t`] (its direct-map
/// address); `page_section_ps` does the same inside a section of its
/// own, as a device mapping takes one (`kmap_atomic()` of a page also
/// disables page faults, which this leaves out); `kmap_atomic_ps` is the
/// kernel's `kmap_atomic_pfn()` and `kunmap_atomic()` of that frame, in C.
pub(crate) struct KmapBench {
    pub(crate) registry_ps: u64,
    pub(crate) registry_held_ps: u64,
    pub(crate) list_ps: u64,
    pub(crate) page_ps: u64,
    pub(crate) page_section_ps: u64,
    pub(crate) kmap_atomic_ps: u64,
}

/// [`TARGETS`] frames from `f`, on the heap (too big for the stack).
fn targets<T>(mut f: impl FnMut() -> T) -> Result<KVec<T>> {
    let mut v = KVec::with_capacity(TARGETS, GFP_KERNEL)?;
    for _ in 0..TARGETS {
        v.push(f(), GFP_KERNEL)?;
    }
    Ok(v)
}

/// The table of `v`, which [`targets`] filled.
fn as_targets(v: &KVec<Pfn>) -> Result<&Targets> {
    v.as_slice().try_into().map_err(|_| EINVAL)
}

/// Check every answer of the registry for `nr_ranges` one-page ranges every
/// other frame from `first`, all backed by the page at `base`: a random mix
/// of registered frames (mapped at `base`) and the gaps between them
/// (`None`). `EIO` on a wrong answer.
fn check_lookups(
    registry: &Registry,
    memmap: &MemMap,
    first: u64,
    nr_ranges: u32,
    base: usize,
    lookups: u32,
) -> Result {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ first);
    for i in 0..lookups {
        let pfn = first + rng.next() % (2 * u64::from(nr_ranges));
        // SAFETY: a device frame, mapped through the registry.
        let m = unsafe { kmap_atomic_pfn_t(registry, memmap, Pfn::device(pfn), 8, 64) };
        let got = m.as_ref().map(|m| m.address());
        let want = ((pfn - first) % 2 == 0).then_some(base + 8);
        if got != want {
            pr_err!(
                "kmap bench: lookup {} of pfn {:#x} gave {:?}, want {:?}\n",
                i,
                pfn,
                got,
                want
            );
            return Err(EIO);
        }
        drop(m);
        if i % 4096 == 4095 {
            // SAFETY: process context, no lock or RCU section held.
            unsafe { bindings::rpmem_cond_resched() };
        }
    }
    Ok(())
}

/// Run the benchmark with `nr_ranges` fake ranges registered in `registry`
/// (the benchmark module's own, never rpmem's).
pub(crate) fn run(
    registry: &Arc<Registry>,
    memmap: &MemMap,
    nr_ranges: u32,
    iterations: u32,
) -> Result<KmapBench> {
    if nr_ranges == 0
        || nr_ranges > MAX_BENCH_RANGES
        || iterations == 0
        || iterations > MAX_ITERATIONS
    {
        return Err(EINVAL);
    }
    let window = NEXT_WINDOW.fetch_add(1, Ordering::Relaxed) % RUN_WINDOWS;
    let first = FAKE_PFN + window * RUN_WINDOW;
    // One real page backs every fake range, so mappings point at memory.
    let page = KBox::new([0u8; 4096], GFP_KERNEL)?;
    let base = page.as_ptr() as usize;
    let mut regs = KVec::with_capacity(nr_ranges as usize, GFP_KERNEL)?;
    let mut nodes: KVec<KBox<Node>> = KVec::with_capacity(nr_ranges as usize, GFP_KERNEL)?;
    let head = AtomicPtr::new(null_mut());
    for i in 0..u64::from(nr_ranges) {
        let range = DevRange {
            start_pfn: first + 2 * i,
            nr_pages: 1,
            base,
        };
        // SAFETY: every fake range is one page, backed by `page`, which
        // lives until after `regs` is dropped.
        let reg = unsafe { Registration::new(registry.clone(), range) }?;
        regs.push(reg, GFP_KERNEL)?;
        // New ranges go to the head, as list_add_rcu() does.
        let mut node = KBox::new(
            Node {
                range,
                next: AtomicPtr::new(head.load(Ordering::Relaxed)),
            },
            GFP_KERNEL,
        )?;
        head.store(&raw mut *node, Ordering::Release);
        nodes.push(node, GFP_KERNEL)?;
    }
    check_lookups(
        registry,
        memmap,
        first,
        nr_ranges,
        base,
        iterations.min(CHECKED_LOOKUPS),
    )?;

    // The registered frames in a pseudo-random order.
    let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ u64::from(nr_ranges));
    let devs = targets(|| Pfn::device(first + 2 * (rng.next() % u64::from(nr_ranges))))?;
    let devs = as_targets(&devs)?;

    // SAFETY: `page` is a live kmalloc buffer in the direct map.
    let frame = unsafe { bindings::rpmem_virt_to_pfn(page.as_ptr().cast()) };
    // SAFETY: kmalloc memory is RAM with a `struct page`, valid while `page`
    // lives (to the end of this function). Checked like a bio's pages.
    let ram = unsafe { Pfn::ram_checked(frame) };
    let rams = targets(|| ram)?;
    let rams = as_targets(&rams)?;
    // The same frames for the C loop, as plain frame numbers.
    let frames = targets(|| frame)?;

    // The variants take turns, a slice each, and each reports its fastest
    // slice: on a shared (or emulated) machine the load changes within a
    // run, and this way it hits all variants alike.
    let slice = (iterations / SLICES).max(1);
    let list_slice = (slice / 16).max(1);
    let mut best = [u64::MAX; 6];
    for _ in 0..SLICES {
        // SAFETY: device frames, mapped through the registry.
        best[0] = best[0].min(unsafe { time_kmap(registry, memmap, devs, slice) });
        best[1] = best[1].min(time_kmap_held(registry, devs, slice));

        let start = now_ns();
        for i in 0..list_slice {
            black_box(list_map(&head, target(devs, i).number()));
        }
        best[2] = best[2].min(per_call_ps(start, list_slice));

        // SAFETY: `ram` is our own buffer, alive for the whole loop.
        best[3] = best[3].min(unsafe { time_kmap(registry, memmap, rams, slice) });
        // SAFETY: as above.
        best[4] = best[4].min(unsafe { time_kmap_in_section(registry, memmap, rams, slice) });
        // SAFETY: `frames` holds `TARGETS` copies of our kmalloc buffer's
        // frame, RAM with a `struct page`; the C loop reads its entries
        // below `TARGETS`, maps and unmaps the frame and touches nothing.
        best[5] = best[5].min(unsafe {
            bindings::rpmem_bench_kmap_atomic_pfn(frames.as_ptr(), TARGETS as u32 - 1, slice)
        });
        // SAFETY: process context, no lock or RCU section held.
        unsafe { bindings::rpmem_cond_resched() };
    }
    let [registry_ps, registry_held_ps, list_ps, page_ps, page_section_ps, kmap_atomic_ps] = best;

    drop(regs);
    drop(nodes);
    drop(page);
    Ok(KmapBench {
        registry_ps,
        registry_held_ps,
        list_ps,
        page_ps,
        page_section_ps,
        kmap_atomic_ps,
    })
}
