// SPDX-License-Identifier: GPL-2.0

//! [`MapDevice`]: a misc character device whose `mmap` maps a disk's
//! frames into user space as a shared `VM_PFNMAP` mapping, with no
//! `struct page`: faults insert 1 GiB (PUD) or 2 MiB (PMD) entries where the
//! address and the frame are aligned, 4 KiB entries otherwise, as VFIO maps
//! PCI BARs. Every open file shares one `address_space`, so dropping the
//! device revokes every mapping (`unmap_mapping_range`): later faults get
//! `SIGBUS`, never memory that is gone. The same range is registered with
//! `register_pfn_address_space()`, so a machine check on a mapped frame
//! kills the processes that map it. The `file_operations` name this module
//! as owner: an open file (and so a mapping) pins the module.

use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::ffi::c_int;
use kernel::prelude::*;
use kernel::str::CString;
use kernel::sync::{Arc, ArcBorrow};
use kernel::types::{ForeignOwnable, Opaque};

use super::bindings;
pub(crate) use super::map_vma::MapOps;
use super::map_vma::{MapShared, MapVma};
use crate::map_fault;

/// A registered map device (`/dev/<name>`); revokes every mapping on drop.
#[pin_data(PinnedDrop)]
pub(crate) struct MapDevice<T: MapOps> {
    #[pin]
    misc: Opaque<bindings::miscdevice>,
    name: CString,
    shared: Arc<MapShared<T>>,
}

// SAFETY: registration and deregistration may happen on any thread.
unsafe impl<T: MapOps> Send for MapDevice<T> {}
// SAFETY: `&MapDevice` gives nothing but the registration's own use.
unsafe impl<T: MapOps> Sync for MapDevice<T> {}

struct Vtable<T>(PhantomData<T>);

impl<T: MapOps> Vtable<T> {
    const FOPS: bindings::file_operations = bindings::file_operations {
        owner: (&raw const bindings::__this_module).cast_mut(),
        open: Some(open_callback::<T>),
        release: Some(release_callback::<T>),
        mmap: Some(mmap_callback::<T>),
        get_unmapped_area: Some(bindings::rpmem_get_unmapped_area),
        // SAFETY: all-zero is a valid `file_operations` (no callbacks).
        ..unsafe { core::mem::zeroed() }
    };
}

impl<T: MapOps> MapDevice<T> {
    /// Register `/dev/<name>` (mode 0600) mapping `pages` pages of device
    /// frames from `first_pfn`. The caller keeps the frames mapped and
    /// claimed until the device is dropped.
    pub(crate) fn register(
        name: CString,
        first_pfn: u64,
        pages: u64,
        ops: Arc<T>,
    ) -> Result<Pin<KBox<Self>>> {
        if pages == 0 {
            return Err(EINVAL);
        }
        // SAFETY: allocates and initialises a map space; NULL on failure.
        let space = NonNull::new(unsafe { bindings::rpmem_map_space_create(first_pfn, pages) })
            .ok_or(ENOMEM)?;
        let shared = Arc::pin_init(
            pin_init!(MapShared {
                space,
                first_pfn,
                pages,
                live <- kernel::new_mutex!(true),
                ops,
            }),
            GFP_KERNEL,
        )?;
        // The name's buffer stays put when the `CString` moves into the
        // device.
        let name_ptr = name.as_char_ptr();
        KBox::try_pin_init(
            try_pin_init!(Self {
                name,
                shared,
                misc <- Opaque::try_ffi_init(move |slot: *mut bindings::miscdevice| {
                    // SAFETY: `slot` is valid for writes and pinned; all-zero
                    // is a valid `miscdevice`. The name is owned by the device
                    // (initialised before this field) and the operations are
                    // static; the device is deregistered in `drop` before
                    // either goes.
                    unsafe {
                        core::ptr::write_bytes(slot, 0, 1);
                        (*slot).minor = bindings::MISC_DYNAMIC_MINOR as i32;
                        (*slot).name = name_ptr;
                        (*slot).mode = 0o600;
                        (*slot).fops = &Vtable::<T>::FOPS;
                        kernel::error::to_result(bindings::misc_register(slot))
                    }
                }),
            }),
            GFP_KERNEL,
        )
    }
}

impl<T: MapOps> MapDevice<T> {
    /// Zap every entry of every mapping: the next access faults again and
    /// the fault asks [`MapOps::bad`] and [`MapOps::read_only`] afresh. For
    /// bad blocks found while mapped, and a disk that became read-only: a
    /// page that became bad is never reached, nor a read-only disk written,
    /// through an entry inserted before.
    pub(crate) fn zap(&self) {
        // A fault checks the disk's state and inserts its entry under `live`:
        // one that checked before the caller's update has inserted by now,
        // and is zapped; one that comes later sees the update.
        let _live = self.shared.live.lock();
        // SAFETY: the space is live while the device is.
        unsafe { bindings::rpmem_map_space_zap(self.shared.space.as_ptr()) };
    }
}

