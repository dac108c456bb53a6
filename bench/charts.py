"""Charts for the bench reports: matplotlib with the Agg backend, written
reproducibly (fixed SVG hash salt, no date or creator metadata), so a rerun
on the same numbers gives the same file. Every function returns None, and
draws nothing, when matplotlib is missing (Debian: python3-matplotlib)."""
import os

SKIPPED = "chart skipped (python3-matplotlib is not installed)"


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.hashsalt": "rpmem", "svg.fonttype": "none",
                                "font.size": 8, "axes.titlesize": 9})
    import matplotlib.pyplot as plt
    return plt


def _save(plt, fig, path):
    fig.tight_layout()
    meta = {"Date": None, "Creator": None} if path.endswith(".svg") else {"Software": None}
    fig.savefig(path, metadata=meta)
    plt.close(fig)
    return os.path.basename(path)


def ratios(path, title, rows, panels, log=False, sharex=False):
    """One panel per (name, {row: (ratio, low, high, points)}), rows down
    the shared y axis: a bar from 1 to the ratio (green if low > 1, red if
    high < 1, grey otherwise), a low-high whisker and the points as dots."""
    plt = _pyplot()
    if plt is None:
        return None
    from matplotlib import ticker
    fig, axes = plt.subplots(1, len(panels), sharey=True, sharex=sharex, squeeze=False,
                             figsize=(2.3 * len(panels) + 1.3, 0.9 + 0.3 * len(rows)))
    for ax, (name, data) in zip(axes[0], panels):
        for y, row in enumerate(rows):
            if row not in data:
                continue
            q, lo, hi, pts = data[row]
            color = "tab:green" if lo > 1 else "tab:red" if hi < 1 else "tab:gray"
            ax.barh(y, q - 1, left=1, height=0.6, color=color, alpha=0.7)
            ax.errorbar(q, y, xerr=[[max(q - lo, 0)], [max(hi - q, 0)]], fmt="none",
                        ecolor="black", elinewidth=0.8, capsize=2)
            ax.plot(pts, [y] * len(pts), "k.", ms=3)
        ax.axvline(1, color="black", lw=0.8)
        if log:
            ax.set_xscale("log")
            ax.xaxis.set_major_locator(ticker.LogLocator(subs=(1, 2, 5)))
            ax.xaxis.set_major_formatter("{x:g}")
            ax.xaxis.set_minor_formatter("")
        ax.set_title(name)
        ax.grid(axis="x", lw=0.3)
    axes[0][0].set_yticks(range(len(rows)), rows)
    axes[0][0].invert_yaxis()
    fig.suptitle(title, fontsize=9)
    return _save(plt, fig, path)


def kmap(path, points):
    """points: [{ranges, registry_ns, [registry_held_ns], list_ns, page_ns,
    [page_section_ns], [kmap_atomic_ns]}]: ns per call against the range
    count, and each device cost / page cost (or, where a point has it,
    KEY_ratio: e.g. a median of per-round ratios), registry / page in a
    section (registry_section_ratio) and registry / the kernel's
    kmap_atomic_pfn() (registry_atomic_ratio); a dotted line marks issue
    13's target, 2x."""
    plt = _pyplot()
    if plt is None:
        return None
    fig, (ns, rel) = plt.subplots(1, 2, figsize=(8, 3.2))
    x = [p["ranges"] for p in points]
    series = [("registry_ns", "registry (lookup + map)"),
              ("registry_held_ns", "registry, registration held"),
              ("list_ns", "2015 list")]
    for key, label in series:
        if all(key in p for p in points):
            ns.plot(x, [p[key] for p in points], "o-", label=label)
            rel.plot(x, [p.get(key + "_ratio", p[key] / p["page_ns"]) for p in points],
                     "o-", label=label)
    if all("page_section_ns" in p for p in points):
        rel.plot(x, [p.get("registry_section_ratio", p["registry_ns"] / p["page_section_ns"])
                     for p in points], "s-", color="tab:purple",
                 label="registry / RAM page in a section")
        ns.plot(x, [p["page_section_ns"] for p in points], "s--", color="gray",
                label="RAM page in a section")
    if all("kmap_atomic_ns" in p for p in points):
        rel.plot(x, [p.get("registry_atomic_ratio", p["registry_ns"] / p["kmap_atomic_ns"])
                     for p in points], "D-", color="tab:brown",
                 label="registry / kernel kmap_atomic_pfn()")
        ns.plot(x, [p["kmap_atomic_ns"] for p in points], "D--", color="tab:brown",
                label="kernel kmap_atomic_pfn(), RAM page")
    ns.plot(x, [p["page_ns"] for p in points], "o--", color="black", label="RAM page")
    ns.set_title("kmap_atomic_pfn_t map+unmap, ns per call")
    rel.set_title("device pfn cost / RAM page cost")
    for ax in ns, rel:
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(x, [f"{v:g}" for v in x])
        ax.minorticks_off()
        ax.yaxis.set_major_formatter("{x:g}")
        ax.set_xlabel("registered ranges")
        ax.grid(lw=0.3)
    rel.axhline(1, color="black", lw=0.8)
    rel.axhline(2, color="black", lw=0.8, ls=":")
    ns.legend(fontsize=6)
    rel.legend(fontsize=6)
    return _save(plt, fig, path)
