# A fault over a known bad block (the disk's badblocks list) gets SIGBUS
# at the bad page, never a load of poisoned memory (docs/dax.md): a bad
# page injected through sysfs 1 MiB + 8 KiB into the disk, then a whole
# 64 MiB mapping at a 1 GiB aligned address is loaded page by page: the
# pages before it load (the 2 MiB and 1 GiB entries over the bad page fall
# back to 4 KiB ones), the bad page's load gets SIGBUS with its address.
# Pages after it, in another 2 MiB, still load.
. /tests/lib.sh
load_driver rpmem
ns=$(ns_of_size 1073741824) || fail "no 1 GiB namespace"
dev=$(disk_of $ns)
map=$dev.map
bad=$((1048576 + 8192))
echo "$((bad / 512)) 8" > /sys/block/$(basename $dev)/badblocks || fail "cannot inject a bad block"
r=$(pmem-map touch $map 0 64M) && rc=0 || rc=$?
[ $rc = 3 ] || fail "loading over a bad block: exit $rc, $r (expected SIGBUS)"
[ "$r" = "sigbus at offset $bad" ] || fail "SIGBUS at the wrong place: $r (bad page at $bad)"
info "load over the bad page: $r"
r=$(pmem-map touch $map 2M 62M) || fail "loads after the bad page's 2 MiB: $r"
info "the rest of the disk: $r"
unload_drivers
