// SPDX-License-Identifier: GPL-2.0
/*
 * pmem-map: load/store through an rpmem map device (/dev/pmemN.map, see
 * docs/dax.md), as an application would, and the checks the guest tests
 * make of it.
 *
 *   pmem-map write  DEV OFF LEN SEED   store a pattern, write it back from
 *                                      the CPU cache (clwb, else clflushopt,
 *                                      else clflush, per CPUID) and sfence
 *   pmem-map check  PATH OFF LEN SEED  compare with the pattern: through a
 *                                      mapping, or O_DIRECT pread if PATH is
 *                                      a block device (exit 1 if different)
 *   pmem-map errors DEV SIZE           try MAP_PRIVATE and a mapping past
 *                                      SIZE; print the errors
 *   pmem-map access DEV                open for reading and writing: print
 *                                      "open=" its error; then "write=" a
 *                                      writable shared mapping's, and
 *                                      "upgrade=" that of a read-only one
 *                                      made writable by mprotect
 *   pmem-map touch  DEV OFF LEN [STEP] map at a 1 GiB aligned address, load
 *                                      every STEP bytes (4 KiB); print the
 *                                      process's page tables (VmPTE) and the
 *                                      system's MemFree and PageTables
 *                                      before and after; exit 3 on SIGBUS
 *                                      (offset printed)
 *   pmem-map hold   DEV LEN [SEED]     map and load; print "mapped"; on
 *                                      SIGUSR1 try a new mapping (print
 *                                      "mmap=" its error), load again:
 *                                      print "loaded" or "sigbus" (exit 3).
 *                                      With SEED: a writable mapping, the
 *                                      pattern SEED stored (and written
 *                                      back) before "mapped", SEED + 1 after
 *                                      SIGUSR1: "stored" or "sigbus"
 *   pmem-map await-mce DEV OFF [late]  map the 2 MiB around OFF, ask for
 *                                      SIGBUS as soon as a page it maps is
 *                                      found poisoned (prctl PR_MCE_KILL_EARLY;
 *                                      "late": the system's policy), load the
 *                                      page at OFF, print "mapped"; then wait:
 *                                      on SIGBUS print its si_code, the disk
 *                                      offset of si_addr and si_addr_lsb, exit
 *                                      3; on SIGUSR1 print "no signal" and
 *                                      load the page again ("loaded again",
 *                                      or the SIGBUS line)
 *   pmem-map load-mce DEV OFF          map the 2 MiB around OFF, load the
 *                                      page at OFF once, print "mapped",
 *                                      then load its line at OFF again and
 *                                      again (one `movq (%rax), %rdx`, for
 *                                      scripts/mce-host.py to aim at); on
 *                                      SIGBUS print the await-mce line,
 *                                      exit 3
 *   pmem-map bench  DEV BDEV LEN SECS  4 KiB random loads/stores through
 *                                      DEV (copied by glibc's memcpy, and by
 *                                      rep movsq) and O_DIRECT preads/pwrites
 *                                      of BDEV (4 KiB, and 512 bytes), taking
 *                                      turns: read and write IOPS of each
 *   pmem-map ops    DEV|BDEV LEN N read|write [rep|512]
 *                                      exactly N of bench's reads or
 *                                      writes, untimed (bench/map.sh counts
 *                                      their instructions)
 *
 * OFF and LEN are bytes (suffix K, M, G); LEN a multiple of 4 KiB.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define GIB (1UL << 30)

static sigjmp_buf bus_jump;
static volatile void *bus_addr;
static volatile int bus_code, bus_lsb;
static volatile sig_atomic_t usr1;

static void on_bus(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	bus_addr = si->si_addr;
	bus_code = si->si_code;
	bus_lsb = si->si_addr_lsb;
	siglongjmp(bus_jump, 1);
}

static void on_usr1(int sig)
{
	(void)sig;
	usr1 = 1;
}

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'K': return v << 10;
	case 'M': return v << 20;
	case 'G': return v << 30;
	default: return v;
	}
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* The pattern's 64-bit word at byte offset @off for @seed. */
static uint64_t word(uint64_t off, uint64_t seed)
{
	uint64_t x = (off >> 3) * 0x9e3779b97f4a7c15ULL + seed + 1;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

/* Map LEN bytes of FD from OFF at an address aligned to 1 GiB. */
static char *map_aligned(int fd, uint64_t off, uint64_t len, int prot)
{
	char *area = mmap(NULL, len + GIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			  -1, 0);
	char *at, *p;

	if (area == MAP_FAILED)
		die("mmap (reserve)");
	at = (char *)(((uintptr_t)area + GIB - 1) & ~(GIB - 1));
	p = mmap(at, len, prot, MAP_SHARED | MAP_FIXED, fd, off);
	if (p == MAP_FAILED)
		die("mmap");
	/* Give back the reservation around it. */
	if (at > area)
		munmap(area, at - area);
	if (area + len + GIB > at + len)
		munmap(at + len, area + len + GIB - (at + len));
	return p;
}

enum flush { CLFLUSH, CLFLUSHOPT, CLWB };

static enum flush flush_kind(void)
{
	unsigned int a, b, c, d;

	if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
		if (b & (1U << 24))
			return CLWB;
		if (b & (1U << 23))
			return CLFLUSHOPT;
	}
	return CLFLUSH;
}

