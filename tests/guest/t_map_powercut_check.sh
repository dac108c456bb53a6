# Power cut through the load/store mapping, part 2: every block
# t_map_powercut_write.sh acknowledged (stored through the mapping, written
# back, fenced) before QEMU was killed reads back intact through the block
# device (O_DIRECT).
. /tests/lib.sh
load_driver rpmem
dev=$(disk_of namespace0.0)
[ -b "$dev" ] || fail "no disk for namespace0.0"
last=${RPMEM_ACKED:?host did not pass RPMEM_ACKED}
r=$(pmem-map check $dev $((1000 * 4096)) $(((last + 1) * 4096)) 7) ||
	fail "acknowledged blocks 0..$last: $r"
info "all $((last + 1)) acknowledged blocks intact: $r"
