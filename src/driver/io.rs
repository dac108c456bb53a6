// SPDX-License-Identifier: GPL-2.0

//! The I/O path: `pmem_submit_bio()` in Rust. One device mapping per bio
//! (through the disk's own registration), one memory mapping and one copy
//! per physically contiguous vector; reads are machine-check safe, writes
//! durable (`memcpy_flushcache()`); bad blocks are dealt with before any
//! data moves. Device frames of a pfn bio are mapped a bounded piece at a
//! time, since such a mapping keeps preemption off.

use kernel::prelude::*;
use kernel::sync::Arc;

use super::disk_shared::DiskShared;
use crate::abstractions::badblocks::BadBlocks;
use crate::abstractions::bio::{Bio, Op};
use crate::abstractions::bio_segment::{BioData, DeviceSegment, DeviceSegments};
use crate::abstractions::disk_type::BioQueue;
use crate::abstractions::kmap::kmap_registered;
use crate::abstractions::namespace::Namespace;
use crate::abstractions::pfn_mapping::{PfnMapping, Pmem, ShortCopy};
use crate::abstractions::pfn_space::PfnSpace;
use crate::abstractions::preempt::MAX_SECTION_BYTES;
use crate::abstractions::region::{FuaFlush, Region};
use crate::abstractions::registry::RegisteredMapping;
use crate::abstractions::status::Status;
use crate::abstractions::sysfs_dirent::DirentSlot;
use crate::span::DevSpan;

/// The state every bio of one disk reaches, for as long as the namespace
/// is bound (`'ns`).
pub(crate) struct DiskIo<'ns> {
    shared: Arc<DiskShared>,
    ns: Namespace<'ns>,
    region: Region<'ns>,
    frames: RegisteredMapping<'ns>,
    space: Arc<PfnSpace>,
    dirent: DirentSlot,
}

impl<'ns> DiskIo<'ns> {
    /// The I/O state of a disk over `frames` of namespace `ns`.
    pub(crate) fn new(
        shared: Arc<DiskShared>,
        ns: Namespace<'ns>,
        region: Region<'ns>,
        frames: RegisteredMapping<'ns>,
        space: Arc<PfnSpace>,
    ) -> Self {
        DiskIo {
            shared,
            ns,
            region,
            frames,
            space,
            dirent: DirentSlot::new(),
        }
    }

    /// The slot the sysfs `badblocks` file is published in.
    pub(crate) fn badblocks_dirent(&self) -> &DirentSlot {
        &self.dirent
    }

    /// Flush the region's write-pending queues.
    pub(crate) fn flush(&self) -> Result {
        self.region.flush()
    }

    /// Re-read the region's poison list into the disk's bad blocks.
    pub(crate) fn revalidate_poison(&self) {
        let s = &self.shared;
        let mapping = self.frames.mapping();
        self.region
            .populate_badblocks(&s.badblocks, mapping.phys(), mapping.size() as u64);
        self.dirent.notify();
    }