/* Write back [p, p + len) from the CPU cache; then sfence. One loop per kind. */
static void persist(char *p, uint64_t len, enum flush kind)
{
	char *line, *end = p + len;

	switch (kind) {
	case CLWB:
		for (line = p; line < end; line += 64)
			asm volatile(".byte 0x66; xsaveopt %0" : "+m"(*line)); /* clwb */
		break;
	case CLFLUSHOPT:
		for (line = p; line < end; line += 64)
			asm volatile(".byte 0x66; clflush %0" : "+m"(*line)); /* clflushopt */
		break;
	default:
		for (line = p; line < end; line += 64)
			asm volatile("clflush %0" : "+m"(*line));
	}
	asm volatile("sfence" ::: "memory");
}

static const char *const flush_names[] = { "clflush", "clflushopt", "clwb" };

/*
 * Store the pattern @seed over [p, p + len), mapped from disk offset @off,
 * and write it back; return how.
 */
static enum flush store(char *p, uint64_t off, uint64_t len, uint64_t seed)
{
	enum flush kind = flush_kind();
	uint64_t i;

	for (i = 0; i < len; i += 8)
		*(volatile uint64_t *)(p + i) = word(off + i, seed);
	persist(p, len, kind);
	return kind;
}

static int cmd_write(int fd, uint64_t off, uint64_t len, uint64_t seed)
{
	char *p = map_aligned(fd, off, len, PROT_READ | PROT_WRITE);
	enum flush kind = store(p, off, len, seed);

	fprintf(stderr, "pmem-map: wrote %llu bytes at %llu, written back with %s + sfence\n",
		(unsigned long long)len, (unsigned long long)off, flush_names[kind]);
	return 0;
}

static int cmd_check(const char *path, int fd, uint64_t off, uint64_t len, uint64_t seed)
{
	struct stat st;
	char *p;
	uint64_t i;

	if (fstat(fd, &st))
		die("fstat");
	if (S_ISBLK(st.st_mode)) {
		int dfd = open(path, O_RDONLY | O_DIRECT);

		if (dfd < 0 || posix_memalign((void **)&p, PAGE, len))
			die("open O_DIRECT");
		if (pread(dfd, p, len, off) != (ssize_t)len)
			die("pread");
	} else {
		p = map_aligned(fd, off, len, PROT_READ);
	}
	for (i = 0; i < len; i += 8) {
		if (*(uint64_t *)(p + i) != word(off + i, seed)) {
			printf("differs at %llu\n", (unsigned long long)(off + i));
			return 1;
		}
	}
	printf("equal %llu bytes at %llu\n", (unsigned long long)len, (unsigned long long)off);
	return 0;
}

static const char *err_name(int e)
{
	switch (e) {
	case 0: return "OK";
	case EINVAL: return "EINVAL";
	case ENXIO: return "ENXIO";
	case EACCES: return "EACCES";
	case EBUSY: return "EBUSY";
	case ENODEV: return "ENODEV";
	case EPERM: return "EPERM";
	case EROFS: return "EROFS";
	default: return strerror(e);
	}
}

