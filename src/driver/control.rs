// SPDX-License-Identifier: GPL-2.0

//! `/dev/rpmem-ctl`: the control device. Its ioctls (ABI in [`crate::uapi`])
//! copy a sector range between two rpmem disks the caller opened, with pfn
//! I/O, and report the copy's progress and each disk's state. An open file
//! pins the module ([`ControlDevice`]).
//!
//! [`ControlDevice`]: crate::abstractions::control_device::ControlDevice

use kernel::prelude::*;
use kernel::sync::Arc;
use kernel::uaccess::{UserPtr, UserSlice};

use super::copy::Copier;
use super::disk_list::DiskList;
use crate::abstractions::control_device::ControlOps;
use crate::uapi::{CopyRequest, CopyStatus, DiskInfo, IOC_COPY, IOC_DISK_INFO, IOC_STATUS};

/// The control device's state.
pub(crate) struct Control {
    copier: Copier,
    disks: Arc<DiskList>,
}

impl Control {
    /// The control device over the disks of `disks`.
    pub(crate) fn new(disks: Arc<DiskList>) -> Result<Arc<Self>> {
        Arc::new(
            Control {
                copier: Copier::new(),
                disks,
            },
            GFP_KERNEL,
        )
        .map_err(Into::into)
    }
}

impl ControlOps for Control {
    fn ioctl(&self, cmd: u32, arg: usize) -> Result<isize> {
        let user = |size| UserSlice::new(UserPtr::from_addr(arg), size);
        match cmd {
            IOC_COPY => {
                let req: CopyRequest = user(size_of::<CopyRequest>()).reader().read()?;
                self.copier.copy(&req).map(|()| 0)
            }
            IOC_STATUS => {
                let status = self.copier.status();
                user(size_of::<CopyStatus>()).writer().write(&status)?;
                Ok(0)
            }
            IOC_DISK_INFO => {
                let (mut reader, mut writer) = user(size_of::<DiskInfo>()).reader_writer();
                let req: DiskInfo = reader.read()?;
                let info = self.disks.info(req.index).ok_or(ENOENT)?;
                writer.write(&info)?;
                Ok(0)
            }
            _ => Err(ENOTTY),
        }
    }
}
