# fsync-heavy random writes from many jobs on ext4, verified.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
check mkfs.ext4 -q -F "$dev"
check mount -t ext4 "$dev" /mnt
fio --name=fsync --directory=/mnt --rw=randwrite --bs=4k --size=2M --numjobs=6 \
	--fsync=1 --ioengine=psync --verify=crc32c --verify_fatal=1 --group_reporting \
	--output=/tmp/fio.out > /dev/null 2>&1 || { tail -20 /tmp/fio.out; fail "fio"; }
grep -q "err= 0" /tmp/fio.out || fail "fio errors"
check umount /mnt
e2fsck -fn "$dev" > /tmp/fsck 2>&1 || { cat /tmp/fsck; fail "e2fsck after fsync load"; }
