# dm-linear spanning two pmem disks (256 MiB of each): data straddling the
# boundary lands at the end of the first and the start of the second; fio
# verify across the boundary; ext4 on the whole device.
. /tests/lib.sh
. /tests/stack.sh
trap stack_cleanup EXIT
load_driver "$1"
a=$(disk_of namespace0.0); b=$(disk_of namespace1.0)
S=524288 # 256 MiB in sectors
dev=$(printf '0 %d linear %s 0\n%d %d linear %s 0\n' $S "$a" $S $S "$b" | dm_create rpmem-linear) ||
	fail "dmsetup create linear over $a $b"
[ "$(blockdev --getsize64 "$dev")" = $((2 * S * 512)) ] || fail "$dev size $(blockdev --getsize64 "$dev")"
info "$dev = $a[0, 256M) + $b[0, 256M)"

check dd if=/dev/urandom of=/tmp/x bs=1M count=2 status=none
check dd if=/tmp/x of="$dev" bs=1M seek=255 oflag=direct status=none
[ "$(sum_dev "$dev" 255 2)" = "$(sum_file /tmp/x)" ] || fail "read back through $dev"
[ "$(sum_range "$a" $((255 << 20)) 1048576)" = "$(sum_frange /tmp/x 0 1048576)" ] || fail "first half not at the end of $a"
[ "$(sum_range "$b" 0 1048576)" = "$(sum_frange /tmp/x 1048576 1048576)" ] || fail "second half not at the start of $b"

fio_verify_at "$dev" 240M 240M
info "boundary mapping checked; fio verify across it (4k randrw libaio, 1M io_uring)"

ext4_fill "$dev"
ext4_verify "$dev"
check dmsetup remove rpmem-linear
info "ext4: 7 files, e2fsck clean, checksums equal after remount"
