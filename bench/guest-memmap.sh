#!/bin/sh
# Guest side of `make bench-memmap` (ZONE_DEVICE=y kernel): how much
# struct page memory serving a 1 GiB namespace costs. nr_memmap_pages in
# /proc/vmstat counts memmap pages allocated after boot.
set -u
NS=namespace0.0
memmap() { awk '/^nr_memmap_pages /{ print $2 }' /proc/vmstat; }
memfree() { awk '/^MemFree:/{ print $2 }' /proc/meminfo; }
report() { # label before_pages after_pages before_free after_free disk_bytes
	echo "MEMMAP $1 memmap_pages=$(($3 - $2)) memmap_kib=$((($3 - $2) * 4)) memfree_drop_kib=$(($4 - $5)) disk_bytes=$6"
}
raw_bytes=$(cat /sys/bus/nd/devices/$NS/size)
echo "MEMMAP-INFO kernel=$(uname -r) namespace_bytes=$raw_bytes"

# rpmem on the raw namespace: no struct page at all.
modprobe rpmem
p0=$(memmap); f0=$(memfree)
echo $NS > /sys/bus/nd/drivers/rpmem/bind
sleep 1
p1=$(memmap); f1=$(memfree)
report rpmem-raw "$p0" "$p1" "$f0" "$f1" "$(blockdev --getsize64 /dev/pmem0)"
echo $NS > /sys/bus/nd/drivers/rpmem/unbind
rmmod rpmem

# nd_pmem in fsdax mode, memmap in RAM (-M mem) and on the device (-M dev).
modprobe nd_pmem
for where in mem dev; do
	p0=$(memmap); f0=$(memfree)
	if ! ndctl create-namespace -f -e $NS -m fsdax -M $where > /tmp/ndctl.out 2>&1; then
		echo "MEMMAP-ERROR fsdax -M $where: $(tr '\n' ' ' < /tmp/ndctl.out)"
		continue
	fi
	sleep 1
	p1=$(memmap); f1=$(memfree)
	dev=/dev/$(sed -n 's/.*"blockdev":"\([^"]*\)".*/\1/p' /tmp/ndctl.out | head -1)
	report "nd_pmem-fsdax-$where" "$p0" "$p1" "$f0" "$f1" "$(blockdev --getsize64 "$dev")"
	ndctl create-namespace -f -e $NS -m raw > /dev/null 2>&1 || echo "MEMMAP-ERROR back to raw"
done
echo "MEMMAP-DONE"
