// SPDX-License-Identifier: GPL-2.0

//! Glue to the nd bus: an `nd_device_driver` for raw namespaces
//! (ND_DEVICE_NAMESPACE_IO and ND_DEVICE_NAMESPACE_PMEM) whose probe builds a
//! [`PmemDisk`] and whose remove tears it down.

use core::ptr::null_mut;

use kernel::ffi::c_int;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::ThisModule;

use crate::bindings;
use crate::disk::{NamespaceInfo, PmemDisk};
use crate::disks;
use crate::geometry::{check_namespace, GeometryError};
use crate::pfn::PAGE_SIZE;

/// Name of the driver on the nd bus (`/sys/bus/nd/drivers/rpmem`).
pub(crate) const DRIVER_NAME: &CStr = c"rpmem";

/// The registered nd bus driver; unregistering unbinds every namespace.
pub(crate) struct NdDriver {
    drv: KBox<bindings::nd_device_driver>,
}

// SAFETY: after registration the driver core owns the contents; we only
// touch the box again to unregister it, which the driver core serialises.
unsafe impl Send for NdDriver {}
// SAFETY: `NdDriver` has no `&self` methods.
unsafe impl Sync for NdDriver {}

impl NdDriver {
    /// Register with the nd bus; existing raw namespaces are probed now.
    pub(crate) fn register(module: &'static ThisModule) -> Result<Self> {
        // SAFETY: all-zero is a valid, empty `nd_device_driver`.
        let mut drv: KBox<bindings::nd_device_driver> =
            KBox::new(unsafe { core::mem::zeroed() }, GFP_KERNEL)?;
        drv.drv.name = DRIVER_NAME.as_char_ptr();
        drv.type_ = bindings::ND_DRIVER_NAMESPACE_IO | bindings::ND_DRIVER_NAMESPACE_PMEM;
        drv.probe = Some(rpmem_probe);
        drv.remove = Some(rpmem_remove);
        drv.shutdown = Some(rpmem_shutdown);
        drv.notify = Some(rpmem_notify);
        // SAFETY: `drv` lives in a box that stays put until `drop`
        // unregisters it; the name and module outlive the registration.
        let rc = unsafe {
            bindings::__nd_driver_register(&mut *drv, module.as_ptr(), DRIVER_NAME.as_char_ptr())
        };
        if rc != 0 {
            pr_err!("cannot register nd driver: {}\n", rc);
            return Err(Error::from_errno(rc));
        }
        Ok(NdDriver { drv })
    }
}

impl Drop for NdDriver {
    fn drop(&mut self) {
        // SAFETY: registered in `register`; unbinds (removes) every device.
        unsafe { bindings::driver_unregister(&mut self.drv.drv) };
    }
}

/// The device's name, for messages.
fn dev_name(dev: *mut bindings::device) -> &'static CStr {
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