static int try_map(int fd, uint64_t off, uint64_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

static int cmd_errors(int fd, uint64_t size)
{
	printf("private=%s ", err_name(try_map(fd, 0, PAGE, PROT_READ, MAP_PRIVATE)));
	printf("beyond=%s ", err_name(try_map(fd, size, PAGE, PROT_READ, MAP_SHARED)));
	printf("straddle=%s ", err_name(try_map(fd, size - PAGE, 2 * PAGE, PROT_READ, MAP_SHARED)));
	printf("last=%s ", err_name(try_map(fd, size - PAGE, PAGE, PROT_READ, MAP_SHARED)));
	printf("write=%s\n", err_name(try_map(fd, 0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED)));
	return 0;
}

static int cmd_access(const char *path)
{
	int fd = open(path, O_RDWR), e = 0;
	void *p;

	printf("open=%s", err_name(fd < 0 ? errno : 0));
	if (fd < 0) {
		printf("\n");
		return 0;
	}
	printf(" write=%s", err_name(try_map(fd, 0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED)));
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	if (mprotect(p, PAGE, PROT_READ | PROT_WRITE))
		e = errno;
	printf(" upgrade=%s\n", err_name(e));
	munmap(p, PAGE);
	close(fd);
	return 0;
}

static long vm_pte_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		die("/proc/self/status");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static long meminfo_kb(const char *key)
{
	char line[256], name[64];
	long kb, found = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %ld", name, &kb) == 2 && !strcmp(name, key))
			found = kb;
	fclose(f);
	return found;
}

static int cmd_touch(int fd, uint64_t off, uint64_t len, uint64_t stride)
{
	long before = vm_pte_kb(), free0 = meminfo_kb("MemFree"), pt0 = meminfo_kb("PageTables");
	char *p = map_aligned(fd, off, len, PROT_READ);
	uint64_t i, sum = 0;

	if (sigsetjmp(bus_jump, 1)) {
		printf("sigbus at offset %llu\n",
		       (unsigned long long)(off + ((char *)bus_addr - p)));
		return 3;
	}
	for (i = 0; i < len; i += stride)
		sum += *(volatile uint64_t *)(p + i);
	printf("touched %llu bytes: VmPTE %ld kB -> %ld kB (sum %llx)\n",
	       (unsigned long long)len, before, vm_pte_kb(), (unsigned long long)sum);
	printf("system: MemFree drop %ld kB, PageTables growth %ld kB\n",
	       free0 - meminfo_kb("MemFree"), meminfo_kb("PageTables") - pt0);
	return 0;
}

static int cmd_hold(int fd, uint64_t len, const char *seed)
{
	int prot = seed ? PROT_READ | PROT_WRITE : PROT_READ;
	char *p = map_aligned(fd, 0, len, prot);
	uint64_t i, sum = 0;

	signal(SIGUSR1, on_usr1);
	for (i = 0; i < len; i += PAGE)
		sum += *(volatile uint64_t *)(p + i);
	if (seed)
		store(p, 0, len, num(seed));
	printf("mapped\n");
	fflush(stdout);
	while (!usr1)
		pause();
	printf("mmap=%s\n", err_name(try_map(fd, 0, PAGE, prot, MAP_SHARED)));
	if (sigsetjmp(bus_jump, 1)) {
		printf("sigbus\n");
		return 3;
	}
	if (seed) {
		store(p, 0, len, num(seed) + 1);
		printf("stored\n");
		return 0;
	}
	for (i = 0; i < len; i += PAGE)
		sum += *(volatile uint64_t *)(p + i);
	printf("loaded %llx\n", (unsigned long long)sum);
	return 0;
}

static const char *bus_code_name(int code)
{
	switch (code) {
	case BUS_ADRERR: return "BUS_ADRERR";
	case BUS_MCEERR_AR: return "BUS_MCEERR_AR";
	case BUS_MCEERR_AO: return "BUS_MCEERR_AO";
	default: return "other";
	}
}

/* The SIGBUS caught in a mapping at @p of disk offset @base; exit code 3. */
static int print_sigbus(const char *p, uint64_t base)
{
	printf("sigbus %s at offset %lld lsb %d\n", bus_code_name(bus_code),
	       (long long)(base + ((const char *)bus_addr - p)), bus_lsb);
	return 3;
}

static int cmd_await_mce(int fd, uint64_t off, int early)
{
	uint64_t base = off & ~((2UL << 20) - 1);
	char *p;

	if (early && prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0))
		die("prctl PR_MCE_KILL");
	p = map_aligned(fd, base, 2UL << 20, PROT_READ);
	signal(SIGUSR1, on_usr1);
	if (sigsetjmp(bus_jump, 1))
		return print_sigbus(p, base);
	(void)*(volatile uint64_t *)(p + (off - base));
	printf("mapped\n");
	fflush(stdout);
	while (!usr1)
		pause();
	printf("no signal\n");
	fflush(stdout);
	/* Again: a page found bad meanwhile must fault, never load. */
	(void)*(volatile uint64_t *)(p + (off - base));
	printf("loaded again\n");
	return 0;
}

