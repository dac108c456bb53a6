# virtio-pmem: fio verify, 32 MiB psync and io_uring, on DRIVER.
. /tests/sources.sh
vpmem_ns
src_fio "$1" "$NS" 32
