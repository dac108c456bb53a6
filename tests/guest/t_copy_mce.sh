# A machine check raised while a page-less copy (rpmemctl copy) reads its
# source ends that copy with EIO, and the kernel carries on: the
# destination's write path reads the source's frames through
# PfnMapping<Pmem>, whose only reads are copy_mc_to_kernel(), so the #MC
# handler jumps to the copy's fixup and the pfn bio fails. The conditions
# and the error are t_read_mce.sh's (mce=recovery, GenuineIntel, the host
# aiming at vCPU 1's next kernel load from the source range). Then the
# source's line is a bad block of the source disk: a copy over it is
# refused before any load (EIO), a copy of the range before it lands
# byte-exact, and the kernel keeps running. Mutant M15 (device memory read
# with a plain copy) panics it.
. /tests/lib.sh
need_aimed_mce copy kernel
load_driver rpmem
# shellcheck disable=SC2046 # one word per namespace
set -- $(namespaces)
[ $# -ge 2 ] || fail "need two namespaces, have: $*"
ns_a=$1 ns_b=$2
src=$(disk_of $ns_a) dst=$(disk_of $ns_b)
[ -b "$src" ] && [ -b "$dst" ] || fail "no disks for $ns_a, $ns_b: '$src' '$dst'"
a=$(basename $src) b=$(basename $dst)
start=$(cat /sys/bus/nd/devices/$ns_a/resource)

# The range copied: 16 MiB at 64 MiB of the source, to the same place of
# the destination, written with known data first.
first=131072 count=32768 # sectors
lo=$((start + first * 512))
hi=$((lo + count * 512))
dd if=/dev/urandom of=/tmp/data bs=1M count=16 status=none || fail "dd urandom"
dd if=/tmp/data of=$src bs=1M seek=64 oflag=direct status=none || fail "write $src"

# The copier: the range again and again on CPU 1, each failed copy's
# output (progress lines, then the error) kept; the copy under way when the
# machine check lands fails with EIO.
mce_on_worker $b 5 8 $lo $hi "rpmemctl copy $a:$first $b:$first $count > /dev/null 2> /tmp/copy.err ||
	cat /tmp/copy.err >> /tmp/worker.err"
addr=$mce_addr
info "the error's address is $((addr - start)) bytes into $ns_a"
grep -q 'EIO' /tmp/worker.err || fail "the copy's failure is not EIO: $(head -3 /tmp/worker.err)"
info "copier: $(grep -m1 EIO /tmp/worker.err)"
dmesg | grep -q "copy $a -> $b failed after" || fail "no 'copy $a -> $b failed after' in the kernel log"

# NFIT's handler made the line a bad block of the source: a copy over it is
# refused at once, a copy of the range before it lands byte-exact.
sector=$(((addr - start) / 512))
await_bad_sector $a $sector
rc=0
rpmemctl copy $a:$first $b:$first $count > /tmp/again.out 2>&1 || rc=$?
[ $rc != 0 ] && grep -q EIO /tmp/again.out || fail "a copy over bad sector $sector: exit $rc, $(cat /tmp/again.out)"
dmesg | grep -q "copy $a -> $b: the source range holds bad blocks" ||
	fail "no 'the source range holds bad blocks' in the kernel log"
info "a copy over bad sector $sector: refused, $(cat /tmp/again.out)"
before=$((sector - first))
if [ $before -gt 0 ]; then
	check rpmemctl copy $a:$first $b:$first $before > /dev/null
	got=$(dd if=$dst bs=512 skip=$first count=$before iflag=direct status=none | datasum)
	exp=$(dd if=/tmp/data bs=512 count=$before status=none | datasum)
	[ "$got" = "$exp" ] || fail "the $before sectors before the bad one did not copy: $got, expected $exp"
fi
info "the $before sectors before the bad one copied byte-exact"
