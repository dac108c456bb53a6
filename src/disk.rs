// SPDX-License-Identifier: GPL-2.0

//! The block device: one gendisk per namespace, bio-based like
//! `drivers/nvdimm/pmem.c`, moving data only through [`crate::kmap`].

use core::ptr::{null_mut, NonNull};

use kernel::prelude::*;
use kernel::str::CStr;
use kernel::types::Opaque;

use crate::bindings;
use crate::bio::Bio;
use crate::kmap::{kmap_atomic_pfn_t, kmap_registered, PfnMapping};
use crate::pfn::{Pfn, PAGE_SHIFT, PAGE_SIZE};
use crate::range_table::DevRange;
use crate::registry::Registration;

const SECTOR_SHIFT: u32 = bindings::SECTOR_SHIFT;

struct Fops(bindings::block_device_operations);
// SAFETY: the table is immutable and only read by the block layer.
unsafe impl Sync for Fops {}

static RPMEM_FOPS: Fops = Fops(bindings::block_device_operations {
    owner: (&raw const bindings::__this_module).cast_mut(),
    submit_bio: Some(rpmem_submit_bio),
    // SAFETY: all-zero is a valid `block_device_operations` (no callbacks).
    ..unsafe { core::mem::zeroed() }
});

/// What a namespace looks like to the disk.
pub(crate) struct NamespaceInfo {
    /// The namespace device (`nd_namespace_io`), parent of the disk.
    pub(crate) dev: *mut bindings::device,
    /// Its region, for flushes and read-only state.
    pub(crate) region: *mut bindings::nd_region,
    /// Physical address and size of the namespace.
    pub(crate) phys: u64,
    /// Size in bytes.
    pub(crate) size: u64,
    /// Logical block size (`pmem_sector_size()`).
    pub(crate) lbasize: u32,
    /// Name for the memory region request (the namespace's device name).
    pub(crate) name: &'static CStr,
}

/// A claimed, mapped physical range: `request_mem_region` + `memremap`.
struct Mapping {
    phys: u64,
    size: u64,
    virt: NonNull<u8>,
}

impl Mapping {
    fn new(ns: &NamespaceInfo) -> Result<Self> {
        // SAFETY: `iomem_resource` is the global resource root; the name
        // outlives the claim (it belongs to the bound namespace device).
        let res = unsafe {
            bindings::__request_region(
                &raw mut bindings::iomem_resource,
                ns.phys,
                ns.size,
                ns.name.as_char_ptr(),
                0,
            )
        };
        if res.is_null() {
            pr_err!(
                "{}: region {:#x}+{:#x} busy, cannot claim it\n",
                ns.name,
                ns.phys,
                ns.size
            );
            return Err(EBUSY);
        }
        // SAFETY: we own the physical range now; write-back is what pmem.c
        // uses (ARCH_MEMREMAP_PMEM) and creates no struct pages.
        let virt = unsafe {
            bindings::memremap(ns.phys, ns.size as usize, bindings::MEMREMAP_WB as usize)
        };
        match NonNull::new(virt.cast::<u8>()) {
            Some(virt) => Ok(Mapping {
                phys: ns.phys,
                size: ns.size,
                virt,
            }),
            None => {
                pr_err!(
                    "{}: memremap of {:#x}+{:#x} failed\n",
                    ns.name,
                    ns.phys,
                    ns.size
                );
                // SAFETY: releases the claim taken above.
                unsafe {
                    bindings::__release_region(&raw mut bindings::iomem_resource, ns.phys, ns.size)
                };
                Err(ENOMEM)
            }
        }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: undoes `memremap` and the region claim from `new`; no
        // mapping of the range remains (the registration is gone).
        unsafe {
            bindings::memunmap(self.virt.as_ptr().cast());
            bindings::__release_region(&raw mut bindings::iomem_resource, self.phys, self.size);
        }
    }
}

/// One rpmem disk. Lives in a `KBox` at a fixed address: the gendisk's
/// `private_data` and `bb` point into it.
pub(crate) struct PmemDisk {
    disk: *mut bindings::gendisk,
    bb_dirent: *mut kernel::ffi::c_void,
    range: Option<Registration>,
    region: *mut bindings::nd_region,
    dev: *mut bindings::device,
    base: Pfn,
    size: u64,
    bb: Opaque<bindings::badblocks>,
    bb_ready: bool,
    nowait: bool,
    mapping: Option<Mapping>,
}

