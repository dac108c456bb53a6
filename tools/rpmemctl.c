// SPDX-License-Identifier: GPL-2.0
/*
 * rpmemctl: user interface to /dev/rpmem-ctl.
 *
 *   rpmemctl copy SRC[:SECTOR] DST[:SECTOR] [NR_SECTORS]
 *       Copy NR_SECTORS (default: clone the whole disk) between rpmem disks
 *       (names like pmem0) with pfn I/O, printing progress.
 *   rpmemctl status
 *   rpmemctl bench-kmap NR_RANGES ITERATIONS
 *   rpmemctl bench-copy MIB
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "rpmem_ioctl.h"

#define CTL "/dev/rpmem-ctl"

static int open_ctl(void)
{
	int fd = open(CTL, O_RDWR);

	if (fd < 0) {
		fprintf(stderr, "rpmemctl: %s: %s (is rpmem loaded?)\n", CTL, strerror(errno));
		exit(2);
	}
	return fd;
}

static void parse_disk(const char *arg, char *name, __u64 *sector)
{
	const char *colon = strchr(arg, ':');
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);

	if (strncmp(arg, "/dev/", 5) == 0) {
		arg += 5;
		len -= 5;
	}
	if (len == 0 || len >= RPMEM_NAME_LEN) {
		fprintf(stderr, "rpmemctl: bad disk name '%s'\n", arg);
		exit(2);
	}
	memcpy(name, arg, len);
	name[len] = 0;
	*sector = colon ? strtoull(colon + 1, NULL, 0) : 0;
}

static int status(int fd, struct rpmem_copy_status *st)
{
	return ioctl(fd, RPMEM_IOC_STATUS, st);
}

static int do_copy(int argc, char **argv)
{
	struct rpmem_copy req = { 0 };
	struct rpmem_copy_status st;
	int fd = open_ctl(), rc, err;
	pid_t pid;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: rpmemctl copy SRC[:SECTOR] DST[:SECTOR] [NR_SECTORS]\n");
		return 2;
	}
	parse_disk(argv[0], req.src, &req.src_sector);
	parse_disk(argv[1], req.dst, &req.dst_sector);
	req.nr_sectors = argc == 3 ? strtoull(argv[2], NULL, 0) : 0;

	/* A child reports progress while the ioctl runs. */
	pid = fork();
	if (pid == 0) {
		for (;;) {
			usleep(200000);
			if (status(fd, &st) == 0 && st.active && st.total_sectors)
				fprintf(stderr, "rpmemctl: copied %llu/%llu sectors (%llu%%)\n",
					st.done_sectors, st.total_sectors,
					st.done_sectors * 100 / st.total_sectors);
		}
	}
	rc = ioctl(fd, RPMEM_IOC_COPY, &req);
	err = errno;
	if (pid > 0) {
		kill(pid, 9);
		waitpid(pid, NULL, 0);
	}
	if (rc) {
		fprintf(stderr, "rpmemctl: copy %s -> %s: %s\n", req.src, req.dst, strerror(err));
		return err;
	}
	if (status(fd, &st) == 0)
		printf("copied %llu sectors from %s:%llu to %s:%llu\n",
		       st.done_sectors, req.src, req.src_sector, req.dst, req.dst_sector);
	return 0;
}

static int do_status(void)
{
	struct rpmem_copy_status st;
	int fd = open_ctl();

	if (status(fd, &st)) {
		perror("rpmemctl: status");
		return 1;
	}
	printf("active=%u done=%llu total=%llu last_error=%d\n",
	       st.active, st.done_sectors, st.total_sectors, st.last_error);
	return 0;
}

static int do_bench(int argc, char **argv)
{
	struct rpmem_bench_kmap b = { 0 };
	int fd = open_ctl();

	if (argc != 2) {
		fprintf(stderr, "usage: rpmemctl bench-kmap NR_RANGES ITERATIONS\n");
		return 2;
	}
	b.nr_ranges = strtoul(argv[0], NULL, 0);
	b.iterations = strtoul(argv[1], NULL, 0);
	if (ioctl(fd, RPMEM_IOC_BENCH_KMAP, &b)) {
		perror("rpmemctl: bench-kmap");
		return 1;
	}
	printf("ranges=%u iterations=%u registry_ns=%.2f registry_held_ns=%.2f list_ns=%.2f page_ns=%.2f\n",
	       b.nr_ranges, b.iterations, b.registry_ps / 1000.0, b.registry_held_ps / 1000.0,
	       b.list_ps / 1000.0, b.page_ps / 1000.0);
	return 0;
}

static int do_bench_copy(int argc, char **argv)
{
	struct rpmem_bench_copy b = { 0 };
	int fd = open_ctl();

	if (argc != 1) {
		fprintf(stderr, "usage: rpmemctl bench-copy MIB\n");
		return 2;
	}
	b.mib = strtoul(argv[0], NULL, 0);
	if (ioctl(fd, RPMEM_IOC_BENCH_COPY, &b)) {
		perror("rpmemctl: bench-copy");
		return 1;
	}
	printf("kernel_memcpy_mibs=%llu kernel_copy_mc_mibs=%llu kernel_flushcache_mibs=%llu\n",
	       b.memcpy_kibs / 1024, b.copy_mc_kibs / 1024, b.flushcache_kibs / 1024);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "copy"))
		return do_copy(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "status"))
		return do_status();
	if (argc >= 2 && !strcmp(argv[1], "bench-kmap"))
		return do_bench(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "bench-copy"))
		return do_bench_copy(argc - 2, argv + 2);
	fprintf(stderr, "usage: rpmemctl copy|status|bench-kmap|bench-copy ...\n");
	return 2;
}
