// SPDX-License-Identifier: GPL-2.0

//! The pfn copy (`rpmemctl copy`): a sector range from one rpmem disk to
//! another with bios whose vectors name the source's device frames.
//!
//! It follows the rules of every writer of a block device: the source is
//! opened for reading and the destination for exclusive writing through the
//! block layer (a mounted destination is `EBUSY`, a read-only one `EROFS`),
//! page cache is written back before and invalidated after, and the opens
//! are dropped at the end. The receiving disk reads the source frames
//! machine-check safely. No lock is held while it runs: it keeps what it
//! needs of each disk, a signal stops it at the next chunk, and an unbound
//! disk ends it with an error.

use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicU8, Ordering};

use kernel::prelude::*;
use kernel::str::BStr;

use crate::bdev::{BdevFile, OpenMode};
use crate::disk::DiskShared;
use crate::disks::{self, Found};
use crate::uapi::{field_name, CopyRequest, CopyStatus, NAME_LEN};

/// Sectors per pfn bio (8 MiB): few bios per copy, and a signal or an
/// unbind still ends it within milliseconds.
const CHUNK_SECTORS: u64 = 16384;

static ACTIVE: AtomicBool = AtomicBool::new(false);
static DONE: AtomicU64 = AtomicU64::new(0);
static TOTAL: AtomicU64 = AtomicU64::new(0);
static LAST_ERROR: AtomicI32 = AtomicI32::new(0);
static SRC_NAME: NameCell = NameCell::new();
static DST_NAME: NameCell = NameCell::new();

/// A disk name readable while a copy runs (a torn read only ever mixes
/// two names of one copy start; it is for display).
struct NameCell([AtomicU8; NAME_LEN]);

impl NameCell {
    const fn new() -> Self {
        NameCell([const { AtomicU8::new(0) }; NAME_LEN])
    }

    fn store(&self, name: &[u8; NAME_LEN]) {
        for (cell, &b) in self.0.iter().zip(name) {
            cell.store(b, Ordering::Relaxed);
        }
    }

    fn load(&self) -> [u8; NAME_LEN] {
        let mut name = [0; NAME_LEN];
        for (b, cell) in name.iter_mut().zip(&self.0) {
            *b = cell.load(Ordering::Relaxed);
        }
        name
    }
}

/// The running or last copy.
pub(crate) fn status() -> CopyStatus {
    CopyStatus {
        done_sectors: DONE.load(Ordering::Relaxed),
        total_sectors: TOTAL.load(Ordering::Relaxed),
        active: u32::from(ACTIVE.load(Ordering::Relaxed)),
        last_error: LAST_ERROR.load(Ordering::Relaxed),
        src: SRC_NAME.load(),
        dst: DST_NAME.load(),
    }
}

/// Run one copy; one runs at a time (another one is `EBUSY`). Out of line,
/// so that `make check-io-path` finds it in rpmem.ko and can show that no
/// step of a copy can panic.
#[inline(never)]
pub(crate) fn copy(req: &CopyRequest) -> Result {
    if ACTIVE
        .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
        .is_err()
    {
        return Err(EBUSY);
    }
    DONE.store(0, Ordering::Relaxed);
    TOTAL.store(0, Ordering::Relaxed);
    SRC_NAME.store(&req.src);
    DST_NAME.store(&req.dst);
    let result = run(req);
    LAST_ERROR.store(result.err().map_or(0, |e| e.to_errno()), Ordering::Relaxed);
    ACTIVE.store(false, Ordering::Release);
    result
}

/// A disk name for messages.
fn shown(name: &[u8; NAME_LEN]) -> &BStr {
    BStr::from_bytes(field_name(name))
}

