// SPDX-License-Identifier: GPL-2.0

//! [`Status`]: a bio's completion status (`blk_status_t`).

use super::bindings;

/// A completion status.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Status(bindings::blk_status_t);

impl Status {
    /// Success.
    pub(crate) const OK: Status = Status(bindings::BLK_STS_OK);
    /// An I/O error (`EIO`).
    pub(crate) const IOERR: Status = Status(bindings::BLK_STS_IOERR);
    /// The operation is not supported (`EOPNOTSUPP`).
    pub(crate) const NOTSUPP: Status = Status(bindings::BLK_STS_NOTSUPP);
    /// Try again from a context that may sleep (`EAGAIN`, `REQ_NOWAIT`).
    pub(crate) const AGAIN: Status = Status(bindings::BLK_STS_AGAIN);

    /// An error as a block status (`errno_to_blk_status()`).
    pub(crate) fn from_error(e: kernel::error::Error) -> Self {
        // SAFETY: a pure conversion.
        Status(unsafe { bindings::errno_to_blk_status(e.to_errno()) })
    }

    /// The raw value, for the bio abstraction.
    pub(super) fn raw(self) -> bindings::blk_status_t {
        self.0
    }

    /// A raw value read from a bio.
    pub(super) fn from_raw(status: bindings::blk_status_t) -> Self {
        Status(status)
    }
}
