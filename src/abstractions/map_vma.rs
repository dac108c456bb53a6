// SPDX-License-Identifier: GPL-2.0

//! The VMAs of a map device (`vm_area_struct`,
//! `vm_fault`): `vm_operations` that fill a page-less shared mapping on
//! fault, with the largest entry that fits (`huge_fault` at PUD and PMD
//! order, `fault` for 4 KiB), and count mappings as they are copied, split
//! and closed.

use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::ffi::{c_uint, c_ulong};
use kernel::prelude::*;
use kernel::sync::{Arc, Mutex};

use super::bindings;
use crate::map_fault::{self, FaultPlan, Vma};

/// What a map device asks of its disk.
pub(crate) trait MapOps: Send + Sync + 'static {
    /// A new mapping is being made, writable if `write`: `Err` refuses it
    /// (e.g. `EBUSY` while the block device is open for write, `EACCES` if
    /// writable on a read-only disk). `Ok(true)`: the disk is read-only,
    /// and the mapping may never be made writable (`mprotect`).
    fn map(&self, write: bool) -> Result<bool>;
    /// A mapping was copied (fork) or split: one more to count, no refusal.
    fn map_again(&self);
    /// A mapping is gone.
    fn unmap(&self);
    /// True if any of `pages` pages from disk page `pgoff` is known bad.
    fn bad(&self, pgoff: u64, pages: u64) -> bool;
    /// True if the disk is read-only: no new writable mapping, and the
    /// writable ones made before fault with `SIGBUS`.
    fn read_only(&self) -> bool;
}

/// What open files and their mappings share; outlives the device.
#[pin_data(PinnedDrop)]
pub(super) struct MapShared<T: MapOps> {
    pub(super) space: NonNull<bindings::rpmem_map_space>,
    pub(super) first_pfn: u64,
    pub(super) pages: u64,
    /// False once revoked: faults fail with `SIGBUS`, mmap with `ENODEV`.
    #[pin]
    pub(super) live: Mutex<bool>,
    pub(super) ops: Arc<T>,
}

// SAFETY: the map space is used only through functions safe on any thread
// (its locks are inside); the ops are `Send + Sync`.
unsafe impl<T: MapOps> Send for MapShared<T> {}
// SAFETY: as above.
unsafe impl<T: MapOps> Sync for MapShared<T> {}

#[pinned_drop]
impl<T: MapOps> PinnedDrop for MapShared<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: created in `MapDevice::register`, revoked (unregistered,
        // unmapped) by the device's drop before the last reference to this
        // goes: no file and no VMA uses the space any more.
        unsafe { bindings::rpmem_map_space_free(self.space.as_ptr()) };
    }
}

/// The `vm_operations` of the mappings of a `MapDevice<T>`.
pub(super) struct MapVma<T>(PhantomData<T>);

impl<T: MapOps> MapVma<T> {
    pub(super) const VM_OPS: bindings::vm_operations_struct = bindings::vm_operations_struct {
        open: Some(vm_open_callback::<T>),
        close: Some(vm_close_callback::<T>),
        fault: Some(fault_callback::<T>),
        huge_fault: Some(huge_fault_callback::<T>),
        // SAFETY: all-zero is a valid `vm_operations_struct`.
        ..unsafe { core::mem::zeroed() }
    };
}

/// The shared state of a VMA this device set up.
///
/// # Safety
///
/// `vma` was set up by `mmap_callback::<T>` and is live.
unsafe fn vma_shared<'a, T: MapOps>(q: &bindings::rpmem_vma_info) -> &'a MapShared<T> {
    // SAFETY: the caller's VMA holds the file, which holds the state.
    unsafe { &*q.private_data.cast::<MapShared<T>>() }
}

/// `vm_ops->open`: a copy (fork) or a split of a mapping.
///
/// # Safety
///
/// Called by the mm for a live VMA set up by `mmap_callback::<T>`.
unsafe extern "C" fn vm_open_callback<T: MapOps>(vma: *mut bindings::vm_area_struct) {
    // SAFETY: as the caller says; an all-zero query is valid.
    unsafe {
        let mut q: bindings::rpmem_vma_info = core::mem::zeroed();
        bindings::rpmem_vma_read(vma, &mut q);
        vma_shared::<T>(&q).ops.map_again();
    }
}

/// `vm_ops->close`: a mapping is gone.
///
/// # Safety
///
/// Called by the mm for a live VMA set up by `mmap_callback::<T>`.
unsafe extern "C" fn vm_close_callback<T: MapOps>(vma: *mut bindings::vm_area_struct) {
    // SAFETY: as the caller says; an all-zero query is valid.
    unsafe {
        let mut q: bindings::rpmem_vma_info = core::mem::zeroed();
        bindings::rpmem_vma_read(vma, &mut q);
        vma_shared::<T>(&q).ops.unmap();
    }
}

/// `vm_ops->fault`: a 4 KiB entry.
///
/// # Safety
///
/// Called by the mm for a fault in a VMA set up by `mmap_callback::<T>`.
unsafe extern "C" fn fault_callback<T: MapOps>(
    vmf: *mut bindings::vm_fault,
) -> bindings::vm_fault_t {
    // SAFETY: as the caller says.
    unsafe { huge_fault_callback::<T>(vmf, 0) }
}

/// `vm_ops->huge_fault`: an entry of `4 KiB << order`, or
/// `VM_FAULT_FALLBACK` for the mm to try a smaller one.
///
/// # Safety
///
/// Called by the mm for a fault in a VMA set up by `mmap_callback::<T>`,
/// with the `mmap_lock` (or the VMA lock) held.
unsafe extern "C" fn huge_fault_callback<T: MapOps>(
    vmf: *mut bindings::vm_fault,
    order: c_uint,
) -> bindings::vm_fault_t {
    let (mut address, mut write): (c_ulong, bool) = (0, false);
    // SAFETY: `vmf` is the live fault; an all-zero query is valid.
    let q = unsafe {
        let mut q: bindings::rpmem_vma_info = core::mem::zeroed();
        bindings::rpmem_vmf_query(vmf, &mut q, &mut address, &mut write);
        q
    };
    // SAFETY: the fault's VMA is ours and live.
    let shared = unsafe { vma_shared::<T>(&q) };
    let vma = Vma {
        start: q.start as u64,
        end: q.end as u64,
        pgoff: q.pgoff as u64,
    };
    let sigbus = bindings::vm_fault_reason_VM_FAULT_SIGBUS as bindings::vm_fault_t;
    let fallback = bindings::vm_fault_reason_VM_FAULT_FALLBACK as bindings::vm_fault_t;
    let pgoff = match map_fault::plan(vma, address as u64, order, shared.first_pfn, shared.pages) {
        FaultPlan::Insert { pgoff, .. } => pgoff,
        FaultPlan::Fallback => return fallback,
        FaultPlan::OutOfRange => return sigbus,
    };
    let live = shared.live.lock();
    if !*live {
        return sigbus;
    }
    // An entry carries the VMA's protection: a writable mapping of a disk
    // that became read-only must not get one, even for a load.
    if q.write && shared.ops.read_only() {
        return sigbus;
    }
    if shared.ops.bad(pgoff, 1 << order) {
        return if order == 0 { sigbus } else { fallback };
    }
    // SAFETY: the frame range lies within the device's frames (planned
    // above), which stay mapped and claimed while `live` is true (held):
    // the revoke that ends it zaps this entry after we drop the lock.
    let ret = unsafe {
        bindings::rpmem_vmf_insert_pfn(vmf, (shared.first_pfn + pgoff) as c_ulong, order, write)
    };
    drop(live);
    ret
}
