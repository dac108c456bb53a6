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

use core::arch::asm;
use core::hint::black_box;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

use kernel::prelude::*;
use kernel::sync::rcu;

use crate::bindings;
use crate::kmap::{kmap_atomic_pfn_t, kmap_device_in, PfnMapping};
use crate::pfn::{Pfn, PAGE_SHIFT};
use crate::range_table::DevRange;
use crate::read_section::Section;
use crate::registry::Registration;
use crate::xorshift::Rng;

/// Fake device frames far above any physical memory (2^36 pages = 256 TiB).
const FAKE_PFN: u64 = 1 << 36;
/// Frames a run's fake ranges span at most (two per range); concurrent runs
/// take consecutive windows of this size above [`FAKE_PFN`].
const RUN_WINDOW: u64 = 2 * MAX_BENCH_RANGES as u64;
/// Windows used in turn by successive runs.
const RUN_WINDOWS: u64 = 64;
/// Frames in the table each timed loop walks (a power of two).
const TARGETS: usize = 4096;
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
/// address); `page_section_ps` does the same inside a [`Section`] of its
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

/// A node of the 2015-style range list.
struct Node {
    range: DevRange,
    next: AtomicPtr<Node>,
}

fn now_ns() -> i64 {
    // SAFETY: reads the monotonic clock; no preconditions.
    unsafe { bindings::ktime_get() }
}

/// The frames a timed loop maps, in turn.
type Targets = [Pfn; TARGETS];

/// The frame for iteration `i`: a masked index, so no bounds check. The
/// table is on the heap, filled at run time: the compiler cannot know its
/// frames (RAM or device), so each is loaded and classified as it comes.
#[inline(always)]
fn target(targets: &Targets, i: u32) -> Pfn {
    targets[i as usize & (TARGETS - 1)]
}

