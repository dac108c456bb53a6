# dd at odd sizes and offsets: 512, 4096, 128k+512, 1M at four sector
# offsets, through the page cache and with O_DIRECT, the last sector, and
# a read at the end of the disk returns nothing. Every read-back reaches
# the driver: buffered writes are fsynced and the page cache dropped
# (BLKFLSBUF) before reading, and the disk's sector counters (I/O
# statistics, off by default on pmem disks: switched on) must grow.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
[ -b "$dev" ] || fail "no disk for namespace0.0"
stat_file=/sys/block/$(basename "$dev")/stat
echo 1 > /sys/block/$(basename "$dev")/queue/iostats || fail "cannot enable I/O statistics"
sectors=$(( $(blockdev --getsize64 "$dev") / 512 ))
check dd if=/dev/urandom of=/tmp/src bs=1M count=4 status=none
rd_sectors() { awk '{ print $3 }' "$stat_file"; }
wr_sectors() { awk '{ print $7 }' "$stat_file"; }
# Drop the disk's page cache, read SZ bytes at sector SEEK buffered into
# /tmp/r and check the driver served at least that many sectors.
read_driver() { # sz seek
	check blockdev --flushbufs "$dev"
	before=$(rd_sectors)
	check dd if="$dev" of=/tmp/r bs=512 skip=$2 count=$(($1 / 512)) status=none
	[ $(($(rd_sectors) - before)) -ge $(($1 / 512)) ] || fail "buffered read of $1 at $2 did not reach the driver"
}
for sz in 512 4096 131584 1048576; do
	for seek in 1 7 4096 $((sectors - sz / 512 - 1)); do
		# Buffered write, fsynced: the driver must have seen it.
		head -c "$sz" /tmp/src > /tmp/w
		before=$(wr_sectors)
		check dd if=/tmp/w of="$dev" bs=512 seek=$seek conv=notrunc,fsync status=none
		[ $(($(wr_sectors) - before)) -ge $((sz / 512)) ] || fail "buffered write of $sz at $seek did not reach the driver"
		read_driver "$sz" "$seek"
		cmp -s /tmp/w /tmp/r || fail "buffered write/read of size $sz at sector $seek differs"
		check dd if="$dev" of=/tmp/r2 bs=$sz skip=$((seek * 512)) count=1 iflag=direct,skip_bytes status=none
		cmp -s /tmp/w /tmp/r2 || fail "O_DIRECT read of size $sz at sector $seek differs"
		# O_DIRECT write of other data at a byte-addressed offset.
		tail -c "$sz" /tmp/src > /tmp/w
		check dd if=/tmp/w of="$dev" bs=$sz seek=$((seek * 512)) count=1 oflag=direct,seek_bytes conv=notrunc status=none
		check dd if="$dev" of=/tmp/r2 bs=$sz skip=$((seek * 512)) count=1 iflag=direct,skip_bytes status=none
		cmp -s /tmp/w /tmp/r2 || fail "O_DIRECT write/read of size $sz at sector $seek differs"
		read_driver "$sz" "$seek"
		cmp -s /tmp/w /tmp/r || fail "O_DIRECT write, buffered read of size $sz at sector $seek differs"
	done
done
# The last sector.
head -c 512 /tmp/src > /tmp/w
check dd if=/tmp/w of="$dev" bs=512 seek=$((sectors - 1)) oflag=direct status=none
check dd if="$dev" of=/tmp/r bs=512 skip=$((sectors - 1)) count=1 iflag=direct status=none
cmp -s /tmp/w /tmp/r || fail "last sector differs"
# Reading at the end returns nothing; writing there fails with ENOSPC.
n=$(dd if="$dev" bs=512 skip=$sectors count=1 status=none | wc -c)
[ "$n" = 0 ] || fail "read at end returned $n bytes"
if dd if=/tmp/w of="$dev" bs=512 seek=$sectors count=1 oflag=direct status=none 2>/tmp/err; then
	fail "write past the end succeeded"
fi
grep -q "No space left" /tmp/err || fail "write past the end: $(cat /tmp/err)"
info "sizes 512/4096/128k+512/1M at 4 offsets (buffered and O_DIRECT), last sector, end of disk: ok"
