# Unbind and rmmod under load: with fio verify jobs on every rpmem disk,
# unbind the first namespace through sysfs and disable the second with
# ndctl. Their fio jobs (which would run for 10 minutes) must end with an
# I/O error (the disk went away); rmmod must be refused while a third disk
# is still open; that disk's 20-second fio job, still running when both
# are gone (checked; ~4 s after it started on the normal kernel, ~10 s on
# the debug one), verifies without error.
# Rebinding works and data acknowledged before the unbind is intact.
. /tests/lib.sh
load_driver rpmem
set -- $(namespaces)
[ $# -ge 3 ] || fail "need three namespaces, have $#"
names=
for ns in "$@"; do
	dev=$(disk_of $ns)
	[ -b "$dev" ] || fail "no disk for $ns"
	names="$names $(basename $dev)"
	dd if=/dev/urandom of=/tmp/keep.$ns bs=1M count=8 status=none
	check dd if=/tmp/keep.$ns of=$dev bs=1M seek=200 oflag=direct,sync status=none
	# The jobs on the disks that go away must still be running when they
	# go (the debug kernel can take half a minute to unbind under load).
	runtime=600
	[ $ns = $3 ] && runtime=20
	# allow_file_create=0: once the disk is gone fio must not make a
	# regular file of the same name.
	fio --name=load --filename=$dev --allow_file_create=0 --rw=randrw --bs=4k --size=64M \
		--numjobs=2 --offset_increment=64M --ioengine=libaio --iodepth=8 --direct=1 \
		--verify=crc32c --time_based --runtime=$runtime --output=/tmp/fio.$ns > /dev/null 2>&1 &
	echo $! > /tmp/fio.$ns.pid
done
# Hold the third disk open for the rmmod check, however fast its fio is.
sleep 600 < $(disk_of $3) &
holder=$!
trap 'kill $holder 2>/dev/null; for ns in $(namespaces); do kill $(cat /tmp/fio.$ns.pid) 2>/dev/null; done; wait' EXIT
# fio takes seconds to start under TCG: wait until both jobs of every
# fio have their disk open, then let them run.
for name in $names; do
	n=0
	until [ "$(ls -l /proc/[0-9]*/fd 2>/dev/null | grep -c " /dev/$name\$")" -ge 2 ]; do
		n=$((n + 1)); [ $n -gt 600 ] && fail "fio did not open /dev/$name within 60 s"
		sleep 0.1
	done
done
sleep 2
echo $1 > /sys/bus/nd/drivers/rpmem/unbind || fail "sysfs unbind under load"
info "unbound $1 via sysfs"
ndctl disable-namespace $2 > /dev/null 2>&1 || fail "ndctl disable-namespace under load"
info "disabled $2 via ndctl"
kill -0 "$(cat /tmp/fio.$3.pid)" 2>/dev/null ||
	fail "$3's fio had ended before both disks were gone: nothing ran beside the unbinds"
# $3's disk is open by fio: the block layer holds a module reference.
if rmmod rpmem 2>/tmp/rmmod.err; then fail "rmmod succeeded while $3's disk is open"; fi
grep -q "in use" /tmp/rmmod.err || fail "rmmod: '$(cat /tmp/rmmod.err)', expected 'in use'"
grep -q "^rpmem " /proc/modules || fail "rpmem is gone after a refused rmmod"
info "rmmod refused: $(cat /tmp/rmmod.err)"
kill $holder
wait $holder 2>/dev/null
for ns in "$@"; do
	rc=0
	wait "$(cat /tmp/fio.$ns.pid)" || rc=$?
	# One err= per job; the set of distinct values.
	err=$(grep -o 'err=[ 0-9]*' /tmp/fio.$ns | tr -d ' ' | sort -u | tr '\n' ' ')
	info "$ns fio: exit $rc, $err"
	case $ns in
	$1 | $2) [ "$rc" != 0 ] && echo "$err" | grep -q 'err=[1-9]' ||
		fail "$ns: fio did not fail after its disk went away (exit $rc, $err)" ;;
	*) [ "$rc" = 0 ] && [ "$err" = "err=0 " ] || { tail -20 /tmp/fio.$ns; fail "$ns: fio failed (exit $rc, $err)"; } ;;
	esac
done
for name in $names; do
	[ ! -e /dev/$name ] || [ -b /dev/$name ] || fail "/dev/$name is not a block device"
done
unload_drivers
grep -q "^rpmem " /proc/modules && fail "rmmod after the load ended failed"
load_driver rpmem
for ns in "$@"; do
	[ "$(sum_dev $(disk_of $ns) 200 8)" = "$(sum_file /tmp/keep.$ns)" ] || fail "$ns: data written before the unbind changed"
done
info "rebound all namespaces; data written before the unbind intact"