/// Keep a mapping's address (one word, in a register, as the C reference
/// keeps its own), so that it must be computed, and drop the mapping.
#[inline(always)]
fn keep(m: Option<PfnMapping<'_>>) {
    let addr = m.as_ref().map_or(null_mut(), |m| m.as_ptr());
    // SAFETY: an empty asm that reads `addr` from a register; without
    // `nomem` the compiler also takes it to touch memory, as the C loop's
    // `asm volatile("" : : "r" (addr) : "memory")` does.
    unsafe { asm!("/* {0} */", in(reg) addr, options(nostack, preserves_flags)) };
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

fn per_call_ps(start: i64, iterations: u32) -> u64 {
    // No panic path (objtool takes a division-by-zero panic for a call
    // that returns): the clock is monotonic and `iterations` at least 1.
    let ns = now_ns().saturating_sub(start).max(0) as u64;
    ns.saturating_mul(1000) / u64::from(iterations.max(1))
}

/// The 2015 lookup: walk the list under RCU until a range holds `pfn`.
#[inline(never)]
fn list_map(head: &AtomicPtr<Node>, pfn: u64) -> Option<usize> {
    let _rcu = rcu::read_lock();
    let mut p = head.load(Ordering::Acquire);
    while !p.is_null() {
        // SAFETY: nodes outlive the benchmark loop; read-side section held.
        let node = unsafe { &*p };
        if node.range.contains(pfn) {
            return Some(node.range.base + (((pfn - node.range.start_pfn) << PAGE_SHIFT) as usize));
        }
        p = node.next.load(Ordering::Acquire);
    }
    None
}

// The timed loops: out of line, so that each is compiled on its own, and
// the device and RAM variants of `kmap_atomic_pfn_t()` run the very same
// machine code (`time_kmap`), only on different frames. They, and the C
// loop (bindings/shim.c), share one section aligned to a page, and lie in
// that page (together well under 4 KiB): under QEMU TCG a jump into another
// guest page is not chained to the next translation block but looked up,
// and a loop that happened to straddle a page boundary measured twice as
// slow after unrelated changes elsewhere in the module had moved it.
core::arch::global_asm!(
    ".pushsection .text.rpmem_timed_loops,\"ax\",@progbits",
    ".balign 4096",
    ".popsection"
);

/// Picoseconds per mapping of 64 bytes of each of `n` frames of `targets`
/// with [`kmap_atomic_pfn_t`] (a device frame takes its own section).
///
/// # Safety
///
/// RAM frames in `targets` must be memory the caller may read and write
/// (see [`kmap_atomic_pfn_t`]).
#[inline(never)]
#[link_section = ".text.rpmem_timed_loops"]
unsafe fn time_kmap(targets: &Targets, n: u32) -> u64 {
    let start = now_ns();
    for i in 0..n {
        // SAFETY: the caller vouches for the RAM frames; device frames are
        // mapped through the registry.
        let m = unsafe { kmap_atomic_pfn_t(target(targets, i), 0, 64) };
        keep(m);
    }
    per_call_ps(start, n)
}

/// [`time_kmap`] inside a section of its own around each mapping, as
/// `kmap_atomic()` of a page takes one (preemption disabled).
///
/// # Safety
///
/// As for [`time_kmap`].
#[inline(never)]
#[link_section = ".text.rpmem_timed_loops"]
unsafe fn time_kmap_in_section(targets: &Targets, n: u32) -> u64 {
    let start = now_ns();
    for i in 0..n {
        let section = Section::enter();
        // SAFETY: as in `time_kmap`.
        let m = unsafe { kmap_atomic_pfn_t(target(targets, i), 0, 64) };
        keep(m);
        drop(section);
    }
    per_call_ps(start, n)
}

/// The device frames of `targets` mapped inside one RCU section, as a
/// batch of mappings (the vectors of one bio) takes them.
#[inline(never)]
#[link_section = ".text.rpmem_timed_loops"]
fn time_kmap_held(targets: &Targets, n: u32) -> u64 {
    let rcu = rcu::read_lock();
    let start = now_ns();
    for i in 0..n {
        let m = kmap_device_in(&rcu, target(targets, i), 0, 64);
        keep(m);
    }
    let ps = per_call_ps(start, n);
    drop(rcu);
    ps
}

/// Check every answer of the registry for `nr_ranges` one-page ranges every
/// other frame from `first`, all backed by the page at `base`: a random mix
/// of registered frames (mapped at `base`) and the gaps between them
/// (`None`). `EIO` on a wrong answer.
fn check_lookups(first: u64, nr_ranges: u32, base: usize, lookups: u32) -> Result {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ first);
    for i in 0..lookups {
        let pfn = first + rng.next() % (2 * u64::from(nr_ranges));
        // SAFETY: a device frame, mapped through the registry.
        let m = unsafe { kmap_atomic_pfn_t(Pfn::device(pfn), 8, 64) };
        let got = m.as_ref().map(|m| m.as_ptr() as usize);
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

/// Run the benchmark with `nr_ranges` registered fake ranges.
pub(crate) fn run(nr_ranges: u32, iterations: u32) -> Result<KmapBench> {
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
        regs.push(unsafe { Registration::new(range) }?, GFP_KERNEL)?;
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
    check_lookups(first, nr_ranges, base, iterations.min(CHECKED_LOOKUPS))?;

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
        best[0] = best[0].min(unsafe { time_kmap(devs, slice) });
        best[1] = best[1].min(time_kmap_held(devs, slice));

        let start = now_ns();
        for i in 0..list_slice {
            black_box(list_map(&head, target(devs, i).number()));
        }
        best[2] = best[2].min(per_call_ps(start, list_slice));

        // SAFETY: `ram` is our own buffer, alive for the whole loop.
        best[3] = best[3].min(unsafe { time_kmap(rams, slice) });
        // SAFETY: as above.
        best[4] = best[4].min(unsafe { time_kmap_in_section(rams, slice) });
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
