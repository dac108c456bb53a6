#!/bin/sh
# Guest side of `make bench-ab`: rpmem and nd_pmem side by side on two
# namespaces of equal size, measured by tools/abbench in interleaved bursts
# (drift of the emulated machine hits both alike). Each row runs twice with
# the namespaces swapped between the drivers (passes 1, 2), then, as the
# control, twice with nd_pmem on both namespaces (passes 3, 4: nd_pmem
# against itself, the namespaces swapped between the two sides), which
# shows how far from 1.00 the combined ratio lands when the drivers are
# the same. Prints `AB row pass {fields}`.
set -u
PAIRS=${BENCH_PAIRS:-30}
BURST_MS=${BENCH_BURST_MS:-200}
. /tests/lib.sh
modprobe nd_pmem
modprobe rpmem
bind_as() { # namespace driver
	unbind "$1"
	echo "$1" > "/sys/bus/nd/drivers/$2/bind" || fail "bind $1 to $2"
	wait_disk "$1" || fail "no disk for $1"
}
for pass in 1 2 3 4; do
	case $pass in
	1) r=namespace0.0 n=namespace1.0 rdrv=rpmem ;;
	2) r=namespace1.0 n=namespace0.0 rdrv=rpmem ;;
	3) r=namespace0.0 n=namespace1.0 rdrv=nd_pmem ;;
	4) r=namespace1.0 n=namespace0.0 rdrv=nd_pmem ;;
	esac
	bind_as $r $rdrv
	bind_as $n nd_pmem
	rd=$(disk_of $r); nd=$(disk_of $n)
	echo "AB-INFO pass $pass: $rdrv $r $rd, nd_pmem $n $nd"
	for d in $rd $nd; do dd if=/dev/zero of=$d bs=1M count=512 oflag=direct 2>/dev/null; done
	for row in "read 1024" "write 1024" "read 128" "write 128" "read 4" "write 4" \
		   "randread 4" "randwrite 4" "randread 512B"; do
		set -- $row
		echo "AB $1-${2%B}$(case $2 in *B) echo B ;; *) echo k ;; esac) $pass $(abbench $rd $nd $1 $2 $BURST_MS $PAIRS)"
	done
done
echo "AB-DONE"
