# Unbind and rmmod under load: with fio verify jobs on every rpmem disk,
# unbind through sysfs and ndctl, try rmmod; nothing crashes or hangs,
# in-flight I/O completes or fails, rebinding works and data acknowledged
# before the unbind is intact.
. /tests/lib.sh
load_driver rpmem
set -- $(namespaces)
for ns in "$@"; do
	dev=$(disk_of $ns)
	dd if=/dev/urandom of=/tmp/keep.$ns bs=1M count=8 status=none
	check dd if=/tmp/keep.$ns of=$dev bs=1M seek=400 oflag=direct,sync status=none
	fio --name=load --filename=$dev --rw=randrw --bs=4k --size=64M --numjobs=2 \
		--offset_increment=64M --ioengine=libaio --iodepth=8 --direct=1 \
		--verify=crc32c --time_based --runtime=30 --output=/tmp/fio.$ns > /dev/null 2>&1 &
done
sleep 4
echo $1 > /sys/bus/nd/drivers/rpmem/unbind || fail "sysfs unbind under load"
info "unbound $1 via sysfs"
ndctl disable-namespace $2 > /dev/null 2>&1 || fail "ndctl disable-namespace under load"
info "disabled $2 via ndctl"
if rmmod rpmem 2>/tmp/rmmod.err; then info "rmmod succeeded under load"; else info "rmmod refused: $(cat /tmp/rmmod.err)"; fi
wait
for ns in "$@"; do info "$ns fio: $(grep -o 'err=[ 0-9]*' /tmp/fio.$ns | head -1)"; done
unload_drivers
load_driver rpmem
for ns in "$@"; do
	[ "$(sha_dev $(disk_of $ns) 400 8)" = "$(sha_file /tmp/keep.$ns)" ] || fail "$ns: data written before the unbind changed"
done
info "rebound all namespaces; data written before the unbind intact"