#[pinned_drop]
impl<T: MapOps> PinnedDrop for MapDevice<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: registered in `register`; after this no open can start.
        unsafe { bindings::misc_deregister(self.misc.get()) };
        *self.shared.live.lock() = false;
        // SAFETY: the space is live (the shared state holds it). With
        // `live` false no fault inserts an entry any more; this zaps those
        // inserted before, and unregisters the frames from memory-failure
        // handling before the caller releases them.
        unsafe { bindings::rpmem_map_space_revoke(self.shared.space.as_ptr()) };
    }
}

/// `open`: `misc_open()` has put the `miscdevice` in `private_data`, under
/// the misc lock that deregistration also takes; replace it with a
/// reference on the shared state, and make the file use its mapping.
///
/// # Safety
///
/// Called by `misc_open()` for a registered [`MapDevice<T>`].
unsafe extern "C" fn open_callback<T: MapOps>(
    inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    // SAFETY: `private_data` is the `miscdevice` of a registered
    // `MapDevice<T>`, live under the misc lock held around this call.
    let dev = unsafe {
        let misc = bindings::rpmem_file_private(file).cast::<u8>();
        let offset = core::mem::offset_of!(MapDevice<T>, misc);
        &*misc.sub(offset).cast::<MapDevice<T>>()
    };
    // SAFETY: `file` is being opened.
    if unsafe { bindings::rpmem_file_writable_mode(file) } && dev.shared.ops.read_only() {
        return EROFS.to_errno();
    }
    let shared = dev.shared.clone();
    // SAFETY: the file is being opened: `private_data` and `f_mapping` are
    // ours to set. The space lives as long as the shared state, which the
    // file holds until `release_callback`.
    unsafe {
        bindings::rpmem_map_space_open(shared.space.as_ptr(), file, inode);
        bindings::rpmem_file_set_private(file, shared.into_foreign().cast());
    }
    0
}

/// `release`: drop the file's reference on the shared state.
///
/// # Safety
///
/// Called once, for a file `open_callback` opened, after its last mapping
/// is gone (a VMA holds its file).
unsafe extern "C" fn release_callback<T: MapOps>(
    _inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    // SAFETY: `private_data` holds the reference `open_callback` took.
    let shared = unsafe {
        <Arc<MapShared<T>> as ForeignOwnable>::from_foreign(
            bindings::rpmem_file_private(file).cast(),
        )
    };
    // SAFETY: the file was counted open in `open_callback`; the space
    // lives while `shared` does.
    unsafe { bindings::rpmem_map_space_release(shared.space.as_ptr()) };
    0
}

/// `mmap`: check the request, then make the VMA a page-less mapping that
/// the fault callbacks fill.
///
/// # Safety
///
/// Called for a file `open_callback` opened, with a new VMA not yet in the
/// address space (`mmap_lock` held for write).
unsafe extern "C" fn mmap_callback<T: MapOps>(
    file: *mut bindings::file,
    vma: *mut bindings::vm_area_struct,
) -> c_int {
    // SAFETY: `private_data` holds a reference until release, which cannot
    // run during a call on the file.
    let shared: ArcBorrow<'_, MapShared<T>> = unsafe {
        <Arc<MapShared<T>> as ForeignOwnable>::borrow(bindings::rpmem_file_private(file).cast())
    };
    // SAFETY: an all-zero query is valid; `vma` is the new VMA.
    let q = unsafe {
        let mut q: bindings::rpmem_vma_info = core::mem::zeroed();
        bindings::rpmem_vma_read(vma, &mut q);
        q
    };
    if !q.shared {
        pr_info!("rpmem: mmap of a map device must be MAP_SHARED (EINVAL)\n");
        return EINVAL.to_errno();
    }
    let len = (q.end - q.start) as u64;
    if !map_fault::range_fits(q.pgoff as u64, len, shared.pages) {
        pr_info!("rpmem: mmap beyond the end of the disk (ENXIO)\n");
        return ENXIO.to_errno();
    }
    let live = shared.live.lock();
    if !*live {
        return ENODEV.to_errno();
    }
    let read_only = match shared.ops.map(q.write) {
        Ok(read_only) => read_only,
        Err(e) => return e.to_errno(),
    };
    drop(live);
    let data: *const MapShared<T> = &*shared;
    // SAFETY: `vma` is new and ours to set up. `data` lives as long as the
    // VMA: the VMA holds the file, the file a reference on it. The counted
    // mapping is uncounted by `vm_close_callback`.
    unsafe {
        bindings::rpmem_vma_set_pfnmap(vma, &MapVma::<T>::VM_OPS, data.cast_mut().cast(), read_only)
    };
    0
}
