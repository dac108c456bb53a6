#!/bin/sh
# Guest side of `make profile`: sample the kernel with perf (cpu-clock, all
# CPUs) while fio runs 1 MiB O_DIRECT sequential reads and writes on the
# same namespace bound to nd_pmem and then to rpmem. Prints the hottest
# symbols as `PROFILE driver rw percent symbol` lines for bench/profile.sh.
set -u
RUNTIME=${BENCH_RUNTIME:-4}
NS=namespace0.0
DRIVERS=${BENCH_DRIVERS:-nd_pmem rpmem}
DRIVERS=$(echo "$DRIVERS" | tr , " ")
command -v perf >/dev/null || { echo "PROFILE-ERROR perf missing from the initramfs"; exit 1; }
echo 0 > /proc/sys/kernel/kptr_restrict
echo -1 > /proc/sys/kernel/perf_event_paranoid
modprobe nd_pmem 2>/dev/null || true
modprobe rpmem
for drv in $DRIVERS; do
	for d in /sys/bus/nd/drivers/rpmem /sys/bus/nd/drivers/nd_pmem; do
		[ -e "$d/$NS" ] && echo $NS > "$d/unbind"
	done
	echo $NS > /sys/bus/nd/drivers/$drv/bind
	dd if=/dev/zero of=/dev/pmem0 bs=1M count=1024 oflag=direct 2>/dev/null
	for rw in read write; do
		perf record -q -e cpu-clock -F 2999 -a -o /tmp/perf.data -- \
			fio --name=prof --filename=/dev/pmem0 --rw=$rw --bs=1m --direct=1 \
			--ioengine=psync --time_based --runtime="$RUNTIME" --size=1024M \
			--output-format=terse >/tmp/fio.out 2>&1
		# terse v3: field 7 read KiB/s, field 48 write KiB/s
		bw=$(awk -F';' -v rw=$rw '{ print (rw == "read" ? $7 : $48) }' /tmp/fio.out)
		echo "PROFILE-BW $drv $rw $((bw / 1024)) MiB/s"
		perf report -i /tmp/perf.data --stdio --sort sym --percent-limit 0.3 2>/dev/null |
			grep -v '^#' | grep -v '^$' | head -30 |
			while read -r pct kind sym; do echo "PROFILE $drv $rw $pct $sym"; done
		perf report -i /tmp/perf.data --stdio --sort dso --percent-limit 0.3 2>/dev/null |
			grep -v '^#' | grep -v '^$' | head -8 |
			while read -r pct dso; do echo "PROFILE $drv $rw $pct dso:$dso"; done
		rm -f /tmp/perf.data
	done
done
echo "PROFILE-DONE"
