// SPDX-License-Identifier: GPL-2.0

//! [`Namespace`]: a namespace device on the nd bus as rpmem's probe sees
//! it, and [`NdDriver`], the `nd_device_driver` whose callbacks reach the
//! driver logic through the [`NdDriverOps`] trait.

use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::error::from_err_ptr;
use kernel::ffi::c_int;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::ThisModule;

use crate::bindings;
use crate::region::Region;

/// A namespace device, valid while the driver core holds it for a
/// callback (probe, remove, notify, shutdown) or while it is bound to us.
#[derive(Clone, Copy)]
pub(crate) struct Namespace<'a> {
    dev: NonNull<bindings::device>,
    _dev: PhantomData<&'a bindings::device>,
}

/// A namespace that passed `nvdimm_namespace_common_probe()`.
#[derive(Clone, Copy)]
pub(crate) struct CommonNamespace<'a> {
    ndns: NonNull<bindings::nd_namespace_common>,
    _ns: PhantomData<&'a bindings::nd_namespace_common>,
}

/// The type of an nd bus device we are asked to bind.
pub(crate) enum DeviceKind<'a> {
    /// A raw namespace (io or pmem).
    Namespace(Namespace<'a>),
    /// A btt/pfn/dax personality device (also matches our bus types).
    Personality,
}

/// The device's name, for messages.
fn name_of(dev: *const bindings::device) -> &'static CStr {
    // SAFETY: a registered device has a NUL-terminated kobject name that
    // lives as long as the device, which outlives its binding to us.
    unsafe {
        let name = (*dev).kobj.name;
        if name.is_null() {
            c"?"
        } else {
            CStr::from_char_ptr(name)
        }
    }
}

impl<'a> Namespace<'a> {
    /// The device's name (`namespace0.0`).
    pub(crate) fn name(&self) -> &'a CStr {
        name_of(self.dev.as_ptr())
    }

    /// The raw device, for the wrappers that hand it to C.
    pub(crate) fn as_ptr(&self) -> *mut bindings::device {
        self.dev.as_ptr()
    }

    fn ndns(&self) -> *mut bindings::nd_namespace_common {
        // SAFETY: not a personality device (see `DeviceKind`), so a raw
        // namespace device, which embeds an `nd_namespace_common`.
        unsafe { bindings::rpmem_to_ndns(self.dev.as_ptr()) }
    }

    /// The name of the personality device that claims the namespace, if any.
    pub(crate) fn claimed_by(&self) -> Option<&'a CStr> {
        // SAFETY: `ndns` is live; `claim` is stable under the device lock
        // that the driver core holds during probe.
        let claim = unsafe { (*self.ndns()).claim };
        (!claim.is_null()).then(|| name_of(claim))
    }

    /// The `force_raw` attribute: serve the namespace raw whatever info
    /// block it holds.
    pub(crate) fn force_raw(&self) -> bool {
        // SAFETY: `ndns` is live; an aligned int set through sysfs.
        unsafe { core::ptr::read_volatile(&raw const (*self.ndns()).force_raw) != 0 }
    }

    /// Usable capacity in bytes (0 for an idle seed namespace).
    pub(crate) fn capacity(&self) -> u64 {
        // SAFETY: `ndns` is live; takes the bus lock itself.
        unsafe { bindings::nvdimm_namespace_capacity(self.ndns()) }
    }

    /// The namespace's physical range `[start, end]` (inclusive).
    pub(crate) fn resource(&self) -> (u64, u64) {
        // SAFETY: raw namespaces (both types we bind) embed an
        // `nd_namespace_io` whose resource is set when the device is made.
        let res = unsafe { &(*bindings::rpmem_to_nsio(self.ndns())).res };
        (res.start, res.end)
    }

    /// The namespace's uuid (all zero without labels).
    pub(crate) fn uuid(&self) -> [u8; 16] {
        // SAFETY: the device is a live namespace; the uuid (or NULL)
        // belongs to it.
        let uuid = unsafe { bindings::nd_dev_to_uuid(self.dev.as_ptr()) };
        if uuid.is_null() {
            return [0; 16];
        }
        // SAFETY: `uuid_t` is 16 bytes.
        unsafe { *uuid.cast::<[u8; 16]>() }
    }

    /// Its region.
    pub(crate) fn region(&self) -> Result<Region> {
        // SAFETY: a live namespace device; the disk that keeps the handle is
        // torn down before the namespace is unbound.
        unsafe { Region::of_namespace(self.dev.as_ptr()) }.ok_or(ENXIO)
    }

    /// NUMA node of the device.
    pub(crate) fn node(&self) -> i32 {
        // SAFETY: the device is live.
        unsafe { bindings::rpmem_dev_to_node(self.dev.as_ptr()) }
    }

    /// `nvdimm_namespace_common_probe()`: checks the namespace is usable
    /// raw (not claimed, not too small) and enables it.
    pub(crate) fn common_probe(&self) -> Result<CommonNamespace<'a>> {
        // SAFETY: the namespace being probed, under its device lock.
        let ndns = from_err_ptr(unsafe { bindings::nvdimm_namespace_common_probe(self.as_ptr()) })?;
        NonNull::new(ndns)
            .map(|ndns| CommonNamespace {
                ndns,
                _ns: PhantomData,
            })
            .ok_or(ENXIO)
    }

    /// Clear poison in `len` bytes at physical address `phys`; returns the
    /// bytes cleared. Sleeps.
    pub(crate) fn clear_poison(&self, phys: u64, len: u32) -> Result<u64> {
        // SAFETY: the device is a live bound namespace; process context.
        let cleared = unsafe { bindings::nvdimm_clear_poison(self.as_ptr(), phys, len) };
        u64::try_from(cleared).map_err(|_| EIO)
    }
}

