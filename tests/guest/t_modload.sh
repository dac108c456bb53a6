# insmod/rmmod rpmem 10 times: disks appear and go each time.
. /tests/lib.sh
ko=/lib/modules/$(uname -r)/extra/rpmem.ko
i=0
while [ $i -lt 10 ]; do
	insmod "$ko" || fail "insmod #$i"
	for ns in $(namespaces); do
		wait_disk "$ns" || fail "no disk for $ns after insmod #$i"
		[ "$(bound_to "$ns")" = rpmem ] || fail "$ns not bound to rpmem"
	done
	[ -c /dev/rpmem-ctl ] || fail "no /dev/rpmem-ctl"
	rmmod rpmem || fail "rmmod #$i"
	ls /dev/pmem* > /dev/null 2>&1 && fail "disks left after rmmod #$i"
	i=$((i + 1))
done
info "10 load/unload cycles"
