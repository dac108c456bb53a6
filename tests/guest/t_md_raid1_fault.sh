# Fault on a RAID1 leg: with fio writing (rate-limited so the fault lands
# mid-run) and reading on the array, unbind one member's namespace. md marks
# it faulty and fio sees no error. Rebind, remove the failed leg, re-add it
# (or add it afresh), wait for the resync: both members are equal over the
# data area and every write fio made is there (fio --verify_only).
. /tests/lib.sh
. /tests/stack.sh
trap stack_cleanup EXIT
drv=$1
load_driver "$drv"
a=$(disk_of namespace0.0); b=$(disk_of namespace1.0)
md_create "$a" "$b" 64 --bitmap=internal || fail "mdadm --create RAID1 over $a $b"
grep -q '\[UU\]' /proc/mdstat || { cat /proc/mdstat; fail "array not clean after resync"; }

# Acknowledged before the fault: 4 MiB at 56 MiB, written synchronously.
check dd if=/dev/urandom of=/tmp/keep bs=1M count=4 status=none
check dd if=/tmp/keep of=$MD bs=1M seek=56 oflag=direct,sync status=none

W="--name=w --rw=randwrite --bs=4k --size=24M --verify=crc32c"
timeout 120 fio --filename=$MD --direct=1 --ioengine=libaio --iodepth=8 \
	$W --do_verify=0 --rate_iops=1500 \
	--name=r --rw=randread --bs=4k --offset=32M --size=16M --time_based --runtime=4 \
	--output=/tmp/fio.out > /dev/null 2>&1 &
fio_pid=$!
sleep 1.5
kill -0 $fio_pid 2>/dev/null || { cat /tmp/fio.out; fail "fio ended before the fault"; }
echo namespace1.0 > /sys/bus/nd/drivers/$drv/unbind || fail "unbind namespace1.0 ($b) under load"
info "unbound namespace1.0 ($b) from $drv under fio load"
wait $fio_pid
rc=$?
[ $rc = 0 ] || { tail -30 /tmp/fio.out; fail "fio saw an error (rc=$rc) although one leg remained"; }
[ "$(grep -c 'err= 0' /tmp/fio.out)" = 2 ] || { tail -30 /tmp/fio.out; fail "fio job errors"; }
grep -q '(F)' /proc/mdstat || { cat /proc/mdstat; fail "md did not mark the leg faulty"; }
grep -q '\[2/1\]' /proc/mdstat || { cat /proc/mdstat; fail "array not degraded"; }
info "fio: no error on either job; md: $(grep -o 'pmem[0-9]*\[[0-9]\](F)' /proc/mdstat) [2/1]"

echo namespace1.0 > /sys/bus/nd/drivers/$drv/bind || fail "rebind namespace1.0"
wait_disk namespace1.0 || fail "no disk after rebind"
b=$(disk_of namespace1.0)
tries=0
while grep -q '(F)' /proc/mdstat; do
	mdadm $MD --remove failed > /dev/null 2>&1
	tries=$((tries + 1))
	[ $tries -gt 50 ] && { cat /proc/mdstat; fail "failed leg not removed"; }
	sleep 0.2
done
if mdadm $MD --re-add "$b" > /tmp/mdadm.out 2>&1; then
	how=re-add
else
	check mdadm --zero-superblock "$b"
	mdadm $MD --add "$b" > /tmp/mdadm.out 2>&1 || { cat /tmp/mdadm.out; fail "mdadm --add $b"; }
	how=add
fi
md_wait || fail "resync did not finish in 120 s"
grep -q '\[UU\]' /proc/mdstat || { cat /proc/mdstat; fail "array not clean after $how"; }
info "rebound as $b, removed the failed leg, $how, resynced: [UU]"

[ "$(sum_dev $MD 56 4)" = "$(sum_file /tmp/keep)" ] || fail "data acknowledged before the fault changed"
check fio --filename=$MD --direct=1 --ioengine=libaio --iodepth=8 $W --verify_only \
	--verify_fatal=1 --output=/tmp/fio.out
grep -q "err= 0" /tmp/fio.out || { tail -20 /tmp/fio.out; fail "fio --verify_only: writes missing"; }
mdadm --stop $MD > /dev/null 2>&1 || fail "mdadm --stop"
md_legs_equal "$a" "$b" 64 || fail "members differ over the data area after resync"
info "every fio write and the 4 MiB written before the fault intact; $a and $b equal over 64 MiB"
