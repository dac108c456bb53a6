# Ctrl-C on `rpmemctl copy`: SIGINT during a whole-namespace copy (1 GiB)
# ends it within a few seconds, non-zero, with "interrupted after N" sectors
# (N short of the whole) on its output and "rpmem: copy ... interrupted" in
# the kernel log; the next copy works and the status shows none running.
. /tests/lib.sh
load_driver rpmem
pick_copy_disks
total=$(( $(blockdev --getsize64 /dev/$A) / 512 ))
# An old rpmemctl killed by the signal leaves its progress child behind.
trap 'for p in $(pidof rpmemctl); do kill $p; done' EXIT
echo "t_copy_intr start" > /dev/kmsg
# A background job of a non-interactive shell starts with SIGINT ignored;
# Ctrl-C reaches a foreground program with the default action.
/usr/bin/env --default-signal=INT rpmemctl copy $A $B > /tmp/intr.out 2>&1 &
pid=$!
copy_active || fail "the copy did not start: $(cat /tmp/intr.out)"
kill -INT $pid
wait_gone $pid 10 || fail "rpmemctl still runs 10 s after SIGINT"
rc=0
wait $pid || rc=$?
info "rpmemctl exit $rc: $(grep -v 'copied [0-9]*/' /tmp/intr.out | tr '\n' ' ')"
[ $rc != 0 ] || fail "interrupted copy exited 0"
n=$(grep -o 'interrupted after [0-9]*' /tmp/intr.out | grep -o '[0-9]*$')
[ -n "$n" ] || fail "no 'interrupted after N' in the output"
[ "$n" -lt "$total" ] || fail "interrupted after $n of $total sectors: not interrupted"
dmesg | sed -n '/t_copy_intr start$/,$p' | grep -q "rpmem: copy.*interrupted" ||
	{ dmesg | tail -5; fail "no 'rpmem: copy ... interrupted' in the kernel log"; }
rpmemctl status | grep -q "active=0" || fail "status after the interrupt: $(rpmemctl status)"
check dd if=/dev/urandom of=/dev/$A bs=1M count=1 oflag=direct status=none
check dd if=/dev/urandom of=/dev/$B bs=1M count=1 oflag=direct status=none
rpmemctl copy $A:0 $B:0 2048 > /tmp/copy.out 2>&1 || { cat /tmp/copy.out; fail "copy after the interrupt"; }
[ "$(sum_sectors $A 0 2048)" = "$(sum_sectors $B 0 2048)" ] || fail "copy after the interrupt differs"
rpmemctl status | grep -q "active=0 done=2048 total=2048 last_error=0" || fail "status: $(rpmemctl status)"
info "interrupted after $n of $total sectors; the next copy works"
