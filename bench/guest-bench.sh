#!/bin/sh
# Guest side of `make bench`: fio O_DIRECT rows on rpmem, nd_pmem (the same
# namespace, rebound between the two drivers on every row), brd and
# null_blk, several rounds in alternating driver order. Prints one `BENCH-JSON driver row round {json}`
# line per run for bench/report.py, plus kmap and memcpy figures.
set -u
ROUNDS=${BENCH_ROUNDS:-3}
RUNTIME=${BENCH_RUNTIME:-4}
SIZE_MB=1024
NS=namespace0.0
DRIVERS=${BENCH_DRIVERS:-rpmem nd_pmem brd nullb_mem nullb_nomem}
DRIVERS=$(echo "$DRIVERS" | tr , " ")

rows() {
	# name rw bs ioengine iodepth numjobs
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

# Bring up one driver; prints the device path.
up() {
	case $1 in
	rpmem|nd_pmem)
		unbind_all
		echo $NS > /sys/bus/nd/drivers/$1/bind
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

run_row() { # driver dev name rw bs engine qd jobs round
	out=$(fio --name="$3" --filename="$2" --rw="$4" --bs="$5" --ioengine="$6" \
		--iodepth="$7" --numjobs="$8" --group_reporting --direct=1 \
		--time_based --runtime="$RUNTIME" --ramp_time=1 --size=${SIZE_MB}M \
		--randrepeat=0 --norandommap --output-format=json 2>/dev/null | tr -d '\n\t')
	echo "BENCH-JSON $1 $3 $9 $out"
}

modprobe nd_pmem 2>/dev/null || true
modprobe rpmem
echo "BENCH-INFO kernel=$(uname -r) cpus=$(nproc) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "BENCH-INFO $(/bin/memcpy-bw)"
echo "BENCH-INFO $(rpmemctl bench-copy 512)"
for n in 1 8 64 1024; do
	echo "BENCH-KMAP $(rpmemctl bench-kmap $n 1000000)"
done
# The other pmem driver of the pair.
other() { [ "$1" = rpmem ] && echo nd_pmem || echo rpmem; }

# rpmem and nd_pmem back to back on every row, so slow drift of the emulated
# machine hits both alike: the driver still bound runs first, then the
# namespace is rebound to the other one (one rebind per row, order
# alternating row by row). The namespace is pre-touched once per round.
run_pmem_pair() { # round first-driver
	dev=$(up $2)
	pretouch "$dev"
	drv=$2
	rows | while read -r name rw bs eng qd jobs; do
		run_row $drv /dev/pmem0 $name $rw $bs $eng $qd $jobs $1
		drv=$(other $drv)
		up $drv >/dev/null
		run_row $drv /dev/pmem0 $name $rw $bs $eng $qd $jobs $1
	done
	unbind_all
}

case " $DRIVERS " in *" rpmem "*" nd_pmem "*|*" nd_pmem "*" rpmem "*) pair=1 ;; *) pair=0 ;; esac
round=1
while [ $round -le $ROUNDS ]; do
	# Alternate the driver order between rounds.
	if [ $((round % 2)) = 1 ]; then order=$DRIVERS; else
		order=$(echo $DRIVERS | tr ' ' '\n' | sed -n '1!G;h;$p' | tr '\n' ' '); fi
	if [ $pair = 1 ]; then
		[ $((round % 2)) = 1 ] && run_pmem_pair $round rpmem || run_pmem_pair $round nd_pmem
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
echo "BENCH-DONE"
