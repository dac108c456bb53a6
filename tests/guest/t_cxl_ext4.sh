# CXL pmem: ext4 on DRIVER (mkfs, files, e2fsck, remount, checksums).
. /tests/sources.sh
cxl_ns
src_ext4 "$1" "$NS" 8
