#!/bin/sh
# Guest side of `make bench-map`: 4 KiB random reads and writes on one
# rpmem disk, through its load/store mapping (/dev/pmem0.map: loads, and
# stores each written back with clwb/clflushopt/clflush + sfence) against
# O_DIRECT pread/pwrite on /dev/pmem0, one process, tools/pmem-map.
# Timed (default): rounds alternate the two paths, SECS seconds per
# direction each. RPMEM_MAP_INSN=1: instruction counts instead; each
# path and direction runs N and N/4 I/Os (pmem-map ops), each inside an
# insn-window (tools/insn-window.c, the QEMU plugin counts), and the log
# gets `INSN-WINDOW path op round ios` per window and the guest's kernel
# symbols.
set -u
ROUNDS=${RPMEM_MAP_ROUNDS:-3}
SECS=${RPMEM_MAP_SECS:-3}
INSN=${RPMEM_MAP_INSN:-0}
OPS=${RPMEM_MAP_OPS:-20000}
modprobe rpmem
echo namespace0.0 > /sys/bus/nd/drivers/rpmem/bind 2> /dev/null
n=0
while [ ! -b /dev/pmem0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
echo "MAP-BENCH-INFO kernel=$(uname -r) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') flags=$(grep -o -w 'clwb\|clflushopt\|erms\|fsrm\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
if [ "$INSN" = 1 ]; then
	# Counts start once the boot's background work is over (the random
	# pool seeded) and after one uncounted run of each path.
	head -c 1 /dev/random > /dev/null
	pmem-map ops /dev/pmem0.map 1G 1000 write
	pmem-map ops /dev/pmem0 1G 1000 write
fi
r=1
while [ $r -le "$ROUNDS" ]; do
	if [ "$INSN" = 1 ]; then
		for dev in /dev/pmem0.map /dev/pmem0; do
			path=odirect
			[ $dev = /dev/pmem0.map ] && path=mmap
			for op in read write; do
				for ios in "$OPS" $((OPS / 4)); do
					insn-window pmem-map ops $dev 1G "$ios" $op ||
						echo "MAP-BENCH-ERROR $path $op $ios"
					echo "INSN-WINDOW $path $op $r $ios"
				done
			done
		done
	else
		pmem-map bench /dev/pmem0.map 1G "$SECS" | sed "s/^/MAP-BENCH round=$r /"
		pmem-map bench /dev/pmem0 1G "$SECS" | sed "s/^/MAP-BENCH round=$r /"
	fi
	r=$((r + 1))
done
if [ "$INSN" = 1 ]; then
	echo 0 > /proc/sys/kernel/kptr_restrict
	grep -E ' _text$|\[' /proc/kallsyms | grep -E '^[0-9a-f]+ [tT] ' | sed 's/^/INSN-KSYM /'
fi
echo "MAP-DONE"
