#!/usr/bin/env python3
"""The instruction-count part of `make bench-map`, as Markdown on stdout.

Inputs: the counted guest's console log (INSN-WINDOW lines "path op round
ios", one per window, N I/Os then N/4; INSN-KSYM lines), the plugin's
counts, the kernel's System.map and the static pmem-map binary (for its
user-space function names); optionally the timed guest's log, for TCG's
time per counted instruction. Instructions per I/O come from
bench/insn-report.py's method: the difference of the two windows over the
difference in I/Os, so process start, mapping and exit cancel.
"""
import bisect
import importlib.util
import os
import statistics
import subprocess
import sys
from collections import defaultdict

_spec = importlib.util.spec_from_file_location(
    "insn_report", os.path.join(os.path.dirname(os.path.abspath(__file__)), "insn-report.py"))
insn_report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(insn_report)

PATHS = (("mmap", "load/store, glibc memcpy (mmap)"), ("mmap-rep", "load/store, rep movsq (mmap-rep)"),
         ("odirect", "O_DIRECT pread/pwrite"), ("odirect-512", "O_DIRECT, 512 bytes (control)"))


def map_window(fields):
    """(path, op, round, ios) of "INSN-WINDOW PATH OP ROUND IOS"."""
    _, p, op, rnd, ios = fields.split()
    return (p, op, int(rnd), int(ios))


def user_symbols(binary):
    """Sorted (address, name) of the static binary's text."""
    res = subprocess.run(["nm", "-n", binary], capture_output=True, text=True, check=True)
    syms = []
    for line in res.stdout.splitlines():
        w = line.split()
        if len(w) == 3 and w[1] in "tTwWiI":
            syms.append((int(w[0], 16), w[2]))
    return syms


def by_function(window_pair, symbols, usyms, ios):
    """{(name, 'user'|module|'kernel'): instructions per I/O} of one window pair."""
    uaddr = [a for a, _ in usyms]
    split = defaultdict(float)
    for sign, window in window_pair:
        for vaddr, n in window.items():
            name, mod = symbols.of(vaddr)
            if mod == "user":
                i = bisect.bisect_right(uaddr, vaddr) - 1
                name = usyms[i][1] if i >= 0 else "?"
            split[(name, mod or "kernel")] += sign * n
    return {k: v / ios for k, v in split.items()}


def spread(vals):
    return f"{min(vals):.0f}–{max(vals):.0f}" if len(vals) > 1 else "-"


def main():
    log, counts_path, system_map, binary = sys.argv[1:5]
    windows, ksyms = insn_report.read_log(log, map_window)
    counts = insn_report.read_counts(counts_path)
    if len(windows) != len(counts):
        sys.exit(f"map-insn-report: {len(windows)} windows in the log, {len(counts)} in the counts")
    symbols = insn_report.Symbols(system_map, ksyms)
    usyms = user_symbols(binary)
    runs = {}
    for i in range(0, len(windows), 2):
        (p, op, rnd, big), (_, _, _, small) = windows[i], windows[i + 1]
        runs[(p, op, rnd)] = by_function(((1, counts[i]), (-1, counts[i + 1])), symbols, usyms, big - small)
    rounds = sorted({k[2] for k in runs})

    def totals(p, op, part):
        out = []
        for r in rounds:
            s = runs.get((p, op, r))
            if s is None:
                continue
            out.append(sum(v for (n, m), v in s.items() if part == "all" or (m == "user") == (part == "user")))
        return out

    L = ["## Instructions per 4 KiB I/O (whole guest: user and kernel)", ""]
    L += ["Every guest instruction counted by the QEMU TCG plugin of `make bench-insn`",
          "(tools/qemu-insn-count.c) in an insn-window (tools/insn-window.c) around `pmem-map ops`, under",
          "`-icount shift=0,sleep=off`. Each path and direction runs N and N/4 I/Os; the difference over",
          "the difference in I/Os is the count per I/O, exact and independent of the host's load. A",
          "rep-prefixed string instruction counts once per iteration (QEMU re-executes it per iteration),",
          "so `rep movsq` over 4 KiB counts 512.", ""]
    L += [f"- rounds: {len(rounds)}; medians over rounds, spread min–max", ""]
    L += ["| path | op | all | spread | user | kernel |", "|---|---|---|---|---|---|"]
    med = {}
    for p, label in PATHS:
        for op in ("read", "write"):
            a, u, k = totals(p, op, "all"), totals(p, op, "user"), totals(p, op, "kernel")
            if not a:
                continue
            med[(p, op)] = statistics.median(a)
            L.append(f"| {label} | {op} | {statistics.median(a):.0f} | {spread(a)} | "
                     f"{statistics.median(u):.0f} | {statistics.median(k):.0f} |")
    L += ["", "Ratio O_DIRECT / load-store (instructions per I/O; how many times fewer the mapping runs):", ""]
    for op in ("read", "write"):
        for p in ("mmap", "mmap-rep"):
            if (p, op) not in med:
                continue
            per = [d / m for d, m in zip(totals("odirect", op, "all"), totals(p, op, "all"))]
            L.append(f"- {op}, O_DIRECT / {p}: **{med[('odirect', op)] / med[(p, op)]:.2f}x** "
                     f"(per round {min(per):.2f}–{max(per):.2f}x)")
    L += ["", "### Where the instructions go (median per I/O, functions with at least 20)", ""]
    plain = insn_report.demangle({n for run in runs.values() for (n, _m) in run})
    for p, label in PATHS:
        for op in ("read", "write"):
            keys = set()
            for r in rounds:
                keys |= set(runs.get((p, op, r), {}))
            fn = {k: statistics.median([runs[(p, op, r)].get(k, 0.0) for r in rounds]) for k in keys}
            top = sorted((x for x in fn.items() if x[1] >= 20), key=lambda x: -x[1])
            shown = ", ".join(f"`{plain.get(n, n)}` ({m}) {v:.0f}" for (n, m), v in top)
            L.append(f"- {label}, {op}: {shown}")
    if len(sys.argv) > 5:
        L += timed_cost(sys.argv[5], med)
    print("\n".join(L))


def timed_cost(log, med):
    """Lines: TCG time per I/O and per counted instruction, from the timed guest's log."""
    iops = defaultdict(list)
    with open(log, errors="replace") as f:
        for line in f:
            w = line.replace("\r", "").split()
            if len(w) >= 7 and w[0] == "MAP-BENCH" and w[6] == "IOPS":
                iops[(w[2], w[3])].append(float(w[5]))
    L = ["", "### Instructions against TCG time", "",
         "The timed guest's median I/O rate (below) over the count above: TCG's time per guest",
         "instruction of each path.", "",
         "| path | op | µs per I/O (TCG) | instructions per I/O | ns per instruction (TCG) |",
         "|---|---|---|---|---|"]
    for p, label in PATHS:
        for op in ("read", "write"):
            if (p, op) in med and iops.get((p, op)):
                us = 1e6 / statistics.median(iops[(p, op)])
                L.append(f"| {label} | {op} | {us:.2f} | {med[(p, op)]:.0f} | {us * 1e3 / med[(p, op)]:.2f} |")
    return L


if __name__ == "__main__":
    main()
