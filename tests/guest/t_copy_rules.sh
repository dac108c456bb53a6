# rpmemctl copy follows the rules of every other writer of a block device:
# a buffered reader of the destination sees the copied data; a destination
# that is mounted or opened exclusively (O_EXCL) is refused with EBUSY and
# left unchanged; a mounted source may be copied from; a read-only
# destination is refused with EROFS; a bad block in the source range fails
# the copy with EIO.
. /tests/lib.sh
load_driver rpmem
pick_copy_disks
nsA=$NS_A
info "A=$A B=$B"
check dd if=/dev/urandom of=/dev/$A bs=1M count=16 oflag=direct status=none
check dd if=/dev/urandom of=/dev/$B bs=1M count=16 oflag=direct status=none

# Buffered read after a copy: B's pages over the range are cached first,
# and B is held open (the last close drops a block device's page cache).
check blockdev --flushbufs /dev/$B
exec 3< /dev/$B
old=$(dd if=/dev/$B bs=4096 skip=256 count=512 status=none | datasum)
[ "$old" = "$(sum_sectors $B 2048 4096)" ] || fail "buffered and direct reads of $B differ before the copy"
rpmemctl copy $A:8192 $B:2048 4096 > /tmp/copy.out 2>&1 || { cat /tmp/copy.out; fail "copy $A:8192 -> $B:2048"; }
want=$(sum_sectors $A 8192 4096)
[ "$(sum_sectors $B 2048 4096)" = "$want" ] || fail "direct read of $B after the copy differs from the source"
got=$(dd if=/dev/$B bs=4096 skip=256 count=512 status=none | datasum)
[ "$got" != "$old" ] || fail "buffered read after the copy returns the stale page cache"
[ "$got" = "$want" ] || fail "buffered read after the copy differs from the source"
exec 3<&-
info "buffered read of $B after a copy: the copied data"

# A copy that must fail with WANT.
copy_fails() { # want args...
	want=$1; shift
	if rpmemctl copy "$@" > /tmp/err.out 2>&1; then fail "copy $* succeeded, expected '$want'"; fi
	grep -q "$want" /tmp/err.out || fail "copy $*: '$(cat /tmp/err.out)', expected '$want'"
	info "copy $*: $want"
}
# ... and leave B's first 8 MiB unchanged.
refused() { # want args...
	before=$(sum_sectors $B 0 16384)
	copy_fails "$@"
	[ "$(sum_sectors $B 0 16384)" = "$before" ] || fail "copy refused but changed $B"
}

# Destination opened exclusively by another process.
vecio hold /dev/$B 120 > /tmp/hold.out 2>&1 &
holder=$!
trap 'kill $holder 2>/dev/null; umount /mnt 2>/dev/null; blockdev --setrw /dev/$B' EXIT
n=0
until grep -q held /tmp/hold.out; do
	n=$((n + 1)); [ $n -gt 100 ] && fail "vecio hold: $(cat /tmp/hold.out)"
	sleep 0.1
done
refused "Device or resource busy" $A:0 $B:0 16384
kill $holder
wait $holder

# Destination mounted. No lazy init, so ext4 writes nothing by itself.
check mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 /dev/$B
check mount -t ext4 /dev/$B /mnt
refused "Device or resource busy" $A:0 $B:0 16384
check umount /mnt

# Read-only destination.
check blockdev --setro /dev/$B
refused "Read-only file system" $A:0 $B:0 16384
check blockdev --setrw /dev/$B

# A bad block in the source range.
echo "30000 8" > /sys/block/$A/badblocks || fail "inject a bad block into $A"
copy_fails "Input/output error" $A:29000 $B:0 2000
rpmemctl status | grep -q "active=0 .*last_error=-5" || fail "status after EIO: $(rpmemctl status)"
# A rebind starts with an empty list (the injection is not in the bus's).
unbind $nsA
echo $nsA > /sys/bus/nd/drivers/rpmem/bind || fail "rebind $nsA"
wait_disk $nsA || fail "no disk for $nsA after rebind"
A=$(basename "$(disk_of $nsA)")
[ -z "$(cat /sys/block/$A/badblocks)" ] || fail "bad blocks of $A survive a rebind"

# Source mounted: reading from it is allowed.
check mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 /dev/$A
check mount -t ext4 /dev/$A /mnt
check dd if=/dev/urandom of=/mnt/f bs=1M count=4 status=none
sync
rpmemctl copy $A:0 $B:0 16384 > /tmp/copy.out 2>&1 || { cat /tmp/copy.out; fail "copy from mounted $A"; }
[ "$(sum_sectors $A 0 16384)" = "$(sum_sectors $B 0 16384)" ] || fail "copy from mounted $A differs"
check umount /mnt
info "copy from a mounted source: equal"
