// SPDX-License-Identifier: GPL-2.0

//! In-kernel copy bandwidth: the physical limit for a memory-backed block
//! device. Copies between two 1 MiB vmalloc buffers in 4 KiB pieces, as both
//! pmem drivers do per page, with plain `memcpy`, `copy_mc_to_kernel` (the
//! read primitive) and `__memcpy_flushcache` (the write primitive).

use kernel::prelude::*;

use crate::bindings;
use crate::pfn::PAGE_SIZE;

const BUF: usize = 1 << 20;
/// Most MiB per primitive (keeps a run to seconds under TCG).
pub(crate) const MAX_MIB: u32 = 4096;

/// KiB/s per primitive.
pub(crate) struct CopyBench {
    pub(crate) memcpy_kibs: u64,
    pub(crate) copy_mc_kibs: u64,
    pub(crate) flushcache_kibs: u64,
}

#[derive(Clone, Copy)]
enum Primitive {
    Memcpy,
    CopyMc,
    Flushcache,
}

fn kibs(mib: u32, start: i64) -> u64 {
    // SAFETY: reads the monotonic clock; no preconditions.
    let ns = (unsafe { bindings::ktime_get() } - start).max(1) as u64;
    u64::from(mib) * 1024 * 1_000_000_000 / ns
}

fn time(prim: Primitive, dst: &mut VVec<u8>, src: &VVec<u8>, mib: u32) -> u64 {
    let (d, s) = (dst.as_mut_ptr(), src.as_ptr());
    // SAFETY: reads the monotonic clock; no preconditions.
    let start = unsafe { bindings::ktime_get() };
    for _ in 0..mib {
        for off in (0..BUF).step_by(PAGE_SIZE) {
            // SAFETY: both buffers hold `BUF` bytes, `off + PAGE_SIZE <= BUF`,
            // and they do not overlap; none of these sleeps.
            unsafe {
                let (d, s) = (d.add(off), s.add(off));
                match prim {
                    Primitive::Memcpy => core::ptr::copy_nonoverlapping(s, d, PAGE_SIZE),
                    Primitive::CopyMc => {
                        // RAM has no poison: nothing is ever left uncopied.
                        let _left =
                            bindings::copy_mc_to_kernel(d.cast(), s.cast(), PAGE_SIZE as u32);
                    }
                    Primitive::Flushcache => {
                        bindings::__memcpy_flushcache(d.cast(), s.cast(), PAGE_SIZE);
                    }
                }
            }
        }
        // Keep the compiler from merging passes over the same buffers.
        core::hint::black_box(d);
        // The loop may take a while under emulation; stay preemptible.
        // SAFETY: process context (an ioctl), no locks held.
        unsafe { bindings::rpmem_cond_resched() };
    }
    kibs(mib, start)
}

/// Copy `mib` MiB with each primitive.
pub(crate) fn run(mib: u32) -> Result<CopyBench> {
    if mib == 0 || mib > MAX_MIB {
        return Err(EINVAL);
    }
    let src = VVec::from_elem(0x5au8, BUF, GFP_KERNEL)?;
    let mut dst = VVec::from_elem(0u8, BUF, GFP_KERNEL)?;
    Ok(CopyBench {
        memcpy_kibs: time(Primitive::Memcpy, &mut dst, &src, mib),
        copy_mc_kibs: time(Primitive::CopyMc, &mut dst, &src, mib),
        flushcache_kibs: time(Primitive::Flushcache, &mut dst, &src, mib),
    })
}
