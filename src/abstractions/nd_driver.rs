// SPDX-License-Identifier: GPL-2.0

//! [`NdDriver`]: an nd bus driver (`struct nd_device_driver`) for raw
//! namespaces, whose callbacks reach an [`NdDriverOps`].
//!
//! What a binding keeps is [`NdDriverOps::Bound`]`<'ns>`: it may hold the
//! [`Namespace<'ns>`] and everything made from it (region, mapping,
//! disk), and `'ns` ends at unbind, when the driver core calls remove and
//! the bound data is dropped. The driver never learns a longer lifetime for
//! those handles, so none can be kept past the binding.

use core::ptr::NonNull;

use kernel::ffi::c_int;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::types::Opaque;
use kernel::ThisModule;

use super::bindings;
use super::namespace::{name_of, Namespace};

/// Event passed to [`NdDriverOps::notify`].
pub(crate) enum NdEvent {
    /// The region's poison list changed.
    RevalidatePoison,
    /// The region's read-only state changed.
    RevalidateRegion,
    /// Something else (logged).
    Other(u32),
}

/// What a driver does for a namespace.
pub(crate) trait NdDriverOps: Send + Sync {
    /// What a bound namespace keeps, for as long as it is bound (`'ns`).
    type Bound<'ns>: Send + Sync;
    /// Bind `ns`; the result stays at its address until remove.
    fn probe<'ns>(&self, ns: Namespace<'ns>) -> Result<Pin<KBox<Self::Bound<'ns>>>>;
    /// Unbind: `bound` is dropped when this returns, if not before.
    fn remove<'ns>(&self, ns: Namespace<'ns>, bound: Pin<KBox<Self::Bound<'ns>>>);
    /// Poison or region state changed.
    fn notify<'ns>(&self, ns: Namespace<'ns>, bound: &Self::Bound<'ns>, event: NdEvent);
    /// Power-off is coming.
    fn shutdown<'ns>(&self, bound: &Self::Bound<'ns>);
}

/// A registered nd bus driver; dropping it unregisters it, which unbinds
/// (removes) every namespace first.
#[pin_data(PinnedDrop)]
pub(crate) struct NdDriver<T: NdDriverOps> {
    #[pin]
    drv: Opaque<bindings::nd_device_driver>,
    ops: T,
}

// SAFETY: the driver core owns the registered structure and serialises its
// use; `T` is `Send + Sync`.
unsafe impl<T: NdDriverOps> Send for NdDriver<T> {}
// SAFETY: `&NdDriver` gives nothing but the registration's own use.
unsafe impl<T: NdDriverOps> Sync for NdDriver<T> {}

impl<T: NdDriverOps> NdDriver<T> {
    /// Register `name` for raw namespaces (io and pmem); namespaces already
    /// there are probed before this returns.
    pub(crate) fn register(
        name: &'static CStr,
        module: &'static ThisModule,
        ops: T,
    ) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            ops,
            drv <- Opaque::try_ffi_init(move |slot: *mut bindings::nd_device_driver| {
                // SAFETY: `slot` is valid for writes and pinned; all-zero is
                // an empty `nd_device_driver`. `ops` is initialised before
                // this runs (the order above), so probes that start during
                // registration find it. The name and module are static; the
                // driver is unregistered (in `drop`) before the slot goes.
                unsafe {
                    core::ptr::write_bytes(slot, 0, 1);
                    (*slot).drv.name = name.as_char_ptr();
                    (*slot).type_ =
                        bindings::ND_DRIVER_NAMESPACE_IO | bindings::ND_DRIVER_NAMESPACE_PMEM;
                    (*slot).probe = Some(probe_callback::<T>);
                    (*slot).remove = Some(remove_callback::<T>);
                    (*slot).shutdown = Some(shutdown_callback::<T>);
                    (*slot).notify = Some(notify_callback::<T>);
                    kernel::error::to_result(bindings::__nd_driver_register(
                        slot,
                        module.as_ptr(),
                        name.as_char_ptr(),
                    ))
                }
            }),
        })
    }
}

#[pinned_drop]
impl<T: NdDriverOps> PinnedDrop for NdDriver<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: registered in `register`; unregistering removes every
        // bound device (dropping its bound data) before it returns.
        unsafe { bindings::driver_unregister(&raw mut (*self.drv.get()).drv) };
    }
}

/// The ops of the driver a device is being bound to or is bound to.
///
/// # Safety
///
/// `dev` must be a live device whose `driver` is the `drv` of a registered
/// [`NdDriver<T>`], as it is during our callbacks.
unsafe fn ops_of<'a, T: NdDriverOps>(dev: *mut bindings::device) -> &'a T {
    // SAFETY: `driver` points at the `drv` member of the `nd_device_driver`
    // inside our `NdDriver<T>` (caller's contract), which stays registered
    // and pinned while any callback runs.
    unsafe {
        let drv = (*dev).driver.cast::<u8>();
        let nd = drv.sub(core::mem::offset_of!(bindings::nd_device_driver, drv));
        let this = nd.sub(core::mem::offset_of!(NdDriver<T>, drv));
        &(*this.cast::<NdDriver<T>>()).ops
    }
}

