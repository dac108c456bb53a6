# CXL pmem: fio verify, 8 MiB psync and io_uring, on DRIVER.
. /tests/sources.sh
cxl_ns
src_fio "$1" "$NS" 8