impl PmemDisk {
    /// Map the namespace, register its frames and add `/dev/pmemN`.
    pub(crate) fn new(
        ns: &NamespaceInfo,
        ndns: *mut bindings::nd_namespace_common,
    ) -> Result<KBox<Self>> {
        let mapping = Mapping::new(ns)?;
        let start_pfn = ns.phys >> PAGE_SHIFT;
        // SAFETY: pure test of the memory map (`pfn_valid()`).
        if unsafe { bindings::rpmem_pfn_valid_block(start_pfn) } != 0 {
            pr_warn!(
                "{}: pfn {:#x} has a struct page (unexpected for raw pmem)\n",
                ns.name,
                start_pfn
            );
        } else {
            pr_info!(
                "{}: pfn {:#x}: pfn_valid() is false, no struct page\n",
                ns.name,
                start_pfn
            );
        }
        let range = Registration::new(DevRange {
            start_pfn,
            nr_pages: ns.size >> PAGE_SHIFT,
            base: mapping.virt.as_ptr() as usize,
        })
        .inspect_err(|e| pr_err!("{}: cannot register pfn range: {:?}\n", ns.name, e))?;

        // SAFETY: `region` is the live parent region of the bound namespace.
        let sync = unsafe { bindings::is_nvdimm_sync(ns.region) };
        let mut this = KBox::new(
            PmemDisk {
                disk: null_mut(),
                bb_dirent: null_mut(),
                range: Some(range),
                region: ns.region,
                dev: ns.dev,
                base: Pfn::device_from_phys(ns.phys),
                size: ns.size,
                bb: Opaque::zeroed(),
                bb_ready: false,
                nowait: sync && crate::nowait_param(),
                mapping: Some(mapping),
            },
            GFP_KERNEL,
        )?;
        this.init_badblocks(ns)?;
        this.add_disk(ns, ndns)?;
        Ok(this)
    }

    fn init_badblocks(&mut self, ns: &NamespaceInfo) -> Result {
        // SAFETY: `self.bb` is zeroed and at its final address.
        let rc = unsafe { bindings::badblocks_init(self.bb.get(), 1) };
        if rc != 0 {
            pr_err!("{}: badblocks_init failed: {}\n", ns.name, rc);
            return Err(ENOMEM);
        }
        self.bb_ready = true;
        let range = bindings::range {
            start: ns.phys,
            end: ns.phys + ns.size - 1,
        };
        // SAFETY: region and badblocks are live; may sleep (probe context).
        unsafe { bindings::nvdimm_badblocks_populate(self.region, self.bb.get(), &range) };
        Ok(())
    }

    fn add_disk(&mut self, ns: &NamespaceInfo, ndns: *mut bindings::nd_namespace_common) -> Result {
        // SAFETY: region is live; these only read its flush configuration.
        let fua = unsafe { bindings::nvdimm_has_flush(self.region) };
        // SAFETY: constant query.
        let flushcache = unsafe { bindings::rpmem_arch_has_flushcache() };
        let fua = if !flushcache || fua < 0 {
            pr_warn!("{}: unable to guarantee persistence of writes\n", ns.name);
            0
        } else {
            fua
        };
        // SAFETY: all-zero `queue_limits` means "defaults" to the block layer.
        let mut lim: bindings::queue_limits = unsafe { core::mem::zeroed() };
        lim.logical_block_size = ns.lbasize;
        lim.physical_block_size = PAGE_SIZE as u32;
        lim.max_hw_sectors = u32::MAX;
        lim.features = bindings::BLK_FEAT_WRITE_CACHE | bindings::BLK_FEAT_SYNCHRONOUS;
        if fua != 0 {
            lim.features |= bindings::BLK_FEAT_FUA;
        }
        if self.nowait {
            lim.features |= bindings::BLK_FEAT_NOWAIT;
        } else {
            pr_info!(
                "{}: BLK_FEAT_NOWAIT off (nowait=0 or async flush)\n",
                ns.name
            );
        }
        // SAFETY: `dev` is the live namespace device.
        let node = unsafe { bindings::rpmem_dev_to_node(self.dev) };
        // SAFETY: `lim` is initialised; may sleep (probe context).
        let disk = unsafe { bindings::rpmem_alloc_disk(&mut lim, node) };
        if disk.is_null() || (disk as usize) >= (-4095isize) as usize {
            pr_err!("{}: cannot allocate gendisk\n", ns.name);
            return Err(ENOMEM);
        }
        // SAFETY: `disk` is a fresh gendisk we own; `self` outlives it
        // (deleted in `drop` before `self` goes).
        unsafe {
            (*disk).fops = &RPMEM_FOPS.0;
            (*disk).private_data = core::ptr::from_mut::<Self>(self).cast();
            bindings::nvdimm_namespace_disk_name(ndns, (*disk).disk_name.as_mut_ptr());
            bindings::set_capacity(disk, self.size >> SECTOR_SHIFT);
            // The kernel crate declares `badblocks` opaque; ours is the full type.
            (*disk).bb = self.bb.get().cast();
        }
        // Set before adding: the partition scan already submits bios.
        self.disk = disk;
        // SAFETY: `dev` is the parent; no attribute groups.
        let rc = unsafe { bindings::device_add_disk(self.dev, disk, null_mut()) };
        if rc != 0 {
            pr_err!("{}: device_add_disk failed: {}\n", ns.name, rc);
            self.disk = null_mut();
            // SAFETY: the disk was never added; drop our reference.
            unsafe { bindings::put_disk(disk) };
            return Err(Error::from_errno(rc));
        }
        // SAFETY: the disk is live and added; these may sleep.
        unsafe {
            bindings::nvdimm_check_and_set_ro(disk);
            self.bb_dirent = bindings::rpmem_disk_badblocks_dirent(disk);
        }
        if self.bb_dirent.is_null() {
            pr_warn!("{}: 'badblocks' notification disabled\n", ns.name);
        }
        Ok(())
    }

