# A raw namespace that holds a valid pfn (fsdax), dax (devdax) or BTT info
# block at byte 4096 is refused by rpmem with one message naming the block
# and the force_raw override; with force_raw=1 it is served, data
# unchanged; a block with a bad checksum is not an info block and the
# namespace is served raw. A BTT block at byte 0 (v1.2 labels) is refused
# the same way.
#
# The test kernel has CONFIG_ZONE_DEVICE=n, so `ndctl create-namespace -m
# fsdax|devdax` cannot write pfn or dax info blocks: tools/mkinfoblock.c
# writes them (signature, zero parent uuid, the kernel's nd_sb_checksum).
# pfn and dax blocks are written through nd_pmem, which serves such a
# namespace raw on this kernel (nd_pfn_probe/nd_dax_probe are stubs without
# ZONE_DEVICE). The fake BTT block is written and removed through rpmem
# with force_raw=1: nd_pmem would try to attach a BTT to it. A real BTT
# namespace is tested on a labelled NVDIMM (t_formatted_*.sh).
. /tests/lib.sh
ns=namespace0.0
fr=/sys/bus/nd/devices/$ns/force_raw
[ -e $fr ] || fail "no $fr"
load_driver nd_pmem > /dev/null
modprobe rpmem || fail "modprobe rpmem"
dev=$(disk_of $ns)
[ -b "$dev" ] || fail "no nd_pmem disk for $ns"
check dd if="$dev" of=/tmp/orig bs=4096 skip=1 count=1 iflag=direct status=none
# Whatever happens, put the original block back (nd_pmem with force_raw=1
# serves the namespace raw whatever it holds) and clear force_raw.
restore() {
	unbind $ns
	echo 1 > $fr
	echo $ns > /sys/bus/nd/drivers/nd_pmem/bind && wait_disk $ns &&
		dd if=/tmp/orig of="$(disk_of $ns)" bs=4096 seek=1 count=1 oflag=direct conv=notrunc status=none &&
		{ [ ! -f /tmp/orig0 ] || dd if=/tmp/orig0 of="$(disk_of $ns)" bs=4096 count=1 oflag=direct conv=notrunc status=none; }
	unbind $ns
	echo 0 > $fr
}
trap restore EXIT
block_at_4k() { dd if="$(disk_of $ns)" bs=4096 skip=1 count=1 iflag=direct status=none; }
put_at_4k() { check dd if="$1" of="$(disk_of $ns)" bs=4096 seek=1 count=1 oflag=direct conv=notrunc status=none; }
bind_rpmem() { # -> 0 if rpmem serves $ns
	unbind $ns
	echo $ns > /sys/bus/nd/drivers/rpmem/bind 2>/tmp/bind.err || return 1
	wait_disk $ns || fail "$ns bound to rpmem but no disk"
}
# Refused without force_raw, served with it; the block reads back unchanged.
refused_then_forced() { # kind what
	echo "t_infoblock $1" > /dev/kmsg
	if bind_rpmem; then fail "rpmem bound $ns holding $2"; fi
	info "bind: $(cat /tmp/bind.err)"
	expect_info_refusal $ns "$2" "t_infoblock $1"
	echo 1 > $fr || fail "set force_raw"
	bind_rpmem || fail "rpmem refuses $ns with force_raw=1: $(cat /tmp/bind.err)"
	block_at_4k | cmp -s - /tmp/$1.blk || fail "$1 block changed under force_raw"
	info "force_raw=1: served as $(disk_of $ns), block intact"
}
# A bad checksum: served raw without force_raw (rpmem is bound on entry,
# force_raw=1).
bad_checksum_served() { # kind
	mkinfoblock $1 --bad-checksum > /tmp/$1.bad || fail "mkinfoblock $1 --bad-checksum"
	put_at_4k /tmp/$1.bad
	unbind $ns
	echo 0 > $fr
	bind_rpmem || fail "rpmem refuses $ns with a $1 block with a bad checksum: $(cat /tmp/bind.err)"
	block_at_4k | cmp -s - /tmp/$1.bad || fail "$1 bad-checksum block changed"
	info "$1 block with a bad checksum: served raw"
}
for kind in pfn dax; do
	mkinfoblock $kind > /tmp/$kind.blk || fail "mkinfoblock $kind"
	mkinfoblock check < /tmp/$kind.blk > /dev/null || fail "mkinfoblock's $kind block does not verify"
	unbind $ns
	echo $ns > /sys/bus/nd/drivers/nd_pmem/bind || fail "bind nd_pmem"
	wait_disk $ns || fail "no nd_pmem disk"
	put_at_4k /tmp/$kind.blk
	case $kind in pfn) what="a pfn info block (fsdax mode)" ;; dax) what="a dax info block (devdax mode)" ;; esac
	refused_then_forced $kind "$what"
	bad_checksum_served $kind
done
# BTT, written through rpmem (bound, force_raw=0, bad dax block at 4096).
mkinfoblock btt > /tmp/btt.blk || fail "mkinfoblock btt"
put_at_4k /tmp/btt.blk
unbind $ns
refused_then_forced btt "a BTT info block (sector mode)"
bad_checksum_served btt
# A BTT block at byte 0, where v1.2 labels put it (nd_btt_version()); the
# bad-checksum BTT block stays at 4096. Refused, then served with
# force_raw=1; the first 4 KiB are put back.
put_at_0() {
	[ -b "$(disk_of $ns)" ] || fail "no block device for $ns"
	check dd if="$1" of="$(disk_of $ns)" bs=4096 count=1 oflag=direct conv=notrunc status=none
}
check dd if="$(disk_of $ns)" of=/tmp/orig0 bs=4096 count=1 iflag=direct status=none
put_at_0 /tmp/btt.blk
unbind $ns
echo 0 > $fr
echo "t_infoblock btt0" > /dev/kmsg
if bind_rpmem; then fail "rpmem bound $ns holding a BTT info block at byte 0"; fi
expect_info_refusal $ns "a BTT info block (sector mode)" "t_infoblock btt0"
echo 1 > $fr || fail "set force_raw"
bind_rpmem || fail "rpmem refuses $ns (BTT block at byte 0) with force_raw=1: $(cat /tmp/bind.err)"
dd if="$(disk_of $ns)" bs=4096 count=1 iflag=direct status=none | cmp -s - /tmp/btt.blk ||
	fail "BTT block at byte 0 changed under force_raw"
put_at_0 /tmp/orig0
info "a BTT info block at byte 0: refused, served with force_raw=1"
