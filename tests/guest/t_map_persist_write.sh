# Durability from user space, part 1 (`make check-durability`, part
# powercut_map): tools/pmem-persist stores numbered 4 KiB records through
# /dev/pmemN.map, makes each durable itself (clwb, clflushopt or clflush
# per CPUID on every line, then sfence) and prints `RPMEM-ACK n` after
# that. Each record is one write window of the durability checker: the
# process runs its marks before the first store and after the fence.
# After record RPMEM_CUT_AFTER it stops and the host cuts the power;
# t_map_persist_check.sh reads every acknowledged record back through the
# block device.
. /tests/lib.sh
load_driver rpmem
map=$(disk_of namespace0.0).map
[ -c "$map" ] || fail "no $map"
command -v pmem-persist > /dev/null || fail "no pmem-persist in the image"
pmem-persist write "$map" $((1000 * 4096)) 100000 "${RPMEM_CUT_AFTER:--1}" > /dev/console 2>&1 ||
	fail "pmem-persist write failed"
