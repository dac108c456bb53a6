# dd at odd sizes and offsets: 512, 4096, 128k+512, 1M with seek/skip, the
# last sector, and a read at the end of the disk returns nothing.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
sectors=$(( $(blockdev --getsize64 "$dev") / 512 ))
check dd if=/dev/urandom of=/tmp/src bs=1M count=2 status=none
for sz in 512 4096 131584 1048576; do
	for seek in 1 7 4096 $((sectors - sz / 512 - 1)); do
		head -c "$sz" /tmp/src > /tmp/w
		check dd if=/tmp/w of="$dev" bs=512 seek=$seek conv=notrunc status=none
		check dd if="$dev" of=/tmp/r bs=512 skip=$seek count=$((sz / 512)) status=none
		cmp -s /tmp/w /tmp/r || fail "size $sz at sector $seek differs"
		# And through O_DIRECT with a byte-addressed offset.
		check dd if="$dev" of=/tmp/r2 bs=$sz skip=$((seek * 512)) count=1 iflag=direct,skip_bytes status=none
		cmp -s /tmp/w /tmp/r2 || fail "O_DIRECT read of size $sz at sector $seek differs"
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
info "sizes 512/4096/128k+512/1M at 4 offsets, last sector, end of disk: ok"
