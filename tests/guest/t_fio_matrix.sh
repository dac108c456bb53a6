# fio O_DIRECT with crc32c verify: psync, libaio, io_uring x 512, 4k, 64k,
# 1M x write, randwrite, randrw; 2 jobs on separate regions. One fio run
# whose job file holds the 36 cases one after the other (stonewall: one
# reporting group each), so fio starts once, not 36 times.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
{
	printf '[global]\nfilename=%s\nnumjobs=2\noffset_increment=64M\niodepth=8\n' "$dev"
	printf 'direct=1\nverify=crc32c\nverify_fatal=1\ndo_verify=1\ngroup_reporting\nstonewall\n'
	for eng in psync libaio io_uring; do
		for bs in 512 4k 64k 1M; do
			for rw in write randwrite randrw; do
				size=4M
				[ "$bs" = 1M ] && size=16M
				printf '[%s-%s-%s]\nioengine=%s\nbs=%s\nrw=%s\nsize=%s\n' \
					$eng $bs $rw $eng $bs $rw $size
			done
		done
	done
} > /tmp/matrix.fio
rc=0
fio /tmp/matrix.fio --output=/tmp/fio.out > /dev/null 2>&1 || rc=$?
n=$(grep -c "err= 0" /tmp/fio.out)
if [ $rc != 0 ] || [ "$n" != 36 ] || grep -q "verify:" /tmp/fio.out; then
	grep -E "err=|verify:" /tmp/fio.out | grep -v "err= 0" | head -20
	fail "fio matrix: rc=$rc, $n of 36 cases without error"
fi
info "$n verified fio cases"
