# Diagnostic (not in `make check`): rpmemctl copy between equal offsets of
# two namespaces and between offsets a page or more apart, against dd, and
# a perf profile of each. Under QEMU TCG a copy whose source and destination
# addresses agree in their low bits thrashes the emulator's direct-mapped
# TLB; this shows whether the copy still depends on
# the offsets. Run with RPMEM_TESTS=copy_probe on two 1 GiB NVDIMMs.
. /tests/lib.sh
load_driver rpmem
pick_disk_pair
for d in $A $B; do check dd if=/dev/zero of=/dev/$d bs=1M count=1024 oflag=direct status=none; done
now() { cut -d' ' -f1 /proc/uptime; }
mibs() { awk -v a="$1" -v b="$2" -v m="$3" 'BEGIN { printf "%.0f", m / (b - a) }'; }
N=2097152
run() { # label MiB cmd...
	l=$1 m=$2; shift 2
	t0=$(now); "$@" > /tmp/o 2>&1 || { cat /tmp/o; fail "$l"; }; t1=$(now)
	echo "PROBE $l $(mibs "$t0" "$t1" "$m") MiB/s"
}
for r in 1 2 3; do
	run equal 1024 rpmemctl copy $A $B
	run dd 1024 dd if=/dev/$A of=/dev/$B bs=1M iflag=direct oflag=direct status=none
	run dst+4k 1024 rpmemctl copy $A:0 $B:8 $((N - 8))
	run src+4k 1024 rpmemctl copy $A:8 $B:0 $((N - 8))
	run dst+2m 1022 rpmemctl copy $A:0 $B:4096 $((N - 4096))
	run equal 1024 rpmemctl copy $A $B
done
if command -v perf > /dev/null; then
	echo 0 > /proc/sys/kernel/kptr_restrict
	echo -1 > /proc/sys/kernel/perf_event_paranoid
	perf record -q -e cpu-clock -F 2999 -a -o /tmp/perf.data -- rpmemctl copy $A $B > /dev/null 2>&1
	perf report -i /tmp/perf.data --stdio --sort sym --percent-limit 1 2>/dev/null | grep -v '^#' | grep -v '^$' | head -8 | sed "s/^/PERF copy /"
	perf record -q -e cpu-clock -F 2999 -a -o /tmp/perf.data -- dd if=/dev/$A of=/dev/$B bs=1M iflag=direct oflag=direct status=none
	perf report -i /tmp/perf.data --stdio --sort sym --percent-limit 1 2>/dev/null | grep -v '^#' | grep -v '^$' | head -8 | sed "s/^/PERF dd /"
fi