impl CommonNamespace<'_> {
    /// The raw namespace, for the gendisk wrapper (disk name).
    pub(crate) fn as_ptr(&self) -> *mut bindings::nd_namespace_common {
        self.ndns.as_ptr()
    }

    /// The disk name nd_pmem would give it (`pmem0`, `pmem0.1`, `pmem0s`).
    pub(crate) fn disk_name(&self) -> KVec<u8> {
        let mut buf = [0u8; bindings::DISK_NAME_LEN as usize];
        // SAFETY: the namespace is live; the helper writes a NUL-terminated
        // name of at most `DISK_NAME_LEN` bytes into `buf`.
        unsafe {
            bindings::nvdimm_namespace_disk_name(self.ndns.as_ptr(), buf.as_mut_ptr().cast())
        };
        let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        let mut name = KVec::new();
        // An allocation failure leaves the name empty; it is only reported.
        let _ = name.extend_from_slice(&buf[..len], GFP_KERNEL);
        name
    }

    /// Logical block size (`pmem_sector_size()`).
    pub(crate) fn sector_size(&self) -> u32 {
        // SAFETY: the namespace is live.
        unsafe { bindings::pmem_sector_size(self.ndns.as_ptr()) }
    }
}

/// A namespace bound to rpmem, kept by its disk: `Send`/`Sync` handle to
/// the device, live until the driver core calls remove.
pub(crate) struct BoundNamespace(NonNull<bindings::device>);

// SAFETY: the device is only used through libnvdimm calls that may come
// from any thread while the namespace is bound.
unsafe impl Send for BoundNamespace {}
// SAFETY: as above.
unsafe impl Sync for BoundNamespace {}

impl BoundNamespace {
    /// Keep the namespace being probed.
    pub(crate) fn new(ns: &Namespace<'_>) -> Self {
        BoundNamespace(ns.dev)
    }

    /// Borrow it again as a [`Namespace`].
    pub(crate) fn get(&self) -> Namespace<'_> {
        Namespace {
            dev: self.0,
            _dev: PhantomData,
        }
    }
}

