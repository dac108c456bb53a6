# CXL pmem power cycle, part 1: 8 MiB, their checksum and the namespace uuid in DRIVER's slot.
. /tests/sources.sh
cxl_ns
src_persist_write "$1" "$NS" 8
