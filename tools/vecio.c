// SPDX-License-Identifier: GPL-2.0
/*
 * vecio: O_DIRECT vectored I/O on a block device, for the guest tests.
 *
 *   vecio [-n] [-s SHIFT] read DEV OFFSET LEN...    data to stdout
 *   vecio [-n] [-s SHIFT] write DEV OFFSET LEN...   data from stdin
 *   vecio hold DEV SECONDS                          exclusive open (O_EXCL)
 *
 * read/write issue one preadv2/pwritev2 at byte OFFSET with one iovec per
 * LEN, laid out back to back in a page-aligned buffer moved SHIFT bytes
 * in (so vectors can start and end inside pages). -n passes RWF_NOWAIT.
 * On failure the message ends in strerror(errno) (e.g. "Resource
 * temporarily unavailable" for EAGAIN) and the exit status is 1; a short
 * transfer exits 3. `hold` prints "held" once the device is open and
 * keeps it open for SECONDS (or until killed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_VECS 64

static int usage(void)
{
	fprintf(stderr, "usage: vecio [-n] [-s SHIFT] read|write DEV OFFSET LEN...\n"
			"       vecio hold DEV SECONDS\n");
	return 2;
}

static int hold(const char *dev, const char *secs)
{
	int fd = open(dev, O_RDONLY | O_EXCL);

	if (fd < 0) {
		fprintf(stderr, "vecio: open %s O_EXCL: %s\n", dev, strerror(errno));
		return 1;
	}
	printf("held %s\n", dev);
	fflush(stdout);
	sleep(atoi(secs));
	return 0;
}

/* Move all of a buffer through fd 0 or 1. */
static int pump(int fd, char *buf, size_t len, int out)
{
	while (len) {
		ssize_t n = out ? write(fd, buf, len) : read(fd, buf, len);

		if (n <= 0) {
			fprintf(stderr, "vecio: %s: %s\n", out ? "write stdout" : "read stdin",
				n ? strerror(errno) : "end of input");
			return 1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct iovec iov[MAX_VECS];
	size_t shift = 0, total = 0;
	int flags = 0, opt, nvec, i, fd, is_write;
	long long off;
	ssize_t n;
	char *buf;

	if (argc == 4 && !strcmp(argv[1], "hold"))
		return hold(argv[2], argv[3]);
	while ((opt = getopt(argc, argv, "ns:")) != -1) {
		if (opt == 'n')
			flags |= RWF_NOWAIT;
		else if (opt == 's')
			shift = strtoul(optarg, NULL, 0);
		else
			return usage();
	}
	nvec = argc - optind - 3;
	if (nvec < 1 || nvec > MAX_VECS)
		return usage();
	if (!strcmp(argv[optind], "write"))
		is_write = 1;
	else if (!strcmp(argv[optind], "read"))
		is_write = 0;
	else
		return usage();
	off = strtoll(argv[optind + 2], NULL, 0);
	for (i = 0; i < nvec; i++) {
		iov[i].iov_len = strtoul(argv[optind + 3 + i], NULL, 0);
		total += iov[i].iov_len;
	}
	if (posix_memalign((void **)&buf, 4096, total + shift + 4096))
		return 1;
	memset(buf, 0, total + shift + 4096);
	for (i = 0, total = 0; i < nvec; i++) {
		iov[i].iov_base = buf + shift + total;
		total += iov[i].iov_len;
	}
	if (is_write && pump(0, buf + shift, total, 0))
		return 1;
	fd = open(argv[optind + 1], (is_write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "vecio: open %s: %s\n", argv[optind + 1], strerror(errno));
		return 1;
	}
	n = is_write ? pwritev2(fd, iov, nvec, off, flags) : preadv2(fd, iov, nvec, off, flags);
	if (n < 0) {
		fprintf(stderr, "vecio: %s %s at %lld: %s\n", is_write ? "pwritev2" : "preadv2",
			argv[optind + 1], off, strerror(errno));
		return 1;
	}
	if ((size_t)n != total) {
		fprintf(stderr, "vecio: short %s: %zd of %zu bytes\n", argv[optind], n, total);
		return 3;
	}
	return is_write ? 0 : pump(1, buf + shift, total, 1);
}
