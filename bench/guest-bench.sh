#!/bin/sh
# Guest side of `make bench`: fio O_DIRECT rows on rpmem, nd_pmem and
# nd_pmem again as a control (the same namespace, rebound between them on
# every row; see run_pmem_rows), brd and null_blk, several rounds in
# alternating driver order. Prints one `BENCH-JSON driver row round {json}`
# line per run for bench/report.py, a `BENCH-CPU driver row round busy
# total busy total` line (jiffies before and after), plus kmap and memcpy
# figures.
# BENCH_INSN=1 (`make bench-insn`): each run is two fio runs of a fixed
# number of I/Os (many and a quarter as many), each inside an instruction
# count window of QEMU's plugin (tools/insn-window.c); prints
# `INSN-WINDOW driver row round {json}` per window and the guest's module
# symbols for bench/insn-report.py.
set -u
INSN=${BENCH_INSN:-0}
ROUNDS=${BENCH_ROUNDS:-3}
RUNTIME=${BENCH_RUNTIME:-4}
SIZE_MB=1024
NS=namespace0.0
DRIVERS=${BENCH_DRIVERS:-rpmem nd_pmem brd nullb_mem nullb_nomem}
DRIVERS=$(echo "$DRIVERS" | tr , " ")

rows() {
	# name rw bs ioengine iodepth numjobs; BENCH_ROWS (a comma list of
	# names) keeps only those rows
	all_rows | while read -r name rest; do
		case ",${BENCH_ROWS:-$name}," in *",$name,"*) echo "$name $rest" ;; esac
	done
}

all_rows() {
	cat <<ROWS
4k-randread-psync randread 4k psync 1 1
4k-randwrite-psync randwrite 4k psync 1 1
4k-randread-uring-qd16 randread 4k io_uring 16 1
4k-randread-uring-qd16x2 randread 4k io_uring 16 2
512-randread-psync randread 512 psync 1 1
128k-read read 128k psync 1 1
128k-write write 128k psync 1 1
1m-read read 1m psync 1 1
1m-write write 1m psync 1 1
ROWS
}

unbind_all() {
	for d in /sys/bus/nd/drivers/rpmem /sys/bus/nd/drivers/nd_pmem; do
		[ -e "$d/$NS" ] && echo $NS > "$d/unbind"
	done
	true
}

# rpmem loaded with nowait=V (a reload when it has the other value; it
# takes the free namespace on load).
rpmem_nowait() {
	[ "$(cat /tmp/rpmem-nowait 2>/dev/null || echo 1)" = "$1" ] && return
	rmmod rpmem && modprobe rpmem nowait=$1 && echo "$1" > /tmp/rpmem-nowait
}

# Bring up one driver; prints the device path. rpmem_nowait0 is rpmem
# loaded with nowait=0 (no BLK_FEAT_NOWAIT, as nd_pmem).
up() {
	case $1 in
	rpmem|rpmem_nowait0|nd_pmem)
		unbind_all
		case $1 in rpmem) rpmem_nowait 1 ;; rpmem_nowait0) rpmem_nowait 0 ;; esac
		nd_drv=${1%_nowait0}
		[ -e /sys/bus/nd/drivers/$nd_drv/$NS ] || echo $NS > /sys/bus/nd/drivers/$nd_drv/bind
		echo /dev/pmem0 ;;
	brd) modprobe brd rd_nr=1 rd_size=$((SIZE_MB * 1024)) max_part=0; echo /dev/ram0 ;;
	nullb_mem) modprobe null_blk nr_devices=1 memory_backed=1 gb=1 bs=512 queue_mode=0; echo /dev/nullb0 ;;
	nullb_nomem) modprobe null_blk nr_devices=1 memory_backed=0 gb=1 bs=512 queue_mode=0; echo /dev/nullb0 ;;
	esac
}

down() {
	case $1 in
	brd) rmmod brd ;;
	nullb_*) rmmod null_blk ;;
	esac
	true
}

# Pre-touch: write the whole device once so no row measures first-touch
# allocation (brd, null_blk) or cold mappings.
pretouch() {
	dd if=/dev/zero of="$1" bs=1M count=$SIZE_MB oflag=direct 2>/dev/null
}

# I/Os of the two windows of a row of block size $1: the per-I/O count is
# their difference over the difference in I/Os, free of fixed costs.
insn_ios() { # bs
	case $1 in 512|4k) echo 64000 16000 ;; 128k) echo 4000 1000 ;; *) echo 800 200 ;; esac
}

bytes() { # bs
	case $1 in *k) echo $((${1%k} * 1024)) ;; *m) echo $((${1%m} * 1048576)) ;; *) echo "$1" ;; esac
}

# Busy and total jiffies of all CPUs (/proc/stat): around a run, the CPUs
# it kept busy, whichever threads did the work (fio's, io-wq workers).
cpu_jiffies() {
	awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}

run_row() { # driver dev name rw bs engine qd jobs round
	if [ "$INSN" = 1 ]; then
		for n in $(insn_ios "$5"); do
			out=$(insn-window fio --name="$3" --filename="$2" --rw="$4" --bs="$5" \
				--ioengine="$6" --iodepth="$7" --numjobs="$8" --group_reporting \
				--direct=1 --io_size=$((n * $(bytes "$5"))) --size=${SIZE_MB}M \
				--randrepeat=0 --norandommap --output-format=json 2>/dev/null | tr -d '\n\t')
			echo "INSN-WINDOW $1 $3 $9 $out"
		done
		return
	fi
	before=$(cpu_jiffies)
	out=$(fio --name="$3" --filename="$2" --rw="$4" --bs="$5" --ioengine="$6" \
		--iodepth="$7" --numjobs="$8" --group_reporting --direct=1 \
		--time_based --runtime="$RUNTIME" --ramp_time=1 --size=${SIZE_MB}M \
		--randrepeat=0 --norandommap --output-format=json 2>/dev/null | tr -d '\n\t')
	echo "BENCH-JSON $1 $3 $9 $out"
	echo "BENCH-CPU $1 $3 $9 $before $(cpu_jiffies)"
}

