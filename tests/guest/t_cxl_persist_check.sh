# CXL pmem power cycle, part 2: after cxl_labels, DRIVER reads its slot back; same uuid.
. /tests/sources.sh
cxl_ns
src_persist_check "$1" "$NS" 8
