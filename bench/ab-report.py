#!/usr/bin/env python3
"""Append the table and chart of a `make bench-ab` console log to
docs/benchmarks-ab.md (bench/ab.sh writes the header first).

Reads `AB row pass a_mibs=.. b_mibs=.. ratio_median=.. ratio_p10=..
ratio_p90=..` lines (tools/abbench: a is rpmem, b is nd_pmem).
"""
import os
import sys

import charts


def parse(log):
    runs = []
    for line in open(log, errors="replace"):
        tok = line.strip().split()
        if len(tok) > 3 and tok[0] == "AB":
            f = dict(t.split("=", 1) for t in tok[3:] if "=" in t)
            runs.append((tok[1], tok[2], f))
    return runs


def main(log, out):
    runs = parse(log)
    lines = ["| row | pass | rpmem MiB/s | nd_pmem MiB/s | rpmem / nd_pmem (median of pairs) | p10–p90 of pairs |",
             "|---|---|---|---|---|---|"]
    rows, passes = [], {}
    for row, ps, f in runs:
        lines.append(f"| {row} | {ps} | {f['a_mibs']} | {f['b_mibs']} | {f['ratio_median']}× "
                     f"| {f['ratio_p10']}–{f['ratio_p90']} |")
        if row not in rows:
            rows.append(row)
        q, lo, hi = (float(f[k]) for k in ("ratio_median", "ratio_p10", "ratio_p90"))
        passes.setdefault(ps, {})[row] = (q, lo, hi, [])
    lines.append("")
    if len(passes) == 2:
        # Each pass serves the other namespace with rpmem: the namespace's
        # own speed (it differs by up to ~20 % under TCG) cancels in the
        # geometric mean of the two passes, which is the drivers' ratio.
        lines += ["Both passes combined (geometric mean of the two pass medians: each namespace "
                  "served once by each driver):", "",
                  "| row | rpmem / nd_pmem |", "|---|---|"]
        a, b = (passes[k] for k in sorted(passes))
        for row in rows:
            if row in a and row in b:
                lines.append(f"| {row} | {(a[row][0] * b[row][0]) ** 0.5:.3f}× |")
        lines.append("")
    if runs:
        img = charts.ratios(os.path.join(os.path.dirname(os.path.abspath(out)), "bench-ab-ratios.svg"),
                            "rpmem / nd_pmem, interleaved bursts (log scale)", rows,
                            [(f"pass {ps}", d) for ps, d in sorted(passes.items())], log=True, sharex=True)
        if img is None:
            print(f"ab-report.py: {charts.SKIPPED}", file=sys.stderr)
            lines.append(f"_rpmem / nd_pmem per row and pass: {charts.SKIPPED}._")
        else:
            lines += [f"![rpmem / nd_pmem per row and pass]({img})", "",
                      "Bar: median of the per-pair ratios; whisker: their p10–p90 (logarithmic "
                      "axis). Green: p10 above 1, red: p90 below 1, grey: inside the noise."]
        lines.append("")
    with open(out, "a") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
