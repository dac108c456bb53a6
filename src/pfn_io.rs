// SPDX-License-Identifier: GPL-2.0

//! pfn I/O: bios whose vectors name device frames that have no
//! `struct page` (the end point of the 2015 series).
//!
//! A vector is filled with [`bvec_set_pfn`], so `bv_page` holds
//! `pfn_to_page(pfn)`, a vmemmap address that is never dereferenced; the
//! receiving rpmem disk turns it back into a `Pfn::device` and maps it
//! through the registry. Such bios are only ever aimed at rpmem disks
//! (callers pass a [`PmemDisk`]); docs/pfn-io.md explains why this is safe
//! and which block-layer paths they may take.

use kernel::prelude::*;

use crate::bindings;
use crate::bio::bvec_set_pfn;
use crate::disk::PmemDisk;
use crate::pfn::{Pfn, PAGE_SHIFT, PAGE_SIZE};

/// Write `len` bytes starting `offset` bytes into device frame `src` to
/// `dst` at `dst_sector`, as one bio with a single multi-page vector, and
/// wait for it.
pub(crate) fn write_from_pfn(
    dst: &PmemDisk,
    dst_sector: u64,
    src: Pfn,
    offset: u64,
    len: u32,
) -> Result {
    if !src.is_device() {
        return Err(EINVAL);
    }
    let src = src.add(offset >> PAGE_SHIFT);
    let offset = (offset as usize & (PAGE_SIZE - 1)) as u32;
    let opf = bindings::req_op_REQ_OP_WRITE | bindings::REQ_SYNC;
    // SAFETY: the disk is live (the caller holds it registered); may sleep.
    let bio = unsafe { bindings::rpmem_bio_alloc(dst.gendisk(), 1, opf) };
    if bio.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: a fresh bio with room for one inline vector, owned by us until
    // `bio_put`; `submit_bio_wait` returns only after completion.
    let rc = unsafe {
        let bv = &mut *bindings::rpmem_bio_first_vec(bio);
        bvec_set_pfn(bv, src, offset, len);
        (*bio).bi_vcnt = 1;
        (*bio).bi_iter.bi_sector = dst_sector;
        (*bio).bi_iter.bi_size = len;
        let rc = bindings::submit_bio_wait(bio);
        bindings::bio_put(bio);
        rc
    };
    if rc != 0 {
        return Err(Error::from_errno(rc));
    }
    Ok(())
}
