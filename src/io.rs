// SPDX-License-Identifier: GPL-2.0

//! The I/O path: `pmem_submit_bio()` in Rust. One device mapping per bio
//! (through the disk's own registration), one memory mapping and one copy
//! per physically contiguous vector; reads are machine-check safe, writes
//! durable (`memcpy_flushcache()`); bad blocks are dealt with before any
//! data moves.

use kernel::prelude::*;
use kernel::sync::Arc;

use crate::badblocks::BadBlocks;
use crate::bindings::{BLK_STS_AGAIN, BLK_STS_IOERR, BLK_STS_NOTSUPP, BLK_STS_OK};
use crate::bio::{error_status, Bio, Op, Status};
use crate::disk::DiskShared;
use crate::gendisk::{BioQueue, DirentSlot};
use crate::kmap::{kmap_alias, kmap_registered, PfnMapping, ShortCopy};
use crate::mapping::{RegisteredMapping, ALIAS_START};
use crate::namespace::BoundNamespace;
use crate::region::{FuaFlush, Region};
use crate::span::DevSpan;

/// The state every bio of one disk reaches (the gendisk's `private_data`).
pub(crate) struct DiskIo {
    shared: Arc<DiskShared>,
    ns: BoundNamespace,
    region: Region,
    frames: RegisteredMapping,
    dirent: DirentSlot,
}

impl DiskIo {
    /// The I/O state of a disk over `frames` of namespace `ns`.
    pub(crate) fn new(
        shared: Arc<DiskShared>,
        ns: BoundNamespace,
        region: Region,
        frames: RegisteredMapping,
    ) -> Self {
        DiskIo {
            shared,
            ns,
            region,
            frames,
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
        self.region
            .populate_badblocks(&s.badblocks, s.base.phys(), s.sectors << 9);
        self.dirent.notify();
    }

    /// Map `bytes` of the device from `sector` on: the sectors of one bio
    /// are contiguous on the device, so one mapping serves every segment.
    #[inline]
    fn map_sectors(&self, sector: u64, bytes: u32) -> Option<PfnMapping<'_>> {
        let offset = usize::try_from(sector.checked_mul(512)?).ok()?;
        kmap_registered(self.frames.registration(), offset, bytes as usize)
    }

    /// Clear poison under one page-sized piece of a write, as pmem.c's
    /// `pmem_clear_poison()` does; sleeps.
    fn clear_poison(&self, piece: DevSpan) -> Status {
        let Some(phys) = self.shared.base.phys().checked_add(piece.pos) else {
            return BLK_STS_IOERR;
        };
        let Ok(cleared) = self.ns.get().clear_poison(phys, piece.len) else {
            return BLK_STS_IOERR;
        };
        if cleared > 0 {
            self.frames
                .mapping()
                .invalidate(piece.pos as usize, piece.len as usize);
            let blocks = cleared >> 9;
            if blocks != 0 {
                self.shared.badblocks.clear(piece.pos / 512, blocks);
                self.dirent.notify();
            }
        }
        if cleared < u64::from(piece.len) {
            BLK_STS_IOERR
        } else {
            BLK_STS_OK
        }
    }

    /// Bad blocks under the bio, before any of its data moves: a read of a
    /// bad sector fails; a write clears the poison page by page first, which
    /// sleeps, so a `REQ_NOWAIT` write is sent back (`BLK_STS_AGAIN`) to be
    /// retried from a context that may, with nothing written.
    #[cold]
    fn before_bad_blocks(&self, bio: &Bio, is_write: bool) -> Status {
        let bb: &BadBlocks = &self.shared.badblocks;
        let whole = DevSpan::of_segment(bio.sector(), 0, bio.size());
        let (first, nr) = whole.sectors();
        if !bb.check(first, nr) {
            return BLK_STS_OK;
        }
        if !is_write {
            return BLK_STS_IOERR;
        }
        if bio.is_nowait() {
            return BLK_STS_AGAIN;
        }
        for piece in whole.pages() {
            let (first, nr) = piece.sectors();
            if bb.check(first, nr) {
                let status = self.clear_poison(piece);
                if status != BLK_STS_OK {
                    return status;
                }
            }
        }
        BLK_STS_OK
    }

