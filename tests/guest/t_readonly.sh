# A read-only region gives a read-only disk; writes fail as on nd_pmem.
. /tests/lib.sh
modprobe "$1"
ns=namespace0.0
region=$(readlink -f /sys/bus/nd/devices/$ns/..)
unbind $ns
echo 1 > "$region/read_only" || fail "cannot set $region read-only"
echo $ns > /sys/bus/nd/drivers/$1/bind || fail "bind"
wait_disk $ns || fail "no disk"
dev=$(disk_of $ns)
ro=$(blockdev --getro "$dev")
w=ok; dd if=/dev/zero of="$dev" bs=4096 count=1 oflag=direct status=none 2>/tmp/e || w=$(cut -d: -f3 /tmp/e)
r=ok; dd if="$dev" of=/dev/null bs=4096 count=1 iflag=direct status=none 2>/tmp/e || r=$(cut -d: -f3 /tmp/e)
unbind $ns
echo 0 > "$region/read_only"
info "$1: getro=$ro write:$w read:$r"
[ "$ro" = 1 ] || fail "disk not read-only on a read-only region"
[ "$w" != ok ] || fail "write to a read-only disk succeeded"
[ "$r" = ok ] || fail "read failed"
