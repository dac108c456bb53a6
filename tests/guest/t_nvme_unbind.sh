# Fault under an NVMe/TCP export: with fio verify running on the remote
# disk, unbind the exported namespace from its driver. The host sees I/O
# errors (fio fails), nothing crashes or hangs; after rebinding, re-enabling
# the nvmet namespace and reconnecting, data acknowledged before the fault
# is intact.
. /tests/lib.sh
. /tests/nvmf.sh
trap nvmf_cleanup EXIT
drv=$1
load_driver "$drv"
ns=namespace0.0
pmem=$(disk_of $ns)
nvmet_export "$pmem" || fail "nvmet export of $pmem"
dev=$(nvme_connect) || fail "nvme connect"
[ -b "$dev" ] || fail "$dev is not a block device"

# Acknowledged before the fault: 8 MiB at 512 MiB, written synchronously.
check dd if=/dev/urandom of=/tmp/keep bs=1M count=8 status=none
check dd if=/tmp/keep of="$dev" bs=1M seek=512 oflag=direct,sync status=none
[ "$(sum_dev "$dev" 512 8)" = "$(sum_file /tmp/keep)" ] || fail "pattern read back through $dev"

# The load runs until the disk goes away (it must then fail, within 120 s).
fio --name=load --filename="$dev" --rw=randrw --bs=4k --size=64M --numjobs=2 \
	--offset_increment=64M --ioengine=libaio --iodepth=8 --direct=1 --verify=crc32c \
	--time_based --runtime=1000000 --output=/tmp/fio.out > /dev/null 2>&1 &
fio_pid=$!
trap 'kill $fio_pid 2>/dev/null; nvmf_cleanup' EXIT
writes_done "$dev" 256 300 || { cat /tmp/fio.out; fail "fio did not complete 256 writes on $dev within 300 s"; }
kill -0 $fio_pid 2>/dev/null || { cat /tmp/fio.out; fail "fio ended before the fault"; }
echo $ns > /sys/bus/nd/drivers/$drv/unbind || fail "unbind $ns from $drv under load"
info "unbound $ns from $drv under NVMe/TCP load"
wait_gone $fio_pid 120 || fail "fio hung after the unbind (still running 120 s later)"
rc=0; wait $fio_pid || rc=$?
[ $rc != 0 ] || fail "fio succeeded although the exported disk went away"
grep -q "err= 0" /tmp/fio.out && fail "fio reported no error"
info "fio failed as expected (rc=$rc, $(grep -o 'err=[ 0-9]*[^,]*' /tmp/fio.out | head -1))"
timeout 30 dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null && fail "read of $dev succeeded with no backing disk"
[ $? = 124 ] && fail "read of $dev hung"

nvme_disconnect || fail "nvme disconnect after the fault"
nvmet_ns_enable 0 || fail "disable nvmet namespace"
echo $ns > /sys/bus/nd/drivers/$drv/bind || fail "rebind $ns to $drv"
wait_disk $ns || fail "no disk after rebind"
[ "$(disk_of $ns)" = "$pmem" ] || fail "rebound as $(disk_of $ns), not $pmem"
nvmet_ns_enable 1 || fail "re-enable nvmet namespace on the new $pmem"
dev=$(nvme_connect) || fail "reconnect"
[ -b "$dev" ] || fail "$dev is not a block device"
[ "$(sum_dev "$dev" 512 8)" = "$(sum_file /tmp/keep)" ] || fail "data acknowledged before the fault changed (read through $dev)"
[ "$(sum_dev "$pmem" 512 8)" = "$(sum_file /tmp/keep)" ] || fail "data acknowledged before the fault changed (read from $pmem)"
check fio --name=after --filename="$dev" --rw=randwrite --bs=4k --size=8M --offset=256M \
	--ioengine=libaio --iodepth=8 $FIO_VERIFY --output=/tmp/fio.out
grep -q "err= 0" /tmp/fio.out || fail "fio errors after re-export"
info "rebound, re-exported, reconnected as $dev: data written before the fault intact, fio verify passes"
