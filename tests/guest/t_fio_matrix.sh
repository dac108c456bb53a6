# fio O_DIRECT with crc32c verify: psync, libaio, io_uring x 512, 4k, 64k,
# 1M x write, randwrite, randrw; 2 jobs on separate regions.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
n=0
for eng in psync libaio io_uring; do
	for bs in 512 4k 64k 1M; do
		for rw in write randwrite randrw; do
			size=4M
			[ "$bs" = 1M ] && size=16M
			fio --name="$eng-$bs-$rw" --filename="$dev" --rw=$rw --bs=$bs \
				--size=$size --offset_increment=64M --numjobs=2 \
				--ioengine=$eng --iodepth=8 $FIO_VERIFY \
				--output=/tmp/fio.out > /dev/null 2>&1
			rc=$?
			if [ $rc != 0 ] || ! grep -q "err= 0" /tmp/fio.out || grep -q "verify:" /tmp/fio.out; then
				cat /tmp/fio.out | tail -20
				fail "fio $eng bs=$bs rw=$rw (rc=$rc)"
			fi
			n=$((n + 1))
		done
	done
done
info "$n verified fio jobs"
