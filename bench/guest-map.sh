#!/bin/sh
# Guest side of `make bench-map`: 4 KiB random reads and writes on one
# rpmem disk, through its load/store mapping (/dev/pmem0.map: loads, and
# stores each written back with clwb/clflushopt/clflush + sfence) against
# O_DIRECT pread/pwrite on /dev/pmem0, one process, tools/pmem-map bench.
# Rounds alternate the two, in one VM.
set -u
ROUNDS=${RPMEM_MAP_ROUNDS:-3}
SECS=${RPMEM_MAP_SECS:-3}
modprobe rpmem
echo namespace0.0 > /sys/bus/nd/drivers/rpmem/bind 2> /dev/null
n=0
while [ ! -b /dev/pmem0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
echo "MAP-BENCH-INFO kernel=$(uname -r) flags=$(grep -o -w 'clwb\|clflushopt' /proc/cpuinfo | sort -u | tr '\n' ' ')"
r=1
while [ $r -le $ROUNDS ]; do
	pmem-map bench /dev/pmem0.map 1G $SECS | sed "s/^/MAP-BENCH round=$r /"
	pmem-map bench /dev/pmem0 1G $SECS | sed "s/^/MAP-BENCH round=$r /"
	r=$((r + 1))
done
echo "MAP-DONE"
