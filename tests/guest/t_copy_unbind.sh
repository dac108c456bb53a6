# Unbind during a copy: unbinding the destination, then the source, of a
# running whole-namespace copy returns within 60 s and ends the copy with
# an error within 60 s. While a copy runs, unbinding and binding a third
# namespace completes before the copy ends (no global lock held for the
# length of a copy). No splat (the runner checks the kernel log).
. /tests/lib.sh
load_driver rpmem
pick_copy_disks
nsA=$NS_A nsB=$NS_B nsC=$NS_C
trap 'for p in $(pidof rpmemctl); do kill $p; done' EXIT
rebind() { # ns
	echo $1 > /sys/bus/nd/drivers/rpmem/bind || fail "rebind $1"
	wait_disk $1 || fail "no disk for $1 after rebind"
}
# Unbind NS while a copy A -> B runs: both must end in bounded time.
unbind_during_copy() { # ns role
	rpmemctl copy $A $B > /tmp/copy.out 2>&1 &
	pid=$!
	copy_active || fail "the copy did not start: $(cat /tmp/copy.out)"
	(echo $1 > /sys/bus/nd/drivers/rpmem/unbind) 2>/tmp/unbind.err &
	u=$!
	wait_gone $u 60 || fail "unbind of the $2 $1 still blocked after 60 s"
	wait $u || fail "unbind of the $2 $1 failed: $(cat /tmp/unbind.err)"
	[ -z "$(bound_to $1)" ] || fail "$1 still bound after unbind"
	wait_gone $pid 60 || fail "copy still runs 60 s after its $2 was unbound"
	rc=0
	wait $pid || rc=$?
	[ $rc != 0 ] || fail "copy succeeded although its $2 $1 was unbound during it"
	info "unbind $2 $1 during a copy: copy ended with exit $rc: $(tail -1 /tmp/copy.out)"
	rpmemctl status | grep -q "active=0" || fail "status: $(rpmemctl status)"
	rebind $1
}
unbind_during_copy $nsB destination
unbind_during_copy $nsA source

# A third namespace: unbind and bind it while a copy runs; the copy must
# still be running afterwards. The copy has to outlast an unbind+bind,
# which takes seconds on the debug kernel, so it writes one page further
# on: under QEMU TCG that geometry puts each source page and its
# destination in one slot of the emulator's soft TLB and runs slower than
# the aligned copy. Up to five tries
# before calling it blocked.
N=$(( $(blockdev --getsize64 /dev/$A) / 512 ))
ok=
for try in 1 2 3 4 5; do
	rpmemctl copy $A:0 $B:8 $((N - 8)) > /tmp/copy.out 2>&1 &
	pid=$!
	copy_active || fail "the copy did not start: $(cat /tmp/copy.out)"
	(echo $nsC > /sys/bus/nd/drivers/rpmem/unbind && echo $nsC > /sys/bus/nd/drivers/rpmem/bind) 2>/tmp/c.err &
	u=$!
	wait_gone $u 60 || fail "unbind/bind of $nsC still blocked after 60 s"
	wait $u || fail "unbind/bind of $nsC during a copy failed: $(cat /tmp/c.err)"
	st=$(rpmemctl status)
	wait_gone $pid 60 || fail "copy still runs after 60 s"
	wait $pid || { cat /tmp/copy.out; fail "copy failed while $nsC was rebound"; }
	wait_disk $nsC || fail "no disk for $nsC after rebind"
	info "try $try: after unbind+bind of $nsC: $st"
	case $st in *active=1*) ok=1; break ;; esac
done
[ -n "$ok" ] || fail "unbind+bind of $nsC completed only after the copy ended (5 tries)"
