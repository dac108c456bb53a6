#!/usr/bin/env python3
"""Turn the console log of a `make bench` boot into docs/benchmarks.md.

Reads BENCH-INFO / BENCH-KMAP / BENCH-JSON lines, takes per (driver, row)
the median over rounds of IOPS, bandwidth and p99 completion latency,
the spread across rounds, the ratio rpmem / nd_pmem and the control's
(nd_pmem_again / nd_pmem: the same driver rebound, the method's own error).
"""
import json
import os
import statistics
import sys
from collections import defaultdict

import charts

DRIVERS = ["rpmem", "nd_pmem", "nd_pmem_again", "rpmem_nowait0", "brd", "nullb_mem", "nullb_nomem"]
CONTROL = "nd_pmem_again"
# Decimals of the ratios: REPORT_DIGITS (2; `make bench-icount` asks for 4,
# its rounds differ in the fourth).
DIGITS = int(os.environ.get("REPORT_DIGITS", "2"))


def key_of(row):
    return "bw" if "1m" in row or "128k" in row else "iops"


def ratio_to_nd_pmem(runs, drv, row, ref="nd_pmem", key=None):
    """(ratio of the medians, min and max of the per-round ratios, per-round
    ratios) of drv over ref (nd_pmem) on row, or None; of IOPS or MiB/s
    as the row has them, or of `key`."""
    key = key or key_of(row)
    ours = {x["round"]: x[key] for x in runs.get((drv, row), []) if key in x}
    theirs = {x["round"]: x[key] for x in runs.get((ref, row), []) if key in x}
    rq = [ours[k] / theirs[k] for k in ours if k in theirs and theirs[k]]
    if not rq or not med(list(theirs.values())):
        return None
    q = med(list(ours.values())) / med(list(theirs.values()))
    return q, min(rq), max(rq), rq


def chart_path(out, what):
    """Where a chart of the report `out` goes: bench-WHAT.svg beside
    docs/benchmarks.md, STEM-WHAT.svg beside any other report."""
    stem = os.path.splitext(os.path.basename(out))[0]
    prefix = "bench" if stem == "benchmarks" else stem
    return os.path.join(os.path.dirname(os.path.abspath(out)), f"{prefix}-{what}.svg")


def ratio_cell(r):
    """A ratio_to_nd_pmem result as 'median× (low–high)', or '-'."""
    return f"{r[0]:.{DIGITS}f}× ({r[1]:.{DIGITS}f}–{r[2]:.{DIGITS}f})" if r else "-"


def verdict_of(q, lo, hi, ctl):
    """ahead / behind when every round says so and the ratio lies outside
    every per-round ratio of the control (ctl, or None without one)."""
    if lo > 1 and (ctl is None or q > ctl[2]):
        return "ahead"
    if hi < 1 and (ctl is None or q < ctl[1]):
        return "behind"
    return "level (in noise)"


def parse(log):
    """(info lines, kmap lines, runs per (driver, row), guest CPUs); a run
    measured with BENCH-CPU also has busy_cpus (vCPUs kept busy on
    average) and cpu_us (busy CPU µs per I/O)."""
    info, kmap, runs, cpus = [], [], defaultdict(list), {}
    for line in open(log, errors="replace"):
        line = line.strip()
        i = line.find("BENCH-")
        if i < 0:
            continue
        line = line[i:]
        if line.startswith("BENCH-INFO "):
            info.append(line[len("BENCH-INFO "):])
        elif line.startswith("BENCH-KMAP "):
            kmap.append(line[len("BENCH-KMAP "):])
        elif line.startswith("BENCH-CPU "):
            w = line.split()
            busy0, total0, busy1, total1 = (int(x) for x in w[4:8])
            if total1 > total0:
                # Average number of busy CPUs over the run: the machine has
                # (total delta / wall jiffies) CPUs; the ratio needs no HZ.
                cpus[(w[1], w[2], w[3])] = (busy1 - busy0) / (total1 - total0)
        elif line.startswith("BENCH-JSON "):
            _, drv, row, rnd, js = line.split(" ", 4)
            try:
                job = json.loads(js)["jobs"][0]
            except (ValueError, KeyError, IndexError):
                continue
            side = job["read"] if job["read"]["io_bytes"] else job["write"]
            pct = side["clat_ns"].get("percentile", {})
            runs[(drv, row)].append({
                "round": rnd,
                "iops": side["iops"],
                "bw": side["bw_bytes"] / 2**20,
                "p99": pct.get("99.000000", 0) / 1000.0,
            })
    ncpu = 1
    for i in info:
        ncpu = int(fields(i).get("cpus", ncpu))
    for (drv, row), rs in runs.items():
        for x in rs:
            busy = cpus.get((drv, row, x["round"]))
            if busy is not None and x["iops"]:
                x["busy_cpus"] = busy * ncpu
                x["cpu_us"] = busy * ncpu * 1e6 / x["iops"]
    return info, kmap, runs, ncpu


