# A read-only disk maps read-only (docs/dax.md). The region made read-only
# under a writable mapping: the mapping's next store gets SIGBUS, a new
# writable mmap on its fd fails (EACCES), and the disk keeps what it held.
# `blockdev --setro` is refused (EBUSY) while the disk is mapped; once set,
# a writable mapping fails (EACCES), as does mprotect making a read-only
# one writable, until `blockdev --setrw`.
# With its region set read-only, opening /dev/pmemN.map for writing fails
# (EROFS), a read-only fd's shared writable mapping fails (EACCES), and a
# read-only mapping reads the data the disk held.
. /tests/lib.sh
load_driver rpmem
ns=$(ns_of_size 1073741824) || fail "no 1 GiB namespace"
region=$(readlink -f /sys/bus/nd/devices/$ns/..)
disk=$(disk_of $ns)
map=$disk.map
[ -b $disk ] || fail "$disk is not a block device"
map_hold $map 2M 7
echo 1 > "$region/read_only" || fail "cannot set $region read-only"
kill -USR1 $hold_pid
wait $hold_pid && rc=0 || rc=$?
echo 0 > "$region/read_only" || fail "cannot set $region writable"
[ $rc = 3 ] && grep -q '^sigbus$' /tmp/hold.out ||
	fail "a store through a writable mapping after the region was made read-only: exit $rc, $(tr '\n' ' ' < /tmp/hold.out)"
grep -q '^mmap=EACCES$' /tmp/hold.out ||
	fail "a writable mmap of the disk made read-only: $(tr '\n' ' ' < /tmp/hold.out), expected EACCES"
r=$(pmem-map check $disk 0 2M 7) || fail "the disk made read-only under a mapping changed: $r"
info "region made read-only under a writable mapping: store SIGBUS, writable mmap EACCES, data kept"
r=$(pmem-map access $map)
[ "$r" = "open=OK write=OK upgrade=OK" ] || fail "a writable disk's map device: $r"
map_hold $map 2M
blockdev --setro $disk 2> /tmp/e && fail "blockdev --setro succeeded while $map is mapped"
grep -qi "busy" /tmp/e || fail "blockdev --setro while mapped: $(cat /tmp/e), expected EBUSY"
[ "$(blockdev --getro $disk)" = 0 ] || fail "$disk read-only after a refused --setro"
kill -USR1 $hold_pid
wait $hold_pid || fail "the read-only mapping: $(tr '\n' ' ' < /tmp/hold.out)"
blockdev --setro $disk || fail "blockdev --setro with no mapping"
r=$(pmem-map access $map)
blockdev --setrw $disk || fail "blockdev --setrw"
[ "$r" = "open=OK write=EACCES upgrade=EACCES" ] || fail "the map device of a disk set read-only by blockdev: $r"
r2=$(pmem-map access $map)
[ "$r2" = "open=OK write=OK upgrade=OK" ] || fail "the map device after blockdev --setrw: $r2"
info "blockdev --setro: EBUSY while mapped; then $r; after --setrw: $r2"
pmem-map write $map 0 1M 5 2> /dev/null || fail "write while writable"
unbind $ns
echo 1 > "$region/read_only" || fail "cannot set $region read-only"
dev=$(serve rpmem $ns) || fail "$dev"
trap 'unbind $ns; echo 0 > "$region/read_only"' EXIT
[ "$(blockdev --getro $dev)" = 1 ] || fail "$dev is not read-only"
pmem-map write $map 0 1M 6 2> /tmp/e && fail "a write mapping of a read-only disk worked"
grep -q "Read-only file system" /tmp/e || fail "open for write: $(cat /tmp/e), expected EROFS"
r=$(pmem-map errors $map 1G)
case $r in *" last=OK write=EACCES") ;; *) fail "read-only disk: $r" ;; esac
r=$(pmem-map check $map 0 1M 5) || fail "read through a read-only mapping: $r"
info "read-only disk: open for write EROFS, shared writable mmap EACCES, reads: $r"
