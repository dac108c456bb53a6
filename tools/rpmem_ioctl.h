/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rpmem control device ABI (/dev/rpmem-ctl). Mirrored by src/uapi.rs.
 */
#ifndef RPMEM_IOCTL_H
#define RPMEM_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define RPMEM_NAME_LEN 32

/* Copy nr_sectors from src at src_sector to dst at dst_sector (pfn I/O). */
struct rpmem_copy {
	char src[RPMEM_NAME_LEN];	/* rpmem disk name, e.g. "pmem0" */
	char dst[RPMEM_NAME_LEN];
	__u64 src_sector;
	__u64 dst_sector;
	__u64 nr_sectors;	/* 0: clone the whole disk (sizes must match) */
};

struct rpmem_copy_status {
	__u64 done_sectors;	/* progress of the running or last copy */
	__u64 total_sectors;
	__u32 active;		/* 1 while a copy runs */
	__s32 last_error;	/* 0 or -errno of the last copy */
	char src[RPMEM_NAME_LEN];
	char dst[RPMEM_NAME_LEN];
};

/* In-kernel micro-benchmark of kmap_atomic_pfn_t() map+unmap. */
struct rpmem_bench_kmap {
	__u32 nr_ranges;	/* in: registered ranges, 1..1024 */
	__u32 iterations;	/* in: map+unmap calls per variant */
	__u64 registry_ps;	/* out: ps per call, rpmem registry lookup */
	__u64 registry_held_ps;	/* out: the same inside one held RCU section */
	__u64 list_ps;		/* out: ps per call, RCU list walk (2015) */
	__u64 page_ps;		/* out: ps per call, RAM page (kmap_local) */
};

/* In-kernel copy bandwidth, 4 KiB pieces between two 1 MiB buffers. */
struct rpmem_bench_copy {
	__u32 mib;		/* in: MiB per primitive, 1..4096 */
	__u32 pad;
	__u64 memcpy_kibs;	/* out: KiB/s, memcpy */
	__u64 copy_mc_kibs;	/* out: KiB/s, copy_mc_to_kernel (reads) */
	__u64 flushcache_kibs;	/* out: KiB/s, memcpy_flushcache (writes) */
};

#define RPMEM_IOC_COPY		_IOW('R', 1, struct rpmem_copy)
#define RPMEM_IOC_STATUS	_IOR('R', 2, struct rpmem_copy_status)
#define RPMEM_IOC_BENCH_KMAP	_IOWR('R', 3, struct rpmem_bench_kmap)
#define RPMEM_IOC_BENCH_COPY	_IOWR('R', 4, struct rpmem_bench_copy)

#endif
