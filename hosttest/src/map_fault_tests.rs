// SPDX-License-Identifier: GPL-2.0

//! Where a fault in a disk's load/store mapping lands (src/logic/map_fault.rs).

use crate::map_fault::*;

const K: u64 = 4096;
const M2: u64 = 2 << 20;
const G1: u64 = 1 << 30;

fn vma(start: u64, len: u64, pgoff: u64) -> Vma {
    Vma {
        start,
        end: start + len,
        pgoff,
    }
}

#[test]
fn aligned_whole_disk_takes_pud_and_pmd_entries() {
    let v = vma(G1, 2 * G1, 0);
    // first_pfn 1 GiB aligned (0x100000 pages = 4 GiB).
    assert_eq!(
        plan(v, G1 + 12345, 18, 0x100000, 2 * G1 / K),
        FaultPlan::Insert { addr: G1, pgoff: 0 }
    );
    assert_eq!(
        plan(v, 2 * G1 + M2 + 5, 9, 0x100000, 2 * G1 / K),
        FaultPlan::Insert {
            addr: 2 * G1 + M2,
            pgoff: (G1 + M2) / K
        }
    );
}

#[test]
fn misaligned_frames_or_addresses_fall_back() {
    // The frame is 2 MiB aligned only: a PUD entry does not fit.
    let v = vma(G1, G1, 0);
    assert_eq!(plan(v, G1, 18, 512, G1 / K), FaultPlan::Fallback);
    assert_eq!(
        plan(v, G1, 9, 512, G1 / K),
        FaultPlan::Insert { addr: G1, pgoff: 0 }
    );
    // A mapping from page 1: the address is aligned, the frame is not.
    let v = vma(G1, 8 << 20, 1);
    assert_eq!(plan(v, G1, 9, 0, G1 / K), FaultPlan::Fallback);
    assert_eq!(
        plan(v, G1 + 5, 0, 0, G1 / K),
        FaultPlan::Insert { addr: G1, pgoff: 1 }
    );
    // The entry would reach past the VMA.
    let v = vma(G1, M2 - K, 0);
    assert_eq!(plan(v, G1, 9, 0, G1 / K), FaultPlan::Fallback);
}

#[test]
fn past_the_disk_is_out_of_range_for_base_pages() {
    let v = vma(G1, 4 * K, 0);
    assert_eq!(plan(v, G1 + 3 * K, 0, 0, 3), FaultPlan::OutOfRange);
    assert_eq!(
        plan(v, G1 + 2 * K, 0, 0, 3),
        FaultPlan::Insert {
            addr: G1 + 2 * K,
            pgoff: 2
        }
    );
    assert_eq!(plan(v, G1, 9, 0, 3), FaultPlan::Fallback);
    assert_eq!(plan(v, u64::MAX, 40, 0, 3), FaultPlan::Fallback);
}

#[test]
fn mmap_ranges_must_lie_within_the_disk() {
    assert!(range_fits(0, 1 << 30, 1 << 18));
    assert!(range_fits((1 << 18) - 1, K, 1 << 18));
    assert!(!range_fits((1 << 18) - 1, 2 * K, 1 << 18));
    assert!(!range_fits(1 << 18, K, 1 << 18));
    assert!(!range_fits(u64::MAX, K, 1 << 18));
    assert!(!range_fits(0, u64::MAX, 1 << 18));
}
