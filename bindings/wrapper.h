/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rpmem needs beyond the kernel crate's bindings: libnvdimm (public and
 * private headers), badblocks, and typed block-layer constants that bindgen
 * cannot evaluate as macros. Input to scripts/gen-bindings.sh.
 */
#include <linux/nd.h>
#include <linux/libnvdimm.h>
#include <linux/badblocks.h>
#include <linux/blkdev.h>
#include <linux/blk_types.h>
#include <linux/pfn.h>
#include <linux/io.h>
#include <linux/memremap.h>
#include <linux/mmzone.h>
#include <linux/ioport.h>
#include <linux/pagemap.h>
#include <uapi/linux/ndctl.h>
#include "nd.h"  /* drivers/nvdimm/nd.h: private libnvdimm API */
#include "rpmem_shim.h"

/* bindgen drops typed macros; these become `pub const NAME` (see the script). */
const blk_status_t RUST_CONST_HELPER_BLK_STS_OK = BLK_STS_OK;
const blk_status_t RUST_CONST_HELPER_BLK_STS_NOTSUPP = BLK_STS_NOTSUPP;
const blk_status_t RUST_CONST_HELPER_BLK_STS_IOERR = BLK_STS_IOERR;
const blk_status_t RUST_CONST_HELPER_BLK_STS_AGAIN = BLK_STS_AGAIN;
const blk_status_t RUST_CONST_HELPER_BLK_STS_MEDIUM = BLK_STS_MEDIUM;
const blk_features_t RUST_CONST_HELPER_BLK_FEAT_WRITE_CACHE = BLK_FEAT_WRITE_CACHE;
const blk_features_t RUST_CONST_HELPER_BLK_FEAT_FUA = BLK_FEAT_FUA;
const blk_features_t RUST_CONST_HELPER_BLK_FEAT_SYNCHRONOUS = BLK_FEAT_SYNCHRONOUS;
const blk_features_t RUST_CONST_HELPER_BLK_FEAT_NOWAIT = BLK_FEAT_NOWAIT;
const blk_features_t RUST_CONST_HELPER_BLK_FEAT_IO_STAT = BLK_FEAT_IO_STAT;
const blk_opf_t RUST_CONST_HELPER_REQ_OP_MASK = REQ_OP_MASK;
const blk_opf_t RUST_CONST_HELPER_REQ_FUA = REQ_FUA;
const blk_opf_t RUST_CONST_HELPER_REQ_PREFLUSH = REQ_PREFLUSH;
const blk_opf_t RUST_CONST_HELPER_REQ_NOWAIT = REQ_NOWAIT;
const unsigned long RUST_CONST_HELPER_ND_DRIVER_NAMESPACE_IO = ND_DRIVER_NAMESPACE_IO;
const unsigned long RUST_CONST_HELPER_ND_DRIVER_NAMESPACE_PMEM = ND_DRIVER_NAMESPACE_PMEM;
const int RUST_CONST_HELPER_NVDIMM_FLUSH_ASYNC = NVDIMM_FLUSH_ASYNC;
const unsigned int RUST_CONST_HELPER_SECTOR_SHIFT = SECTOR_SHIFT;
const unsigned long RUST_CONST_HELPER_ND_MIN_NAMESPACE_SIZE = ND_MIN_NAMESPACE_SIZE;
const blk_opf_t RUST_CONST_HELPER_REQ_SYNC = REQ_SYNC;
const unsigned long RUST_CONST_HELPER_PAGES_PER_SUBSECTION = PAGES_PER_SUBSECTION;
const blk_mode_t RUST_CONST_HELPER_BLK_OPEN_READ = BLK_OPEN_READ;
const blk_mode_t RUST_CONST_HELPER_BLK_OPEN_WRITE = BLK_OPEN_WRITE;
const blk_mode_t RUST_CONST_HELPER_BLK_OPEN_RESTRICT_WRITES = BLK_OPEN_RESTRICT_WRITES;
const unsigned long RUST_CONST_HELPER_PAGE_SIZE = PAGE_SIZE;
