// SPDX-License-Identifier: GPL-2.0
/*
 * copyfd: issue RPMEM_IOC_COPY on /dev/rpmem-ctl with descriptors opened
 * exactly as told, for the guest tests of the module's own checks (which
 * rpmemctl, opening the disks correctly, never reaches).
 *
 *   copyfd SRC MODE DST MODE [NR_SECTORS]
 *
 * MODE: r (O_RDONLY), w (O_WRONLY), rw (O_RDWR) or rwx (O_RDWR | O_EXCL).
 * Copies NR_SECTORS (default 0: the whole disk) from sector 0 of SRC to
 * sector 0 of DST. Exit status: 0 and "copyfd: copied" on success; the
 * errno value and "copyfd: RPMEM_IOC_COPY: ENAME (text)" if the ioctl
 * fails; 125 and "copyfd: open PATH: ENAME (text)" if an open fails; 2 for
 * a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* RPMEM_IOC_COPY's argument: src/logic/uapi.rs's CopyRequest. */
struct rpmem_copy {
	int32_t src_fd;
	int32_t dst_fd;
	uint64_t src_sector;
	uint64_t dst_sector;
	uint64_t nr_sectors;
};
_Static_assert(sizeof(struct rpmem_copy) == 32, "CopyRequest is 32 bytes");
_Static_assert(offsetof(struct rpmem_copy, src_sector) == 8, "CopyRequest layout");

/* As uapi.rs computes it: _IOW('R', 1, size of the request). */
#define RPMEM_IOC_COPY _IOW('R', 1, struct rpmem_copy)
_Static_assert(RPMEM_IOC_COPY == 0x40205201, "_IOW('R', 1, 32)");

/* Exit status when an open fails (not an errno value the tests expect). */
#define EXIT_OPEN 125

static int usage(void)
{
	fprintf(stderr, "usage: copyfd SRC MODE DST MODE [NR_SECTORS]\n"
			"MODE: r, w, rw or rwx (rw with O_EXCL)\n");
	return 2;
}

/* open() flags for MODE, or -1. */
static int mode_flags(const char *mode)
{
	if (!strcmp(mode, "r"))
		return O_RDONLY;
	if (!strcmp(mode, "w"))
		return O_WRONLY;
	if (!strcmp(mode, "rw"))
		return O_RDWR;
	if (!strcmp(mode, "rwx"))
		return O_RDWR | O_EXCL;
	return -1;
}

static void report(const char *what, int err)
{
	const char *name = strerrorname_np(err);

	printf("copyfd: %s: %s (%s)\n", what, name ? name : "?", strerror(err));
}

/* Open PATH as MODE says; exits with EXIT_OPEN if that fails. */
static int open_as(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	char what[4096];

	if (fd < 0) {
		snprintf(what, sizeof(what), "open %s", path);
		report(what, errno);
		exit(EXIT_OPEN);
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct rpmem_copy req = { 0 };
	int src_flags, dst_flags, ctl;
	char *end;

	if (argc != 5 && argc != 6)
		return usage();
	src_flags = mode_flags(argv[2]);
	dst_flags = mode_flags(argv[4]);
	if (src_flags < 0 || dst_flags < 0)
		return usage();
	if (argc == 6) {
		errno = 0;
		req.nr_sectors = strtoull(argv[5], &end, 0);
		if (errno || !*argv[5] || *end || argv[5][0] == '-')
			return usage();
	}
	ctl = open_as("/dev/rpmem-ctl", O_RDWR);
	req.src_fd = open_as(argv[1], src_flags);
	req.dst_fd = open_as(argv[3], dst_flags);
	if (ioctl(ctl, RPMEM_IOC_COPY, &req) < 0) {
		int err = errno;

		report("RPMEM_IOC_COPY", err);
		return err;
	}
	printf("copyfd: copied\n");
	return 0;
}
