// SPDX-License-Identifier: GPL-2.0

//! [`Namespace`]: a raw namespace device on the nd bus (`struct device` of
//! an `nd_namespace_io`/`nd_namespace_pmem`), valid for `'ns`: during a
//! driver callback, or for as long as it is bound to the driver, which is
//! what [`super::nd_driver::NdDriverOps::Bound`] carries.

use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::error::from_err_ptr;
use kernel::prelude::*;
use kernel::str::CStr;

use super::bindings;

/// A raw namespace device, live for `'ns`.
#[derive(Clone, Copy)]
pub(crate) struct Namespace<'ns> {
    dev: NonNull<bindings::device>,
    _dev: PhantomData<&'ns bindings::device>,
}

// SAFETY: the device is only used through libnvdimm and driver-core calls
// that may come from any thread while it is live.
unsafe impl Send for Namespace<'_> {}
// SAFETY: as above; `&Namespace` only gives calls libnvdimm serialises.
unsafe impl Sync for Namespace<'_> {}

/// A namespace that passed `nvdimm_namespace_common_probe()`.
#[derive(Clone, Copy)]
pub(crate) struct CommonNamespace<'ns> {
    ndns: NonNull<bindings::nd_namespace_common>,
    _ns: PhantomData<&'ns bindings::nd_namespace_common>,
}

/// The name of a live device, for as long as the device lives.
///
/// # Safety
///
/// `dev` must be a registered device that lives for `'a`.
pub(super) unsafe fn name_of<'a>(dev: *const bindings::device) -> &'a CStr {
    // SAFETY: a registered device has a NUL-terminated kobject name that
    // lives as long as the device (caller's contract).
    unsafe {
        let name = (*dev).kobj.name;
        if name.is_null() {
            c"?"
        } else {
            CStr::from_char_ptr(name)
        }
    }
}

impl<'ns> Namespace<'ns> {
    /// A raw namespace device.
    ///
    /// # Safety
    ///
    /// `dev` must be a raw namespace device on the nd bus (not a btt, pfn
    /// or dax personality device), live for `'ns`.
    pub(super) unsafe fn from_raw(dev: NonNull<bindings::device>) -> Self {
        Namespace {
            dev,
            _dev: PhantomData,
        }
    }

    /// The raw device, for the abstractions that hand it to C.
    pub(super) fn as_ptr(&self) -> *mut bindings::device {
        self.dev.as_ptr()
    }

    /// The device's name (`namespace0.0`).
    pub(crate) fn name(&self) -> &'ns CStr {
        // SAFETY: the device is live for `'ns`.
        unsafe { name_of(self.dev.as_ptr()) }
    }

    fn ndns(&self) -> *mut bindings::nd_namespace_common {
        // SAFETY: a raw namespace device (type invariant) embeds an
        // `nd_namespace_common`.
        unsafe { bindings::rpmem_to_ndns(self.dev.as_ptr()) }
    }

    /// The name of the personality device that claims the namespace, if any.
    pub(crate) fn claimed_by(&self) -> Option<&'ns CStr> {
        // SAFETY: `ndns` is live; `claim` is stable under the device lock
        // that the driver core holds during probe.
        let claim = unsafe { (*self.ndns()).claim };
        // SAFETY: a claiming device holds a reference on the namespace, and
        // the namespace one on it while claimed: it lives for `'ns`.
        (!claim.is_null()).then(|| unsafe { name_of(claim) })
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

    /// NUMA node of the device.
    pub(crate) fn node(&self) -> i32 {
        // SAFETY: the device is live.
        unsafe { bindings::rpmem_dev_to_node(self.dev.as_ptr()) }
    }

    /// `nvdimm_namespace_common_probe()`: checks the namespace is usable
    /// raw (not claimed, not too small) and enables it.
    pub(crate) fn common_probe(&self) -> Result<CommonNamespace<'ns>> {
        // SAFETY: a live namespace; called from probe, under its device lock.
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
        // SAFETY: the device is a live bound namespace; process context
        // (callers sleep only for bios that may, see the I/O path).
        let cleared = unsafe { bindings::nvdimm_clear_poison(self.as_ptr(), phys, len) };
        u64::try_from(cleared).map_err(|_| EIO)
    }
}

impl CommonNamespace<'_> {
    /// The raw namespace, for the gendisk abstraction (disk name).
    pub(super) fn as_ptr(&self) -> *mut bindings::nd_namespace_common {
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
