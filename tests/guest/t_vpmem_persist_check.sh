# virtio-pmem power cycle, part 2: the next boot reads DRIVER's slot back intact.
. /tests/sources.sh
vpmem_ns
src_persist_check "$1" "$NS" 32
