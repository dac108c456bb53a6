// SPDX-License-Identifier: GPL-2.0

//! [`ControlDevice`]: a misc character device (`struct miscdevice`) whose
//! ioctls reach a [`ControlOps`]. Its `file_operations` name this module as
//! owner, so an open file pins the module: `rmmod` is refused (`EBUSY`)
//! while any caller holds the device open, whatever the call is doing. Each
//! open file also holds a reference on the ops, so they outlive every call.

use core::marker::PhantomData;

use kernel::ffi::{c_int, c_long, c_uint, c_ulong};
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::Arc;
use kernel::types::{ForeignOwnable, Opaque};

use super::bindings;

/// What the device's ioctls do.
pub(crate) trait ControlOps: Send + Sync + 'static {
    /// Handle ioctl `cmd` with argument `arg` (a user pointer or a value).
    fn ioctl(&self, cmd: u32, arg: usize) -> Result<isize>;
}

/// A registered misc device; deregistered on drop.
#[pin_data(PinnedDrop)]
pub(crate) struct ControlDevice<T: ControlOps> {
    #[pin]
    misc: Opaque<bindings::miscdevice>,
    ops: Arc<T>,
}

// SAFETY: registration and deregistration may happen on any thread; the
// ops are `Send + Sync`.
unsafe impl<T: ControlOps> Send for ControlDevice<T> {}
// SAFETY: `&ControlDevice` gives nothing but the registration's own use.
unsafe impl<T: ControlOps> Sync for ControlDevice<T> {}

struct Vtable<T>(PhantomData<T>);

impl<T: ControlOps> Vtable<T> {
    const FOPS: bindings::file_operations = bindings::file_operations {
        owner: (&raw const bindings::__this_module).cast_mut(),
        open: Some(open_callback::<T>),
        release: Some(release_callback::<T>),
        unlocked_ioctl: Some(ioctl_callback::<T>),
        compat_ioctl: bindings::compat_ptr_ioctl,
        // SAFETY: all-zero is a valid `file_operations` (no callbacks).
        ..unsafe { core::mem::zeroed() }
    };
}

impl<T: ControlOps> ControlDevice<T> {
    /// Register `/dev/<name>` (mode 0600, root) with `ops`.
    pub(crate) fn register(name: &'static CStr, ops: Arc<T>) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            ops,
            misc <- Opaque::try_ffi_init(move |slot: *mut bindings::miscdevice| {
                // SAFETY: `slot` is valid for writes and pinned; all-zero is
                // a valid `miscdevice`. The name and the operations are
                // static; the device is deregistered (in `drop`) before the
                // slot goes. `ops` is initialised before this runs (field
                // order above), so an open right after registration finds
                // it.
                unsafe {
                    core::ptr::write_bytes(slot, 0, 1);
                    (*slot).minor = bindings::MISC_DYNAMIC_MINOR as i32;
                    (*slot).name = name.as_char_ptr();
                    (*slot).fops = &Vtable::<T>::FOPS;
                    kernel::error::to_result(bindings::misc_register(slot))
                }
            }),
        })
    }
}

#[pinned_drop]
impl<T: ControlOps> PinnedDrop for ControlDevice<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: registered in `register`. Open files keep their own
        // reference on the ops, and they pin the module, so a registration
        // dropped at module exit has none left.
        unsafe { bindings::misc_deregister(self.misc.get()) };
    }
}

/// `open`: `misc_open()` has put the `miscdevice` in `private_data`,
/// under the misc lock that deregistration also takes; replace it with a
/// reference on the ops.
///
/// # Safety
///
/// Called by `misc_open()` for a registered [`ControlDevice<T>`].
unsafe extern "C" fn open_callback<T: ControlOps>(
    _inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    // SAFETY: `private_data` is the `miscdevice` of a registered
    // `ControlDevice<T>`, live under the misc lock held around this call.
    let dev = unsafe {
        let misc = (*file).private_data.cast::<u8>();
        let offset = core::mem::offset_of!(ControlDevice<T>, misc);
        &*misc.sub(offset).cast::<ControlDevice<T>>()
    };
    // SAFETY: the file is being opened; `private_data` is ours from now on,
    // until `release_callback`.
    unsafe { (*file).private_data = dev.ops.clone().into_foreign().cast() };
    0
}

/// `release`: drop the file's reference on the ops.
///
/// # Safety
///
/// Called once, for a file `open_callback` opened.
unsafe extern "C" fn release_callback<T: ControlOps>(
    _inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    // SAFETY: `private_data` holds the reference `open_callback` took.
    drop(unsafe { <Arc<T> as ForeignOwnable>::from_foreign((*file).private_data.cast()) });
    0
}

/// `unlocked_ioctl` (and, through `compat_ptr_ioctl`, the compat one).
///
/// # Safety
///
/// Called for a file `open_callback` opened, before its release.
unsafe extern "C" fn ioctl_callback<T: ControlOps>(
    file: *mut bindings::file,
    cmd: c_uint,
    arg: c_ulong,
) -> c_long {
    // SAFETY: `private_data` holds a reference on the ops until release,
    // which cannot run during a call on the file.
    let ops = unsafe { <Arc<T> as ForeignOwnable>::borrow((*file).private_data.cast()) };
    match ops.ioctl(cmd, arg) {
        Ok(v) => v as c_long,
        Err(e) => e.to_errno() as c_long,
    }
}
