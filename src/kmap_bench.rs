// SPDX-License-Identifier: GPL-2.0

//! In-kernel micro-benchmark of [`kmap_atomic_pfn_t`]: the registry lookup
//! against the 2015 design (a linked list walked under RCU on every map)
//! and against a RAM page through `kmap_local_page()`.

use core::hint::black_box;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};

use kernel::prelude::*;
use kernel::sync::rcu;

use crate::bindings;
use crate::kmap::{kmap_atomic_pfn_t, kmap_device_in};
use crate::pfn::{Pfn, PAGE_SHIFT};
use crate::range_table::DevRange;
use crate::registry::Registration;

/// Fake device frames far above any physical memory (2^36 pages = 256 TiB).
const FAKE_PFN: u64 = 1 << 36;
/// Most ranges a run may register.
pub(crate) const MAX_BENCH_RANGES: u32 = 1024;
/// Most iterations per variant (keeps a run well under a second natively).
pub(crate) const MAX_ITERATIONS: u32 = 5_000_000;

/// Picoseconds per map+unmap for each variant.
pub(crate) struct KmapBench {
    pub(crate) registry_ps: u64,
    pub(crate) registry_held_ps: u64,
    pub(crate) list_ps: u64,
    pub(crate) page_ps: u64,
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

fn per_call_ps(start: i64, iterations: u32) -> u64 {
    let ns = (now_ns() - start).max(0) as u64;
    ns * 1000 / u64::from(iterations)
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

/// Run the benchmark with `nr_ranges` registered fake ranges.
pub(crate) fn run(nr_ranges: u32, iterations: u32) -> Result<KmapBench> {
    if nr_ranges == 0
        || nr_ranges > MAX_BENCH_RANGES
        || iterations == 0
        || iterations > MAX_ITERATIONS
    {
        return Err(EINVAL);
    }
    // One real page backs every fake range, so mappings point at memory.
    let page = KBox::new([0u8; 4096], GFP_KERNEL)?;
    let base = page.as_ptr() as usize;
    let mut regs = KVec::with_capacity(nr_ranges as usize, GFP_KERNEL)?;
    let mut nodes: KVec<KBox<Node>> = KVec::with_capacity(nr_ranges as usize, GFP_KERNEL)?;
    let head = AtomicPtr::new(null_mut());
    for i in 0..u64::from(nr_ranges) {
        let range = DevRange {
            start_pfn: FAKE_PFN + 2 * i,
            nr_pages: 1,
            base,
        };
        // SAFETY: every fake range is one page, backed by `page`, which
        // lives until after `regs` is dropped.
        regs.push(unsafe { Registration::new(range) }?, GFP_KERNEL)?;
        // New ranges go to the head, as list_add_rcu() does; the first range
        // ends up last, and it is the one we look up (a full walk).
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
    let target = Pfn::device(FAKE_PFN);

    let start = now_ns();
    for _ in 0..iterations {
        // SAFETY: a device frame, mapped through the registry.
        let m = unsafe { kmap_atomic_pfn_t(black_box(target), 0, 64) };
        black_box(m.as_ref().map(|m| m.as_ptr()));
    }
    let registry_ps = per_call_ps(start, iterations);

    // The same lookups inside one RCU section, as a batch of mappings (the
    // vectors of one bio) takes them.
    let rcu = rcu::read_lock();
    let start = now_ns();
    for _ in 0..iterations {
        let m = kmap_device_in(&rcu, black_box(target), 0, 64);
        black_box(m.as_ref().map(|m| m.as_ptr()));
    }
    let registry_held_ps = per_call_ps(start, iterations);
    drop(rcu);

    let start = now_ns();
    for _ in 0..iterations {
        black_box(list_map(&head, black_box(target.number())));
    }
    let list_ps = per_call_ps(start, iterations);

    // SAFETY: `page` is a live kmalloc buffer in the direct map.
    let frame = unsafe { bindings::rpmem_virt_to_pfn(page.as_ptr().cast()) };
    // SAFETY: kmalloc memory is RAM with a `struct page`, valid while `page`
    // lives (to the end of this function). Checked like a bio's pages.
    let ram = unsafe { Pfn::ram_checked(frame) };
    let start = now_ns();
    for _ in 0..iterations {
        // SAFETY: `ram` is our own buffer, alive for the whole loop.
        let m = unsafe { kmap_atomic_pfn_t(black_box(ram), 0, 64) };
        black_box(m.as_ref().map(|m| m.as_ptr()));
    }
    let page_ps = per_call_ps(start, iterations);

    drop(regs);
    drop(nodes);
    drop(page);
    Ok(KmapBench {
        registry_ps,
        registry_held_ps,
        list_ps,
        page_ps,
    })
}
