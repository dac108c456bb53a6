# mkfs.ext4, mount, write files, umount, e2fsck clean, remount, same sums.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
check mkfs.ext4 -q -F "$dev"
check mount -t ext4 "$dev" /mnt
mkdir -p /mnt/d
for i in 1 2 3 4 5 6 7 8; do
	check dd if=/dev/urandom of=/mnt/d/f$i bs=64k count=$((i * 16)) status=none
done
check dd if=/dev/urandom of=/mnt/big bs=1M count=64 status=none
(cd /mnt && /usr/bin/cksum big d/*) > /tmp/sums
check umount /mnt
check e2fsck -fn "$dev" > /tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; fail "e2fsck"; }
check mount -t ext4 "$dev" /mnt
(cd /mnt && /usr/bin/cksum big d/*) | cmp -s - /tmp/sums || fail "checksums differ after remount"
check umount /mnt
info "9 files, e2fsck clean, checksums equal after remount"
