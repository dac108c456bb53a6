# What a namespace costs in RAM: a 512 GiB NVDIMM (a sparse file on the
# host) in a 2 GiB guest, bound to nd_pmem (raw mode, its one page-less
# mode) and then to rpmem, each time from unbound: MemFree and PageTables
# (/proc/meminfo) before the bind and after its disk appeared. rpmem must
# cost no more than nd_pmem plus 4 MiB of either. (With a second 4 KiB-PTE
# mapping of each namespace, as rpmem once had, PageTables alone grew by
# 1 GiB: 2 MiB per GiB mapped.) Each driver is measured three times, in turn, and
# its smaller cost is kept, so that a background allocation in one round
# cannot pass as the driver's; a negative change (memory freed late by the
# unbind before) counts as 0.
. /tests/lib.sh
ns=namespace0.0
size=$(size_of_ns $ns)
[ "$size" -ge $((512 << 30)) ] || fail "$ns is $size bytes, want a 512 GiB NVDIMM"
modprobe nd_pmem || fail "modprobe nd_pmem"
modprobe rpmem || fail "modprobe rpmem"
kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
# cost DRIVER: "free_kb pagetables_kb" that binding $ns to DRIVER took.
cost() {
	unbind $ns
	sync
	echo 3 > /proc/sys/vm/drop_caches
	sleep 1
	local free0 pt0 free1 pt1
	free0=$(kb MemFree) pt0=$(kb PageTables)
	echo $ns > /sys/bus/nd/drivers/$1/bind || fail "bind $ns to $1"
	wait_disk $ns || fail "no disk for $ns with $1"
	free1=$(kb MemFree) pt1=$(kb PageTables)
	# Memory the unbind before freed late (RCU, the page cache of the
	# disk that went) can make MemFree grow across a bind: a bind costs
	# at least nothing.
	echo "$(pos $((free0 - free1))) $(pos $((pt1 - pt0)))"
}
pos() { [ "$1" -gt 0 ] && echo "$1" || echo 0; }
min() { [ "$1" -lt "$2" ] && echo "$1" || echo "$2"; }
best_free_nd= best_pt_nd= best_free_rp= best_pt_rp=
for round in 1 2 3; do
	set -- $(cost nd_pmem)
	info "round $round: nd_pmem raw: MemFree -$1 kB, PageTables +$2 kB"
	best_free_nd=$(min "${best_free_nd:-$1}" "$1") best_pt_nd=$(min "${best_pt_nd:-$2}" "$2")
	set -- $(cost rpmem)
	info "round $round: rpmem: MemFree -$1 kB, PageTables +$2 kB"
	best_free_rp=$(min "${best_free_rp:-$1}" "$1") best_pt_rp=$(min "${best_pt_rp:-$2}" "$2")
done
dev=$(disk_of $ns)
[ "$(blockdev --getsize64 "$dev")" = "$size" ] || fail "$dev is not the whole namespace"
# The disk works at both ends of the 512 GiB.
check dd if=/dev/urandom of=/tmp/ends bs=4096 count=1 status=none
for off in 0 $(((size >> 12) - 1)); do
	check dd if=/tmp/ends of="$dev" bs=4096 seek=$off count=1 oflag=direct status=none
	check dd if="$dev" of=/tmp/back bs=4096 skip=$off count=1 iflag=direct status=none
	cmp -s /tmp/ends /tmp/back || fail "block $off of $dev reads back wrong"
done
echo "RAM-COST size=$size nd_pmem_free_kb=$best_free_nd nd_pmem_pt_kb=$best_pt_nd rpmem_free_kb=$best_free_rp rpmem_pt_kb=$best_pt_rp" > /dev/console
[ "$best_pt_rp" -le $((best_pt_nd + 4096)) ] ||
	fail "rpmem's page tables grew by $best_pt_rp kB, nd_pmem's by $best_pt_nd kB (more than 4 MiB apart)"
[ "$best_free_rp" -le $((best_free_nd + 4096)) ] ||
	fail "rpmem took $best_free_rp kB of MemFree, nd_pmem $best_free_nd kB (more than 4 MiB apart)"
info "512 GiB namespace: rpmem MemFree -$best_free_rp kB, PageTables +$best_pt_rp kB; nd_pmem raw -$best_free_nd kB, +$best_pt_nd kB"