fn run(req: &CopyRequest) -> Result {
    let src = disks::find(field_name(&req.src)).ok_or(ENODEV)?;
    let dst = disks::find(field_name(&req.dst)).ok_or(ENODEV)?;
    let nr = check_ranges(req, &src, &dst)?;
    // The block layer's rules: a shared read open of the source, an
    // exclusive write open of the destination (refused if mounted or
    // claimed), and a check that each is still the disk we found.
    let src_file = BdevFile::open(src.devt, OpenMode::Read)?;
    let dst_file = BdevFile::open(dst.devt, OpenMode::WriteExclusive)?;
    if src_file.disk_id() != src.id || dst_file.disk_id() != dst.id {
        return Err(ENODEV);
    }
    if dst_file.read_only() {
        return Err(EROFS);
    }
    let _uses = (
        DiskShared::copy_use(&src.shared),
        DiskShared::copy_use(&dst.shared),
    );
    TOTAL.store(nr, Ordering::Relaxed);
    if src.shared.badblocks.check(req.src_sector, nr) {
        pr_err!(
            "copy {} -> {}: the source range holds bad blocks\n",
            shown(&req.src),
            shown(&req.dst)
        );
        return Err(EIO);
    }
    // What buffered writers left in the page cache goes to the media first.
    src_file.write_back(req.src_sector, nr)?;
    dst_file.write_back(req.dst_sector, nr)?;
    let copied = copy_chunks(req, &src, &dst_file, nr);
    // Buffered readers must see the new data, even of a partial copy.
    let invalidated = dst_file.invalidate(req.dst_sector, nr);
    copied?;
    dst_file.flush()?;
    invalidated
}

/// The number of sectors to copy, or why the request is refused.
fn check_ranges(req: &CopyRequest, src: &Found, dst: &Found) -> Result<u64> {
    let (src_size, dst_size) = (src.shared.sectors, dst.shared.sectors);
    let nr = if req.nr_sectors == 0 {
        if req.src_sector != 0 || req.dst_sector != 0 {
            return Err(EINVAL);
        }
        if src_size != dst_size {
            return Err(EFBIG);
        }
        src_size
    } else {
        req.nr_sectors
    };
    let fits = |start: u64, size: u64| start.checked_add(nr).is_some_and(|end| end <= size);
    if !fits(req.src_sector, src_size) || !fits(req.dst_sector, dst_size) {
        return Err(ERANGE);
    }
    let overlap = req.src_sector < req.dst_sector + nr && req.dst_sector < req.src_sector + nr;
    if src.id == dst.id && overlap {
        return Err(EINVAL);
    }
    Ok(nr)
}

/// Copy `nr` sectors chunk by chunk; stops at a pending signal (`EINTR`),
/// a bad block met in the source, or a failed write.
fn copy_chunks(req: &CopyRequest, src: &Found, dst: &BdevFile, nr: u64) -> Result {
    let mut done = 0;
    while done < nr {
        if kernel::current!().signal_pending() {
            pr_info!(
                "copy {} -> {} interrupted after {} of {} sectors\n",
                shown(&req.src),
                shown(&req.dst),
                done,
                nr
            );
            return Err(EINTR);
        }
        // `done < nr`, and both ranges end inside their disks
        // (`check_ranges`): none of this arithmetic can wrap.
        let n = nr.saturating_sub(done).min(CHUNK_SECTORS);
        let (Some(from), Some(to)) = (
            req.src_sector.checked_add(done),
            req.dst_sector.checked_add(done),
        ) else {
            return Err(ERANGE);
        };
        if src.shared.badblocks.check(from, n) {
            pr_err!(
                "copy {} -> {}: bad block in the source at sectors {}+{}\n",
                shown(&req.src),
                shown(&req.dst),
                from,
                n
            );
            return Err(EIO);
        }
        dst.write_from_device(to, src.shared.base, from << 9, (n << 9) as u32)
            .inspect_err(|e| {
                pr_err!(
                    "copy {} -> {} failed after {} of {} sectors: error {}\n",
                    shown(&req.src),
                    shown(&req.dst),
                    done,
                    nr,
                    e.to_errno()
                )
            })?;
        done = done.saturating_add(n);
        DONE.store(done, Ordering::Relaxed);
    }
    Ok(())
}
