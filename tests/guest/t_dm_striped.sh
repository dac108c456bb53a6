# dm-striped over two pmem disks (64 KiB chunks, 256 MiB of each): chunks
# alternate between the disks; fio verify; ext4 on the striped device.
. /tests/lib.sh
. /tests/stack.sh
trap stack_cleanup EXIT
load_driver "$1"
a=$(disk_of namespace0.0); b=$(disk_of namespace1.0)
S=524288 # 256 MiB in sectors, from each disk
dev=$(printf '0 %d striped 2 128 %s 0 %s 0\n' $((2 * S)) "$a" "$b" | dm_create rpmem-striped) ||
	fail "dmsetup create striped over $a $b"
[ "$(blockdev --getsize64 "$dev")" = $((2 * S * 512)) ] || fail "$dev size $(blockdev --getsize64 "$dev")"
info "$dev = $a + $b striped, 64 KiB chunks"

# Chunks 0..3 at 1 MiB: 0 and 2 on a, 1 and 3 on b (at 512 KiB on each).
check dd if=/dev/urandom of=/tmp/x bs=64k count=4 status=none
check dd if=/tmp/x of="$dev" bs=64k seek=16 oflag=direct status=none
for i in 0 1 2 3; do
	leg=$a; [ $((i % 2)) = 1 ] && leg=$b
	[ "$(sum_range "$leg" $(((8 + i / 2) * 65536)) 65536)" = "$(sum_frange /tmp/x $((i * 65536)) 65536)" ] ||
		fail "chunk $i not on $leg"
done

fio_verify_at "$dev" 0 128M
info "chunk placement checked; fio verify (4k randrw libaio, 1M io_uring)"

ext4_fill "$dev"
ext4_verify "$dev"
check dmsetup remove rpmem-striped
info "ext4: 7 files, e2fsck clean, checksums equal after remount"
