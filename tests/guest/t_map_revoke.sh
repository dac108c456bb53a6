# Unbinding a disk revokes its load/store mappings (docs/dax.md): a
# process holding /dev/pmemN.map mapped pins rpmem (rmmod: in use), the
# unbind proceeds, and the process's next load through the mapping gets
# SIGBUS, never the memory that is gone; a new mmap on its still-open fd
# of the gone disk fails (ENODEV). rmmod works once the process has ended.
# The runner fails on any kernel splat.
. /tests/lib.sh
load_driver rpmem
ns=$(ns_of_size 1073741824) || fail "no 1 GiB namespace"
map=$(disk_of $ns).map
map_hold $map 64M
pid=$hold_pid
grep -q "$map" /proc/$pid/maps || fail "$map not in the process's maps"
rmmod rpmem > /tmp/rmmod.out 2>&1 && fail "rmmod rpmem succeeded while $map is mapped"
grep -q "in use" /tmp/rmmod.out || fail "rmmod while mapped: $(cat /tmp/rmmod.out)"
info "rmmod while mapped: refused ($(cat /tmp/rmmod.out))"
unbind $ns
[ -e $map ] && fail "$map still exists after unbind"
[ "$(bound_to $ns)" = "" ] || fail "$ns still bound"
kill -USR1 $pid
wait $pid && rc=0 || rc=$?
[ $rc = 3 ] || fail "load after unbind: exit $rc, $(cat /tmp/hold.out) (expected SIGBUS, exit 3)"
grep -q '^sigbus$' /tmp/hold.out || fail "no SIGBUS after unbind: $(cat /tmp/hold.out)"
grep -q '^mmap=ENODEV$' /tmp/hold.out || fail "a new mmap after unbind: $(cat /tmp/hold.out), expected ENODEV"
info "load through the mapping after unbind: SIGBUS; mmap on an open fd: ENODEV"
rmmod rpmem || fail "rmmod after the process ended"
info "rmmod after the process ended: done"
