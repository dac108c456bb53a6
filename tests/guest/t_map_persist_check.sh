# Durability from user space, part 2: every record t_map_persist_write.sh
# acknowledged before the power cut reads back intact through the block
# device (O_DIRECT), from the image the checker kept of what was durable.
. /tests/lib.sh
load_driver rpmem
dev=$(disk_of namespace0.0)
[ -b "$dev" ] || fail "no disk for namespace0.0"
last=${RPMEM_ACKED:?host did not pass RPMEM_ACKED}
r=$(pmem-persist check "$dev" $((1000 * 4096)) $((last + 1))) || fail "acknowledged records 0..$last: $r"
info "$r"