static int cmd_load_mce(int fd, uint64_t off)
{
	uint64_t base = off & ~((2UL << 20) - 1);
	const char *p = map_aligned(fd, base, 2UL << 20, PROT_READ);
	const char *at = p + (off - base);

	if (sigsetjmp(bus_jump, 1))
		return print_sigbus(p, base);
	(void)*(volatile uint64_t *)at;
	printf("mapped\n");
	fflush(stdout);
	/* Loads until a signal ends it: the loop is two instructions. */
	asm volatile("1: movq (%%rax), %%rdx\n\tjmp 1b" : : "a"(at) : "rdx", "memory");
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * How a mapping's 4 KiB is copied: glibc's memcpy as an application calls
 * it (through a pointer, so that the compiler cannot inline it), or the
 * `rep movsq` the compiler inlines for a constant 4 KiB memcpy.
 */
enum copy { LIBC, REP };
static const char *const copy_names[] = { "mmap", "mmap-rep" };
static void *(*volatile libc_memcpy)(void *, const void *, size_t) = memcpy;

static void copy_page(char *dst, const char *src, enum copy how)
{
	uint64_t n = PAGE / 8;

	if (how == LIBC)
		libc_memcpy(dst, src, PAGE);
	else
		asm volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

/* One benchmark target: a mapping (loads/stores) or an O_DIRECT fd. */
struct target {
	const char *path;
	uint64_t len;
	int blk;		/* path is a block device: O_DIRECT */
	char *map;		/* the mapping while attached, else NULL */
	int fd;
	enum copy copy;
	size_t bs;		/* O_DIRECT: bytes per I/O (4 KiB, or 512 as a control) */
	uint64_t pages;
	char *buf;		/* 4 KiB, page aligned, in every path */
	enum flush kind;
	uint64_t x;		/* xorshift64 state: the page sequence */
	uint64_t ios;		/* measured I/Os and seconds, per direction */
	double secs;
};

static void target_init(struct target *t, const char *path, uint64_t len, enum copy copy,
			size_t bs)
{
	struct stat st;

	if (stat(path, &st))
		die(path);
	memset(t, 0, sizeof(*t));
	t->path = path;
	t->len = len;
	t->blk = S_ISBLK(st.st_mode);
	t->pages = len / PAGE;
	t->kind = flush_kind();
	t->x = 88172645463325252ULL;
	t->copy = copy;
	t->bs = bs;
	t->fd = -1;
	if (posix_memalign((void **)&t->buf, PAGE, PAGE))
		die("posix_memalign");
	memset(t->buf, 0x5a, PAGE);
}

/*
 * Open the target's device: O_DIRECT, or mapped over its first LEN bytes
 * and faulted in for writing before anything is measured (each page
 * loaded and stored back unchanged), so that no measured access faults.
 */
static void target_attach(struct target *t)
{
	uint64_t n;

	t->fd = open(t->path, O_RDWR | (t->blk ? O_DIRECT : 0));
	if (t->fd < 0)
		die(t->path);
	if (t->blk)
		return;
	t->map = map_aligned(t->fd, 0, t->len, PROT_READ | PROT_WRITE);
	for (n = 0; n < t->pages; n++) {
		volatile char *c = t->map + n * PAGE;

		*c = *c;
	}
}

/* Unmap and close: a disk is either mapped or open for write (docs/dax.md). */
static void target_detach(struct target *t)
{
	if (t->map)
		munmap(t->map, t->len);
	t->map = NULL;
	close(t->fd);
	t->fd = -1;
}

/*
 * One 4 KiB I/O at a random page: a copy from/to the mapping (a store
 * written back as libpmem's pmem_persist does: the flush instruction per
 * 64-byte line, one sfence), or O_DIRECT pread/pwrite.
 */
static void target_io(struct target *t, int write)
{
	uint64_t pg;

	t->x ^= t->x << 13;
	t->x ^= t->x >> 7;
	t->x ^= t->x << 17;
	pg = t->x % t->pages;
	if (t->map && write) {
		copy_page(t->map + pg * PAGE, t->buf, t->copy);
		persist(t->map + pg * PAGE, PAGE, t->kind);
	} else if (t->map) {
		copy_page(t->buf, t->map + pg * PAGE, t->copy);
	} else if ((write ? pwrite(t->fd, t->buf, t->bs, pg * PAGE) :
		    pread(t->fd, t->buf, t->bs, pg * PAGE)) != (ssize_t)t->bs) {
		die("pread/pwrite");
	}
}

static const char *target_name(const struct target *t)
{
	if (t->blk)
		return t->bs == PAGE ? "odirect" : "odirect-512";
	return copy_names[t->copy];
}

/*
 * 4 KiB random reads, then writes, SECS seconds of each per target: the
 * mapping with glibc's memcpy, the mapping with rep movsq, O_DIRECT, and
 * O_DIRECT of 512 bytes at the same pages (all but the copy: the
 * difference from 4 KiB is what copying 3.5 KiB costs in the kernel). The
 * targets take turns in slices of about 100 ms, so that a change in the
 * host's load (TCG's vCPUs are host threads) falls on all of them alike;
 * each slice attaches its target first and detaches it after, untimed
 * (the disk cannot be mapped and open for write at once).
 */
static int cmd_bench(const char *map, const char *bdev, uint64_t len, double secs)
{
	struct target t[4];
	double t0;
	int w, i, k;

	target_init(&t[0], map, len, LIBC, PAGE);
	target_init(&t[1], map, len, REP, PAGE);
	target_init(&t[2], bdev, len, LIBC, PAGE);
	target_init(&t[3], bdev, len, LIBC, 512);
	for (w = 0; w < 2; w++) {
		for (i = 0; i < 4; i++) {
			t[i].ios = 0;
			t[i].secs = 0;
		}
		while (t[0].secs < secs || t[1].secs < secs || t[2].secs < secs || t[3].secs < secs) {
			for (i = 0; i < 4; i++) {
				target_attach(&t[i]);
				t0 = now();
				do {
					for (k = 0; k < 16; k++)
						target_io(&t[i], w);
					t[i].ios += 16;
				} while (now() - t0 < 0.1);
				t[i].secs += now() - t0;
				target_detach(&t[i]);
			}
		}
		for (i = 0; i < 4; i++)
			printf("%s %s 4k-random: %.0f IOPS (%llu in %.2f s)\n", target_name(&t[i]),
			       w ? "write" : "read", t[i].ios / t[i].secs,
			       (unsigned long long)t[i].ios, t[i].secs);
	}
	printf("mmap writes written back with %s + sfence per 4 KiB\n", flush_names[t[0].kind]);
	return 0;
}

/* Exactly N 4 KiB random reads or writes, untimed (for instruction counts). */
static int cmd_ops(const char *path, uint64_t len, uint64_t n, const char *op, const char *how)
{
	struct target t;
	int w = !strcmp(op, "write");

	if (!w && strcmp(op, "read"))
		return 2;
	target_init(&t, path, len, how && !strcmp(how, "rep") ? REP : LIBC,
		    how && !strcmp(how, "512") ? 512 : PAGE);
	target_attach(&t);
	while (n--)
		target_io(&t, w);
	target_detach(&t);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_bus, .sa_flags = SA_SIGINFO };
	const char *cmd = argc > 1 ? argv[1] : "";
	int fd;

	if (argc < 4 && strcmp(cmd, "hold") && strcmp(cmd, "access")) {
		fprintf(stderr, "usage: see tools/pmem-map.c\n");
		return 2;
	}
	if (argc < 3)
		return 2;
	sigaction(SIGBUS, &sa, NULL);
	if (!strcmp(cmd, "bench"))
		return argc < 6 ? 2 : cmd_bench(argv[2], argv[3], num(argv[4]), atof(argv[5]));
	if (!strcmp(cmd, "ops"))
		return argc < 6 ? 2 : cmd_ops(argv[2], num(argv[3]), num(argv[4]), argv[5],
					      argc > 6 ? argv[6] : NULL);
	if (!strcmp(cmd, "access"))
		return cmd_access(argv[2]);
	fd = open(argv[2], !strcmp(cmd, "write") || (!strcmp(cmd, "hold") && argc == 5) ?
			   O_RDWR : O_RDONLY);
	if (fd < 0)
		die(argv[2]);
	if (!strcmp(cmd, "write") && argc == 6)
		return cmd_write(fd, num(argv[3]), num(argv[4]), num(argv[5]));
	if (!strcmp(cmd, "check") && argc == 6)
		return cmd_check(argv[2], fd, num(argv[3]), num(argv[4]), num(argv[5]));
	if (!strcmp(cmd, "errors"))
		return cmd_errors(fd, num(argv[3]));
	if (!strcmp(cmd, "touch") && (argc == 5 || argc == 6))
		return cmd_touch(fd, num(argv[3]), num(argv[4]), argc == 6 ? num(argv[5]) : PAGE);
	if (!strcmp(cmd, "hold") && (argc == 4 || argc == 5))
		return cmd_hold(fd, num(argv[3]), argc == 5 ? argv[4] : NULL);
	if (!strcmp(cmd, "await-mce") && (argc == 4 || (argc == 5 && !strcmp(argv[4], "late"))))
		return cmd_await_mce(fd, num(argv[3]), argc == 4);
	if (!strcmp(cmd, "load-mce") && argc == 4)
		return cmd_load_mce(fd, num(argv[3]));
	fprintf(stderr, "usage: see tools/pmem-map.c\n");
	return 2;
}
