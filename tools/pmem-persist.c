// SPDX-License-Identifier: GPL-2.0
/*
 * pmem-persist: durability from user space, the way libpmem's
 * pmem_memcpy_persist() does it. Records are stored through a load/store
 * mapping of an rpmem disk (/dev/pmemN.map, docs/dax.md); each record's
 * cache lines are written back and fenced, and only then is the record
 * called acknowledged.
 *
 *   pmem-persist write MAP OFF COUNT [STOP]  store COUNT 4 KiB records from
 *                        byte OFF (4 KiB aligned) of MAP; print
 *                        "RPMEM-ACK n" once record n is durable; after
 *                        record STOP, wait to be killed (a power cut)
 *   pmem-persist check BDEV OFF COUNT        read the records back through
 *                        the block device (O_DIRECT); exit 1 if any differs
 *                        (how many, and the first, printed)
 *
 * Durable means: each 64-byte line written back from the CPU cache with
 * clwb (clflushopt on a CPU without clwb, clflush on one with neither, as
 * CPUID says), then an sfence, which orders those write-backs before
 * anything that follows (clwb and clflushopt are ordered by nothing else).
 *
 * For the durability checker (tools/qemu-pmem-check.c with user=1, see
 * docs/durability.md) each record is one write window: the code at the
 * checker's two fixed addresses (tools/insn-window.c's marks) runs before
 * the record's first store and after its fence. Without the checker they
 * are plain returns.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LINE 64
#define RECORD 4096
#define MARK_WRITE_BEGIN 0x7e5700000000UL
#define MARK_WRITE_ACKED (MARK_WRITE_BEGIN + 64)

enum flush { CLFLUSH, CLFLUSHOPT, CLWB };
static const char *const flush_names[] = { "clflush", "clflushopt", "clwb" };
static enum flush flush_kind;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* The best write-back instruction this CPU has. */
static enum flush best_flush(void)
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

/* Start writing the cache line at p back to memory. */
static void flush_line(const char *p)
{
	if (flush_kind == CLWB)
		asm volatile("clwb %0" : : "m"(*p) : "memory");
	else if (flush_kind == CLFLUSHOPT)
		asm volatile("clflushopt %0" : : "m"(*p) : "memory");
	else
		asm volatile("clflush %0" : : "m"(*p) : "memory");
}

/* libpmem's pmem_persist(): write back every line of [addr, addr + len), then fence. */
static void persist(const char *addr, size_t len)
{
	const char *p = (const char *)((uintptr_t)addr & ~(uintptr_t)(LINE - 1));

	for (; p < addr + len; p += LINE)
		flush_line(p);
	asm volatile("sfence" ::: "memory");
}

/* Record n: 64 lines of 63 characters and a newline. */
static void make_record(char *buf, unsigned long n)
{
	unsigned int i;

	for (i = 0; i < RECORD / LINE; i++) {
		char *l = buf + i * LINE;
		int len = snprintf(l, LINE, "pmem-persist record %lu line %u", n, i);

		memset(l + len, ' ', LINE - 1 - len);
		l[LINE - 1] = '\n';
	}
}

/* The checker's marks: a page of return instructions at their address. */
static void (*write_begin)(void), (*write_acked)(void);

static void map_marks(void)
{
	unsigned char *page = mmap((void *)MARK_WRITE_BEGIN, 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (page != (void *)MARK_WRITE_BEGIN)
		die("mmap at the marks");
	memset(page, 0xc3, 4096); /* ret */
	if (mprotect(page, 4096, PROT_READ | PROT_EXEC))
		die("mprotect");
	write_begin = (void (*)(void))page;
	write_acked = (void (*)(void))(page + (MARK_WRITE_ACKED - MARK_WRITE_BEGIN));
}

static int cmd_write(const char *path, off_t off, unsigned long count, long stop)
{
	static char buf[RECORD];
	int fd = open(path, O_RDWR);
	char *map;
	unsigned long n;

	if (fd < 0)
		die(path);
	map = mmap(NULL, count * RECORD, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (map == MAP_FAILED)
		die("mmap");
	flush_kind = best_flush();
	map_marks();
	fprintf(stderr, "pmem-persist: %lu records at %lld, made durable with %s + sfence\n",
		count, (long long)off, flush_names[flush_kind]);
	for (n = 0; n < count; n++) {
		char *rec = map + n * RECORD;

		make_record(buf, n);
		write_begin();
		memcpy(rec, buf, RECORD);
		persist(rec, RECORD);
		write_acked();
		printf("RPMEM-ACK %lu\n", n);
		fflush(stdout);
		if ((long)n == stop)
			for (;;)
				pause();
	}
	return 0;
}

static int cmd_check(const char *path, off_t off, unsigned long count)
{
	static char want[RECORD];
	int fd = open(path, O_RDONLY | O_DIRECT);
	unsigned long n, bad = 0, first = 0;
	char *got;

	if (fd < 0)
		die(path);
	if (posix_memalign((void **)&got, RECORD, RECORD))
		die("posix_memalign");
	for (n = 0; n < count; n++) {
		if (pread(fd, got, RECORD, off + (off_t)(n * RECORD)) != RECORD)
			die("pread");
		make_record(want, n);
		if (memcmp(got, want, RECORD) && !bad++)
			first = n;
	}
	if (bad) {
		printf("%lu of %lu records lost or corrupt, the first: record %lu\n", bad, count, first);
		return 1;
	}
	printf("all %lu records intact\n", count);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "write"))
		return cmd_write(argv[2], strtoll(argv[3], NULL, 0), strtoul(argv[4], NULL, 0),
				 argc > 5 ? strtol(argv[5], NULL, 0) : -1);
	if (argc == 5 && !strcmp(argv[1], "check"))
		return cmd_check(argv[2], strtoll(argv[3], NULL, 0), strtoul(argv[4], NULL, 0));
	fprintf(stderr, "usage: pmem-persist write MAP OFF COUNT [STOP]\n"
			"       pmem-persist check BDEV OFF COUNT\n");
	return 2;
}
