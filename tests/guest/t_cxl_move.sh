# CXL pmem: the namespace moves rpmem -> nd_pmem -> rpmem with its data.
. /tests/sources.sh
cxl_ns
src_move "$NS" 4
