# The registry under concurrent register/unregister: JOBS processes run
# `rpmemctl bench-kmap` in a loop for SECS seconds. Every run registers its
# own fake ranges one by one (a new table published, the old one freed
# after a grace period, each time), checks 200000 lookups of its ranges and
# of the gaps between them against what it registered while the other
# runs publish tables of their own, times its loops and unregisters. A
# wrong answer fails that run (EIO); a use after free shows as a kernel
# splat (the debug kernel unmaps freed pages). The disks' own
# registrations stay in the tables throughout.
. /tests/lib.sh
load_driver rpmem
jobs=$(( $(nproc) * 2 ))
secs=10
end=$(( $(date +%s) + secs ))
j=0
while [ $j -lt $jobs ]; do
	(
		runs=0
		while [ "$(date +%s)" -lt $end ]; do
			n=$(( (runs * 37 + j * 11) % 200 + 1 ))
			rpmemctl bench-kmap $n 20000 > /dev/null || { echo "job $j: bench-kmap $n failed"; exit 1; }
			runs=$((runs + 1))
		done
		echo "job $j: $runs runs"
	) > /tmp/race.$j 2>&1 &
	j=$((j + 1))
done
wait
bad=0
j=0
while [ $j -lt $jobs ]; do
	cat /tmp/race.$j
	grep -q failed /tmp/race.$j && bad=1
	j=$((j + 1))
done
[ $bad = 0 ] || fail "a run saw a wrong lookup"
info "$jobs jobs for ${secs}s: every lookup right"
