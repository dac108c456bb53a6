# The registry under concurrent register/unregister: JOBS processes each run
# `rpmemctl bench-kmap` RUNS times. Every run registers its own fake ranges
# one by one (a new table published, the old one freed after a grace
# period, each time), checks 20000 lookups (its ITERATIONS argument; the
# module checks min(ITERATIONS, 200000)) of its ranges and of the gaps
# between them against what it registered while the other runs publish
# tables of their own, times its loops and unregisters. A wrong answer
# fails that run (EIO); a use after free shows as a kernel splat (the
# debug kernel unmaps freed pages). The registry is rpmem_bench.ko's own
# (the same src/abstractions/registry.rs as rpmem's, another instance), so
# the benchmark's fake ranges never enter rpmem's; rpmem serves its disks
# meanwhile. A fixed number of runs, not a time: every job must report all
# of them.
. /tests/lib.sh
load_driver rpmem
modprobe rpmem_bench || fail "modprobe rpmem_bench"
jobs=$(( $(nproc) * 2 ))
runs=8
lookups=20000
j=0
while [ $j -lt $jobs ]; do
	(
		r=0
		while [ $r -lt $runs ]; do
			n=$(( (r * 37 + j * 11) % 200 + 1 ))
			rpmemctl bench-kmap $n $lookups > /dev/null || { echo "job $j: bench-kmap $n $lookups failed"; exit 1; }
			r=$((r + 1))
		done
		echo "job $j: $r runs"
	) > /tmp/race.$j 2>&1 &
	j=$((j + 1))
done
wait
bad=0
j=0
while [ $j -lt $jobs ]; do
	cat /tmp/race.$j
	grep -qx "job $j: $runs runs" /tmp/race.$j || bad=1
	j=$((j + 1))
done
[ $bad = 0 ] || fail "a run failed (a wrong lookup: EIO) or a job did not finish its runs"
info "$jobs jobs x $runs runs x $lookups checked lookups: every lookup right"
