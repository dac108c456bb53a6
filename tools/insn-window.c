// SPDX-License-Identifier: GPL-2.0
/*
 * insn-window: run a command inside an instruction-count window of the
 * QEMU plugin tools/qemu-insn-count.c.
 *
 *   insn-window COMMAND [ARG...]
 *
 * Maps a page of code at the plugin's marks, runs the open mark, then
 * COMMAND (its standard streams are ours), then the close mark. Without
 * the plugin the marks are plain returns. The exit status is COMMAND's
 * (128 + N if signal N ended it).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MARK_OPEN 0x7e5700000000UL
#define MARK_CLOSE_OFFSET 64
#define RET 0xc3

/* Call the code at a mark: a return, which the plugin sees run. */
static void run_mark(unsigned char *mark)
{
	((void (*)(void))mark)();
}

int main(int argc, char **argv)
{
	unsigned char *page;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: insn-window COMMAND [ARG...]\n");
		return 2;
	}
	page = mmap((void *)MARK_OPEN, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (page != (void *)MARK_OPEN) {
		perror("insn-window: mmap at the mark");
		return 1;
	}
	memset(page, RET, 4096);
	if (mprotect(page, 4096, PROT_READ | PROT_EXEC)) {
		perror("insn-window: mprotect");
		return 1;
	}
	run_mark(page);
	pid = fork();
	if (pid < 0) {
		perror("insn-window: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("insn-window: waitpid");
		return 1;
	}
	run_mark(page + MARK_CLOSE_OFFSET);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
