#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mutate-line.py FILE PATTERN REPLACEMENT: seed one mutant.

Replaces the fixed string PATTERN by REPLACEMENT in the one line of FILE
that contains it and prints that line's number. Fails unless exactly one
line matches, so a mutant never lands on a line its author did not mean.
Used by scripts/mutants.sh and scripts/durability-mutants.sh.
"""
import sys


def main():
    path, pattern, replacement = sys.argv[1:4]
    with open(path) as f:
        lines = f.read().split("\n")
    hits = [i for i, line in enumerate(lines) if pattern in line]
    if len(hits) != 1:
        sys.exit(f"mutate: {path}: {len(hits)} lines contain {pattern!r} (want 1)")
    i = hits[0]
    lines[i] = lines[i].replace(pattern, replacement)
    with open(path, "w") as f:
        f.write("\n".join(lines))
    print(i + 1)


if __name__ == "__main__":
    main()
