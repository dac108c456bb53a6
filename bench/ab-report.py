#!/usr/bin/env python3
"""Append the table and chart of a `make bench-ab` console log to
docs/benchmarks-ab.md (bench/ab.sh writes the header first).

Reads `AB row pass a_mibs=.. b_mibs=.. ratio_median=.. ratio_p10=..
ratio_p90=..` lines (tools/abbench: a is rpmem, b is nd_pmem; in the
control passes 3 and 4 both are nd_pmem).
"""
import math
import os
import sys

CONTROL = ("3", "4")

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
    lines = ["| row | pass | A | A MiB/s | nd_pmem MiB/s | A / nd_pmem (median of pairs) | p10–p90 of pairs |",
             "|---|---|---|---|---|---|---|"]
    rows, passes = [], {}
    for row, ps, f in runs:
        side = "nd_pmem (control)" if ps in CONTROL else "rpmem"
        lines.append(f"| {row} | {ps} | {side} | {f['a_mibs']} | {f['b_mibs']} | {f['ratio_median']}× "
                     f"| {f['ratio_p10']}–{f['ratio_p90']} |")
        if row not in rows:
            rows.append(row)
        q, lo, hi = (float(f[k]) for k in ("ratio_median", "ratio_p10", "ratio_p90"))
        passes.setdefault(ps, {})[row] = (q, lo, hi, [])
    lines.append("")
    def combined(p, q):
        # Each pass of a couple serves the other namespace on side A: the
        # namespace's own speed (it differs by up to ~20 % under TCG)
        # cancels in the geometric mean of the two pass medians.
        return {row: (p[row][0] * q[row][0]) ** 0.5 for row in rows if row in p and row in q}
    if "1" in passes and "2" in passes:
        drv = combined(passes["1"], passes["2"])
        ctl = combined(passes["3"], passes["4"]) if all(c in passes for c in CONTROL) else {}
        # The control compares nd_pmem with itself, so its combined ratio
        # is 1 but for the measurement's own error: the largest deviation
        # over the rows is the band a driver difference must leave.
        band = max((abs(math.log(v)) for v in ctl.values()), default=0.0)
        lines += ["Both passes combined (geometric mean of the two pass medians: each namespace "
                  "served once by each side)" + (", and the control: nd_pmem against itself, "
                  f"combined the same way. Its largest deviation from 1.00 over the rows, "
                  f"±{(math.exp(band) - 1) * 100:.1f} %, is the noise band of a combined ratio; "
                  "a row is ahead or behind only outside it." if ctl else ":"), ""]
        if ctl:
            lines += ["| row | rpmem / nd_pmem | control: nd_pmem / nd_pmem | verdict |",
                      "|---|---|---|---|"]
            for row, v in drv.items():
                c = ctl.get(row)
                verdict = ("ahead" if math.log(v) > band else "behind" if math.log(v) < -band
                           else "level (inside the band)")
                lines.append(f"| {row} | {v:.3f}× | {c:.3f}× | {verdict} |" if c else f"| {row} | {v:.3f}× | – | – |")
        else:
            lines += ["| row | rpmem / nd_pmem |", "|---|---|"]
            lines += [f"| {row} | {v:.3f}× |" for row, v in drv.items()]
        lines.append("")
    if runs:
        img = charts.ratios(os.path.join(os.path.dirname(os.path.abspath(out)), "bench-ab-ratios.svg"),
                            "rpmem / nd_pmem, interleaved bursts (log scale)", rows,
                            [(f"pass {ps}" + (" (control)" if ps in CONTROL else ""), d)
                             for ps, d in sorted(passes.items())], log=True, sharex=True)
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