/// The raw namespace `dev` is, if it is not a btt/pfn/dax personality device.
///
/// # Safety
///
/// `dev` must be a live nd bus device of a type our driver matches, held by
/// the driver core for `'ns`.
unsafe fn namespace_of<'ns>(dev: *mut bindings::device) -> Option<Namespace<'ns>> {
    let dev = NonNull::new(dev)?;
    // SAFETY: a live nd bus device (caller); only tests its type.
    if unsafe { bindings::rpmem_is_personality(dev.as_ptr()) } {
        return None;
    }
    // SAFETY: a raw namespace device, live for `'ns` (caller).
    Some(unsafe { Namespace::from_raw(dev) })
}

/// Our bound data on `dev`.
///
/// # Safety
///
/// `dev` must be live and bound to an [`NdDriver<T>`], under the device lock.
unsafe fn bound_of<'a, 'ns, T: NdDriverOps>(
    dev: *mut bindings::device,
) -> Option<&'a T::Bound<'ns>> {
    // SAFETY: set in `probe_callback`, cleared in `remove_callback`, both
    // under the device lock that the bus also holds around notify/shutdown.
    let p = unsafe { (*dev).driver_data }.cast::<T::Bound<'ns>>();
    // SAFETY: non-null driver data is our live bound data.
    (!p.is_null()).then(|| unsafe { &*p })
}

/// nd bus `probe`.
///
/// # Safety
///
/// Called by the driver core, under the device lock, with a live device.
unsafe extern "C" fn probe_callback<T: NdDriverOps>(dev: *mut bindings::device) -> c_int {
    // SAFETY: the driver core passes a live nd bus device, bound to us for
    // the duration of the binding that starts here.
    let Some(ns) = (unsafe { namespace_of(dev) }) else {
        // SAFETY: as above.
        let name = unsafe { name_of(dev) };
        pr_info!("{}: btt/pfn/dax personality, not served by rpmem\n", name);
        return ENXIO.to_errno();
    };
    // SAFETY: `dev->driver` is our driver during probe.
    let ops = unsafe { ops_of::<T>(dev) };
    match ops.probe(ns) {
        Ok(bound) => {
            // SAFETY: we own the device's driver data while bound; the data
            // stays pinned there until `remove_callback` takes it back.
            unsafe { (*dev).driver_data = KBox::into_raw(Pin::into_inner_unchecked(bound)).cast() };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// nd bus `remove`: the end of the binding.
///
/// # Safety
///
/// Called by the driver core, under the device lock, for a bound device.
unsafe extern "C" fn remove_callback<T: NdDriverOps>(dev: *mut bindings::device) {
    // SAFETY: the driver core calls remove once, under the device lock.
    let p = unsafe { (*dev).driver_data }.cast::<T::Bound<'_>>();
    if p.is_null() {
        return;
    }
    // SAFETY: as above; we take back the box from `probe_callback`.
    unsafe { (*dev).driver_data = core::ptr::null_mut() };
    // SAFETY: `p` came from `KBox::into_raw` of pinned data in
    // `probe_callback`; it is pinned again, unmoved, and dropped by the end
    // of this call, while the device is still live.
    let bound = unsafe { Pin::new_unchecked(KBox::from_raw(p)) };
    // SAFETY: a bound device is a raw namespace (probe refused the rest),
    // live until remove returns; `dev->driver` is ours.
    let (ns, ops) = unsafe { (namespace_of(dev), ops_of::<T>(dev)) };
    if let Some(ns) = ns {
        ops.remove(ns, bound);
    }
}

/// nd bus `shutdown`.
///
/// # Safety
///
/// Called by the driver core with a live device bound to us.
unsafe extern "C" fn shutdown_callback<T: NdDriverOps>(dev: *mut bindings::device) {
    // SAFETY: the driver core holds the device; `dev->driver` is ours.
    if let Some(bound) = unsafe { bound_of::<T>(dev) } {
        // SAFETY: as above.
        unsafe { ops_of::<T>(dev) }.shutdown(bound);
    }
}

/// nd bus `notify`.
///
/// # Safety
///
/// Called by the nd bus, under the device lock, for a device bound to us.
unsafe extern "C" fn notify_callback<T: NdDriverOps>(
    dev: *mut bindings::device,
    event: bindings::nvdimm_event,
) {
    // SAFETY: the bus holds the device lock.
    let (Some(bound), Some(ns)) = (unsafe { bound_of::<T>(dev) }, unsafe { namespace_of(dev) })
    else {
        return;
    };
    let event = match event {
        bindings::nvdimm_event_NVDIMM_REVALIDATE_POISON => NdEvent::RevalidatePoison,
        bindings::nvdimm_event_NVDIMM_REVALIDATE_REGION => NdEvent::RevalidateRegion,
        other => NdEvent::Other(other),
    };
    // SAFETY: `dev->driver` is ours while bound.
    unsafe { ops_of::<T>(dev) }.notify(ns, bound, event);
}
