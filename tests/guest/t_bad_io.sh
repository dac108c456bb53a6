# Bad input and unsupported requests fail cleanly, as on nd_pmem:
# misaligned O_DIRECT, BLKDISCARD, BLKROSET/BLKROGET, BLKRRPART on a
# mounted disk, scheduler changes.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
name=$(basename "$dev")
expect_fail() { # errno-text command...
	want=$1; shift
	if "$@" > /tmp/out 2>&1; then fail "$* succeeded, expected '$want'"; fi
	grep -q "$want" /tmp/out || fail "$*: '$(cat /tmp/out)', expected '$want'"
	info "$*: $want"
}
# Misaligned O_DIRECT size and offset.
expect_fail "Invalid argument" dd if="$dev" of=/dev/null bs=100 count=1 iflag=direct
expect_fail "Invalid argument" dd if="$dev" of=/dev/null bs=512 skip=3 count=1 iflag=direct,skip_bytes
expect_fail "Invalid argument" dd if=/dev/zero of="$dev" bs=700 count=1 oflag=direct
# Discard is not supported.
expect_fail "not supported" blkdiscard -f "$dev"
# BLKROSET / BLKROGET.
check blockdev --setro "$dev"
[ "$(blockdev --getro "$dev")" = 1 ] || fail "BLKROGET after BLKROSET"
expect_fail "Operation not permitted" dd if=/dev/zero of="$dev" bs=4096 count=1 oflag=direct
check blockdev --setrw "$dev"
[ "$(blockdev --getro "$dev")" = 0 ] || fail "BLKROGET after BLKROSET 0"
check dd if=/dev/zero of="$dev" bs=4096 count=1 oflag=direct status=none
# BLKRRPART while mounted.
check mkfs.ext4 -q -F "$dev"
check mount -t ext4 "$dev" /mnt
expect_fail "busy" blockdev --rereadpt "$dev"
check umount /mnt
# The disk is bio-based: it has no I/O scheduler to switch (no attribute,
# or "none"); I/O goes on regardless.
f=/sys/block/$name/queue/scheduler
if [ -e "$f" ]; then
	sched=$(cat "$f")
	[ "$sched" = none ] || fail "unexpected scheduler list '$sched'"
	if echo mq-deadline > "$f" 2>/dev/null; then fail "scheduler change accepted"; fi
	info "scheduler: none, change refused"
else
	info "no scheduler attribute (bio-based disk)"
fi
check dd if="$dev" of=/dev/null bs=1M count=4 iflag=direct status=none
