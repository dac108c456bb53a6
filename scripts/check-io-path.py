#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The I/O path of rpmem.ko cannot panic.

Reads `objdump -dr` of the module, follows its calls from the block layer's
entry (`submit_bio_callback`) to every function of the module it reaches,
and fails if any of them calls into Rust's panic machinery (an overflow
check, a bounds check, an unwrap): a panic there would oops the kernel
in the middle of a bio. Calls out of the module (the kernel's own
functions) end the walk.

Usage: check-io-path.py rpmem.ko [root-substring]
"""
import re
import subprocess
import sys

FUNCTION = re.compile(r"^[0-9a-f]+ <(.+)>:$")
CALL_RELOC = re.compile(r"R_X86_64_(?:PLT32|PC32)\s+([^\s+-]+)")
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
        m = CALL_RELOC.search(line)
        if m and current is not None:
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
    root = sys.argv[2] if len(sys.argv) > 2 else "submit_bio_callback"
    graph = call_graph(ko)
    roots = [f for f in graph if root in f]
    if not roots:
        sys.exit(f"check-io-path: no function named like {root!r} in {ko}")
    failed = False
    for f in sorted(reachable(graph, roots)):
        panics = sorted(c for c in graph[f] if PANICS.search(c))
        if panics:
            failed = True
            print(f"check-io-path: {f} can panic: {', '.join(panics)}")
    if failed:
        sys.exit(1)
    print(f"check-io-path: {len(reachable(graph, roots))} functions from {root}, none can panic")


if __name__ == "__main__":
    main()
