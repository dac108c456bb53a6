# virtio-pmem: the namespace moves rpmem -> nd_pmem -> rpmem with its data.
. /tests/sources.sh
vpmem_ns
src_move "$NS" 16
