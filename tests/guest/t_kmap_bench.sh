# kmap_atomic_pfn_t micro-benchmark (issue #13): ROUNDS rounds (kernel
# command line RPMEM_KMAP_ROUNDS, default 3) of `rpmemctl bench-kmap N
# 1000000` for N = 1, 64 and 1024 registered ranges, one KMAP-BENCH line
# each with the device/RAM ratios of that very run: held and own to the
# bare RAM page, own to the RAM page in a section of its own, and own to
# the kernel's kmap_atomic_pfn() of that page (C). Passes when every run
# succeeds (each checks its lookups first); the ratios are for the reader,
# as the emulated machine's timing is too noisy to gate on.
# The benchmark runs in rpmem_bench.ko, on a registry of its own that holds
# the benchmark's ranges only (one cluster).
. /tests/lib.sh
modprobe rpmem_bench || fail "modprobe rpmem_bench"
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