def med(vals):
    return statistics.median(vals) if vals else 0.0


def spread(vals):
    m = med(vals)
    return (max(vals) - min(vals)) / m * 100 if vals and m else 0.0


def fields(line):
    return dict(tok.split("=", 1) for tok in line.split() if "=" in tok)


def chart_md(img, alt, caption):
    """Markdown for a chart written next to the report, or the note that it was not."""
    if img is None:
        print(f"report.py: {charts.SKIPPED}: {alt}", file=sys.stderr)
        return f"_{alt}: {charts.SKIPPED}._\n"
    return f"![{alt}]({img})\n\n{caption}\n"


def cpu_table(p, runs, rows, ncpu):
    """CPU time per I/O (all threads: fio's, io-wq workers'), median over
    rounds, and nd_pmem's over rpmem's."""
    def med_of(drv, row, key):
        vals = [x[key] for x in runs.get((drv, row), []) if key in x]
        return med(vals) if vals else None

    p("## CPU time per I/O\n")
    p(f"Busy CPU time of the whole guest ({ncpu} vCPUs, /proc/stat around each run: fio's threads, io-wq "
      "workers, interrupts) per I/O, median over rounds. nd_pmem / rpmem above 1: rpmem spends less CPU "
      "per I/O. Busy CPUs: how many vCPUs the run kept busy on average (io_uring hands nd_pmem's bios "
      "to io-wq workers, which run on the other vCPU; rpmem issues them inline).\n")
    p("| row | rpmem µs | nd_pmem µs | control µs | busy CPUs rpmem | busy CPUs nd_pmem | nd_pmem / rpmem | per round | control / nd_pmem |")
    p("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        r = ratio_to_nd_pmem(runs, "nd_pmem", row, "rpmem", "cpu_us")
        if not r:
            continue
        ctl = ratio_to_nd_pmem(runs, CONTROL, row, key="cpu_us")
        ctl_us = med_of(CONTROL, row, "cpu_us")
        p(f"| {row} | {med_of('rpmem', row, 'cpu_us'):.2f} | {med_of('nd_pmem', row, 'cpu_us'):.2f} | "
          f"{f'{ctl_us:.2f}' if ctl_us else '-'} | {med_of('rpmem', row, 'busy_cpus'):.2f} | "
          f"{med_of('nd_pmem', row, 'busy_cpus'):.2f} | **{r[0]:.{DIGITS}f}×** | "
          f"{r[1]:.{DIGITS}f}–{r[2]:.{DIGITS}f} | {f'{ctl[0]:.{DIGITS}f}×' if ctl else '-'} |")
    p("")


def main(log, out, meta):
    info, kmap, runs, ncpu = parse(log)
    rows = []
    for (drv, row) in runs:
        if row not in rows:
            rows.append(row)
    lines = []
    p = lines.append
    p("# rpmem benchmarks\n")
    p("Generated by `make bench` (bench/run.sh -> bench/guest-bench.sh -> bench/report.py).")
    p("Absolute numbers are emulated (QEMU TCG); compare drivers only as ratios within this run.\n")
    for m in meta:
        p(f"- {m}")
    for i in info:
        p(f"- guest: {i}")
    p("")
    p("## fio O_DIRECT, median of rounds\n")
    p("IOPS (k) and MiB/s are medians; p99 is completion latency in µs; ± is the spread (max-min)/median across rounds.\n")
    p("rpmem / nd_pmem is the ratio of the medians; per round is the range of the ratios "
      "taken within each round (both drivers measured back to back on the same namespace, "
      "rebound before every run). The control is nd_pmem measured again "
      "(nd_pmem_again), rebound like the others: its ratio to nd_pmem "
      "is what this method reads for two identical drivers. Verdict: ahead if rpmem won "
      "every round and its ratio is above every per-round ratio of the control, behind "
      "likewise below, otherwise level (inside the noise). The three take every position "
      "in a row equally often: row i of round r runs them in the (r - 1 + i) mod 6th of "
      "the six orders, so with a multiple of 6 rounds no driver gains from its place. "
      "rpmem_nowait0 is rpmem loaded "
      "with nowait=0 (no BLK_FEAT_NOWAIT, as nd_pmem), measured on the io_uring rows only: "
      "without it io_uring hands each bio to an io-wq worker, which may run on the other "
      "vCPU; with it the bio is issued inline by the submitting task.\n")
    hdr = ("| row | " + " | ".join(DRIVERS) +
           " | rpmem / nd_pmem | per round | control / nd_pmem (per round) | verdict |"
           " rpmem / control (per round) | rpmem nowait=0 / nd_pmem (per round) |")
    p(hdr)
    p("|" + "---|" * (len(DRIVERS) + 7))
    verdicts = []
    for row in rows:
        cells = []
        for drv in DRIVERS:
            r = runs.get((drv, row), [])
            if not r:
                cells.append("-")
                continue
            key = key_of(row)
            big = key == "bw"
            vals = [x[key] for x in r]
            p99 = med([x["p99"] for x in r])
            shown = f"{med(vals):.0f} MiB/s" if big else f"{med(vals)/1000:.1f}k"
            cells.append(f"{shown} ±{spread(vals):.0f}% (p99 {p99:.0f})")
        ratio, per_round, verdict = "-", "-", "-"
        ctl = ratio_to_nd_pmem(runs, CONTROL, row)
        control = ratio_cell(ctl)
        nowait0 = ratio_cell(ratio_to_nd_pmem(runs, "rpmem_nowait0", row))
        matched = ratio_cell(ratio_to_nd_pmem(runs, "rpmem", row, CONTROL))
        r = ratio_to_nd_pmem(runs, "rpmem", row)
        if r:
            q, lo, hi, rq = r
            ratio = f"{q:.{DIGITS}f}×"
            per_round = f"{lo:.{DIGITS}f}–{hi:.{DIGITS}f}"
            verdict = verdict_of(q, lo, hi, ctl)
            verdicts.append((row, q, rq, verdict))
        p(f"| {row} | " + " | ".join(cells) + f" | {ratio} | {per_round} | {control} | {verdict} | {matched} | {nowait0} |")
    p("")
    panels = [(f"{drv} / nd_pmem", {row: ratio_to_nd_pmem(runs, drv, row) for row in rows})
              for drv in DRIVERS if drv != "nd_pmem"]
    panels = [(n, {k: v for k, v in d.items() if v}) for n, d in panels]
    panels = [x for x in panels if x[1]]
    if panels:
        img = charts.ratios(chart_path(out, "ratios"),
                            "fio O_DIRECT: IOPS or MiB/s as a ratio to nd_pmem", rows, panels)
        p(chart_md(img, "Ratios to nd_pmem per row",
                   "Bar: ratio of the medians (as in the table); whisker: lowest to highest "
                   "per-round ratio; dots: the per-round ratios (each driver over nd_pmem of the "
                   "same round; rpmem and the control nd_pmem_again run back to back with "
                   "nd_pmem, the others do not). Green: above 1 in "
                   "every round, red: below 1 in every round, grey: inside the noise."))
    if any("cpu_us" in x for rs in runs.values() for x in rs):
        cpu_table(p, runs, rows, ncpu)
    if kmap:
        p("## kmap_atomic_pfn_t map+unmap (in kernel, ns per call)\n")
        p("Every variant maps 64 bytes of the next frame of a 4096-frame table: the registered ranges in random order for the device variants, a RAM frame for `page`; the variants take turns in 20 slices and each reports its fastest slice. `registry`: rpmem's RCU-published table (cluster, one index slot, one range) inside the section kmap_atomic_pfn_t takes itself (preemption disabled, inline); `held`: the same inside a caller's RCU section; `list`: the 2015 design, a list walked under RCU; `page`: a RAM page (kmap_local_page(), the direct map); `kmap_atomic`: the kernel's own kmap_atomic_pfn() of that RAM page and its unmap (C). The ratios are to `page` and to `kmap_atomic` in the same run.\n")
        p("| ranges | registry ns | held ns | 2015 list ns | RAM page ns | kmap_atomic ns | registry/page | held/page | registry/kmap_atomic |")
        p("|---|---|---|---|---|---|---|---|---|")
        for k in kmap:
            f = fields(k)
            page = float(f["page_ns"]) or 1.0
            own = float(f["registry_ns"]) / page
            held = float(f.get("registry_held_ns", "0")) / page
            atomic = float(f.get("kmap_atomic_ns", "0"))
            vs_atomic = f"{float(f['registry_ns']) / atomic:.2f}×" if atomic else "–"
            p(f"| {f['ranges']} | {f['registry_ns']} | {f.get('registry_held_ns', '–')} | {f['list_ns']} | {f['page_ns']} | {f.get('kmap_atomic_ns', '–')} | {own:.2f}× | {held:.2f}× | {vs_atomic} |")
        p("")
        pts = [{k: float(v) for k, v in fields(line).items()} for line in kmap]
        img = charts.kmap(chart_path(out, "kmap"), pts)
        p(chart_md(img, "kmap cost against the number of registered ranges",
                   "Left: ns per map+unmap; right: each device-pfn cost divided by the RAM page "
                   "cost at the same range count (both axes logarithmic)."))
    kv = {}
    for i in info:
        for tok in i.split():
            if "=" in tok:
                k, v = tok.split("=", 1)
                kv[k] = v
    if "kernel_copy_mc_mibs" in kv:
        rd = float(kv["kernel_copy_mc_mibs"])
        wr = float(kv["kernel_flushcache_mibs"])
        p("## Physical limit\n")
        p("In-kernel copy bandwidth in the guest (`rpmemctl bench-copy`: 4 KiB pieces "
          "between two 1 MiB buffers, the way both pmem drivers copy per page): "
          f"memcpy {float(kv['kernel_memcpy_mibs']):.0f} MiB/s, copy_mc_to_kernel (read "
          f"primitive) {rd:.0f} MiB/s, memcpy_flushcache (write primitive) {wr:.0f} MiB/s"
          + (f"; user-space memcpy {float(kv['memcpy_mibs']):.0f} MiB/s" if "memcpy_mibs" in kv else "")
          + ". 1M sequential bandwidth as a fraction of the matching primitive "
          "(the rest is fio, syscalls, page pinning and the block layer):\n")
        p("| driver | 1m-read / copy_mc | 1m-write / flushcache |")
        p("|---|---|---|")
        for drv in DRIVERS:
            fr = []
            for row, ceil in (("1m-read", rd), ("1m-write", wr)):
                r = runs.get((drv, row), [])
                fr.append(f"{med([x['bw'] for x in r]) / ceil * 100:.0f}%" if r else "-")
            p(f"| {drv} | {fr[0]} | {fr[1]} |")
        p("")
    # Keep the section `make bench-stack` maintains (bench/stack-report.py).
    try:
        old = open(out).read()
        begin = old.index("<!-- bench-stack: begin")
        end = old.index("<!-- bench-stack: end -->") + len("<!-- bench-stack: end -->")
        p("")
        p(old[begin:end])
    except (OSError, ValueError):
        pass
    open(out, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return verdicts


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
