# virtio-pmem: ext4 on DRIVER (mkfs, files, e2fsck, remount, checksums).
. /tests/sources.sh
vpmem_ns
src_ext4 "$1" "$NS" 64
