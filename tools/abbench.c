// SPDX-License-Identifier: GPL-2.0
/*
 * abbench: interleaved A/B bandwidth of two block devices. Alternates short
 * bursts of O_DIRECT sequential I/O on A and B so that slow drift of the
 * host (TCG, other load) hits both alike, then prints each device's median
 * burst bandwidth and the median of the per-pair ratios A/B.
 *
 *   abbench DEV_A DEV_B read|write|randread|randwrite BLOCK BURST_MS PAIRS
 *
 * BLOCK is in KiB, or in bytes with a B suffix (512B).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SPAN (512UL << 20)	/* cycle through the first 512 MiB */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int random_io;

/* The next offset: sequential, or a block-aligned pseudo-random one. */
static off_t next_pos(off_t pos, size_t bs)
{
	static unsigned long long x = 88172645463325252ULL;

	if (!random_io)
		return (pos + bs) % SPAN;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (off_t)(x % (SPAN / bs)) * bs;
}

/* One burst: MiB/s of block-sized I/O for burst seconds. */
static double burst(int fd, int wr, char *buf, size_t bs, double secs, off_t *pos)
{
	double t0 = now(), t;
	size_t done = 0;

	do {
		ssize_t n = wr ? pwrite(fd, buf, bs, *pos) : pread(fd, buf, bs, *pos);

		if (n != (ssize_t)bs) {
			perror("abbench: I/O");
			exit(1);
		}
		done += bs;
		*pos = next_pos(*pos, bs);
		t = now();
	} while (t - t0 < secs);
	return done / (t - t0) / (1 << 20);
}

int main(int argc, char **argv)
{
	double *a, *b, *r, secs;
	off_t pa = 0, pb = 0;
	int fa, fb, wr, pairs, i;
	size_t bs;
	char *buf;

	if (argc != 7) {
		fprintf(stderr, "usage: abbench DEV_A DEV_B read|write|randread|randwrite BLOCK[B] BURST_MS PAIRS\n");
		return 2;
	}
	wr = !strcmp(argv[3], "write") || !strcmp(argv[3], "randwrite");
	random_io = !strncmp(argv[3], "rand", 4);
	bs = strtoul(argv[4], NULL, 0);
	if (argv[4][strlen(argv[4]) - 1] != 'B')
		bs <<= 10;
	secs = strtoul(argv[5], NULL, 0) / 1000.0;
	pairs = atoi(argv[6]);
	fa = open(argv[1], (wr ? O_WRONLY : O_RDONLY) | O_DIRECT);
	fb = open(argv[2], (wr ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fa < 0 || fb < 0 || pairs < 1 || !bs || posix_memalign((void **)&buf, 4096, bs)) {
		perror("abbench");
		return 1;
	}
	memset(buf, 0x5a, bs);
	a = calloc(pairs, sizeof(*a));
	b = calloc(pairs, sizeof(*b));
	r = calloc(pairs, sizeof(*r));
	if (!a || !b || !r)
		return 1;
	for (i = 0; i < pairs; i++) {
		/* Alternate which device goes first within a pair. */
		if (i % 2) {
			b[i] = burst(fb, wr, buf, bs, secs, &pb);
			a[i] = burst(fa, wr, buf, bs, secs, &pa);
		} else {
			a[i] = burst(fa, wr, buf, bs, secs, &pa);
			b[i] = burst(fb, wr, buf, bs, secs, &pb);
		}
		r[i] = a[i] / b[i];
	}
	printf("a_mibs=%.0f b_mibs=%.0f ratio_median=%.3f", median(a, pairs), median(b, pairs),
	       median(r, pairs));
	printf(" ratio_p10=%.3f ratio_p90=%.3f pairs=%d\n", r[pairs / 10], r[(pairs * 9) / 10], pairs);
	return 0;
}
