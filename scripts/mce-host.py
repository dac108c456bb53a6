#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Machine checks on the guest's request (qemu/run.sh, RPMEM_MCE=1).

Usage: mce-host.py CONSOLE_LOG MONITOR_SOCKET

Follows the guest's console log; each new line

    RPMEM-MCE-REQUEST id=N cpu=C bank=B status=S mcg_status=G addr=A misc=M [broadcast=1] [load=LO-HI [mode=user]]

(one request per id, numbers in decimal or 0x hex) is sent to QEMU's human
monitor as `mce [-b] C B S G A M`, which writes the values into the vCPU's
machine-check bank (and raises #MC if the status says uncorrected; with -b
the other vCPUs get #MC too, as a broadcast machine check does). Prints
one line per request with what QEMU answered. Runs until killed.

With load=LO-HI (guest physical addresses, HI excluded) the machine check
is aimed as a poisoned load raises one: at the instruction that loads. QEMU
delivers an injected #MC when the vCPU next looks for interrupts, which TCG
does between translation blocks; in single-step mode every instruction is a
block of its own. So the VM runs single-stepped, and is stopped again and
again (`stop`) until vCPU C is in kernel mode (CPL 0) at an instruction
that loads from [LO, HI): the instruction at RIP is read from the monitor's
disassembler (`x/1i`), its source address computed from the registers and
translated (`gva2gpa`). Only then is the `mce` command sent, with A replaced
by that load's physical address (aligned down to the line, 64 bytes), and
the VM continued; the #MC is taken on that instruction. Other stops just
continue. Gives up after LOAD_TRIES stops; the line printed names the
instruction and the address, or says it gave up. With mode=user the load
aimed at is a user-space one instead (CPL 3: a process's load through a
mapping), its virtual address translated by the same page tables.
"""
import random
import re
import socket
import sys
import time

REQUEST = re.compile(
    rb"^RPMEM-MCE-REQUEST id=(\d+) cpu=(\w+) bank=(\w+) status=(\w+) "
    rb"mcg_status=(\w+) addr=(\w+) misc=(\w+)( broadcast=1)?"
    rb"(?: load=(\w+)-(\w+)(?: mode=(user|kernel))?)?\s*$"
)
# Stops at most per load= request: some 20-40 ms each (the VM runs 5-30 ms
# between two), so about 10 minutes; t_read_mce needed 2 to 1078.
LOAD_TRIES = 20000
# An instruction that loads from memory: a mov-type one whose first (AT&T:
# source) operand is memory, without a segment override (per-CPU data), or
# a string move (source at RSI). Capstone's AT&T syntax, as `x/1i` prints it:
# "0xffffffff81856b71:  4c 8b 06   movq  (%rsi), %r8".
INSN = re.compile(r"^0x([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*(.*?)\s*$")
LOAD = re.compile(r"^mov(?!nt|s[bwlq]?\b)[a-z]*\s+(-?0x[0-9a-f]+|-?\d+)?\((%\w+)?(?:,\s*(%\w+))?(?:,\s*(\d))?\)\s*,")
STRING = re.compile(r"^(?:rep\s+)?movs[bwlq]?\b")
# "RAX=...", "R8 =...", "RIP=..." in `info registers`.
REG = re.compile(r"\b(R[A-Z0-9]+) ?=([0-9a-f]{16})\b")
PROMPT = b"(qemu) "


def read_to_prompt(sock, seen=b""):
    """What the monitor printed up to its next prompt."""
    while not seen.endswith(PROMPT):
        chunk = sock.recv(4096)
        if not chunk:
            break
        seen += chunk
    return seen


class Monitor:
    """One connection to QEMU's human monitor."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(path)
        read_to_prompt(self.sock)  # the banner

    def run(self, command):
        """Run one command; return its output lines."""
        self.sock.sendall(command.encode() + b"\n")
        out = read_to_prompt(self.sock).decode(errors="replace")
        # The monitor echoes the command as it is typed (with cursor
        # moves); its answer is the lines between that echo and the prompt.
        return [l.strip() for l in out.replace("\r", "").split("\n")[1:-1] if l.strip()]

    def close(self):
        self.sock.close()


def send(monitor, command):
    """Run one monitor command on a connection of its own; return its output."""
    mon = Monitor(monitor)
    try:
        return " ".join(mon.run(command))
    finally:
        mon.close()


def load_address(insn, regs):
    """The virtual address instruction INSN (x/1i's text) loads from, or None."""
    if STRING.match(insn):
        return regs.get("RSI")
    m = LOAD.match(insn)
    if not m:
        return None
    disp, base, index, scale = m.groups()
    addr = int(disp, 0) if disp else 0
    for reg, mul in ((base, 1), (index, int(scale or 1))):
        if reg:
            value = regs.get(reg[1:].upper())
            if value is None:  # a 32-bit or other register: not a copy's
                return None
            addr += value * mul
    return addr & (2**64 - 1)


def aimed(monitor, cpu, command, lo, hi, cpl_wanted="0"):
    """Inject COMMAND (its address left as {addr}) when vCPU CPU, at
    privilege level CPL_WANTED, loads from [LO, HI); return what to print."""
    where = "" if cpl_wanted == "0" else f"CPL {cpl_wanted} "
    mon = Monitor(monitor)
    try:
        mon.run("singlestep on")
        for tries in range(1, LOAD_TRIES + 1):
            time.sleep(random.uniform(0.005, 0.03))
            mon.run("stop")
            mon.run(f"cpu {cpu}")
            text = " ".join(mon.run("info registers"))
            regs = {k: int(v, 16) for k, v in REG.findall(text)}
            cpl = re.search(r"CPL=(\d)", text)
            gpa = None
            if "RIP" in regs and cpl and cpl.group(1) == cpl_wanted:
                lines = mon.run(f"x/1i {regs['RIP']:#x}")
                m = INSN.match(lines[0]) if lines else None
                insn = m.group(2) if m else ""
                va = load_address(insn, regs)
                if va is not None:
                    out = " ".join(mon.run(f"gva2gpa {va:#x}"))
                    g = re.search(r"gpa: (0x[0-9a-f]+)", out)
                    gpa = int(g.group(1), 16) if g else None
            if gpa is not None and lo <= gpa < hi:
                line = gpa & ~63
                answer = " ".join(mon.run(command.format(addr=f"{line:#x}")))
                mon.run("singlestep off")
                mon.run("cont")
                return (f"`{command.format(addr=f'{line:#x}')}`: {answer or 'ok'}; at {where}RIP {regs['RIP']:#x} "
                        f"`{insn}` loading {va:#x} (physical {gpa:#x}), stop {tries}")
            mon.run("cont")
        mon.run("singlestep off")
        return f"gave up after {LOAD_TRIES} stops: vCPU {cpu} never {where}loaded from [{lo:#x}, {hi:#x})"
    finally:
        mon.close()


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
            if m.group(9):
                fields[5] = "{addr}"
            command = "mce " + ("-b " if m.group(8) else "") + " ".join(fields[1:])
            for attempt in range(60):
                try:
                    if m.group(9):
                        said = aimed(monitor, fields[1], command, int(m.group(9), 0), int(m.group(10), 0),
                                     "3" if m.group(11) == b"user" else "0")
                    else:
                        said = f"`{command}`: {send(monitor, command) or 'ok'}"
                    break
                except OSError as e:
                    said = f"error: {e}"
                    time.sleep(1)
            print(f"RPMEM-HOST: mce id={fields[0]}: {said}", flush=True)
        time.sleep(0.2)


if __name__ == "__main__":
    main()
