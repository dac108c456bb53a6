# kmap_atomic_pfn_t micro-benchmark (issue #13): ROUNDS rounds (kernel
# command line RPMEM_KMAP_ROUNDS, default 3) of `rpmemctl bench-kmap N
# 1000000` for N = 1, 64 and 1024 registered ranges, one KMAP-BENCH line
# each with the device/RAM ratios of that very run: held and own to the
# bare RAM page, own to the RAM page in a section of its own, and own to
# the kernel's kmap_atomic_pfn() of that page (C). Passes when every run
# succeeds (each checks its lookups first); the ratios are for the reader,
# as the emulated machine's timing is too noisy to gate on.
# nd_pmem holds the namespaces, as in `make bench` and `make bench-icount`:
# the registry then holds the benchmark's ranges only (one cluster). A
# namespace of rpmem's own, far below them, would make a second cluster,
# which costs a lookup of a frame above it 9 instructions more (39, not 30).
. /tests/lib.sh
load_driver nd_pmem
modprobe rpmem || fail "modprobe rpmem"
rounds=${RPMEM_KMAP_ROUNDS:-3}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
r=1
while [ $r -le "$rounds" ]; do
	for n in 1 64 1024; do
		out=$(rpmemctl bench-kmap $n 1000000) || fail "bench-kmap $n"
		page=$(field "$out" page_ns)
		own=$(field "$out" registry_ns)
		echo "KMAP-BENCH round=$r $out held_ratio=$(ratio "$(field "$out" registry_held_ns)" "$page")" \
			"own_ratio=$(ratio "$own" "$page") own_section_ratio=$(ratio "$own" "$(field "$out" page_section_ns)")" \
			"own_atomic_ratio=$(ratio "$own" "$(field "$out" kmap_atomic_ns)")"
	done
	r=$((r + 1))
done
