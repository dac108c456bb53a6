# dd 64 MiB of random data to the disk, read it back, compare checksums.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
check dd if=/dev/urandom of=/tmp/data bs=1M count=64 status=none
check dd if=/tmp/data of="$dev" bs=1M seek=100 oflag=direct status=none
want=$(sum_file /tmp/data)
got=$(sum_dev "$dev" 100 64)
info "wrote $want"
[ "$got" = "$want" ] || fail "readback $got != $want"
