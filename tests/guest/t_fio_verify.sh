# A short fio O_DIRECT job with crc32c verification.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
check fio --name=verify --filename="$dev" --rw=randwrite --bs=4k --size=32M \
	--ioengine=psync $FIO_VERIFY --output=/tmp/fio.out
grep -E "err=|WRITE:" /tmp/fio.out | head -4
grep -q "err= 0" /tmp/fio.out || fail "fio reported errors"
