# Power cut through the load/store mapping, part 1: store numbered 4 KiB
# blocks through /dev/pmemN.map (tools/pmem-map: stores, then clwb,
# clflushopt or clflush per CPUID, then sfence) and print `RPMEM-ACK n`
# once block n's fence has run; the host SIGKILLs QEMU in the middle.
# t_map_powercut_check.sh verifies every acknowledged block through the
# block device. Each write runs in a window of insn-window, for the
# durability checker (scripts/durability.sh) when it runs.
. /tests/lib.sh
load_driver rpmem
map=$(disk_of namespace0.0).map
[ -c "$map" ] || fail "no $map"
w=
command -v insn-window > /dev/null && w=insn-window
pmem-map write $map $((1000 * 4096)) 4096 7 2> /tmp/e || fail "first write: $(cat /tmp/e)"
info "$(cat /tmp/e)"
n=0
while [ $n -lt 100000 ]; do
	$w pmem-map write $map $(((n + 1000) * 4096)) 4096 7 2> /dev/null || fail "write $n"
	echo "RPMEM-ACK $n" > /dev/console
	n=$((n + 1))
done