# A misspelt BENCH_ROWS would measure nothing: no BENCH-DONE, the host fails.
[ -n "$(rows)" ] || { echo "BENCH-ERROR: BENCH_ROWS=$BENCH_ROWS names no row"; exit 1; }
modprobe nd_pmem 2>/dev/null || true
modprobe rpmem
modprobe rpmem_bench
echo "BENCH-INFO kernel=$(uname -r) cpus=$(nproc) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
if [ "$INSN" = 1 ]; then
	# Counts start once the boot's background work is over: the random
	# pool seeded (until then a kthread spins generating entropy), and
	# one uncounted run.
	head -c 1 /dev/random >/dev/null
	fio --name=warm --filename="$(up rpmem)" --rw=randread --bs=4k --direct=1 \
		--io_size=16M --size=${SIZE_MB}M --output-format=terse >/dev/null 2>&1
else
	echo "BENCH-INFO $(/bin/memcpy-bw)"
	echo "BENCH-INFO $(rpmemctl bench-copy 512)"
	for n in 1 8 64 1024; do
		echo "BENCH-KMAP $(rpmemctl bench-kmap $n 1000000)"
	done
fi
# rpmem and nd_pmem back to back on every row, so slow drift of the emulated
# machine hits both alike, and a control: nd_pmem again (`nd_pmem_again`),
# rebound the same way, whose ratio to nd_pmem is the method's own error.
# The three take turns in every position: row i of round r runs them in
# permutation (r - 1 + i) mod 6 of the six orders (with no control: the
# two orders), so over six rounds each driver is first, second and last
# equally often on every row. Earlier, nd_pmem was always in the middle
# and the control read 0.98-0.99x on most rows: the middle was worth 1-2 %.
# Every run follows a rebind, so all start alike. io_uring
# rows add rpmem with nowait=0 (rpmem_nowait0, last): nd_pmem has no
# BLK_FEAT_NOWAIT, so io_uring hands its bios to io-wq workers, which can
# run on the other vCPU; rpmem's are issued inline. The namespace is
# pre-touched once per round. BENCH_CONTROL=0 leaves the control out,
# BENCH_NOWAIT0=0 the nowait=0 runs.
pmem_order() { # permutation-index
	if [ "${BENCH_CONTROL:-1}" = 1 ]; then
		case $(($1 % 6)) in
		0) echo rpmem nd_pmem nd_pmem_again ;;
		1) echo nd_pmem nd_pmem_again rpmem ;;
		2) echo nd_pmem_again rpmem nd_pmem ;;
		3) echo nd_pmem_again nd_pmem rpmem ;;
		4) echo nd_pmem rpmem nd_pmem_again ;;
		5) echo rpmem nd_pmem_again nd_pmem ;;
		esac
	else
		case $(($1 % 2)) in 0) echo rpmem nd_pmem ;; 1) echo nd_pmem rpmem ;; esac
	fi
}

run_pmem_rows() { # round first-driver
	dev=$(up $2)
	pretouch "$dev"
	i=0
	rows | while read -r name rw bs eng qd jobs; do
		seq=$(pmem_order $(($1 - 1 + i)))
		[ "$eng" = io_uring ] && [ "${BENCH_NOWAIT0:-1}" = 1 ] && seq="$seq rpmem_nowait0"
		for label in $seq; do
			up ${label%_again} >/dev/null
			run_row $label /dev/pmem0 $name $rw $bs $eng $qd $jobs $1
		done
		i=$((i + 1))
	done
	unbind_all
	rpmem_nowait 1
}

# Both pmem drivers asked for: they run as pairs (run_pmem_rows).
pair=0
case " $DRIVERS " in *" rpmem "*) case " $DRIVERS " in *" nd_pmem "*) pair=1 ;; esac ;; esac
# Rounds are numbered from BENCH_FIRST_ROUND (1): with a fresh boot per
# round (BENCH_FRESH_BOOT=1 on the host) each boot runs one, numbered on.
round=${BENCH_FIRST_ROUND:-1}
last=$((round + ROUNDS - 1))
while [ $round -le $last ]; do
	# Alternate the driver order between rounds.
	if [ $((round % 2)) = 1 ]; then order=$DRIVERS; else
		order=$(echo $DRIVERS | tr ' ' '\n' | sed -n '1!G;h;$p' | tr '\n' ' '); fi
	if [ $pair = 1 ]; then
		[ $((round % 2)) = 1 ] && run_pmem_rows $round rpmem || run_pmem_rows $round nd_pmem
	fi
	for drv in $order; do
		case $drv in rpmem|nd_pmem) [ $pair = 1 ] && continue ;; esac
		dev=$(up $drv)
		pretouch "$dev"
		rows | while read -r name rw bs eng qd jobs; do
			run_row $drv "$dev" $name $rw $bs $eng $qd $jobs $round
		done
		down $drv
	done
	round=$((round + 1))
done
unbind_all
if [ "$INSN" = 1 ]; then
	# Where the modules' code lies, and the kernel's (KASLR), for the host.
	echo 0 > /proc/sys/kernel/kptr_restrict
	grep -E ' _text$|\[' /proc/kallsyms | grep -E '^[0-9a-f]+ [tT] ' | sed 's/^/INSN-KSYM /'
fi
echo "BENCH-DONE"
