# The exclusion rule between a disk's block device and its load/store
# mapping (docs/dax.md), both ways: while /dev/pmemN is open for writing,
# mmap of /dev/pmemN.map fails with EBUSY (read-only mappings too), and
# works once it is closed; while the disk is mapped, opening /dev/pmemN
# for writing fails with EBUSY (dd, and `rpmemctl copy` onto the disk)
# while reading it works; once the mapping is gone, writing works again.
. /tests/lib.sh
load_driver rpmem
pick_disk_pair
dev=/dev/$B map=/dev/$B.map
size=$size_a
# 1. Open for write: no mapping.
exec 4<> $dev
r=$(pmem-map errors $map $size)
case $r in *" last=EBUSY "*) ;; *) fail "mmap with $dev open for write: $r, expected EBUSY" ;; esac
pmem-map write $map 0 64K 1 2> /tmp/e && fail "a writable mapping with $dev open for write worked"
grep -q "Device or resource busy" /tmp/e || fail "writable mmap with $dev open for write: $(cat /tmp/e)"
exec 4<&-
r=$(pmem-map errors $map $size)
case $r in *" last=OK "*) ;; *) fail "mmap after closing $dev: $r" ;; esac
info "$dev open for write: mmap EBUSY; closed: mmap works"
# 2. Mapped: no open for write.
map_hold $map 1M
pid=$hold_pid
[ -b $dev ] || fail "$dev is not a block device"
dd if=/dev/zero of=$dev bs=4096 count=1 oflag=direct status=none 2> /tmp/e && fail "dd onto $dev worked while mapped"
grep -q "Device or resource busy" /tmp/e || fail "dd onto $dev while mapped: $(cat /tmp/e)"
rpmemctl copy $A $B > /tmp/c 2>&1 && fail "rpmemctl copy onto $B worked while mapped: $(cat /tmp/c)"
grep -qi "busy" /tmp/c || fail "rpmemctl copy onto $B while mapped: $(cat /tmp/c)"
check dd if=$dev of=/dev/null bs=4096 count=1 iflag=direct status=none
info "mapped: dd onto $dev EBUSY, rpmemctl copy onto $B refused ($(head -1 /tmp/c)), reads work"
kill -USR1 $pid
wait $pid || fail "pmem-map hold: $(cat /tmp/hold.out)"
check dd if=/dev/zero of=$dev bs=4096 count=1 oflag=direct status=none
info "mapping gone: dd onto $dev works"
