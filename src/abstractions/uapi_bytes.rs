// SPDX-License-Identifier: GPL-2.0

//! The control ABI ([`crate::uapi`]) as byte-copyable kernel types, for
//! `UserSlice` reads and writes.

use kernel::transmute::{AsBytes, FromBytes};

use crate::uapi::{BenchCopy, BenchKmap, CopyRequest, CopyStatus, DiskInfo};

// SAFETY: plain `repr(C)` structs of integers and byte arrays with no
// padding (see uapi.rs); every bit pattern is valid and every byte is
// initialised.
unsafe impl FromBytes for CopyRequest {}
// SAFETY: as above.
unsafe impl AsBytes for CopyStatus {}
// SAFETY: as above.
unsafe impl FromBytes for DiskInfo {}
// SAFETY: as above.
unsafe impl AsBytes for DiskInfo {}
// SAFETY: as above.
unsafe impl FromBytes for BenchKmap {}
// SAFETY: as above.
unsafe impl AsBytes for BenchKmap {}
// SAFETY: as above.
unsafe impl FromBytes for BenchCopy {}
// SAFETY: as above.
unsafe impl AsBytes for BenchCopy {}
