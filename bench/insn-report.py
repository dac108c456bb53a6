#!/usr/bin/env python3
"""Turn a `make bench-insn` run into docs/insn-count.md.

Inputs: the guest's console log (INSN-WINDOW lines, one per counted fio
run, in order; INSN-KSYM lines: the guest's module symbols and `_text`),
the plugin's counts (one "window N" block per INSN-WINDOW line: "vaddr
instructions runs" per translated block), the kernel's System.map.

Each row runs twice, N I/Os and a quarter of them; instructions per I/O
are the difference of the two windows over the difference in I/Os, so
fio's start-up and exit cancel out. Blocks are attributed to the symbol
at or below their start: the driver's own code (its module), the rest of
the kernel, user space.
"""
import bisect
import json
import re
import statistics
import subprocess
import sys
from collections import defaultdict

DRIVER_MODULE = {"rpmem": "rpmem", "nd_pmem": "nd_pmem", "nd_pmem_again": "nd_pmem"}
USER_TOP = 0x8000000000000000


def ksym_of(line):
    """(address, name, module or None) of a console line "INSN-KSYM ADDR TYPE NAME [MODULE]"."""
    at = line.find("INSN-KSYM ")
    if at < 0:
        return None
    parts = line[at:].split()
    mod = parts[4].strip("[]") if len(parts) > 4 else None
    return (int(parts[1], 16), parts[3], mod)


def fio_window(fields):
    """(driver, row, round, ios) of "INSN-WINDOW DRIVER ROW ROUND FIO-JSON"."""
    _, drv, row, rnd, blob = fields.split(" ", 4)
    job = json.loads(blob)["jobs"][0]
    ios = sum(job[d]["total_ios"] for d in ("read", "write", "trim"))
    return (drv, row, int(rnd), ios)


def read_log(path, window_of=fio_window):
    """(windows, guest symbols) from the log; window_of parses the text of
    each INSN-WINDOW line from its marker on."""
    windows, ksyms = [], []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.replace("\r", "").rstrip("\n")
            at = line.find("INSN-WINDOW ")
            if at >= 0:
                windows.append(window_of(line[at:]))
                continue
            ksym = ksym_of(line)
            if ksym:
                ksyms.append(ksym)
    return windows, ksyms


def read_counts(path):
    """Per window, {block vaddr: instructions run}."""
    out, cur = [], None
    with open(path) as f:
        for line in f:
            w = line.split()
            if w[0] == "window":
                cur = defaultdict(int)
            elif w[0] == "end":
                out.append(cur)
            else:
                cur[int(w[0], 16)] += int(w[1]) * int(w[2])
    return out


class Symbols:
    """Kernel text from System.map (moved by KASLR) and the guest's modules."""

    def __init__(self, system_map, ksyms):
        guest_text = next(a for a, n, m in ksyms if n == "_text" and m is None)
        syms = []
        with open(system_map) as f:
            for line in f:
                a, t, n = line.split()[:3]
                if t in "tTwW":
                    syms.append((int(a, 16), n, None))
        map_text = next(a for a, n, _ in syms if n == "_text")
        shift = guest_text - map_text
        syms = [(a + shift, n, m) for a, n, m in syms]
        syms += [(a, n, m) for a, n, m in ksyms if m is not None]
        syms.sort()
        self.addrs = [s[0] for s in syms]
        self.syms = syms

    def of(self, vaddr):
        """(name, module) of a block start; ("user", None) below the kernel."""
        if vaddr < USER_TOP:
            return "user space", "user"
        i = bisect.bisect_right(self.addrs, vaddr) - 1
        return (self.syms[i][1], self.syms[i][2]) if i >= 0 else ("?", None)


def demangle(names):
    """Readable names: Rust v0 and C++ through c++filt, crate hashes cut."""
    mangled = [n for n in names if n.startswith("_R") or n.startswith("_Z")]
    if not mangled:
        return {}
    res = subprocess.run(["c++filt"], input="\n".join(mangled), capture_output=True, text=True)
    plain = [re.sub(r"\[[0-9a-f]{16}\]", "", s) for s in res.stdout.splitlines()]
    return dict(zip(mangled, plain)) if len(plain) == len(mangled) else {}