/// Event passed to [`NdDriverOps::notify`].
pub(crate) enum NdEvent {
    /// The region's poison list changed.
    RevalidatePoison,
    /// The region's read-only state changed.
    RevalidateRegion,
    /// Something else (logged).
    Other(u32),
}

/// What the driver does for a namespace.
pub(crate) trait NdDriverOps {
    /// What a bound namespace keeps.
    type Bound: Send + Sync;
    /// Bind `ns`; the result stays at its address until remove.
    fn probe(ns: Namespace<'_>) -> Result<Pin<KBox<Self::Bound>>>;
    /// Unbind: `bound` is dropped after this.
    fn remove(ns: Namespace<'_>, bound: Pin<KBox<Self::Bound>>);
    /// Poison or region state changed.
    fn notify(ns: Namespace<'_>, bound: &Self::Bound, event: NdEvent);
    /// Power-off is coming.
    fn shutdown(bound: &Self::Bound);
}

/// The registered nd bus driver; unregistering unbinds every namespace.
pub(crate) struct NdDriver<T: NdDriverOps> {
    drv: KBox<bindings::nd_device_driver>,
    _ops: PhantomData<T>,
}

// SAFETY: after registration the driver core owns the contents; we only
// touch the box again to unregister it, which the driver core serialises.
unsafe impl<T: NdDriverOps> Send for NdDriver<T> {}
// SAFETY: `NdDriver` has no `&self` methods.
unsafe impl<T: NdDriverOps> Sync for NdDriver<T> {}

impl<T: NdDriverOps> NdDriver<T> {
    /// Register `name` for raw namespaces; existing ones are probed now.
    pub(crate) fn register(name: &'static CStr, module: &'static ThisModule) -> Result<Self> {
        // SAFETY: all-zero is a valid, empty `nd_device_driver`.
        let mut drv: KBox<bindings::nd_device_driver> =
            KBox::new(unsafe { core::mem::zeroed() }, GFP_KERNEL)?;
        drv.drv.name = name.as_char_ptr();
        drv.type_ = bindings::ND_DRIVER_NAMESPACE_IO | bindings::ND_DRIVER_NAMESPACE_PMEM;
        drv.probe = Some(probe_callback::<T>);
        drv.remove = Some(remove_callback::<T>);
        drv.shutdown = Some(shutdown_callback::<T>);
        drv.notify = Some(notify_callback::<T>);
        // SAFETY: `drv` lives in a box that stays put until `drop`
        // unregisters it; the name and module outlive the registration.
        let rc = unsafe {
            bindings::__nd_driver_register(&mut *drv, module.as_ptr(), name.as_char_ptr())
        };
        if rc != 0 {
            return Err(Error::from_errno(rc));
        }
        Ok(NdDriver {
            drv,
            _ops: PhantomData,
        })
    }
}

impl<T: NdDriverOps> Drop for NdDriver<T> {
    fn drop(&mut self) {
        // SAFETY: registered in `register`; unbinds (removes) every device.
        unsafe { bindings::driver_unregister(&mut self.drv.drv) };
    }
}

/// The kind of a live nd bus device.
///
/// # Safety
///
/// `dev` must be a live nd bus device held by the driver core.
unsafe fn kind_of<'a>(dev: *mut bindings::device) -> Option<DeviceKind<'a>> {
    let dev = NonNull::new(dev)?;
    // SAFETY: `dev` is a live nd bus device (caller); only tests its type.
    if unsafe { bindings::rpmem_is_personality(dev.as_ptr()) } {
        return Some(DeviceKind::Personality);
    }
    Some(DeviceKind::Namespace(Namespace {
        dev,
        _dev: PhantomData,
    }))
}

/// Our data on a bound device.
///
/// # Safety
///
/// `dev` must be live and bound to an [`NdDriver<T>`], under the device lock.
unsafe fn bound_of<'a, T: NdDriverOps>(dev: *mut bindings::device) -> Option<&'a T::Bound> {
    // SAFETY: set in `probe_callback`, cleared in `remove_callback`, both
    // under the device lock that the bus also holds around notify/shutdown.
    let p = unsafe { (*dev).driver_data }.cast::<T::Bound>();
    // SAFETY: non-null driver data is our live bound data.
    (!p.is_null()).then(|| unsafe { &*p })
}

/// nd bus `probe`.
///
/// # Safety
///
/// Called by the driver core, under the device lock, with a live device.
unsafe extern "C" fn probe_callback<T: NdDriverOps>(dev: *mut bindings::device) -> c_int {
    // SAFETY: the driver core passes a live nd bus device.
    let ns = match unsafe { kind_of(dev) } {
        Some(DeviceKind::Namespace(ns)) => ns,
        Some(DeviceKind::Personality) => {
            pr_info!(
                "{}: btt/pfn/dax personality, not served by rpmem\n",
                name_of(dev)
            );
            return ENXIO.to_errno();
        }
        None => return ENXIO.to_errno(),
    };
    match T::probe(ns) {
        Ok(bound) => {
            // SAFETY: we own the device's driver data while bound; the data
            // stays pinned there until `remove_callback` takes it back.
            unsafe { (*dev).driver_data = KBox::into_raw(Pin::into_inner_unchecked(bound)).cast() };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// nd bus `remove`.
///
/// # Safety
///
/// Called by the driver core, under the device lock, for a bound device.
unsafe extern "C" fn remove_callback<T: NdDriverOps>(dev: *mut bindings::device) {
    // SAFETY: the driver core calls remove once, under the device lock.
    let p = unsafe { (*dev).driver_data }.cast::<T::Bound>();
    if p.is_null() {
        return;
    }
    // SAFETY: as above; we take back the box from `probe_callback`.
    unsafe { (*dev).driver_data = core::ptr::null_mut() };
    // SAFETY: `p` came from `KBox::into_raw` of pinned data in
    // `probe_callback`; it is pinned again, unmoved.
    let bound = unsafe { Pin::new_unchecked(KBox::from_raw(p)) };
    // SAFETY: a bound device is a raw namespace (probe refused the rest).
    if let Some(DeviceKind::Namespace(ns)) = unsafe { kind_of(dev) } {
        T::remove(ns, bound);
    }
}

/// nd bus `shutdown`.
///
/// # Safety
///
/// Called by the driver core with a live device.
unsafe extern "C" fn shutdown_callback<T: NdDriverOps>(dev: *mut bindings::device) {
    // SAFETY: the driver core holds the device.
    if let Some(bound) = unsafe { bound_of::<T>(dev) } {
        T::shutdown(bound);
    }
}

/// nd bus `notify`.
///
/// # Safety
///
/// Called by the nd bus, under the device lock, for a bound device.
unsafe extern "C" fn notify_callback<T: NdDriverOps>(
    dev: *mut bindings::device,
    event: bindings::nvdimm_event,
) {
    // SAFETY: the bus holds the device lock.
    let (Some(bound), Some(DeviceKind::Namespace(ns))) =
        (unsafe { bound_of::<T>(dev) }, unsafe { kind_of(dev) })
    else {
        return;
    };
    let event = match event {
        bindings::nvdimm_event_NVDIMM_REVALIDATE_POISON => NdEvent::RevalidatePoison,
        bindings::nvdimm_event_NVDIMM_REVALIDATE_REGION => NdEvent::RevalidateRegion,
        other => NdEvent::Other(other),
    };
    T::notify(ns, bound, event);
}

/// The `namespaces` module parameter (declared in bindings/shim.c, as the
/// kernel crate has no string parameters): read-only after load.
pub(crate) fn namespaces_param() -> &'static [u8] {
    // SAFETY: a NUL-terminated static buffer, written only by the module
    // loader before init (the parameter is 0444).
    unsafe { CStr::from_char_ptr(bindings::rpmem_namespaces_param()) }.to_bytes()
}
