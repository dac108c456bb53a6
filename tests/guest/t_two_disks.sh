# Two NVDIMMs give two disks; both hold independent data.
. /tests/lib.sh
load_driver "$1"
set -- $(namespaces)
[ $# -ge 2 ] || fail "need 2 namespaces, have: $*"
a=$(disk_of "$1"); b=$(disk_of "$2")
info "$1 -> $a, $2 -> $b"
[ "$a" != "$b" ] || fail "same disk for both"
check dd if=/dev/urandom of=/tmp/a bs=1M count=16 status=none
check dd if=/dev/urandom of=/tmp/b bs=1M count=16 status=none
check dd if=/tmp/a of="$a" bs=1M seek=10 oflag=direct status=none
check dd if=/tmp/b of="$b" bs=1M seek=10 oflag=direct status=none
[ "$(sum_dev "$a" 10 16)" = "$(sum_file /tmp/a)" ] || fail "$a data"
[ "$(sum_dev "$b" 10 16)" = "$(sum_file /tmp/b)" ] || fail "$b data"
fio --name=two --filename="$a:$b" --rw=randwrite --bs=4k --size=16M --ioengine=psync \
	$FIO_VERIFY --output=/tmp/fio.out > /dev/null 2>&1 || { tail /tmp/fio.out; fail "fio on both"; }