def per_io(windows, counts, symbols):
    """{(driver, row, round): {(name, module): instructions per I/O}}."""
    if len(windows) != len(counts):
        sys.exit(f"insn-report: {len(windows)} fio windows in the log, {len(counts)} in the counts")
    result = {}
    for i in range(0, len(windows), 2):
        (drv, row, rnd, big_ios), (_, _, _, small_ios) = windows[i], windows[i + 1]
        if big_ios <= small_ios:
            sys.exit(f"insn-report: {drv} {row} round {rnd}: {big_ios} I/Os then {small_ios}")
        split = defaultdict(float)
        for sign, window in ((1, counts[i]), (-1, counts[i + 1])):
            for vaddr, n in window.items():
                split[symbols.of(vaddr)] += sign * n
        result[(drv, row, rnd)] = {k: v / (big_ios - small_ios) for k, v in split.items()}
    return result


def parts(split, drv):
    """(all, driver's own, kernel outside it, user) instructions per I/O."""
    own = sum(v for (n, m), v in split.items() if m == DRIVER_MODULE[drv])
    user = sum(v for (n, m), v in split.items() if m == "user")
    total = sum(split.values())
    return total, own, total - own - user, user


def main():
    log, counts_path, system_map, out = sys.argv[1:5]
    header = sys.argv[5:]
    windows, ksyms = read_log(log)
    counts = read_counts(counts_path)
    runs = per_io(windows, counts, Symbols(system_map, ksyms))
    rows = list(dict.fromkeys(r for _, r, _ in runs))
    drivers = [d for d in ("rpmem", "nd_pmem", "nd_pmem_again") if any(k[0] == d for k in runs)]
    rounds = sorted({k[2] for k in runs})

    def med(drv, row, idx):
        vals = [parts(runs[(drv, row, r)], drv)[idx] for r in rounds if (drv, row, r) in runs]
        return statistics.median(vals) if vals else None

    def per_round(drv, row, k):
        return [runs[(drv, row, r)].get(k, 0.0) for r in rounds if (drv, row, r) in runs]

    def fn_med(drv, row):
        """{function: median instructions per I/O} of drv on row."""
        keys = set()
        for r in rounds:
            keys |= set(runs.get((drv, row, r), {}))
        return {k: statistics.median(per_round(drv, row, k)) for k in keys}

    def fn_min(drv, row, k):
        return min(per_round(drv, row, k), default=0.0)

    def fn_max_abs(drv, row, k):
        return max((abs(v) for v in per_round(drv, row, k)), default=0.0)

    lines = ["# Instructions per I/O: rpmem against nd_pmem, by function", ""]
    lines += [
        "Generated by `make bench-insn` (bench/insn.sh, bench/insn-report.py): `make bench`'s rows with every",
        "guest instruction counted by a QEMU TCG plugin (tools/qemu-insn-count.c) in a window around each fio",
        "run (tools/insn-window.c), under `-icount` so timer work per instruction is alike in every run. Each",
        "row runs N I/Os and N/4: instructions per I/O are the difference over the difference in I/Os (fio's",
        "start and exit cancel). A count is exact and does not depend on the host; what it leaves out is the",
        "time an instruction takes (caches, TLB, the emulator), which is all that timed runs add.",
        "`nd_pmem_again` is nd_pmem rebound and counted again: the method's own spread.",
        "",
    ]
    lines += [f"- {h}" for h in header] + [f"- rounds: {len(rounds)}; medians over rounds", ""]

    lines += ["## Whole I/O: instructions per I/O, all code (kernel and user)", ""]
    lines += ["Ratio nd_pmem / rpmem: above 1.00 rpmem runs fewer instructions per I/O.", ""]
    lines += ["| row | rpmem | nd_pmem | nd_pmem / rpmem | per round | control nd_pmem_again / nd_pmem |",
              "|---|---|---|---|---|---|"]
    for row in rows:
        a, b = med("rpmem", row, 0), med("nd_pmem", row, 0)
        per = [parts(runs[("nd_pmem", row, r)], "nd_pmem")[0] / parts(runs[("rpmem", row, r)], "rpmem")[0]
               for r in rounds if ("rpmem", row, r) in runs and ("nd_pmem", row, r) in runs]
        c = med("nd_pmem_again", row, 0)
        ctl = f"{c / b:.4f}" if c and b else "-"
        lines.append(f"| {row} | {a:.1f} | {b:.1f} | **{b / a:.4f}** | {min(per):.4f}–{max(per):.4f} | {ctl} |")
    lines += ["", "## Where: each driver's path, the rest of the kernel, user space", ""]
    lines += ["A driver's path is its module's code (rpmem.ko, nd_pmem.ko) plus the kernel functions that only",
              "its I/O runs (at least 0.5 per I/O in every round, under 0.05 in every round of the other",
              "driver, control included; listed below the table). The rest of the kernel is the code both",
              "run: the block layer, the copy routines, bio completion, and background work (timers, RCU,",
              "the page allocator), which is what differs between rounds.", ""]
    lines += ["| row | rpmem path | nd_pmem path | rpmem − nd_pmem | rest of kernel rpmem | rest of kernel nd_pmem | user rpmem | user nd_pmem |",
              "|---|---|---|---|---|---|---|---|"]
    only = {}
    for row in rows:
        ex = {}
        for drv, others in (("rpmem", ("nd_pmem", "nd_pmem_again")), ("nd_pmem", ("rpmem",))):
            mine = fn_med(drv, row)
            ex[drv] = {k: v for k, v in mine.items()
                       if k[1] not in (DRIVER_MODULE[drv], "user") and fn_min(drv, row, k) >= 0.5
                       and all(fn_max_abs(o, row, k) < 0.05 for o in others if o in drivers)}
        only[row] = ex
        path = {d: med(d, row, 1) + sum(ex[d].values()) for d in ("rpmem", "nd_pmem")}
        rest = {d: med(d, row, 2) - sum(ex[d].values()) for d in ("rpmem", "nd_pmem")}
        lines.append(f"| {row} | {path['rpmem']:.1f} | {path['nd_pmem']:.1f} | **{path['rpmem'] - path['nd_pmem']:+.1f}** | "
                     f"{rest['rpmem']:.1f} | {rest['nd_pmem']:.1f} | {med('rpmem', row, 3):.1f} | {med('nd_pmem', row, 3):.1f} |")
    lines += ["", "Kernel functions only one driver's I/O runs (per I/O):", ""]
    for row in rows:
        for d in ("rpmem", "nd_pmem"):
            ex = sorted(only[row][d].items(), key=lambda x: -x[1])
            if ex:
                shown = ", ".join(f"{n} {v:.1f}" for (n, _), v in ex[:8])
                more = f" and {len(ex) - 8} more" if len(ex) > 8 else ""
                lines.append(f"- {row}, {d}: {shown}{more}")
    lines += ["", "## Functions whose count differs (per I/O, |difference| ≥ 0.5)", ""]
    lines += ["Beside each, the same function's difference in the control (nd_pmem_again − nd_pmem).", ""]
    names = set()
    diffs = {}
    for row in rows:
        a, b = fn_med("rpmem", row), fn_med("nd_pmem", row)
        c = fn_med("nd_pmem_again", row) if "nd_pmem_again" in drivers else {}
        d = [(k, a.get(k, 0.0), b.get(k, 0.0), c.get(k, 0.0) - b.get(k, 0.0) if c else None)
             for k in set(a) | set(b)]
        d = sorted((x for x in d if abs(x[1] - x[2]) >= 0.5), key=lambda x: -abs(x[1] - x[2]))
        diffs[row] = d
        names |= {k[0] for k, *_ in d}
    plain = demangle(names)
    for row in rows:
        lines += [f"### {row}", "", "| function | module | rpmem | nd_pmem | rpmem − nd_pmem | control − nd_pmem |",
                  "|---|---|---|---|---|---|"]
        for (name, mod), a, b, ctl in diffs[row][:16]:
            cc = f"{ctl:+.1f}" if ctl is not None else "-"
            lines.append(f"| `{plain.get(name, name)}` | {mod or 'kernel'} | {a:.1f} | {b:.1f} | {a - b:+.1f} | {cc} |")
        lines.append("")
    with open(out, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
