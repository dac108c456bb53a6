#!/usr/bin/env python3
"""The persistence checker's violations with symbols.

    durability-report.py CHECKER_OUT CONSOLE_LOG SYSTEM_MAP [PROGRAM...]

CHECKER_OUT is what tools/qemu-pmem-check.c wrote; the console log holds the
guest's PMEM-KSYM lines (the driver module's text symbols from
/proc/kallsyms) and SYSTEM_MAP names the kernel's; each PROGRAM (a static,
non-PIE executable the guest ran, such as tools/pmem-persist) names its
own code, as "symbol [program]", for a checker run with user=1. Prints one line per
place (state, last store, last flush, and the caller when the
store was in a string copy such as memcpy, a leaf function: the return
address at the stack pointer) with how many lines and acknowledgements it covers and one
example line, then the instructions
that made lines durable (fences, clflush) and the checker's last summary. Exit status 0; the caller judges the counts.
"""
import bisect
import os
import re
import subprocess
import sys


def symbols(console, system_map, programs):
    syms = []
    for prog in programs:
        nm = subprocess.run(["nm", prog], capture_output=True, text=True, check=False).stdout
        for line in nm.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                syms.append((int(parts[0], 16), f"{parts[2]} [{os.path.basename(prog)}]"))
    with open(system_map, errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1] in "tTwW":
                syms.append((int(parts[0], 16), parts[2]))
    with open(console, "rb") as f:
        for raw in f:
            m = re.search(rb"PMEM-KSYM ([0-9a-f]+) [tT] (\S+)\s+\[(\w+)\]", raw)
            if m:
                syms.append((int(m.group(1), 16), f"{m.group(2).decode()} [{m.group(3).decode()}]"))
    syms.sort()
    return syms


def name(syms, addrs, pc):
    if pc == 0:
        return "none"
    i = bisect.bisect_right(addrs, pc) - 1
    if i < 0 or pc - addrs[i] > 0x100000:
        return f"0x{pc:x}"
    sym = syms[i][1]
    base, _, mod = sym.partition(" ")
    return f"{base}+0x{pc - addrs[i]:x}{(' ' + mod) if mod else ''} (0x{pc:x})"


def text_symbol(syms, addrs, pc):
    """The function holding PC (a return address read at the stack pointer), or ''."""
    i = bisect.bisect_right(addrs, pc) - 1
    if pc == 0 or i < 0 or pc - addrs[i] > 0x4000 or i + 1 >= len(addrs) and pc - addrs[i] > 0x1000:
        return ""
    base, _, mod = syms[i][1].partition(" ")
    return f"{base}+0x{pc - addrs[i]:x}{(' ' + mod) if mod else ''}"


def main():
    out, console, system_map = sys.argv[1:4]
    syms = symbols(console, system_map, sys.argv[4:])
    addrs = [a for a, _ in syms]
    places = {}
    durable_by = []
    summary = ""
    with open(out) as f:
        for line in f:
            if line.startswith("summary "):
                summary = line.strip()
            d = re.match(r"durable_by pc=(0x[0-9a-f]+) times=(\d+) lines=(\d+)", line)
            if d:
                durable_by.append((int(d.group(1), 16), int(d.group(2)), int(d.group(3))))
            m = re.match(r"violation ack=(\d+) cpu=\d+ line=(0x[0-9a-f]+) state=(\w+) "
                         r"store_pc=(0x[0-9a-f]+) flush_pc=(0x[0-9a-f]+)(?: store_ret=(0x[0-9a-f]+))?", line)
            if not m:
                continue
            store_pc = int(m.group(4), 16)
            # The word at the stack pointer is the return address only in a
            # function that keeps nothing on the stack: the string copies.
            caller = ""
            if re.search(r"memcpy|memmove|memset|copy_mc", name(syms, addrs, store_pc)):
                caller = text_symbol(syms, addrs, int(m.group(6) or "0", 16))
            key = (m.group(3), int(m.group(4), 16), int(m.group(5), 16), caller)
            p = places.setdefault(key, {"lines": 0, "acks": set(), "example": m.group(2)})
            p["lines"] += 1
            p["acks"].add(int(m.group(1)))
    for (state, store, flush, caller), p in sorted(places.items(), key=lambda kv: -kv[1]["lines"]):
        called = f" called from {caller}" if caller else ""
        print(f"violation: {p['lines']} lines reported in {len(p['acks'])} acks (first ack "
              f"{min(p['acks'])}), e.g. line {p['example']}: {state}; last store "
              f"{name(syms, addrs, store)}{called}; last flush {name(syms, addrs, flush)}")
    for pc, times, lines in durable_by:
        print(f"durable by {name(syms, addrs, pc)}: {times} times, {lines} lines")
    print(summary or "summary: none (the checker saw no acknowledgement)")


if __name__ == "__main__":
    main()
