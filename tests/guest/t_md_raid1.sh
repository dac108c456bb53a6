# md RAID1 over two pmem disks (64 MiB of each, metadata 1.2, resynced at
# creation): fio verify, ext4; after stopping the array both members hold
# the same data area.
. /tests/lib.sh
. /tests/stack.sh
trap stack_cleanup EXIT
load_driver "$1"
a=$(disk_of namespace0.0); b=$(disk_of namespace1.0)
md_create "$a" "$b" 64 || fail "mdadm --create RAID1 over $a $b"
[ -b $MD ] || fail "$MD is not a block device"
grep -q '\[UU\]' /proc/mdstat || { cat /proc/mdstat; fail "array not clean after resync"; }
info "$MD = RAID1($a, $b), data offsets $(md_data_offset "$a") / $(md_data_offset "$b") bytes"

fio_verify_at $MD 0 32M
info "fio verify (4k randrw libaio, 1M io_uring)"

ext4_fill $MD
ext4_verify $MD
mdadm --stop $MD > /dev/null 2>&1 || fail "mdadm --stop"
md_legs_equal "$a" "$b" 64 || fail "members differ over the data area"
info "ext4: 7 files, e2fsck clean; stopped: $a and $b equal over 64 MiB of data"
