# NVMe/TCP export over loopback: nvmet serves /dev/pmem0 as namespace 1,
# the host connects; fio verify (4 KiB randrw, 1 MiB sequential; libaio,
# io_uring) and ext4 on the remote disk, then disconnect and read the same
# data directly from /dev/pmem0.
. /tests/lib.sh
. /tests/nvmf.sh
. /tests/stack.sh
trap 'stack_cleanup; nvmf_cleanup' EXIT
load_driver "$1"
pmem=$(disk_of namespace0.0)
nvmet_export "$pmem" || fail "nvmet export of $pmem"
dev=$(nvme_connect) || fail "nvme connect"
[ -b "$dev" ] || fail "$dev is not a block device"
[ "$(blockdev --getsize64 "$dev")" = "$(blockdev --getsize64 "$pmem")" ] || fail "$dev size differs from $pmem"
info "$pmem exported as $NQN, connected as $dev"

for eng in libaio io_uring; do
	check fio --name=rr --filename="$dev" --rw=randrw --bs=4k --size=4M --offset=0 \
		--ioengine=$eng --iodepth=8 $FIO_VERIFY --output=/tmp/fio.out
	grep -q "err= 0" /tmp/fio.out || fail "4k randrw $eng: fio errors"
	check fio --name=seq --filename="$dev" --rw=write --bs=1M --size=8M --offset=64M \
		--ioengine=$eng --iodepth=4 $FIO_VERIFY --output=/tmp/fio.out
	grep -q "err= 0" /tmp/fio.out || fail "1M write $eng: fio errors"
done
info "fio verify: 4k randrw and 1M sequential, libaio and io_uring"

ext4_fill "$dev"
dev_range "$dev" 0 $((32 << 20)) > /tmp/raw || fail "read $dev"
info "ext4 on $dev: 7 files, e2fsck clean"

nvme_disconnect || fail "nvme disconnect"
[ -b "$dev" ] && fail "$dev still present after disconnect"
nvmet_unexport
dev_range "$pmem" 0 $((32 << 20)) | cmp -s - /tmp/raw || fail "first 32 MiB of $pmem differ from what $dev read"
ext4_verify "$pmem"
info "disconnected; $pmem holds the same data (raw 32 MiB, 7 file checksums, e2fsck clean)"
