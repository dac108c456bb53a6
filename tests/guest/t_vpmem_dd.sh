# virtio-pmem: bind DRIVER, disk size, 64 MiB dd round trip.
. /tests/sources.sh
vpmem_ns
src_dd "$1" "$NS" 64
