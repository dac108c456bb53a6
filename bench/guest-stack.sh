#!/bin/sh
# Guest side of `make bench-stack`: fio O_DIRECT on /dev/pmem0 directly,
# through an NVMe/TCP loopback export of it, and through dm-striped over
# pmem0 and pmem1, with rpmem and nd_pmem in turn (order alternating by
# round); the three targets back to back on every row. Prints one
# `STACK-JSON driver target row round {json}` line per run.
. /tests/lib.sh
. /tests/nvmf.sh
. /tests/stack.sh
ROUNDS=${BENCH_ROUNDS:-3}
RUNTIME=${BENCH_RUNTIME:-4}

rows() { # name rw bs ioengine iodepth
	cat <<ROWS
4k-randread-psync randread 4k psync 1
4k-randread-uring-qd16 randread 4k io_uring 16
1m-read read 1m psync 1
1m-write write 1m psync 1
ROWS
}

run() { # driver target dev name rw bs engine qd round
	out=$(fio --name="$4" --filename="$3" --rw="$5" --bs="$6" --ioengine="$7" --iodepth="$8" \
		--direct=1 --time_based --runtime="$RUNTIME" --ramp_time=1 --size=1G \
		--randrepeat=0 --norandommap --output-format=json 2>/dev/null | tr -d '\n\t')
	echo "STACK-JSON $1 $2 $4 $9 $out"
}

one_driver() { # driver round
	load_driver "$1"
	a=$(disk_of namespace0.0); b=$(disk_of namespace1.0)
	for d in $a $b; do dd if=/dev/zero of=$d bs=1M count=1024 oflag=direct 2>/dev/null; done
	nvmet_export "$a" || fail "nvmet export"
	nvme=$(nvme_connect) || fail "nvme connect"
	striped=$(printf '0 4194304 striped 2 128 %s 0 %s 0\n' "$a" "$b" | dm_create bench-striped) ||
		fail "dm-striped"
	rows | while read -r name rw bs eng qd; do
		run "$1" local "$a" $name $rw $bs $eng $qd "$2"
		run "$1" nvme-tcp "$nvme" $name $rw $bs $eng $qd "$2"
		run "$1" dm-striped "$striped" $name $rw $bs $eng $qd "$2"
	done
	dmsetup remove bench-striped
	nvmf_cleanup
	unload_drivers
}

echo "STACK-INFO kernel=$(uname -r) cpus=$(nproc)"
round=1
while [ $round -le "$ROUNDS" ]; do
	if [ $((round % 2)) = 1 ]; then order="rpmem nd_pmem"; else order="nd_pmem rpmem"; fi
	for drv in $order; do one_driver $drv $round; done
	round=$((round + 1))
done
echo "STACK-DONE"
