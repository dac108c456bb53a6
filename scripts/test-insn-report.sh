#!/bin/bash
# Host test of `make bench-insn`'s tools: the QEMU plugin builds warning-free,
# and bench/insn-report.py turns made-up windows with known answers into the
# right instructions per I/O (fixed costs cancel, KASLR and module symbols
# resolve, a function only one driver runs counts in its path); so does
# `make bench-map`'s bench/map-insn-report.py (user space by the binary's
# symbols, user/kernel split, ratio, time per instruction).
set -euo pipefail
. "$(dirname "$0")/env.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
gcc -shared -fPIC -fvisibility=hidden -O2 -Wall -Wextra -Werror -o "$t/plugin.so" "$RPMEM_ROOT/tools/qemu-insn-count.c"
nm -D "$t/plugin.so" | grep -q ' T qemu_plugin_install$' || die "plugin exports no qemu_plugin_install"
cat > "$t/System.map" <<'MAP'
ffffffff81000000 T _text
ffffffff81001000 T to_nd_region
ffffffff81002000 T memcpy_orig
MAP
ios() { echo "{\"jobs\":[{\"read\":{\"total_ios\":$1},\"write\":{\"total_ios\":0},\"trim\":{\"total_ios\":0}}]}"; }
# The guest's kernel moved by 0x10000000; one module function per driver.
cat > "$t/log" <<LOG
INSN-WINDOW rpmem r1 1 $(ios 400)
INSN-WINDOW rpmem r1 1 $(ios 100)
INSN-WINDOW nd_pmem r1 1 $(ios 400)
INSN-WINDOW nd_pmem r1 1 $(ios 100)
INSN-KSYM ffffffff91000000 T _text
INSN-KSYM ffffffffc0001000 t pmem_submit_bio	[nd_pmem]
INSN-KSYM ffffffffc0100000 t submit_bio_callback	[rpmem]
LOG
# Per I/O: rpmem 10 of its own, nd_pmem 12 and 6 in to_nd_region; both 100
# in memcpy_orig; user space a fixed 5000 per window.
cat > "$t/counts" <<'COUNTS'
window 0
ffffffffc0100000 10 400
ffffffff91002000 100 400
1000 5 1000
end
window 1
ffffffffc0100000 10 100
ffffffff91002000 100 100
1000 5 1000
end
window 2
ffffffffc0001000 12 400
ffffffff91001000 6 400
ffffffff91002000 100 400
1000 5 1000
end
window 3
ffffffffc0001000 12 100
ffffffff91001000 6 100
ffffffff91002000 100 100
1000 5 1000
end
COUNTS
"$PYTHON" "$RPMEM_ROOT/bench/insn-report.py" "$t/log" "$t/counts" "$t/System.map" "$t/out.md" test >/dev/null
expect() { grep -qF -- "$1" "$t/out.md" || { cat "$t/out.md"; die "insn-report: no line with: $1"; }; }
expect "| r1 | 110.0 | 118.0 | **1.0727** | 1.0727–1.0727 | - |"
expect "| r1 | 10.0 | 18.0 | **-8.0** | 100.0 | 100.0 | 0.0 | 0.0 |"
expect "- r1, nd_pmem: to_nd_region 6.0"

# bench-map: a user function at a known address in a static-like binary.
printf 'void copyfn(void) {}\nint main(void) { copyfn(); return 0; }\n' > "$t/u.c"
gcc -O0 -no-pie -o "$t/u" "$t/u.c"
ufn=$(nm "$t/u" | awk '$3 == "copyfn" { print $1 }' | sed 's/^0*//')
cat > "$t/maplog" <<LOG
INSN-WINDOW mmap read 1 400
INSN-WINDOW mmap read 1 100
INSN-WINDOW odirect read 1 400
INSN-WINDOW odirect read 1 100
INSN-KSYM ffffffff91000000 T _text
LOG
printf 'MAP-BENCH round=1 mmap read 4k-random: 250000 IOPS (1 in 1 s)\nMAP-BENCH round=1 odirect read 4k-random: 100000 IOPS (1 in 1 s)\n' > "$t/maptimed"
# Per I/O: the mapping 40 in copyfn; O_DIRECT 200 in memcpy_orig and 5 in
# copyfn; 5000 fixed in user space (another address) in every window.
cat > "$t/mapcounts" <<COUNTS
window 0
$ufn 40 400
1000 5 1000
end
window 1
$ufn 40 100
1000 5 1000
end
window 2
ffffffff91002000 100 800
$ufn 5 400
1000 5 1000
end
window 3
ffffffff91002000 100 200
$ufn 5 100
1000 5 1000
end
COUNTS
"$PYTHON" "$RPMEM_ROOT/bench/map-insn-report.py" "$t/maplog" "$t/mapcounts" "$t/System.map" "$t/u" \
	"$t/maptimed" > "$t/out.md"
expect "| load/store, glibc memcpy (mmap) | read | 40 | - | 40 | 0 |"
expect "| O_DIRECT pread/pwrite | read | 205 | - | 5 | 200 |"
expect "- read, O_DIRECT / mmap: **5.12x**"
expect "\`copyfn\` (user) 40"
expect "\`memcpy_orig\` (kernel) 200"
expect "| load/store, glibc memcpy (mmap) | read | 4.00 | 40 | 100.00 |"
echo "insn-report: plugin builds; per-I/O counts, paths and symbols as expected (bench-insn, bench-map)"
