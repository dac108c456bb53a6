# Formatted namespace, boot 2 of 2 (after t_formatted_write.sh, same
# labelled NVDIMM): the data-loss scenario. rpmem is loaded before nd_pmem
# and must refuse the BTT namespace with one message naming the BTT info
# block and force_raw; then nd_pmem serves the BTT disk with the data
# intact, and rpmem, still loaded, stays silent about the idle seed
# namespace the region creates then. With force_raw=1 rpmem serves the
# namespace raw (checked read-only: the BTT info block the kernel wrote is
# at byte 4096 and its checksum verifies with tools/mkinfoblock.c's). The
# same after taking the namespace from nd_pmem (ndctl disable-namespace
# also deletes the BTT device, which releases the claim); ndctl
# enable-namespace then gives the BTT back to nd_pmem, data unchanged.
. /tests/lib.sh
ns=namespace0.0
fr=/sys/bus/nd/devices/$ns/force_raw
[ "$(size_of_ns $ns)" = 268435456 ] || fail "$ns is not the 256 MiB namespace of t_formatted_write (size $(size_of_ns $ns))"
trap 'echo 0 > $fr' EXIT
# The BTT disk nd_pmem serves for $ns, once it appears.
btt_disk() {
	local tries=0 b
	while [ $tries -lt 50 ]; do
		for b in /sys/bus/nd/devices/btt*/block/*; do
			[ -e "$b" ] && [ "$(cat "$(dirname "$(dirname "$b")")/namespace")" = $ns ] &&
				{ echo "/dev/$(basename "$b")"; return 0; }
		done
		tries=$((tries + 1))
		sleep 0.1
	done
	return 1
}
data_intact() { # what
	bdev=$(btt_disk) || fail "$1: no BTT disk for $ns"
	[ -b "$bdev" ] || fail "$1: $bdev is not a block device"
	want=$(dd if="$bdev" bs=4096 skip=8192 count=1 iflag=direct status=none | tr -d '\0' | head -c 64)
	case $want in [0-9]*:[0-9]*) ;; *) false ;; esac || fail "$1: no checksum stored on $bdev (was formatted_write run?)"
	[ "$(sum_dev "$bdev" 0 32)" = "$want" ] || fail "$1: data on $bdev changed"
	info "$1: $bdev holds the data (checksum $want)"
}
# rpmem with force_raw=1 serves the raw namespace; read-only look at the
# info block, then unbind and clear force_raw.
forced_raw() {
	echo 1 > $fr || fail "set force_raw"
	echo $ns > /sys/bus/nd/drivers/rpmem/bind || fail "rpmem refuses $ns with force_raw=1"
	wait_disk $ns || fail "no rpmem disk for $ns with force_raw=1"
	raw=$(disk_of $ns)
	check blockdev --setro "$raw"
	dd if="$raw" bs=4096 skip=1 count=1 iflag=direct status=none > /tmp/ib || fail "read $raw"
	mkinfoblock check < /tmp/ib > /tmp/ib.out 2>&1 || fail "info block on $raw: $(cat /tmp/ib.out)"
	grep -q "^BTT_ARENA_INFO: checksum ok" /tmp/ib.out || fail "no BTT info block at 4096: $(cat /tmp/ib.out)"
	info "force_raw=1: rpmem serves $raw; $(cat /tmp/ib.out)"
	echo $ns > /sys/bus/nd/drivers/rpmem/unbind || fail "unbind rpmem"
	echo 0 > $fr
}

# 1. rpmem first.
echo "t_formatted load" > /dev/kmsg
modprobe rpmem || fail "modprobe rpmem"
expect_info_refusal $ns "a BTT info block (sector mode)" "t_formatted load"
forced_raw
# 2. nd_pmem after rpmem: the BTT disk is back.
modprobe nd_pmem || fail "modprobe nd_pmem"
data_intact "nd_pmem after rpmem"
# The BTT's probe made the region create a seed namespace (size 0); rpmem,
# loaded, was offered it: no error-level line about it.
seeds=
for n in $(namespaces); do [ "$(size_of_ns $n)" = 0 ] && seeds="$seeds $n"; done
[ -n "$seeds" ] || fail "no idle seed namespace in the region"
for n in $seeds; do
	dmesg -r | sed -n '/t_formatted load$/,$p' | grep -q "^<[0-3]>.*rpmem:* $n" &&
		fail "error line for the idle seed $n: $(dmesg | grep "rpmem:* $n")"
done
info "idle seeds:$seeds (no error lines)"
# 3. Take the namespace from nd_pmem and its BTT, offer it to rpmem.
check ndctl disable-namespace $ns
[ -z "$(cat /sys/bus/nd/devices/$ns/holder)" ] || fail "$ns still claimed by $(cat /sys/bus/nd/devices/$ns/holder)"
[ -z "$(bound_to $ns)" ] || fail "$ns still bound to $(bound_to $ns)"
echo "t_formatted rebind" > /dev/kmsg
if echo $ns > /sys/bus/nd/drivers/rpmem/bind 2>/tmp/bind.err; then fail "rpmem bound the BTT namespace"; fi
expect_info_refusal $ns "a BTT info block (sector mode)" "t_formatted rebind"
forced_raw
# 4. Back to nd_pmem.
ndctl enable-namespace $ns > /tmp/en.out 2>&1 || { cat /tmp/en.out; fail "ndctl enable-namespace $ns"; }
data_intact "nd_pmem again"
