// SPDX-License-Identifier: GPL-2.0

//! The timed loops of the kmap benchmark ([`super::kmap_bench`]): each maps
//! 64 bytes of the next frame of a table of [`TARGETS`] frames and keeps
//! the address. Out of line, so that each is compiled on its own, and the
//! device and RAM variants of `kmap_atomic_pfn_t()` run the very same
//! machine code ([`time_kmap`]), only on different frames.

use core::arch::asm;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicPtr, Ordering};

use kernel::sync::rcu;

use crate::abstractions::kmap::{kmap_atomic_pfn_t, kmap_device_in};
use crate::abstractions::memmap::MemMap;
use crate::abstractions::pfn_mapping::{PfnMapping, Pmem};
use crate::abstractions::preempt::Section;
use crate::abstractions::registry::Registry;
use crate::bindings;
use crate::pfn::{Pfn, PAGE_SHIFT};
use crate::range_table::DevRange;

/// Frames in the table each timed loop walks (a power of two).
pub(crate) const TARGETS: usize = 4096;

/// The frames a timed loop maps, in turn.
pub(crate) type Targets = [Pfn; TARGETS];

/// A node of the 2015-style range list.
pub(crate) struct Node {
    pub(crate) range: DevRange,
    pub(crate) next: AtomicPtr<Node>,
}

/// Nanoseconds of the monotonic clock.
pub(crate) fn now_ns() -> i64 {
    // SAFETY: reads the monotonic clock; no preconditions.
    unsafe { bindings::ktime_get() }
}

/// Picoseconds per call for `iterations` calls since `start`.
pub(crate) fn per_call_ps(start: i64, iterations: u32) -> u64 {
    let ns = now_ns().saturating_sub(start).max(0) as u64;
    ns.saturating_mul(1000) / u64::from(iterations.max(1))
}

/// The frame for iteration `i`: a masked index, so no bounds check. The
/// table is on the heap, filled at run time: the compiler cannot know its
/// frames (RAM or device), so each is loaded and classified as it comes.
#[inline(always)]
pub(crate) fn target(targets: &Targets, i: u32) -> Pfn {
    targets[i as usize & (TARGETS - 1)]
}

/// Keep a mapping's address (one word, in a register, as the C reference
/// keeps its own), so that it must be computed, and drop the mapping.
#[inline(always)]
fn keep(m: Option<PfnMapping<'_, Pmem>>) {
    let addr = m.as_ref().map_or(null_mut(), |m| m.address() as *mut u8);
    // SAFETY: an empty asm that reads `addr` from a register; without
    // `nomem` the compiler also takes it to touch memory, as the C loop's
    // `asm volatile("" : : "r" (addr) : "memory")` does.
    unsafe { asm!("/* {0} */", in(reg) addr, options(nostack, preserves_flags)) };
}

/// The 2015 lookup: walk the list under RCU until a range holds `pfn`.
#[inline(never)]
pub(crate) fn list_map(head: &AtomicPtr<Node>, pfn: u64) -> Option<usize> {
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

/// Picoseconds per mapping of 64 bytes of each of `n` frames of `targets`
/// with [`kmap_atomic_pfn_t`] (a device frame takes its own section).
///
/// # Safety
///
/// RAM frames in `targets` must be memory the caller may read and write
/// (see [`kmap_atomic_pfn_t`]).
#[inline(never)]
pub(crate) unsafe fn time_kmap(
    registry: &Registry,
    memmap: &MemMap,
    targets: &Targets,
    n: u32,
) -> u64 {
    let start = now_ns();
    for i in 0..n {
        // SAFETY: the caller vouches for the RAM frames; device frames are
        // mapped through the registry.
        keep(unsafe { kmap_atomic_pfn_t(registry, memmap, target(targets, i), 0, 64) });
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
pub(crate) unsafe fn time_kmap_in_section(
    registry: &Registry,
    memmap: &MemMap,
    targets: &Targets,
    n: u32,
) -> u64 {
    let start = now_ns();
    for i in 0..n {
        let section = Section::enter();
        // SAFETY: as in `time_kmap`.
        keep(unsafe { kmap_atomic_pfn_t(registry, memmap, target(targets, i), 0, 64) });
        drop(section);
    }
    per_call_ps(start, n)
}

/// The device frames of `targets` mapped inside one RCU section, as a
/// batch of mappings (the vectors of one bio) takes them.
#[inline(never)]
pub(crate) fn time_kmap_held(registry: &Registry, targets: &Targets, n: u32) -> u64 {
    let rcu = rcu::read_lock();
    let start = now_ns();
    for i in 0..n {
        keep(kmap_device_in(registry, &rcu, target(targets, i), 0, 64));
    }
    let ps = per_call_ps(start, n);
    drop(rcu);
    ps
}
