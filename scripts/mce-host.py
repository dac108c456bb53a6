#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Machine checks on the guest's request (qemu/run.sh, RPMEM_MCE=1).

Usage: mce-host.py CONSOLE_LOG MONITOR_SOCKET

Follows the guest's console log; each new line

    RPMEM-MCE-REQUEST id=N cpu=C bank=B status=S mcg_status=G addr=A misc=M [broadcast=1]

(one request per id, numbers in decimal or 0x hex) is sent to QEMU's human
monitor as `mce [-b] C B S G A M`, which writes the values into the vCPU's
machine-check bank (and raises #MC if the status says uncorrected; with -b
the other vCPUs get #MC too, as a broadcast machine check does). Prints
one line per request with what QEMU answered. Runs until killed.
"""
import re
import socket
import sys
import time

REQUEST = re.compile(
    rb"^RPMEM-MCE-REQUEST id=(\d+) cpu=(\w+) bank=(\w+) status=(\w+) "
    rb"mcg_status=(\w+) addr=(\w+) misc=(\w+)( broadcast=1)?\s*$"
)
PROMPT = b"(qemu) "


def read_to_prompt(sock, seen=b""):
    """What the monitor printed up to its next prompt."""
    while not seen.endswith(PROMPT):
        chunk = sock.recv(4096)
        if not chunk:
            break
        seen += chunk
    return seen


def send(monitor, command):
    """Run one monitor command; return its output."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(60)
        sock.connect(monitor)
        read_to_prompt(sock)  # the banner
        sock.sendall(command.encode() + b"\n")
        out = read_to_prompt(sock).decode(errors="replace")
    # The monitor echoes the command as it is typed (with cursor moves);
    # its answer is the lines between that echo and the next prompt.
    lines = out.replace("\r", "").split("\n")[1:-1]
    return " ".join(l.strip() for l in lines if l.strip())


def main():
    log, monitor = sys.argv[1], sys.argv[2]
    done = set()
    pos = 0
    pending = b""
    while True:
        try:
            with open(log, "rb") as f:
                f.seek(pos)
                data = f.read()
        except FileNotFoundError:
            data = b""
        pos += len(data)
        pending += data
        *lines, pending = pending.split(b"\n")
        for line in lines:
            m = REQUEST.match(line.replace(b"\r", b""))
            if not m or m.group(1) in done:
                continue
            done.add(m.group(1))
            fields = [v.decode() for v in m.groups()[:7]]
            command = "mce " + ("-b " if m.group(8) else "") + " ".join(fields[1:])
            for attempt in range(60):
                try:
                    answer = send(monitor, command)
                    break
                except OSError as e:
                    answer = f"error: {e}"
                    time.sleep(1)
            print(f"RPMEM-HOST: mce id={fields[0]}: `{command}`: {answer or 'ok'}", flush=True)
        time.sleep(0.2)


if __name__ == "__main__":
    main()
