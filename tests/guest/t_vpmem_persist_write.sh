# virtio-pmem power cycle, part 1: 32 MiB and their checksum in DRIVER's slot.
. /tests/sources.sh
vpmem_ns
src_persist_write "$1" "$NS" 32
