# A machine check raised while rpmem reads a namespace's info-block area at
# probe (Mapping::read_mc: is the namespace formatted by BTT, pfn or dax?)
# fails that bind with EIO, and the kernel carries on: the read is
# copy_mc_to_kernel(), whose fixup the #MC handler jumps to. The
# conditions and the error are t_read_mce.sh's; the host aims at vCPU 1's
# next kernel load from the namespace's second 4 KiB, the info block at
# 4096 that only the probe reads. A pfn info block is written there first,
# so that every bind reads it and is refused (ENXIO, "holds a pfn info
# block") before any disk is made: the binder's time goes mostly to that
# read, which the host's sampling then finds soon. Then NFIT's handler has
# made the line a bad block: bound with force_raw (no info-block check),
# the disk lists it. Mutant M40 (read_mc with a plain copy) panics the
# kernel.
. /tests/lib.sh
grep -q '^vendor_id.*GenuineIntel' /proc/cpuinfo ||
	fail "the error injected needs Intel's recovery rules; CPU: $(grep -m1 '^vendor_id' /proc/cpuinfo)"
grep -qw 'mce=recovery' /proc/cmdline || fail "no mce=recovery on the kernel command line (copy_mc_fragile is off)"
[ "$(nproc)" -ge 2 ] || fail "need two CPUs (the binder runs on CPU 1), have $(nproc)"
load_driver rpmem
ns=$(ns_of_size 1073741824) || fail "no 1 GiB namespace"
start=$(cat /sys/bus/nd/devices/$ns/resource)
lo=$((start + 4096))
hi=$((start + 8192))
drv=/sys/bus/nd/drivers/rpmem
dev=$(serve rpmem $ns) || fail "$dev"
mkinfoblock pfn > /tmp/pfn.blk || fail "mkinfoblock pfn"
check dd if=/tmp/pfn.blk of=$dev bs=4096 seek=1 oflag=direct status=none
unbind $ns
echo $ns > $drv/bind 2> /tmp/bind.err && fail "rpmem bound $ns with a pfn info block"
grep -q 'No such device or address' /tmp/bind.err || fail "bind with a pfn info block: $(cat /tmp/bind.err), expected ENXIO"

# The binder: binds on CPU 1, each counted; a failure other than the
# refusal (ENXIO) is kept; the bind under way when the machine check lands
# fails with EIO.
: > /tmp/binds
mce_on_worker "wc -l < /tmp/binds" 4 $lo $hi \
	"echo $ns > $drv/bind 2> /tmp/bind.err ||
	grep -q 'No such device or address' /tmp/bind.err || cat /tmp/bind.err >> /tmp/worker.err; echo >> /tmp/binds"
addr=$mce_addr
info "the error's address is $((addr - start)) bytes into $ns"
grep -q 'Input/output error' /tmp/worker.err || fail "the bind's failure is not EIO: $(head -3 /tmp/worker.err)"
info "binder: $(head -1 /tmp/worker.err)"
dmesg | grep -q "$ns: its info block area is poisoned" || fail "no 'its info block area is poisoned' in the kernel log"

# The line is a bad block of the region: the disk, bound without the
# info-block check, lists its sector.
[ -n "$(bound_to $ns)" ] && unbind $ns
echo 1 > /sys/bus/nd/devices/$ns/force_raw || fail "cannot set force_raw"
dev=$(serve rpmem $ns) || fail "$dev"
sector=$(((addr - start) / 512))
await_bad_sector $(basename $dev) $sector
info "bound with force_raw: $dev lists bad sector $sector"
unbind $ns
echo 0 > /sys/bus/nd/devices/$ns/force_raw
