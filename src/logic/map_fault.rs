// SPDX-License-Identifier: GPL-2.0

//! Where a fault in a load/store mapping of a disk lands: which page of the
//! disk, and whether an entry of the size asked for (4 KiB, 2 MiB, 1 GiB)
//! fits there. Pure arithmetic, shared with the host tests.

/// Bytes in a base page.
const PAGE: u64 = 4096;

/// A VMA as the fault sees it: `[start, end)` maps the disk from page
/// `pgoff`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Vma {
    /// First address.
    pub(crate) start: u64,
    /// End address (exclusive).
    pub(crate) end: u64,
    /// The disk page at `start`.
    pub(crate) pgoff: u64,
}

/// What to do with a fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FaultPlan {
    /// Map `1 << order` pages from disk page `pgoff` at address `addr`.
    Insert {
        /// The entry's (aligned) address.
        addr: u64,
        /// The disk page it maps first.
        pgoff: u64,
    },
    /// An entry this large does not fit here: try a smaller one.
    Fallback,
    /// Beyond the disk (only for base pages): `SIGBUS`.
    OutOfRange,
}

/// Plan a fault at `address` for an entry of `PAGE << order` bytes, in
/// `vma`, over a disk of `pages` pages whose first frame is `first_pfn`.
/// An entry must lie within the VMA and the disk, and its frame must be
/// aligned to its size (the page-table entry maps an aligned frame).
pub(crate) fn plan(vma: Vma, address: u64, order: u32, first_pfn: u64, pages: u64) -> FaultPlan {
    let fallback = if order == 0 {
        FaultPlan::OutOfRange
    } else {
        FaultPlan::Fallback
    };
    if order >= 32 {
        return fallback;
    }
    let size = PAGE << order;
    let addr = address & !(size - 1);
    let Some(end) = addr.checked_add(size) else {
        return fallback;
    };
    if addr < vma.start || end > vma.end {
        return fallback;
    }
    let Some(pgoff) = vma.pgoff.checked_add((addr - vma.start) / PAGE) else {
        return fallback;
    };
    match pgoff.checked_add(1 << order) {
        Some(last) if last <= pages => {}
        _ => return fallback,
    }
    if (first_pfn + pgoff) % (1 << order) != 0 {
        return FaultPlan::Fallback;
    }
    FaultPlan::Insert { addr, pgoff }
}

/// True if a mapping of `len` bytes from disk byte `offset` lies within a
/// disk of `pages` pages.
pub(crate) fn range_fits(offset_pages: u64, len: u64, pages: u64) -> bool {
    let Some(len_pages) = len.checked_add(PAGE - 1).map(|l| l / PAGE) else {
        return false;
    };
    offset_pages
        .checked_add(len_pages)
        .is_some_and(|end| end <= pages)
}
