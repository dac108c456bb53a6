# What mapping a whole 512 GiB namespace costs (docs/dax.md): a 512 GiB
# NVDIMM (a sparse file on the host) in a 2 GiB guest, served by rpmem,
# /dev/pmem0.map mapped whole at a 1 GiB aligned address and loaded once
# per GiB (each load faults in a 1 GiB PUD entry, which maps the whole GiB;
# loading more would only fill the host's sparse file). The process's page
# tables (VmPTE) and the system's PageTables and MemFree, before and after:
# at most 1 MiB for the mapping. devdax would first need its memmap: 64 B
# of struct page per 4 KiB page, 8 GiB for 512 GiB. With 4 KiB entries the
# same mapping would take 1 GiB of page tables, with 2 MiB ones 2 MiB, and
# the loads here would leave most of it unmapped (a load per GiB): the last
# page is loaded too, and its value read through the block device.
. /tests/lib.sh
load_driver rpmem
ns=namespace0.0
size=$(size_of_ns $ns)
[ "$size" -ge $((512 << 30)) ] || fail "$ns is $size bytes, want a 512 GiB NVDIMM"
dev=$(disk_of $ns)
map=$dev.map
r=$(pmem-map touch $map 0 $size 1G) || fail "touch: $r"
info "$r"
vm=$(echo "$r" | sed -n 's/.*VmPTE \([0-9]*\) kB -> \([0-9]*\) kB.*/\1 \2/p')
sys=$(echo "$r" | sed -n 's/^system: MemFree drop \(-*[0-9]*\) kB, PageTables growth \(-*[0-9]*\) kB$/\1 \2/p')
set -- $vm $sys
[ $# = 4 ] || fail "no figures: $r"
echo "MAP-RAM-COST size=$size vmpte_kb=$(($2 - $1)) memfree_drop_kb=$3 pagetables_kb=$4" > /dev/console
[ $(($2 - $1)) -le 1024 ] || fail "mapping 512 GiB took $(($2 - $1)) kB of page tables (VmPTE)"
[ "$4" -le 1024 ] || fail "mapping 512 GiB took $4 kB of page tables (PageTables)"
[ "$3" -le 1024 ] || fail "mapping 512 GiB took $3 kB of MemFree"
# The last page, through the mapping and the block device.
pmem-map write $map $((size - 4096)) 4096 11 2> /dev/null || fail "write the last page"
r=$(pmem-map check $dev $((size - 4096)) 4096 11) || fail "last page through $dev: $r"
info "mapping 512 GiB: VmPTE growth $(($2 - $1)) kB, PageTables growth $4 kB, MemFree drop $3 kB; last page: $r"