    /// Copy `len` bytes at `at` into a bio from `sector` (mapped by `dev`)
    /// to or from `mem`, device memory of a pfn bio, which may hold poison
    /// too and is not flushed by plain stores: machine-check safe reads,
    /// and the destination written back. From [`ALIAS_START`] on, through
    /// this disk's alias mapping: `mem` is another namespace's mapping at
    /// the same offset as often as not, and the alias keeps the two apart
    /// in an emulator's TLB (see `Mapping::alias`).
    fn copy_device(
        &self,
        is_write: bool,
        sector: u64,
        dev: &mut PfnMapping<'_>,
        at: usize,
        mem: &mut PfnMapping<'_>,
        len: usize,
    ) -> Result<(), ShortCopy> {
        let all = ShortCopy { left: len };
        let pos = usize::try_from(sector.checked_mul(512).ok_or(all)?)
            .ok()
            .and_then(|p| p.checked_add(at))
            .ok_or(all)?;
        let split = ALIAS_START.saturating_sub(pos).min(len);
        let alias_pos = pos.checked_add(split).ok_or(all)?;
        let (head, alias) = match kmap_alias(&self.frames, alias_pos, len.saturating_sub(split)) {
            Some(alias) if split < len => (split, Some(alias)),
            _ => (len, None),
        };
        if head > 0 {
            if is_write {
                dev.copy_mc_durable_from(at, mem, 0, head)?;
            } else {
                mem.copy_mc_durable_from(0, dev, at, head)?;
            }
        }
        if let Some(mut alias) = alias {
            // `head` is `split`, below `len` here.
            let rest = len.saturating_sub(head);
            if is_write {
                alias.copy_mc_durable_from(0, mem, head, rest)?;
            } else {
                mem.copy_mc_durable_from(head, &alias, 0, rest)?;
            }
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
            return BLK_STS_OK;
        }
        let Some(mut dev) = self.map_sectors(bio.sector(), bytes) else {
            return BLK_STS_IOERR;
        };
        // A hint read once per bio, as `is_bad_pmem()` does; exact below.
        if self.shared.badblocks.count() != 0 {
            let status = self.before_bad_blocks(bio, is_write);
            if status != BLK_STS_OK {
                return status;
            }
        }
        for seg in bio.segments() {
            let Some(mut mem) = seg.map() else {
                return BLK_STS_IOERR;
            };
            let (at, len) = (seg.bio_offset() as usize, seg.len() as usize);
            let copied = match (is_write, seg.pfn().is_device()) {
                (true, false) => dev.copy_flushcache_from(at, &mem, 0, len),
                (false, false) => mem.copy_mc_from(0, &dev, at, len),
                (_, true) => self.copy_device(is_write, bio.sector(), &mut dev, at, &mut mem, len),
            };
            if copied.is_err() {
                return BLK_STS_IOERR;
            }
        }
        BLK_STS_OK
    }
}

impl BioQueue for DiskIo {
    #[inline(always)]
    fn submit_bio(&self, mut bio: Bio) {
        let is_write = match bio.op() {
            Op::Read => false,
            Op::Write => true,
            Op::Other => return bio.end_with(BLK_STS_NOTSUPP),
        };
        if bio.is_preflush() {
            if let Err(e) = self.region.flush() {
                return bio.end_with(error_status(e));
            }
        }
        let acct = bio.start_acct();
        let status = self.transfer(&bio, is_write);
        if status != BLK_STS_OK {
            bio.set_status(status);
        }
        if let Some(acct) = acct {
            bio.end_acct(acct);
        }
        if bio.is_fua() && bio.status() == BLK_STS_OK {
            match self.region.flush_fua(bio) {
                FuaFlush::Async => {}
                FuaFlush::Done(mut bio, Err(e)) => bio.set_status(error_status(e)),
                FuaFlush::Done(_bio, Ok(())) => {}
            }
            return;
        }
        bio.end();
    }

    fn badblocks(&self) -> &BadBlocks {
        &self.shared.badblocks
    }
}

impl Drop for DiskIo {
    fn drop(&mut self) {
        // The disk is deleted and drained: make what it wrote durable before
        // the registration and mapping go.
        let _ = self.region.flush();
    }
}
