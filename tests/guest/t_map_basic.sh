# The load/store mapping of an rpmem disk (docs/dax.md): /dev/pmemN.map is
# a root-only character device; a shared mapping of it reaches the disk's
# own frames (stores written back with clwb/clflushopt + sfence read back
# through the block device, O_DIRECT); MAP_PRIVATE and ranges past the end
# are refused (EINVAL, ENXIO); touching a whole 1 GiB disk mapped at a
# 1 GiB aligned address costs the process almost no page tables (PUD or
# PMD entries: 4 KiB entries would take 2 MiB of them), while a mapping
# that is not 2 MiB aligned falls back to 4 KiB entries (its page tables
# grow); an open map device pins the module.
. /tests/lib.sh
load_driver rpmem
ns=$(ns_of_size 1073741824) || fail "no 1 GiB namespace"
dev=$(disk_of $ns)
map=$dev.map
[ -c $map ] || fail "no character device $map"
mode=$(stat -c %a $map)
[ "$mode" = 600 ] || fail "$map mode $mode, expected 600"
info "$ns: $dev and $map (mode $mode)"

# Errors.
e=$(pmem-map errors $map 1G) || fail "pmem-map errors: $e"
[ "$e" = "private=EINVAL beyond=ENXIO straddle=ENXIO last=OK write=EACCES" ] ||
	fail "mmap errors: $e"
info "mmap refusals: $e (write: the fd is read-only)"

# Stores through the mapping reach the disk: read back with O_DIRECT.
for at in 0 1M 1022M; do
	pmem-map write $map $at 1M $((42 + ${at%M})) 2> /tmp/w || fail "write at $at: $(cat /tmp/w)"
	r=$(pmem-map check $dev $at 1M $((42 + ${at%M}))) || fail "block device read at $at: $r"
done
info "$(cat /tmp/w); block device reads: $r"
r=$(pmem-map check $map 0 1M 43) && fail "a check against the wrong seed passed: $r"
# And the block device's writes are seen through the mapping.
check dd if=$dev of=/tmp/blk bs=1M skip=1 count=1 iflag=direct status=none
pmem-map write $map 1M 1M 99 2> /dev/null || fail "write at 1M"
r=$(pmem-map check $map 1M 1M 99) || fail "$r"
check dd if=/tmp/blk of=$dev bs=1M seek=1 count=1 oflag=direct status=none
r=$(pmem-map check $map 1M 1M 99) && fail "the mapping does not see a block write: $r"
info "block-device writes are seen through the mapping"

# Huge entries: the whole disk at a 1 GiB aligned address.
r=$(pmem-map touch $map 0 1G) || fail "touch: $r"
before=$(echo "$r" | sed -n 's/.*VmPTE \([0-9]*\) kB -> \([0-9]*\) kB.*/\1/p')
after=$(echo "$r" | sed -n 's/.*VmPTE \([0-9]*\) kB -> \([0-9]*\) kB.*/\2/p')
[ -n "$after" ] || fail "no VmPTE figures: $r"
[ $((after - before)) -le 16 ] || fail "touching 1 GiB cost $((after - before)) kB of page tables (4 KiB entries?): $r"
info "whole disk: $r"
# 4 KiB entries where the offset is not 2 MiB aligned: 8 MiB takes 4 PTE pages.
r=$(pmem-map touch $map 4K 8M) || fail "touch 8M at 4K: $r"
before=$(echo "$r" | sed -n 's/.*VmPTE \([0-9]*\) kB -> \([0-9]*\) kB.*/\1/p')
after=$(echo "$r" | sed -n 's/.*VmPTE \([0-9]*\) kB -> \([0-9]*\) kB.*/\2/p')
[ $((after - before)) -ge 16 ] || fail "8 MiB at offset 4 KiB cost only $((after - before)) kB of page tables: $r"
info "unaligned 8 MiB: $r"

# An open map device pins the module.
exec 3< $map
rmmod rpmem > /tmp/rmmod.out 2>&1 && fail "rmmod rpmem succeeded with $map open"
grep -q "in use" /tmp/rmmod.out || fail "rmmod with $map open: $(cat /tmp/rmmod.out)"
exec 3<&-
info "rmmod with $map open: refused ($(cat /tmp/rmmod.out))"
unload_drivers
grep -q "^rpmem " /proc/modules && fail "rpmem still loaded after closing $map"
info "closed: rpmem unloaded"