fn probe(dev: *mut bindings::device) -> Result {
    let name = dev_name(dev);
    // SAFETY: `dev` is a live nd bus device; these only test its type.
    if unsafe { bindings::rpmem_is_personality(dev) } {
        // btt/pfn/dax devices (and their seeds) match our bus types too.
        pr_info!("{}: btt/pfn/dax personality, not served by rpmem\n", name);
        return Err(ENXIO);
    }
    // SAFETY: not a personality device, so a raw namespace device, which
    // embeds an `nd_namespace_common`.
    let ndns = unsafe { bindings::rpmem_to_ndns(dev) };
    // SAFETY: `ndns` is live; `claim` is stable under the device lock held
    // by the driver core during probe.
    let claim = unsafe { (*ndns).claim };
    if !claim.is_null() {
        pr_err!(
            "{}: claimed by {} (btt/pfn/dax personality); rpmem serves raw namespaces only\n",
            name,
            dev_name(claim)
        );
        return Err(ENXIO);
    }
    // SAFETY: raw namespaces (both types we bind) embed an
    // `nd_namespace_io` whose resource is set when the device is created.
    let res = unsafe { &(*bindings::rpmem_to_nsio(ndns)).res };
    let (phys, end) = (res.start, res.end);
    // Refuse what we cannot map page by page before the bus helper does,
    // with a message that says why.
    let size = match check_namespace(phys, end) {
        Ok(size) => size,
        Err(GeometryError::TooSmall) => {
            pr_err!(
                "{}: namespace {:#x}-{:#x} is smaller than a page ({} bytes); not served\n",
                name,
                phys,
                end,
                PAGE_SIZE
            );
            return Err(ENOSPC);
        }
        Err(GeometryError::Misaligned) => {
            pr_err!(
                "{}: namespace {:#x}-{:#x} is not page aligned; not served\n",
                name,
                phys,
                end
            );
            return Err(EINVAL);
        }
    };
    // SAFETY: `dev` is the namespace being probed.
    let ndns = unsafe { bindings::nvdimm_namespace_common_probe(dev) };
    if (ndns as usize) >= (-4095isize) as usize {
        let rc = ndns as isize as i32;
        pr_err!("{}: namespace not usable: error {}\n", name, rc);
        return Err(Error::from_errno(rc));
    }
    let ns = NamespaceInfo {
        dev,
        // SAFETY: a namespace's parent is its region.
        region: unsafe { bindings::to_nd_region((*dev).parent) },
        phys,
        size,
        // SAFETY: `ndns` is live.
        lbasize: unsafe { bindings::pmem_sector_size(ndns) },
        name,
    };
    let disk = PmemDisk::new(&ns, ndns)?;
    disks::list(&disk)?;
    pr_info!(
        "{}: serving {} MiB at {:#x} without struct page\n",
        name,
        size >> 20,
        phys
    );
    // SAFETY: we own the device's driver data while bound.
    unsafe { (*dev).driver_data = KBox::into_raw(disk).cast() };
    Ok(())
}

/// The `PmemDisk` bound to `dev`, if any.
fn disk_of(dev: *mut bindings::device) -> Option<&'static PmemDisk> {
    // SAFETY: set in `probe`, cleared in `remove`, both under the device lock
    // that the bus also holds around `notify` and `shutdown`.
    let p = unsafe { (*dev).driver_data }.cast::<PmemDisk>();
    // SAFETY: non-null driver data is our live `PmemDisk`.
    (!p.is_null()).then(|| unsafe { &*p })
}

/// nd bus `probe`.
///
/// # Safety
///
/// Called by the driver core, under the device lock, with a live device.
unsafe extern "C" fn rpmem_probe(dev: *mut bindings::device) -> c_int {
    match probe(dev) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// nd bus `remove`.
///
/// # Safety
///
/// Called by the driver core, under the device lock, for a bound device.
unsafe extern "C" fn rpmem_remove(dev: *mut bindings::device) {
    // SAFETY: the driver core calls remove once, under the device lock.
    let p = unsafe { (*dev).driver_data }.cast::<PmemDisk>();
    if !p.is_null() {
        // SAFETY: as above; we take back the box from `probe`.
        unsafe { (*dev).driver_data = null_mut() };
        // Waits for a copy using the disk to finish.
        disks::unlist(p);
        // SAFETY: `p` came from `KBox::into_raw` in `probe`.
        drop(unsafe { KBox::from_raw(p) });
        pr_info!("{}: released\n", dev_name(dev));
    }
}

/// nd bus `shutdown`: flush before power-off.
///
/// # Safety
///
/// Called by the driver core with a live device.
unsafe extern "C" fn rpmem_shutdown(dev: *mut bindings::device) {
    if let Some(disk) = disk_of(dev) {
        let _ = disk.flush();
    }
}

/// nd bus `notify`: poison or region state changed.
///
/// # Safety
///
/// Called by the nd bus, under the device lock, for a bound device.
unsafe extern "C" fn rpmem_notify(dev: *mut bindings::device, event: bindings::nvdimm_event) {
    let Some(disk) = disk_of(dev) else {
        return;
    };
    match event {
        bindings::nvdimm_event_NVDIMM_REVALIDATE_POISON => disk.revalidate_poison(),
        bindings::nvdimm_event_NVDIMM_REVALIDATE_REGION => disk.revalidate_region(),
        _ => pr_warn!("{}: unknown nvdimm event {}\n", dev_name(dev), event),
    }
}