    /// Re-read the region's poison list into the disk's bad blocks.
    pub(crate) fn revalidate_poison(&self) {
        let range = bindings::range {
            start: self.base.phys(),
            end: self.base.phys() + self.size - 1,
        };
        // SAFETY: region and badblocks are live while bound.
        unsafe { bindings::nvdimm_badblocks_populate(self.region, self.bb.get(), &range) };
        self.notify_badblocks();
    }

    /// Re-apply the region's read-only state to the disk.
    pub(crate) fn revalidate_region(&self) {
        if !self.disk.is_null() {
            // SAFETY: the disk is live while bound.
            unsafe { bindings::nvdimm_check_and_set_ro(self.disk) };
        }
    }

    /// The disk name (`pmemN`).
    pub(crate) fn name(&self) -> &CStr {
        if self.disk.is_null() {
            return c"?";
        }
        // SAFETY: the gendisk is live while we are; `disk_name` is a
        // NUL-terminated array set at creation.
        unsafe { CStr::from_char_ptr((*self.disk).disk_name.as_ptr()) }
    }

    /// Capacity in 512-byte sectors.
    pub(crate) fn sectors(&self) -> u64 {
        self.size >> SECTOR_SHIFT
    }

    /// Device frame of sector 0.
    pub(crate) fn base_pfn(&self) -> Pfn {
        self.base
    }

    /// The gendisk, for building bios aimed at this disk.
    pub(crate) fn gendisk(&self) -> *mut bindings::gendisk {
        self.disk
    }

    /// True if the disk is read-only.
    pub(crate) fn read_only(&self) -> bool {
        // SAFETY: the gendisk is live while we are.
        !self.disk.is_null() && unsafe { bindings::rpmem_disk_ro(self.disk) }
    }

    /// True if any of `nr` sectors from `sector` is a known bad block.
    pub(crate) fn has_bad_blocks(&self, sector: u64, nr: u64) -> bool {
        let mut s = sector;
        let end = sector.saturating_add(nr);
        while s < end {
            let n = (end - s).min(1 << 20);
            if self.is_bad(s, (n << SECTOR_SHIFT) as u32) {
                return true;
            }
            s += n;
        }
        false
    }

    /// Flush the region's write-pending queues (`nvdimm_flush`).
    pub(crate) fn flush(&self) -> i32 {
        // SAFETY: region is live; a NULL bio means a synchronous flush.
        unsafe { bindings::nvdimm_flush(self.region, null_mut()) }
    }

    fn notify_badblocks(&self) {
        if !self.bb_dirent.is_null() {
            // SAFETY: we hold a reference on the dirent.
            unsafe { bindings::rpmem_notify_dirent(self.bb_dirent) };
        }
    }

