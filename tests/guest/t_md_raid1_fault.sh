# Fault on a RAID1 leg: with fio writing and reading on the array (a load
# that runs until the test stops it), unbind one member's namespace. md marks
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
# Two fio processes: the verified writer (a fixed amount of work, checked
# with --verify_only after the resync) and a load that runs until the test
# stops it (reads of 32-48 MiB, writes of 48-56 MiB), so the fault always
# lands while both reads and writes go on, however fast the machine is.
fio --filename=$MD --direct=1 --ioengine=libaio --iodepth=8 $W --do_verify=0 --rate_iops=1500 \
	--output=/tmp/fio-w.out > /dev/null 2>&1 &
w_pid=$!
fio --filename=$MD --direct=1 --ioengine=libaio --iodepth=8 --time_based --runtime=1000000 \
	--name=r --rw=randread --bs=4k --offset=32M --size=16M \
	--name=l --rw=randwrite --bs=4k --offset=48M --size=8M \
	--output=/tmp/fio-l.out > /dev/null 2>&1 &
l_pid=$!
trap 'kill $w_pid $l_pid 2>/dev/null; stack_cleanup' EXIT
writes_done $MD 256 300 || { cat /tmp/fio-w.out /tmp/fio-l.out; fail "fio did not complete 256 writes on $MD within 300 s"; }
kill -0 $l_pid 2>/dev/null || { cat /tmp/fio-l.out; fail "the load ended before the fault"; }
echo namespace1.0 > /sys/bus/nd/drivers/$drv/unbind || fail "unbind namespace1.0 ($b) under load"
info "unbound namespace1.0 ($b) from $drv under fio load"
# Some more writes on the degraded array, then stop the load (fio: exit
# status 128 on SIGTERM; err=0 if nothing failed before).
writes_done $MD 256 300 || { cat /tmp/fio-l.out; fail "no writes on the degraded array within 300 s"; }
kill -0 $l_pid 2>/dev/null || { cat /tmp/fio-l.out; fail "the load ended before the test stopped it"; }
kill -TERM $l_pid
rc=0; wait $l_pid || rc=$?
[ $rc = 128 ] && [ "$(grep -c 'err= 0' /tmp/fio-l.out)" = 2 ] ||
	{ tail -30 /tmp/fio-l.out; fail "the load saw an error (exit $rc) although one leg remained"; }
wait_gone $w_pid 300 || fail "the writer did not finish within 300 s"
rc=0; wait $w_pid || rc=$?
[ $rc = 0 ] && grep -q 'err= 0' /tmp/fio-w.out || { tail -30 /tmp/fio-w.out; fail "the writer saw an error (exit $rc) although one leg remained"; }
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
