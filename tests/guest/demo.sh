#!/bin/sh
# The README demo: load a driver (rpmem unless DEMO_DRIVER says otherwise),
# show the namespace, then dd and a short fio run on /dev/pmem0.
. /tests/lib.sh
D=${DEMO_DRIVER:-rpmem}
echo "== loading $D"
if ! out=$(load_driver "$D" 2>&1) || ! disk_of namespace0.0 > /dev/null; then
	echo "$out"
	echo "RPMEM-DEMO-FAIL: modprobe $D gave no /dev/pmem0 (driver not ready? DEMO_DRIVER=nd_pmem runs the demo on the in-tree driver)"
	exit 1
fi
dmesg | grep -E "\] (rpmem|nd_pmem|pmem[0-9])" | tail -8
echo "== ndctl list -N"
ndctl list -N
dev=$(disk_of namespace0.0)
echo "== $dev: $(blockdev --getsize64 "$dev") bytes, served by $(bound_to namespace0.0)"
echo "== dd: 256 MiB write and read, O_DIRECT"
dd if=/dev/zero of="$dev" bs=1M count=256 oflag=direct 2>&1 | tail -1
dd if="$dev" of=/dev/null bs=1M count=256 iflag=direct 2>&1 | tail -1
echo "== dd: random data readback"
dd if=/dev/urandom of=/tmp/data bs=1M count=32 status=none
dd if=/tmp/data of="$dev" bs=1M oflag=direct status=none
echo "written $(sum_file /tmp/data)"
echo "read    $(sum_dev "$dev" 0 32)"
for job in "randread 4k" "randwrite 4k" "read 1M"; do
	set -- $job
	echo "== fio O_DIRECT $1 bs=$2 (psync, 5 s)"
	fio --name=demo --filename="$dev" --rw=$1 --bs=$2 --direct=1 --ioengine=psync \
		--time_based --runtime=5 --size=512M 2>&1 | grep -E "^  (read|write):|clat \(usec\)|lat.*avg" | head -3
done
modprobe rpmem_bench 2>/dev/null && { echo "== kmap_atomic_pfn_t micro-benchmark (rpmem_bench.ko)"; rpmemctl bench-kmap 8 200000; }
echo "RPMEM-DEMO-OK ($D)"
