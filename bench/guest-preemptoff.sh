# Guest side of `make bench-preemptoff` (bench/preemptoff.sh): the longest
# preemption-off section, by the kernel's preemptoff tracer, during a 1 GiB
# pfn copy and during 1 MiB O_DIRECT fio writes and reads, for the module
# in the image ("after") and, if the host packed them under /old, the
# module and rpmemctl of an earlier commit ("before"). One PREEMPTOFF line
# per variant and workload: the maximum in microseconds and where the
# section started and ended. The tracer sees every section in the system;
# the start and end symbols say whose it was.
. /tests/lib.sh
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
[ -w $T/current_tracer ] || { echo "PREEMPTOFF-ERROR no tracefs"; exit 1; }
grep -qw preemptoff $T/available_tracers || { echo "PREEMPTOFF-ERROR no preemptoff tracer"; exit 1; }
measure() { # variant workload command...
	local v=$1 w=$2
	shift 2
	echo 0 > $T/tracing_on
	echo preemptoff > $T/current_tracer
	echo 0 > $T/tracing_max_latency
	echo 1 > $T/tracing_on
	"$@" > /tmp/po.out 2>&1 || { echo "PREEMPTOFF-ERROR $v $w: $* failed: $(tail -2 /tmp/po.out)"; exit 1; }
	echo 0 > $T/tracing_on
	local max started ended
	max=$(cat $T/tracing_max_latency)
	started=$(grep -m1 '=> started at:' $T/trace | sed 's/.*started at: *//')
	ended=$(grep -m1 '=> ended at:' $T/trace | sed 's/.*ended at: *//')
	echo nop > $T/current_tracer
	echo "PREEMPTOFF variant=$v workload=$w max_us=$max started=${started:-?} ended=${ended:-?}"
}
run_variant() { # variant module rpmemctl
	local v=$1 ko=$2 ctl=$3 a b
	unload_drivers
	if [ "$ko" = installed ]; then modprobe rpmem; else insmod "$ko"; fi || { echo "PREEMPTOFF-ERROR $v: cannot load $ko"; exit 1; }
	for ns in $(namespaces); do
		[ "$(bound_to $ns)" = rpmem ] || { unbind $ns; echo $ns > /sys/bus/nd/drivers/rpmem/bind; }
		wait_disk $ns || { echo "PREEMPTOFF-ERROR $v: no disk for $ns"; exit 1; }
	done
	set -- $(namespaces)
	a=$(basename "$(disk_of $1)") b=$(basename "$(disk_of $2)")
	measure $v copy_1g $ctl copy $a $b
	measure $v fio_1m_write fio --name=w --filename=/dev/$a --rw=write --bs=1M --size=512M \
		--direct=1 --ioengine=psync --output=/dev/null
	measure $v fio_1m_read fio --name=r --filename=/dev/$a --rw=read --bs=1M --size=512M \
		--direct=1 --ioengine=psync --output=/dev/null
}
modprobe nd_pmem 2>/dev/null
[ -f /old/rpmem.ko ] && run_variant before /old/rpmem.ko /old/rpmemctl
run_variant after installed rpmemctl
unload_drivers
echo "PREEMPTOFF-DONE"
