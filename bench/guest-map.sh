#!/bin/sh
# Guest side of `make bench-map`: 4 KiB random reads and writes on one
# rpmem disk, through its load/store mapping (/dev/pmem0.map: loads, and
# stores each written back with clwb/clflushopt/clflush + sfence) against
# O_DIRECT pread/pwrite on /dev/pmem0, one process, tools/pmem-map.
# Timed (default): per round, pmem-map bench: the mapping copied by
# glibc's memcpy (mmap), by rep movsq (mmap-rep), O_DIRECT, and O_DIRECT
# of 512 bytes (odirect-512: the same I/O but for the copy), taking
# turns, SECS seconds of each per direction, over the disk's first LEN
# bytes. RPMEM_MAP_INSN=1: instruction counts instead; each path and
# direction runs N and N/4 I/Os (pmem-map ops), each inside an
# insn-window (tools/insn-window.c, the QEMU plugin counts), and the log
# gets `INSN-WINDOW path op round ios` per window and the guest's kernel
# symbols.
set -u
ROUNDS=${RPMEM_MAP_ROUNDS:-3}
SECS=${RPMEM_MAP_SECS:-3}
INSN=${RPMEM_MAP_INSN:-0}
OPS=${RPMEM_MAP_OPS:-20000}
LEN=${RPMEM_MAP_LEN:-1G}
modprobe rpmem
echo namespace0.0 > /sys/bus/nd/drivers/rpmem/bind 2> /dev/null
n=0
while [ ! -b /dev/pmem0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
echo "MAP-BENCH-INFO kernel=$(uname -r) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') flags=$(grep -o -w 'clwb\|clflushopt\|erms\|fsrm\|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
if [ "$INSN" = 1 ]; then
	# Counts start once the boot's background work is over (the random
	# pool seeded) and after one uncounted run of each path.
	head -c 1 /dev/random > /dev/null
	pmem-map ops /dev/pmem0.map "$LEN" 1000 write
	pmem-map ops /dev/pmem0 "$LEN" 1000 write
fi
r=1
while [ $r -le "$ROUNDS" ]; do
	if [ "$INSN" = 1 ]; then
		for path in mmap mmap-rep odirect odirect-512; do
			dev=/dev/pmem0.map how=
			[ $path = mmap-rep ] && how=rep
			[ $path = odirect-512 ] && how=512
			case $path in odirect*) dev=/dev/pmem0 ;; esac
			for op in read write; do
				for ios in "$OPS" $((OPS / 4)); do
					# shellcheck disable=SC2086 # $how: empty or one word
					insn-window pmem-map ops $dev "$LEN" "$ios" $op $how ||
						echo "MAP-BENCH-ERROR $path $op $ios"
					echo "INSN-WINDOW $path $op $r $ios"
				done
			done
		done
	else
		pmem-map bench /dev/pmem0.map /dev/pmem0 "$LEN" "$SECS" | sed "s/^/MAP-BENCH round=$r /"
	fi
	r=$((r + 1))
done
if [ "$INSN" = 1 ]; then
	echo 0 > /proc/sys/kernel/kptr_restrict
	grep -E ' _text$|\[' /proc/kallsyms | grep -E '^[0-9a-f]+ [tT] ' | sed 's/^/INSN-KSYM /'
fi
echo "MAP-DONE"
