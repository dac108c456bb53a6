# Data survives unloading and reloading the driver module.
. /tests/lib.sh
D=$1
load_driver "$D"
dev=$(disk_of namespace0.0)
check dd if=/dev/urandom of=/tmp/data bs=1M count=16 status=none
check dd if=/tmp/data of="$dev" bs=1M seek=20 oflag=direct status=none
unload_drivers
grep -q "^$D " /proc/modules && fail "$D still loaded"
load_driver "$D"
dev=$(disk_of namespace0.0)
[ "$(sum_dev "$dev" 20 16)" = "$(sum_file /tmp/data)" ] || fail "data changed across rmmod/modprobe"