    /// Map `bytes` of the device from `sector` on: the sectors of one bio
    /// are contiguous on the device, so one mapping serves every segment.
    #[inline]
    fn map_sectors(&self, sector: u64, bytes: u32) -> Option<PfnMapping<'_, Pmem>> {
        let offset = usize::try_from(sector.checked_mul(512)?).ok()?;
        kmap_registered(&self.frames, offset, bytes as usize)
    }

    /// Clear poison under one page-sized piece of a write, as pmem.c's
    /// `pmem_clear_poison()` does; sleeps.
    fn clear_poison(&self, piece: DevSpan) -> Status {
        let mapping = self.frames.mapping();
        let Some(phys) = mapping.phys().checked_add(piece.pos) else {
            return Status::IOERR;
        };
        let Ok(cleared) = self.ns.clear_poison(phys, piece.len) else {
            return Status::IOERR;
        };
        if cleared > 0 {
            mapping.invalidate(piece.pos as usize, piece.len as usize);
            let blocks = cleared >> 9;
            if blocks != 0 {
                self.shared.badblocks.clear(piece.pos / 512, blocks);
                self.dirent.notify();
            }
        }
        if cleared < u64::from(piece.len) {
            Status::IOERR
        } else {
            Status::OK
        }
    }

    /// Bad blocks under the bio, before any of its data moves: a read of a
    /// bad sector fails; a write clears the poison page by page first, which
    /// sleeps, so a `REQ_NOWAIT` write is sent back (`Status::AGAIN`) to be
    /// retried from a context that may, with nothing written.
    #[cold]
    fn before_bad_blocks(&self, bio: &Bio, is_write: bool) -> Status {
        let bb: &BadBlocks = &self.shared.badblocks;
        let whole = DevSpan::of_segment(bio.sector(), 0, bio.size());
        let (first, nr) = whole.sectors();
        if !bb.check(first, nr) {
            return Status::OK;
        }
        if !is_write {
            return Status::IOERR;
        }
        if bio.is_nowait() {
            return Status::AGAIN;
        }
        for piece in whole.pages() {
            let (first, nr) = piece.sectors();
            if bb.check(first, nr) {
                let status = self.clear_poison(piece);
                if status != Status::OK {
                    return status;
                }
            }
        }
        Status::OK
    }

    /// Copy between this disk's device memory (from `sector` on) and the
    /// device frames of a pfn bio's segments, which may hold poison too and
    /// are not flushed by plain stores: machine-check safe reads, and the
    /// destination written back. Each segment is mapped at most
    /// [`MAX_SECTION_BYTES`] at a time: its mapping keeps preemption off.
    /// Out of line: only pfn bios (the pfn copy) come here.
    #[inline(never)]
    fn copy_device(&self, is_write: bool, sector: u64, segs: DeviceSegments<'_>) -> Status {
        for seg in segs {
            if self.copy_device_segment(is_write, sector, &seg).is_err() {
                return Status::IOERR;
            }
        }
        Status::OK
    }

    /// [`DiskIo::copy_device`] of one segment.
    fn copy_device_segment(
        &self,
        is_write: bool,
        sector: u64,
        seg: &DeviceSegment<'_>,
    ) -> Result<(), ShortCopy> {
        let len = seg.len() as usize;
        let at = seg.bio_offset() as usize;
        let all = ShortCopy { left: len };
        let end = at
            .checked_add(len)
            .and_then(|e| u32::try_from(e).ok())
            .ok_or(all)?;
        let mut dev = self.map_sectors(sector, end).ok_or(all)?;
        let mut done = 0;
        while done < len {
            let left = ShortCopy {
                left: len.saturating_sub(done),
            };
            let n = len.saturating_sub(done).min(MAX_SECTION_BYTES);
            let mut mem = seg.map_part(&self.space, done, n).ok_or(left)?;
            let dev_at = at.checked_add(done).ok_or(left)?;
            if is_write {
                dev.copy_mc_durable_from(dev_at, &mem, 0, n)?;
            } else {
                mem.copy_mc_durable_from(0, &dev, dev_at, n)?;
            }
            done = done.saturating_add(n);
        }
        Ok(())
    }

    /// Move the bio's data. Inline in `submit_bio`, as pmem.c's
    /// `pmem_do_read()`/`pmem_do_write()` are in `pmem_submit_bio()`: one
    /// frame for the whole bio.
    #[inline(always)]
    fn transfer(&self, bio: &Bio, is_write: bool) -> Status {
        let bytes = bio.size();
        if bytes == 0 {
            return Status::OK;
        }
        // A hint read once per bio, as `is_bad_pmem()` does; exact below.
        if self.shared.badblocks.count() != 0 {
            let status = self.before_bad_blocks(bio, is_write);
            if status != Status::OK {
                return status;
            }
        }
        let segs = match bio.data(&self.space) {
            BioData::Ram(segs) => segs,
            BioData::Device(segs) => return self.copy_device(is_write, bio.sector(), segs),
        };
        let Some(mut dev) = self.map_sectors(bio.sector(), bytes) else {
            return Status::IOERR;
        };
        for seg in segs {
            let mut mem = seg.map();
            let at = seg.bio_offset() as usize;
            let len = seg.len() as usize;
            let copied = if is_write {
                dev.copy_flushcache_from(at, &mem, 0, len)
            } else {
                mem.copy_mc_from(0, &dev, at, len)
            };
            if copied.is_err() {
                return Status::IOERR;
            }
        }
        Status::OK
    }
}

impl BioQueue for DiskIo<'_> {
    fn open(&self, write: bool) -> Result {
        self.shared.block_open(write)
    }

    fn release(&self) {
        self.shared.block_release();
    }

    fn set_read_only(&self, read_only: bool, was: bool) -> Result {
        self.shared.block_set_read_only(read_only, was)
    }

    #[inline(always)]
    fn submit_bio(&self, mut bio: Bio) {
        let is_write = match bio.op() {
            Op::Read => false,
            Op::Write => true,
            Op::Other => return bio.end_with(Status::NOTSUPP),
        };
        if bio.is_preflush() {
            if let Err(e) = self.region.flush() {
                return bio.end_with(Status::from_error(e));
            }
        }
        let acct = bio.start_acct();
        let status = self.transfer(&bio, is_write);
        if status != Status::OK {
            bio.set_status(status);
        }
        if let Some(acct) = acct {
            bio.end_acct(acct);
        }
        if bio.is_fua() && bio.status() == Status::OK {
            match self.region.flush_fua(bio) {
                FuaFlush::Async => {}
                FuaFlush::Done(mut bio, Err(e)) => bio.set_status(Status::from_error(e)),
                FuaFlush::Done(_bio, Ok(())) => {}
            }
            return;
        }
        bio.end();
    }
}

impl Drop for DiskIo<'_> {
    fn drop(&mut self) {
        // The disk is deleted and drained: make what it wrote durable before
        // the registration and mapping go.
        let _ = self.region.flush();
    }
}
