# CXL pmem: bind DRIVER, disk size, 16 MiB dd round trip (TCG runs CXL memory at ~15 MB/s).
. /tests/sources.sh
cxl_ns
src_dd "$1" "$NS" 16
