# Namespaces rpmem cannot serve are refused at probe with a message that
# says why, and leave no disk behind: legacy pmem regions made with
# memmap=nn!ss (one smaller than a page, one not page aligned, one in a
# memory section shared with System RAM) next to good ones (an NVDIMM, a
# 256 MiB legacy region), which must still work. On the debug kernel,
# kmemleak finds nothing after the module is gone.
. /tests/lib.sh
unload_drivers
kml=/sys/kernel/debug/kmemleak
[ -e $kml ] && echo clear > $kml
echo "t_geometry start" > /dev/kmsg
modprobe rpmem || fail "modprobe rpmem"
small=; odd=; inram=; good=
for ns in $(namespaces); do
	res=$(cat /sys/bus/nd/devices/$ns/resource 2>/dev/null)
	size=$(size_of_ns "$ns")
	info "$ns: resource $res size $size driver '$(bound_to "$ns")'"
	if [ "$size" -lt 4096 ]; then small=$ns
	elif [ $((res % 4096)) != 0 ] || [ $((size % 4096)) != 0 ]; then odd=$ns
	elif [ $((res)) = $((0x70000000)) ]; then inram=$ns
	else good="$good $ns"; fi
done
[ -n "$small" ] || fail "no sub-page namespace (memmap= missing from the command line?)"
[ -n "$odd" ] || fail "no misaligned namespace"
[ -n "$inram" ] || fail "no namespace inside RAM"
[ -n "$good" ] || fail "no good namespace"
log=$(dmesg | sed -n '/t_geometry start$/,$p')
echo "$log" | grep -q "$small: namespace .* is smaller than a page" || fail "no refusal message for $small"
echo "$log" | grep -q "$odd: namespace .* is not page aligned" || fail "no refusal message for $odd"
echo "$log" | grep -Eq "$inram: (frame .* has a struct page|.* shares a memory section with System RAM)" ||
	fail "no refusal message for $inram"
info "$(echo "$log" | grep "$inram:" | tail -1)"
for ns in $small $odd $inram; do
	[ -z "$(bound_to "$ns")" ] || fail "$ns bound to $(bound_to "$ns")"
	disk_of "$ns" > /dev/null && fail "$ns has a disk"
	if echo "$ns" > /sys/bus/nd/drivers/rpmem/bind 2>/tmp/err; then fail "bind $ns accepted"; fi
	info "bind $ns: $(cat /tmp/err)"
done
for ns in $good; do
	wait_disk "$ns" || fail "no disk for $ns"
	dev=$(disk_of "$ns")
	check dd if=/dev/urandom of=/tmp/blk bs=4096 count=4 status=none
	check dd if=/tmp/blk of="$dev" bs=4096 count=4 oflag=direct status=none
	n=$(dd if="$dev" bs=1M count=1 iflag=direct status=none | wc -c)
	[ "$n" = 1048576 ] || fail "read of 1 MiB from $dev returned $n bytes"
	dd if="$dev" bs=4096 count=4 iflag=direct status=none | cmp -s - /tmp/blk || fail "$dev readback"
done
check rmmod rpmem
if [ -e $kml ]; then
	# Debug kernel: the refused probes must not leak.
	for i in 1 2 3; do echo scan > $kml; sleep 2; done
	leaks=$(cat $kml)
	[ -z "$leaks" ] || { echo "$leaks" | head -40; fail "kmemleak reports leaks"; }
	info "kmemleak: no leaks"
fi
info "refused: $small (too small), $odd (misaligned), $inram (in RAM's section); served:$good"
