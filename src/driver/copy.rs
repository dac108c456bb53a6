// SPDX-License-Identifier: GPL-2.0

//! The pfn copy (`rpmemctl copy`): a sector range from one rpmem disk to
//! another with bios whose vectors name the source's device frames.
//!
//! It acts with the caller's own rights: the caller opens both disks and
//! passes the file descriptors, the source opened for reading and the
//! destination for writing, exclusively (`O_EXCL`, which a mounted or
//! claimed disk refuses). It follows the rules of every writer of a block
//! device: page cache written back before and invalidated after, a flush at
//! the end. The receiving disk reads the source frames machine-check
//! safely. No lock is held while it runs: a signal stops it at the next
//! chunk, and an unbound disk ends it with an error.

use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicU8, Ordering};

use kernel::prelude::*;
use kernel::str::BStr;

use super::disk::{RpmemDisks, RPMEM_DISKS};
use super::disk_shared::DiskShared;
use crate::abstractions::block_device::UserBlockDevice;
use crate::abstractions::pfn_bio::{PfnSource, PfnTarget};
use crate::uapi::{CopyRequest, CopyStatus, NAME_LEN};

/// Sectors per pfn bio (8 MiB): few bios per copy, and a signal or an
/// unbind still ends it within milliseconds.
const CHUNK_SECTORS: u64 = 16384;

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

/// The running or last copy; one runs at a time.
pub(crate) struct Copier {
    active: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
    last_error: AtomicI32,
    src: NameCell,
    dst: NameCell,
}

/// A disk name for messages.
fn shown(disk: &DiskShared) -> &BStr {
    BStr::from_bytes(disk.name())
}

impl Copier {
    /// No copy yet.
    pub(crate) const fn new() -> Self {
        Copier {
            active: AtomicBool::new(false),
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
            last_error: AtomicI32::new(0),
            src: NameCell::new(),
            dst: NameCell::new(),
        }
    }

    /// The running or last copy.
    pub(crate) fn status(&self) -> CopyStatus {
        CopyStatus {
            done_sectors: self.done.load(Ordering::Relaxed),
            total_sectors: self.total.load(Ordering::Relaxed),
            active: u32::from(self.active.load(Ordering::Relaxed)),
            last_error: self.last_error.load(Ordering::Relaxed),
            src: self.src.load(),
            dst: self.dst.load(),
        }
    }

    /// Run one copy (another one running is `EBUSY`). Out of line, so that
    /// `make check-io-path` finds it in rpmem.ko and can show that no step
    /// of a copy can panic.
    #[inline(never)]
    pub(crate) fn copy(&self, req: &CopyRequest) -> Result {
        if self
            .active
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return Err(EBUSY);
        }
        self.done.store(0, Ordering::Relaxed);
        self.total.store(0, Ordering::Relaxed);
        self.src.store(&[0; NAME_LEN]);
        self.dst.store(&[0; NAME_LEN]);
        let result = self.run(req);
        self.last_error
            .store(result.err().map_or(0, |e| e.to_errno()), Ordering::Relaxed);
        self.active.store(false, Ordering::Release);
        result
    }

    fn run(&self, req: &CopyRequest) -> Result {
        let src_dev = UserBlockDevice::from_fd(req.src_fd)?;
        let dst_dev = UserBlockDevice::from_fd(req.dst_fd)?;
        let src = PfnSource::new(&src_dev, &RPMEM_DISKS)?;
        let dst = PfnTarget::new(&dst_dev, &RPMEM_DISKS)?;
        self.src.store(&src.identity().name);
        self.dst.store(&dst.identity().name);
        let nr = check_ranges(req, &src, &dst)?;
        let _uses = (
            DiskShared::copy_use(src.identity()),
            DiskShared::copy_use(dst.identity()),
        );
        self.total.store(nr, Ordering::Relaxed);
        if src.identity().badblocks.check(req.src_sector, nr) {
            pr_err!(
                "copy {} -> {}: the source range holds bad blocks\n",
                shown(src.identity()),
                shown(dst.identity())
            );
            return Err(EIO);
        }
        // What buffered writers left in the page cache goes to the media first.
        src_dev.write_back(req.src_sector, nr)?;
        dst_dev.write_back(req.dst_sector, nr)?;
        let copied = self.copy_chunks(req, &src, &dst, nr);
        // Buffered readers must see the new data, even of a partial copy.
        let invalidated = dst_dev.invalidate(req.dst_sector, nr);
        copied?;
        dst_dev.flush()?;
        invalidated
    }

    /// Copy `nr` sectors chunk by chunk; stops at a pending signal (`EINTR`),
    /// a bad block met in the source, or a failed write.
    fn copy_chunks(
        &self,
        req: &CopyRequest,
        src: &PfnSource<RpmemDisks>,
        dst: &PfnTarget<'_, RpmemDisks>,
        nr: u64,
    ) -> Result {
        let (from_name, to_name) = (shown(src.identity()), shown(dst.identity()));
        let mut done = 0;
        while done < nr {
            if kernel::current!().signal_pending() {
                pr_info!(
                    "copy {} -> {} interrupted after {} of {} sectors\n",
                    from_name,
                    to_name,
                    done,
                    nr
                );
                return Err(EINTR);
            }
            let n = nr.saturating_sub(done).min(CHUNK_SECTORS);
            let (Some(from), Some(to)) = (
                req.src_sector.checked_add(done),
                req.dst_sector.checked_add(done),
            ) else {
                return Err(ERANGE);
            };
            if src.identity().badblocks.check(from, n) {
                pr_err!(
                    "copy {} -> {}: bad block in the source at sectors {}+{}\n",
                    from_name,
                    to_name,
                    from,
                    n
                );
                return Err(EIO);
            }
            dst.write_from(src, from, to, n).inspect_err(|e| {
                pr_err!(
                    "copy {} -> {} failed after {} of {} sectors: error {}\n",
                    from_name,
                    to_name,
                    done,
                    nr,
                    e.to_errno()
                )
            })?;
            done = done.saturating_add(n);
            self.done.store(done, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// The number of sectors to copy, or why the request is refused.
fn check_ranges(
    req: &CopyRequest,
    src: &PfnSource<RpmemDisks>,
    dst: &PfnTarget<'_, RpmemDisks>,
) -> Result<u64> {
    let (src_size, dst_size) = (src.sectors(), dst.sectors());
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
    let same = kernel::sync::Arc::ptr_eq(src.identity(), dst.identity());
    let overlap = req.src_sector < req.dst_sector.saturating_add(nr)
        && req.dst_sector < req.src_sector.saturating_add(nr);
    if same && overlap {
        return Err(EINVAL);
    }
    Ok(nr)
}