    /// Whether any bad block is recorded: a plain read of the count, racy
    /// by design as in pmem.c's `is_bad_pmem()`; `badblocks_check` re-reads
    /// under its seqlock.
    #[inline]
    fn has_badblocks(&self) -> bool {
        // SAFETY: `bb` is initialised for the disk's lifetime; an aligned
        // int read.
        unsafe { (*self.bb.get()).count != 0 }
    }

    fn is_bad(&self, sector: u64, len: u32) -> bool {
        if !self.has_badblocks() {
            return false;
        }
        let mut first: bindings::sector_t = 0;
        let mut num: bindings::sector_t = 0;
        // SAFETY: badblocks is initialised; `badblocks_check` takes its own
        // seqlock and does not sleep.
        let bad = unsafe {
            bindings::badblocks_check(
                self.bb.get(),
                sector,
                u64::from(len >> SECTOR_SHIFT),
                &mut first,
                &mut num,
            )
        };
        bad != 0
    }

    /// Clear poison under a write to a known-bad range, as pmem.c does.
    fn clear_poison(&self, sector: u64, len: u32) -> bindings::blk_status_t {
        let phys = self.base.phys() + (sector << SECTOR_SHIFT);
        // SAFETY: `dev` is the bound namespace device; may sleep (the caller
        // checked that the bio allows it).
        let cleared = unsafe { bindings::nvdimm_clear_poison(self.dev, phys, len) };
        if cleared < 0 {
            return bindings::BLK_STS_IOERR;
        }
        if cleared > 0 {
            let offset = (sector << SECTOR_SHIFT) as usize;
            if let Some(m) = &self.mapping {
                // SAFETY: the span lies in our mapping (bio bounds checked).
                unsafe {
                    bindings::arch_invalidate_pmem(m.virt.as_ptr().add(offset).cast(), len as usize)
                };
            }
            let blocks = (cleared as u64) >> SECTOR_SHIFT;
            if blocks != 0 {
                // SAFETY: badblocks is initialised; takes its own lock.
                unsafe { bindings::badblocks_clear(self.bb.get(), sector, blocks) };
                self.notify_badblocks();
            }
        }
        if (cleared as u64) < u64::from(len) {
            bindings::BLK_STS_IOERR
        } else {
            bindings::BLK_STS_OK
        }
    }

