# Unbind and rmmod under load: with fio jobs on every rpmem disk (random
# writes, every 64 of them read back and their crc32c checked:
# verify_backlog), unbind the first namespace through sysfs and disable the
# second with ndctl. Their fio jobs must end with an I/O error (the disk
# went away); rmmod must be refused while a third disk is still open; that
# disk's fio, which runs until this test stops it (not for a fixed time),
# must still be running when both other disks are gone and end without an
# error, its data verified throughout. Waits are for events (disks open,
# writes done), with generous limits; nothing depends on the machine's
# speed. Rebinding works and data acknowledged before the unbind is intact.
. /tests/lib.sh
load_driver rpmem
set -- $(namespaces)
[ $# -ge 3 ] || fail "need three namespaces, have $#"
names=
for ns in "$@"; do
	dev=$(disk_of $ns)
	[ -b "$dev" ] || fail "no disk for $ns"
	names="$names $(basename $dev)"
	# I/O statistics (off by default on pmem disks): the writes counted in
	# /sys/block/NAME/stat tell when the load is under way.
	echo 1 > /sys/block/$(basename $dev)/queue/iostats || fail "cannot turn on $dev's iostats"
	dd if=/dev/urandom of=/tmp/keep.$ns bs=1M count=8 status=none
	check dd if=/tmp/keep.$ns of=$dev bs=1M seek=200 oflag=direct,sync status=none
	# Every load runs until its disk goes away or the test stops it.
	# allow_file_create=0: once the disk is gone fio must not make a
	# regular file of the same name.
	fio --name=load --filename=$dev --allow_file_create=0 --rw=randwrite --bs=4k --size=64M \
		--numjobs=2 --offset_increment=64M --ioengine=libaio --iodepth=8 --direct=1 \
		--verify=crc32c --verify_backlog=64 --verify_fatal=1 --time_based --runtime=1000000 \
		--output=/tmp/fio.$ns > /dev/null 2>&1 &
	echo $! > /tmp/fio.$ns.pid
done
# Hold the third disk open for the rmmod check, whatever its fio does.
sleep 1000000 < $(disk_of $3) &
holder=$!
trap 'kill $holder 2>/dev/null; for ns in $(namespaces); do kill $(cat /tmp/fio.$ns.pid) 2>/dev/null; done; wait' EXIT
# Completed writes of disk NAME (field 5 of /sys/block/NAME/stat).
writes_of() { awk '{ print $5 }' /sys/block/$1/stat; }
# fio takes seconds to start under TCG: wait until both jobs of every fio
# have their disk open and every disk has completed 256 writes since then
# (four verify_backlog batches per job), then unbind.
for name in $names; do
	n=0
	until [ "$(ls -l /proc/[0-9]*/fd 2>/dev/null | grep -c " /dev/$name\$")" -ge 2 ]; do
		n=$((n + 1)); [ $n -gt 3000 ] && fail "fio did not open /dev/$name within 300 s"
		sleep 0.1
	done
done
for name in $names; do
	w0=$(writes_of $name) n=0
	until [ "$(writes_of $name)" -ge $((w0 + 256)) ]; do
		n=$((n + 1)); [ $n -gt 3000 ] && fail "/dev/$name: fio did not complete 256 writes within 300 s"
		sleep 0.1
	done
done
echo $1 > /sys/bus/nd/drivers/rpmem/unbind || fail "sysfs unbind under load"
info "unbound $1 via sysfs"
ndctl disable-namespace $2 > /dev/null 2>&1 || fail "ndctl disable-namespace under load"
info "disabled $2 via ndctl"
kill -0 "$(cat /tmp/fio.$3.pid)" 2>/dev/null ||
	fail "$3's fio ended before both disks were gone: $(grep -E 'err=|verify' /tmp/fio.$3 | head -3)"
# $3's disk is open by fio: the block layer holds a module reference.
if rmmod rpmem 2>/tmp/rmmod.err; then fail "rmmod succeeded while $3's disk is open"; fi
grep -q "in use" /tmp/rmmod.err || fail "rmmod: '$(cat /tmp/rmmod.err)', expected 'in use'"
grep -q "^rpmem " /proc/modules || fail "rpmem is gone after a refused rmmod"
info "rmmod refused: $(cat /tmp/rmmod.err)"
kill $holder
wait $holder 2>/dev/null
# Stop the surviving load: fio ends a job on SIGTERM with exit status 128
# and, if nothing went wrong before, err=0.
kill -0 "$(cat /tmp/fio.$3.pid)" 2>/dev/null ||
	fail "$3's fio ended before the test stopped it: $(grep -E 'err=|verify:' /tmp/fio.$3 | head -3)"
kill -TERM "$(cat /tmp/fio.$3.pid)"
for ns in "$@"; do
	rc=0
	wait "$(cat /tmp/fio.$ns.pid)" || rc=$?
	# One err= per job; the set of distinct values.
	err=$(grep -o 'err=[ 0-9]*' /tmp/fio.$ns | tr -d ' ' | sort -u | tr '\n' ' ')
	info "$ns fio: exit $rc, $err"
	case $ns in
	$1 | $2) [ "$rc" != 0 ] && echo "$err" | grep -q 'err=[1-9]' ||
		fail "$ns: fio did not fail after its disk went away (exit $rc, $err)" ;;
	*) [ "$rc" = 128 ] && [ "$err" = "err=0 " ] || { tail -20 /tmp/fio.$ns; fail "$ns: fio failed (exit $rc, $err)"; } ;;
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
