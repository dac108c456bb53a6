# rpmem cannot be unloaded under a caller (issue 25): an open
# /dev/rpmem-ctl pins the module, so `rmmod rpmem` is refused ("in use")
# and the module stays; once the file is closed, rmmod works. The same
# while `rpmemctl copy` of a whole 1 GiB disk runs (the copy ends well and
# its data arrives), and for rpmem_bench.ko while `rpmemctl bench-kmap` runs
# on /dev/rpmem-bench. The runner fails the test on any kernel splat
# (before the pin, rmmod during bench-kmap oopsed in the freed module text).
#
# A refusal only counts while the caller is seen running both before and
# after it (a copy: `rpmemctl status` shows it active=1 after the refused
# rmmod; a benchmark: its process still runs); otherwise the round is
# inconclusive and runs again, so the test does not depend on how long a
# copy or benchmark takes. rmmod succeeding while the caller still runs,
# or before it ended well, fails.
#
# Seen failing (2026-12-07, branch sound's module built with a null
# .owner): in the control device's file_operations (src/abstractions/
# control_device.rs), part 1's rmmod succeeds and closing the still open
# file oopses in filp_flush (Comm: rmmod); the same for /dev/rpmem-bench;
# with the benchmark rounds alone, rmmod during bench-kmap gives "Oops:
# int3" in the freed module text (Comm: rpmemctl); with the disks'
# block_device_operations owner null as well (disk_type.rs: a copy's own
# disk descriptors pin the module too), every round of part 2 fails with
# "rmmod rpmem succeeded during the copy: rpmemctl exit 1: ... EIO".
. /tests/lib.sh
ROUNDS=5

loaded() { grep -q "^$1 " /proc/modules; }

# rmmod MODULE must be refused as in use, and MODULE stay loaded.
refused() { # module why
	if rmmod "$1" > /tmp/rmmod.out 2>&1; then
		fail "rmmod $1 succeeded $2"
	fi
	grep -q "in use" /tmp/rmmod.out || fail "rmmod $1 $2: '$(cat /tmp/rmmod.out)', expected 'in use'"
	loaded "$1" || fail "$1 unloaded $2"
}

# rmmod MODULE must work now.
unloads() { # module why
	rmmod "$1" > /tmp/rmmod.out 2>&1 || fail "rmmod $1 $2: $(cat /tmp/rmmod.out)"
	! loaded "$1" || fail "$1 still loaded $2"
}

# PID runs (a zombie has ended).
running() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }

# Wait up to 300 s until `rpmemctl status` shows the copy A -> B running;
# false if PID ended first or time ran out.
wait_copy_active() { # pid
	local n=0
	until rpmemctl status 2>/dev/null | grep -q "^active=1 .* src=$A dst=$B\$"; do
		running "$1" || return 1
		n=$((n + 1))
		[ $n -gt 3000 ] && return 1
		sleep 0.1
	done
}

# Background rpmemctl PID must end, with exit status 0 and a line
# matching RE on its output in FILE.
ended_well() { # pid file re what
	wait_gone $1 900 || fail "$4: rpmemctl still runs after 900 s"
	rc=0
	wait $1 || rc=$?
	[ $rc = 0 ] || fail "$4: rpmemctl exit $rc: $(cat $2)"
	grep -q "$3" $2 || fail "$4: rpmemctl output: $(cat $2)"
}

trap 'for p in $(pidof rpmemctl); do kill $p; done; exec 3<&-' EXIT

# 1. An open control device.
load_driver rpmem
exec 3< /dev/rpmem-ctl
refused rpmem "while /dev/rpmem-ctl is open"
info "rmmod rpmem with /dev/rpmem-ctl open: refused ($(cat /tmp/rmmod.out))"
exec 3<&-
unloads rpmem "after /dev/rpmem-ctl was closed"
info "after closing it: unloaded"

