// SPDX-License-Identifier: GPL-2.0
/*
 * ptyerr: run a command with its standard error on a new pseudo-terminal,
 * for the guest tests of what a program draws on a terminal.
 *
 *   ptyerr FILE COMMAND [ARG...]
 *
 * COMMAND keeps ptyerr's standard input and output; what it writes to its
 * standard error (a terminal: isatty(2) is true) is copied to FILE, byte
 * for byte, with the terminal's output processing turned off. The exit
 * status is COMMAND's (128 + N if signal N ended it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int die(const char *what)
{
	perror(what);
	return 1;
}

int main(int argc, char **argv)
{
	struct termios tio;
	char buf[4096];
	int master, slave, out, status;
	pid_t pid;
	ssize_t n;

	if (argc < 3) {
		fprintf(stderr, "usage: ptyerr FILE COMMAND [ARG...]\n");
		return 2;
	}
	out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0)
		return die(argv[1]);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master))
		return die("ptyerr: posix_openpt");
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (slave < 0)
		return die("ptyerr: open the terminal");
	/* Keep "\n" as it is: the file shows exactly what was written. */
	if (tcgetattr(slave, &tio) == 0) {
		tio.c_oflag &= ~OPOST;
		tcsetattr(slave, TCSANOW, &tio);
	}
	pid = fork();
	if (pid < 0)
		return die("ptyerr: fork");
	if (pid == 0) {
		dup2(slave, STDERR_FILENO);
		close(slave);
		close(master);
		close(out);
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	close(slave);
	/* EIO once the last holder of the terminal has closed it. */
	while ((n = read(master, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && write(out, buf, n) != n)
			return die(argv[1]);
	if (waitpid(pid, &status, 0) < 0)
		return die("ptyerr: waitpid");
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