    /// Map `bytes` of the device from `sector` on. The sectors of one bio
    /// are contiguous on the device, so one mapping serves every segment; it
    /// goes through our own registration, which outlives every bio (no
    /// lookup, no RCU section).
    #[inline]
    fn map_sectors(&self, sector: u64, bytes: u32) -> Option<PfnMapping<'_>> {
        let offset = usize::try_from(sector << SECTOR_SHIFT).ok()?;
        kmap_registered(self.range.as_ref()?, offset, bytes as usize)
    }

    /// Bad-block handling for one segment before it is copied: reads of a
    /// bad sector fail; writes clear the poison first (which sleeps, so a
    /// `REQ_NOWAIT` write is sent back to be retried from a context that may).
    #[cold]
    fn before_bad_segment(
        &self,
        sector: u64,
        len: u32,
        is_write: bool,
        nowait: bool,
    ) -> bindings::blk_status_t {
        if !self.is_bad(sector, len) {
            return bindings::BLK_STS_OK;
        }
        if !is_write {
            return bindings::BLK_STS_IOERR;
        }
        if nowait {
            // Clearing poison sleeps.
            return bindings::BLK_STS_AGAIN;
        }
        self.clear_poison(sector, len)
    }

    /// Move the bio's data: one device mapping for the bio, one memory
    /// mapping and one copy per (physically contiguous) vector.
    fn transfer(&self, bio: &Bio, is_write: bool, nowait: bool) -> bindings::blk_status_t {
        let (first, bytes) = (bio.sector(), bio.size());
        if bytes == 0 {
            return bindings::BLK_STS_OK;
        }
        let Some(mut dev) = self.map_sectors(first, bytes) else {
            return bindings::BLK_STS_IOERR;
        };
        // Looked at once per bio; racy by design, as `is_bad_pmem()` is.
        let maybe_bad = self.has_badblocks();
        // Offset of the segment in `dev`: the segments tile the bio's bytes.
        let mut at = 0usize;
        for seg in bio.bvecs() {
            let len = seg.len as usize;
            if maybe_bad {
                let status = self.before_bad_segment(seg.sector, seg.len, is_write, nowait);
                if status != bindings::BLK_STS_OK {
                    return status;
                }
            }
            let Some(mut mem) = kmap_atomic_pfn_t(seg.pfn, seg.offset as usize, len) else {
                return bindings::BLK_STS_IOERR;
            };
            let copied = if is_write {
                dev.copy_flushcache_from(at, &mem, 0, len)
            } else {
                mem.copy_mc_from(0, &dev, at, len)
            };
            if copied.is_err() {
                return bindings::BLK_STS_IOERR;
            }
            at = at.wrapping_add(len);
        }
        bindings::BLK_STS_OK
    }

    /// Serve one bio: `pmem_submit_bio()` in Rust.
    fn submit(&self, mut bio: Bio) {
        let opf = bio.opf();
        let op = bio.op();
        let is_write = match op {
            bindings::req_op_REQ_OP_READ => false,
            bindings::req_op_REQ_OP_WRITE => true,
            _ => return bio.end_with(bindings::BLK_STS_NOTSUPP),
        };
        let nowait = opf & bindings::REQ_NOWAIT != 0;
        if opf & bindings::REQ_PREFLUSH != 0 {
            let rc = self.flush();
            if rc != 0 {
                // SAFETY: pure conversion.
                return bio.end_with(unsafe { bindings::errno_to_blk_status(rc) });
            }
        }
        // `blk_queue_io_stat()`.
        // SAFETY: the disk and its queue are live while it has bios in flight.
        let acct =
            unsafe { (*(*self.disk).queue).limits.features } & bindings::BLK_FEAT_IO_STAT != 0;
        let start = if acct {
            // SAFETY: the bio is live and ours.
            unsafe { bindings::bio_start_io_acct(bio.as_ptr()) }
        } else {
            0
        };

        let status = self.transfer(&bio, is_write, nowait);
        if status != bindings::BLK_STS_OK {
            bio.set_status(status);
        }
        if acct {
            // SAFETY: pairs with `bio_start_io_acct` above.
            unsafe { bindings::rpmem_bio_end_io_acct(bio.as_ptr(), start) };
        }
        if opf & bindings::REQ_FUA != 0 && bio.status() == bindings::BLK_STS_OK {
            // SAFETY: region and bio are live; an asynchronous flush takes
            // over the bio and completes it.
            let rc = unsafe { bindings::nvdimm_flush(self.region, bio.as_ptr()) };
            if rc == bindings::NVDIMM_FLUSH_ASYNC {
                return bio.forget();
            }
            if rc != 0 {
                // SAFETY: pure conversion.
                bio.set_status(unsafe { bindings::errno_to_blk_status(rc) });
            }
        }
        bio.end();
    }
}

impl Drop for PmemDisk {
    fn drop(&mut self) {
        if !self.disk.is_null() {
            // SAFETY: we added the disk; `del_gendisk` drains in-flight bios
            // before it returns, then we drop our reference.
            unsafe {
                bindings::del_gendisk(self.disk);
                bindings::put_disk(self.disk);
            }
            self.disk = null_mut();
        }
        if !self.bb_dirent.is_null() {
            // SAFETY: releases the reference taken in `add_disk`.
            unsafe { bindings::rpmem_put_dirent(self.bb_dirent) };
            self.bb_dirent = null_mut();
        }
        // Unregister the frames; waits out every mapping still using them.
        drop(self.range.take());
        let _ = self.flush();
        // Unmap and release the region only now.
        drop(self.mapping.take());
        if self.bb_ready {
            // SAFETY: initialised in `init_badblocks`; the disk is gone.
            unsafe { bindings::badblocks_exit(self.bb.get()) };
        }
    }
}

/// `submit_bio` entry point of every rpmem disk.
///
/// # Safety
///
/// Called by the block layer with a live bio for one of our disks.
unsafe extern "C" fn rpmem_submit_bio(bio: *mut bindings::bio) {
    // SAFETY: the block layer hands us a live bio to complete.
    let Some(bio) = (unsafe { Bio::from_raw(bio) }) else {
        return;
    };
    let this = bio.disk_private().cast::<PmemDisk>();
    // SAFETY: `private_data` points at the `PmemDisk` that owns the disk; it
    // outlives every bio because `del_gendisk` drains them before drop.
    let this = unsafe { &*this };
    this.submit(bio);
}
