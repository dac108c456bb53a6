// SPDX-License-Identifier: GPL-2.0
/*
 * mkinfoblock: write a 4 KiB libnvdimm info block to stdout.
 *
 *   mkinfoblock pfn|dax|btt [--bad-checksum]
 *   mkinfoblock check < BLOCK
 *
 * The block carries the kind's signature at offset 0 ("NVDIMM_PFN_INFO\0",
 * "NVDIMM_DAX_INFO\0" or "BTT_ARENA_INFO\0"), a zero parent uuid, and in
 * its last 8 bytes the checksum the kernel's nd_sb_checksum() computes:
 * nd_fletcher64() over all 4096 bytes with the checksum field zeroed, as
 * little-endian 32-bit words (drivers/nvdimm/claim.c, core.c). With
 * --bad-checksum the stored checksum is off by one. `check` reads a 4 KiB
 * block from stdin and exits 0 if its checksum is valid (so a test can
 * show that a block the kernel wrote verifies the same way).
 *
 * The guest kernel has CONFIG_ZONE_DEVICE=n, so `ndctl create-namespace
 * -m fsdax|devdax` cannot write pfn or dax info blocks; tests write this
 * one at byte 4096 of a namespace instead.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SB_SIZE 4096

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* nd_fletcher64(addr, len, le = true) */
static uint64_t fletcher64(const uint8_t *buf, size_t len)
{
	uint32_t lo32 = 0;
	uint64_t hi32 = 0;
	size_t i;

	for (i = 0; i < len / 4; i++) {
		lo32 += le32(buf + 4 * i);
		hi32 += lo32;
	}
	return hi32 << 32 | lo32;
}

static void put_checksum(uint8_t *sb, uint64_t sum)
{
	int i;

	for (i = 0; i < 8; i++)
		sb[SB_SIZE - 8 + i] = sum >> (8 * i);
}

static int check(uint8_t *sb)
{
	size_t done = 0;
	uint64_t stored = 0;
	int i;

	while (done < SB_SIZE) {
		ssize_t n = read(0, sb + done, SB_SIZE - done);

		if (n <= 0) {
			fprintf(stderr, "mkinfoblock: short block (%zu bytes)\n", done);
			return 1;
		}
		done += n;
	}
	for (i = 7; i >= 0; i--)
		stored = stored << 8 | sb[SB_SIZE - 8 + i];
	put_checksum(sb, 0);
	if (fletcher64(sb, SB_SIZE) != stored) {
		fprintf(stderr, "mkinfoblock: '%.16s': bad checksum\n", (char *)sb);
		return 1;
	}
	printf("%.16s: checksum ok\n", (char *)sb);
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t sb[SB_SIZE];
	const char *sig;
	uint64_t sum;
	size_t done = 0;
	int bad = argc == 3 && !strcmp(argv[2], "--bad-checksum");

	if (argc == 2 && !strcmp(argv[1], "check"))
		return check(sb);
	if (argc < 2 || argc > 3 || (argc == 3 && !bad))
		goto usage;
	if (!strcmp(argv[1], "pfn"))
		sig = "NVDIMM_PFN_INFO";
	else if (!strcmp(argv[1], "dax"))
		sig = "NVDIMM_DAX_INFO";
	else if (!strcmp(argv[1], "btt"))
		sig = "BTT_ARENA_INFO";
	else
		goto usage;
	/* Signature, NUL padded to 16 bytes; uuid and parent uuid stay zero. */
	memcpy(sb, sig, strlen(sig));
	/* version 1.1 (le16 major and minor after the uuids and flags). */
	sb[52] = 1;
	sb[54] = 1;
	sum = fletcher64(sb, SB_SIZE) + bad;
	put_checksum(sb, sum);
	while (done < SB_SIZE) {
		ssize_t n = write(1, sb + done, SB_SIZE - done);

		if (n <= 0) {
			perror("mkinfoblock: write");
			return 1;
		}
		done += n;
	}
	return 0;
usage:
	fprintf(stderr, "usage: mkinfoblock pfn|dax|btt [--bad-checksum] | check < BLOCK\n");
	return 2;
}
