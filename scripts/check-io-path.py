#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The I/O path and the pfn copy of rpmem.ko cannot panic.

Reads `objdump -dr` of the module, follows its calls (by relocation, or
resolved by the assembler within a section) from the block layer's entry
(`submit_bio_callback`) and from the copy ioctl's worker (`copy::copy`)
to every function of the module they reach, and fails if any of them
calls into Rust's panic machinery (an overflow check, a bounds check, an
unwrap): a panic there would oops the kernel in the middle of a bio or a
copy. Calls out of the module (the kernel's own functions) end the walk;
calls through a function pointer are not followed.

Usage: check-io-path.py rpmem.ko [root-pattern...]
"""
import re
import subprocess
import sys

FUNCTION = re.compile(r"^[0-9a-f]+ <(.+)>:$")
CALL_RELOC = re.compile(r"R_X86_64_(?:PLT32|PC32)\s+([^\s+-]+)")
# A call or jump the assembler resolved (same section, no relocation):
# `call   3ee0 <name>`, a function's start (no `+0x` offset).
DIRECT = re.compile(r"\s(?:call|jmp)\s+[0-9a-f]+ <([^>+]+)>$")
# Entry points, as regular expressions over the mangled names.
ROOTS = [r"9disk_type19submit_bio_callback", r"6Copier4copy$"]
PANICS = re.compile(r"core\d+panicking|rust_begin_unwind|_RNv.*unwrap_failed|expect_failed")


def call_graph(ko):
    """Each function of the module and the symbols it references."""
    dump = subprocess.run(["objdump", "-dr", "--no-show-raw-insn", ko],
                          capture_output=True, text=True, check=True).stdout
    graph, current = {}, None
    for line in dump.splitlines():
        m = FUNCTION.match(line)
        if m:
            current = m.group(1)
            graph.setdefault(current, set())
            continue
        if current is None:
            continue
        for pattern in (CALL_RELOC, DIRECT):
            m = pattern.search(line)
            if m and m.group(1) != current:
                graph[current].add(m.group(1))
    return graph


def reachable(graph, roots):
    seen, todo = set(), list(roots)
    while todo:
        f = todo.pop()
        if f not in seen:
            seen.add(f)
            todo.extend(c for c in graph[f] if c in graph)
    return seen


def main():
    ko = sys.argv[1]
    patterns = sys.argv[2:] or ROOTS
    graph = call_graph(ko)
    roots = []
    for pattern in patterns:
        found = [f for f in graph if re.search(pattern, f)]
        if not found:
            sys.exit(f"check-io-path: no function matches {pattern!r} in {ko}")
        roots += found
    seen = reachable(graph, roots)
    failed = False
    for f in sorted(seen):
        panics = sorted(c for c in graph[f] if PANICS.search(c))
        if panics:
            failed = True
            print(f"check-io-path: {f} can panic: {', '.join(panics)}")
    if failed:
        sys.exit(1)
    print(f"check-io-path: {len(seen)} functions reached from {len(roots)} entry points, none can panic")


if __name__ == "__main__":
    main()
