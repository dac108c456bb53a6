# Power cut after a pfn copy, part 1 (rpmem): 1 MiB of numbered lines
# written durably (O_DIRECT|O_SYNC) to the first disk, copied to the second
# with `rpmemctl copy` (bios of device frames: copy_mc_to_kernel, then the
# cache write-back), then `sync` of the second disk (fsync), in a window of
# insn-window for the durability checker; `RPMEM-ACK 0` once it returned,
# and nothing more is written: the host cuts the power.
# t_powercut_copy_check.sh verifies the copy.
. /tests/lib.sh
[ "$1" = rpmem ] || fail "the pfn copy is rpmem's"
load_driver rpmem
set -- $(namespaces)
[ $# -ge 2 ] || fail "need two namespaces, have: $*"
A=$(disk_of "$1") B=$(disk_of "$2")
[ -b "$A" ] && [ -b "$B" ] || fail "no block devices for $1, $2"
# 16384 lines of exactly 64 bytes = 1 MiB.
awk 'BEGIN { for (i = 0; i < 16384; i++) printf "%-63s\n", "rpmem-copy-line-" i }' > /tmp/src
check dd if=/tmp/src of="$A" bs=1M oflag=direct,sync conv=notrunc status=none
w=
command -v insn-window > /dev/null && w=insn-window
$w sh -c "rpmemctl copy ${A#/dev/}:0 ${B#/dev/}:0 2048 > /dev/null && sync $B" || fail "copy or sync"
echo "RPMEM-ACK 0" > /dev/console
sleep 3600