# 2. A running copy: the whole of one 1 GiB disk onto another.
load_driver rpmem
pick_disk_pair
[ "$size_a" = 1073741824 ] || fail "want a 1 GiB pair, got $A and $B of $size_a bytes"
sectors=$((size_a / 512))
# Marks at both ends of A, compared on B after the copy.
check dd if=/dev/urandom of=/dev/$A bs=1M count=1 oflag=direct status=none
check dd if=/dev/urandom of=/dev/$A bs=1M seek=1023 count=1 oflag=direct status=none
round=1 caught=
while [ $round -le $ROUNDS ] && [ -z "$caught" ]; do
	rpmemctl copy $A $B > /tmp/pin-copy.out 2>&1 &
	pid=$!
	wait_copy_active $pid || fail "round $round: the copy was not seen running: $(cat /tmp/pin-copy.out)"
	copied="^copied $sectors sectors from $A:0 to $B:0 "
	if rmmod rpmem > /tmp/rmmod.out 2>&1; then
		running $pid && fail "rmmod rpmem succeeded while rpmemctl copy runs"
		ended_well $pid /tmp/pin-copy.out "$copied" "round $round: rmmod rpmem succeeded during the copy"
		info "round $round: the copy ended before rmmod (inconclusive); module unloaded"
		load_driver rpmem
		pick_disk_pair
	else
		grep -q "in use" /tmp/rmmod.out || fail "rmmod rpmem during a copy: '$(cat /tmp/rmmod.out)', expected 'in use'"
		loaded rpmem || fail "rpmem unloaded during a copy"
		if rpmemctl status | grep -q "^active=1 .* src=$A dst=$B\$"; then
			caught=$round
		else
			info "round $round: the copy ended around the refused rmmod (inconclusive)"
		fi
		ended_well $pid /tmp/pin-copy.out "$copied" "round $round: the copy"
	fi
	round=$((round + 1))
done
[ -n "$caught" ] || fail "no rmmod in $ROUNDS rounds came while the copy ran"
rpmemctl status | grep -q "^active=0 done=$sectors total=$sectors last_error=0 src=$A dst=$B\$" ||
	fail "status after the copy: $(rpmemctl status)"
[ "$(sum_dev /dev/$B 0 1)" = "$(sum_dev /dev/$A 0 1)" ] || fail "$B's first MiB differs from $A's"
[ "$(sum_dev /dev/$B 1023 1)" = "$(sum_dev /dev/$A 1023 1)" ] || fail "$B's last MiB differs from $A's"
info "rmmod rpmem during a whole-disk copy (round $caught): refused; the copy completed, data equal"
unloads rpmem "after the copy ended"
info "after the copy: unloaded"

# 3. A running benchmark of rpmem_bench.ko (not installed; the image has
# it when `make bench-module` built it, and this test needs it).
modprobe rpmem_bench || fail "modprobe rpmem_bench (is rpmem_bench.ko in the image?)"
[ -c /dev/rpmem-bench ] || fail "no /dev/rpmem-bench"
exec 3< /dev/rpmem-bench
refused rpmem_bench "while /dev/rpmem-bench is open"
exec 3<&-
info "rmmod rpmem_bench with /dev/rpmem-bench open: refused"
round=1 caught=
while [ $round -le $ROUNDS ] && [ -z "$caught" ]; do
	rpmemctl bench-kmap 1024 5000000 > /tmp/pin-bench.out 2>&1 &
	pid=$!
	# The benchmark has started once its process holds the device open.
	n=0
	until ls -l /proc/$pid/fd 2>/dev/null | grep -q /dev/rpmem-bench; do
		running $pid || fail "round $round: bench-kmap ended before it was seen: $(cat /tmp/pin-bench.out)"
		n=$((n + 1))
		[ $n -gt 3000 ] && fail "round $round: bench-kmap did not open /dev/rpmem-bench in 300 s"
		sleep 0.1
	done
	measured="^ranges=1024 iterations=5000000 registry_ns="
	if rmmod rpmem_bench > /tmp/rmmod.out 2>&1; then
		running $pid && fail "rmmod rpmem_bench succeeded while bench-kmap runs"
		ended_well $pid /tmp/pin-bench.out "$measured" "round $round: rmmod rpmem_bench succeeded during bench-kmap"
		info "round $round: bench-kmap ended before rmmod (inconclusive); module unloaded"
		modprobe rpmem_bench || fail "modprobe rpmem_bench again"
	else
		grep -q "in use" /tmp/rmmod.out || fail "rmmod rpmem_bench during bench-kmap: '$(cat /tmp/rmmod.out)', expected 'in use'"
		loaded rpmem_bench || fail "rpmem_bench unloaded during bench-kmap"
		if running $pid; then
			caught=$round
		else
			info "round $round: bench-kmap ended around the refused rmmod (inconclusive)"
		fi
		ended_well $pid /tmp/pin-bench.out "$measured" "round $round: bench-kmap"
	fi
	round=$((round + 1))
done
[ -n "$caught" ] || fail "no rmmod in $ROUNDS rounds came while bench-kmap ran"
info "rmmod rpmem_bench during bench-kmap (round $caught): refused; the benchmark completed"
unloads rpmem_bench "after bench-kmap ended"
info "after bench-kmap: unloaded"
