// SPDX-License-Identifier: GPL-2.0

//! Byte and sector arithmetic of the I/O path and of mappings. Pure logic,
//! shared with the host unit tests.

use crate::pfn::PAGE_SIZE;

/// Bytes in a sector.
pub(crate) const SECTOR_SIZE: u64 = 512;

/// `start + len` if that stays within `limit` bytes: the end of a span
/// that lies inside a mapping of `limit` bytes, else `None`.
#[inline]
pub(crate) fn end_within(start: usize, len: usize, limit: usize) -> Option<usize> {
    start.checked_add(len).filter(|&end| end <= limit)
}

/// A run of bytes on the device: where a segment of a bio lands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct DevSpan {
    /// Byte offset on the device.
    pub(crate) pos: u64,
    /// Bytes.
    pub(crate) len: u32,
}

impl DevSpan {
    /// The span of a segment `bio_offset` bytes into a bio that starts at
    /// `sector`. Data and bad-block checks both use this byte position, so
    /// they agree for vectors that are not sector multiples.
    #[inline]
    pub(crate) fn of_segment(sector: u64, bio_offset: u32, len: u32) -> Self {
        DevSpan {
            pos: sector
                .wrapping_mul(SECTOR_SIZE)
                .wrapping_add(u64::from(bio_offset)),
            len,
        }
    }

    /// First sector and number of sectors the span touches (partly
    /// touched sectors included).
    pub(crate) fn sectors(self) -> (u64, u64) {
        let first = self.pos / SECTOR_SIZE;
        let end = self
            .pos
            .saturating_add(u64::from(self.len))
            .div_ceil(SECTOR_SIZE);
        // `end` rounds up what `first` rounds down: never below it.
        (first, end.saturating_sub(first))
    }

    /// The span cut at device page boundaries: poison is cleared page by
    /// page, so one bad page in a long vector costs only that page.
    pub(crate) fn pages(self) -> impl Iterator<Item = DevSpan> {
        let end = self.pos.saturating_add(u64::from(self.len));
        let mut pos = self.pos;
        core::iter::from_fn(move || {
            if pos >= end {
                return None;
            }
            // The next page boundary; `pos < end` keeps it above `pos`.
            let page_end = (pos | (PAGE_SIZE as u64 - 1)).saturating_add(1);
            let next = page_end.min(end);
            let piece = DevSpan {
                pos,
                len: next.saturating_sub(pos) as u32,
            };
            pos = next;
            Some(piece)
        })
    }
}
