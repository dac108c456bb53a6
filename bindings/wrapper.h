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
#include <linux/ioport.h>
#include <uapi/linux/ndctl.h>
#include "nd.h"  /* drivers/nvdimm/nd.h: private libnvdimm API */
#include "rpmem_shim.h"

/* bindgen drops typed macros; these become `pub const NAME` (see the script). */
#define RPMEM_CONST(type, name) const type RUST_CONST_HELPER_##name = name
RPMEM_CONST(blk_status_t, BLK_STS_OK);
RPMEM_CONST(blk_status_t, BLK_STS_NOTSUPP);
RPMEM_CONST(blk_status_t, BLK_STS_IOERR);
RPMEM_CONST(blk_status_t, BLK_STS_AGAIN);
RPMEM_CONST(blk_status_t, BLK_STS_MEDIUM);
RPMEM_CONST(blk_features_t, BLK_FEAT_WRITE_CACHE);
RPMEM_CONST(blk_features_t, BLK_FEAT_FUA);
RPMEM_CONST(blk_features_t, BLK_FEAT_SYNCHRONOUS);
RPMEM_CONST(blk_features_t, BLK_FEAT_NOWAIT);
RPMEM_CONST(blk_features_t, BLK_FEAT_IO_STAT);
RPMEM_CONST(blk_opf_t, REQ_OP_MASK);
RPMEM_CONST(blk_opf_t, REQ_FUA);
RPMEM_CONST(blk_opf_t, REQ_PREFLUSH);
RPMEM_CONST(blk_opf_t, REQ_NOWAIT);
RPMEM_CONST(unsigned long, ND_DRIVER_NAMESPACE_IO);
RPMEM_CONST(unsigned long, ND_DRIVER_NAMESPACE_PMEM);
RPMEM_CONST(int, NVDIMM_FLUSH_ASYNC);
RPMEM_CONST(unsigned int, SECTOR_SHIFT);
RPMEM_CONST(unsigned long, ND_MIN_NAMESPACE_SIZE);
RPMEM_CONST(blk_opf_t, REQ_SYNC);
