// SPDX-License-Identifier: GPL-2.0
/*
 * runas: run a command as another user, for the guest tests of what an
 * unprivileged user may do (the image's busybox has no su-like applet
 * that takes a bare uid, and the image has no user accounts).
 *
 *   runas UID GID COMMAND [ARG...]
 *
 * Drops the supplementary groups, then sets the real, effective and saved
 * group and user IDs; with a non-zero UID this clears every capability.
 * Refuses to run COMMAND if root's rights could be taken back (setuid(0)
 * succeeds). Exit status: COMMAND's, or 126 if a step fails, 127 if
 * COMMAND cannot be run, 2 for a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "runas: %s: %s\n", what, strerror(errno));
	return 126;
}

/* A decimal ID, or -1. */
static long id_of(const char *s)
{
	char *end;
	long id;

	errno = 0;
	id = strtol(s, &end, 10);
	if (errno || !*s || *end || id < 0 || id > 65534)
		return -1;
	return id;
}

int main(int argc, char **argv)
{
	long uid, gid;

	if (argc < 4 || (uid = id_of(argv[1])) < 0 || (gid = id_of(argv[2])) < 0) {
		fprintf(stderr, "usage: runas UID GID COMMAND [ARG...]\n");
		return 2;
	}
	if (setgroups(0, NULL))
		return die("setgroups");
	if (setresgid(gid, gid, gid))
		return die("setresgid");
	if (setresuid(uid, uid, uid))
		return die("setresuid");
	if (uid != 0 && setuid(0) == 0) {
		fprintf(stderr, "runas: root's rights were not dropped\n");
		return 126;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "runas: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
