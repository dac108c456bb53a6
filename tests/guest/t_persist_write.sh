# Power cycle, part 1: write random data and its checksum to the disk; the
# host then powers the VM off and boots again (t_persist_check.sh).
. /tests/lib.sh
D=$1
load_driver "$D"
dev=$(disk_of namespace0.0)
# Each driver gets its own slot so both can be checked after one reboot.
case $D in rpmem) at=100 ;; *) at=200 ;; esac
check dd if=/dev/urandom of=/tmp/data bs=1M count=32 status=none
check dd if=/tmp/data of="$dev" bs=1M seek=$at oflag=direct status=none
sum_file /tmp/data > /tmp/sum
check dd if=/tmp/sum of="$dev" bs=512 seek=$(( (at + 32) * 2048 )) count=1 conv=sync oflag=direct status=none
sync
info "slot $at MiB: $(cat /tmp/sum)"
