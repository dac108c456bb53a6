// SPDX-License-Identifier: GPL-2.0

//! Which namespace geometries rpmem can serve. Pure logic, shared with the
//! host unit tests.

use crate::pfn::PAGE_SIZE;

/// Why a namespace cannot be served.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum GeometryError {
    /// Smaller than one page (or an empty/inverted resource).
    TooSmall,
    /// Start or size not a multiple of the page size.
    Misaligned,
}

/// Check a namespace resource `[start, end]` (inclusive, as in `struct
/// resource`); returns its size in bytes.
pub(crate) fn check_namespace(start: u64, end: u64) -> Result<u64, GeometryError> {
    if end < start {
        return Err(GeometryError::TooSmall);
    }
    let size = (end - start)
        .checked_add(1)
        .ok_or(GeometryError::Misaligned)?;
    let page = PAGE_SIZE as u64;
    if size < page {
        return Err(GeometryError::TooSmall);
    }
    if start % page != 0 || size % page != 0 {
        return Err(GeometryError::Misaligned);
    }
    Ok(size)
}
