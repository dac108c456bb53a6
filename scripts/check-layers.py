#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The module's layering holds (issue #25), read off the source:

- the driver (src/driver/, src/rpmem.rs) has no `unsafe` and names no
  `bindings::` (comments aside): its FFI is all in src/abstractions/;
- the pure logic (src/logic/) names no `bindings::` and no `kernel::`;
- every Rust file has at most 300 lines;
- no module uses one that uses it back, directly or through others
  (`use`/paths through `crate::` and `super::`, comments aside).

Prints the `unsafe` and `bindings::` counts per layer; exits 1 on a breach.
Usage: check-layers.py [SRC_DIR]
"""
import os
import re
import sys

MAX_LINES = 300


def code(text):
    """The text without comments (line comments, doc comments)."""
    return "\n".join(line.split("//")[0] for line in text.split("\n"))


def module_of(path, src):
    parts = os.path.relpath(path, src)[:-3].split("/")
    if parts[-1] == "mod":
        parts = parts[:-1]
    if parts[0] == "logic":  # mounted at the crate root by #[path]
        parts = parts[1:]
    return "::".join(parts) or "crate"


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "src"
    files = {}
    for d, _, names in os.walk(src):
        for n in names:
            if n.endswith(".rs"):
                p = os.path.join(d, n)
                files[p] = open(p).read()
    failed = []
    layers = {}
    for p, text in sorted(files.items()):
        rel = os.path.relpath(p, src)
        layer = rel.split("/")[0] if "/" in rel else "driver"
        c = code(text)
        n_unsafe = len(re.findall(r"\bunsafe\b", c))
        n_bind = len(re.findall(r"\bbindings::", c))
        u, b = layers.get(layer, (0, 0))
        layers[layer] = (u + n_unsafe, b + n_bind)
        if layer == "driver" and (n_unsafe or n_bind):
            failed.append(f"{rel}: {n_unsafe} unsafe, {n_bind} bindings:: in the driver")
        if layer == "logic" and (n_bind or re.search(r"\bkernel::", c)):
            failed.append(f"{rel}: the pure logic names bindings:: or kernel::")
        lines = text.count("\n")
        if lines > MAX_LINES:
            failed.append(f"{rel}: {lines} lines (at most {MAX_LINES})")
    mods = {module_of(p, src): p for p in files}
    edges = {m: set() for m in mods}
    for m, p in mods.items():
        parent = m.rsplit("::", 1)[0] if "::" in m else ""
        for match in re.finditer(r"\b(crate|super)::((?:[a-z_0-9]+::)*[a-z_0-9]+)", code(files[p])):
            path = match.group(2).split("::")
            cand = (parent.split("::") if parent and match.group(1) == "super" else []) + path
            for k in range(len(cand), 0, -1):
                t = "::".join(cand[:k])
                if t in mods and t != m:
                    edges[m].add(t)
                    break
    # Strongly connected components (Tarjan): any with two modules is a cycle.
    index, low, stack, on, count = {}, {}, [], set(), [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = count[0]
        count[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                failed.append("dependency cycle: " + " -> ".join(sorted(comp)))

    for v in edges:
        if v not in index:
            visit(v)
    for layer, (u, b) in sorted(layers.items()):
        print(f"check-layers: {layer}: {u} unsafe, {b} bindings::")
    for f in failed:
        print(f"check-layers: {f}")
    if failed:
        sys.exit(1)
    print(f"check-layers: {len(files)} files, {sum(len(e) for e in edges.values())} module uses, no cycle")


if __name__ == "__main__":
    main()
