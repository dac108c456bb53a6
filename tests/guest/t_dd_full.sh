# Full-device random write, then read back the whole device and compare checksums.
. /tests/lib.sh
load_driver "$1"
# The smallest namespace of the boot: every byte of it is written and read.
ns=$(for n in $(namespaces); do echo "$(size_of_ns $n) $n"; done | sort -n | head -1 | cut -d" " -f2)
dev=$(disk_of "$ns")
mib=$(( $(blockdev --getsize64 "$dev") >> 20 ))
check dd if=/dev/urandom of=/tmp/chunk bs=1M count=64 status=none
i=0
while [ $i -lt $((mib / 64)) ]; do
	# Vary each chunk so a misplaced write cannot hide.
	printf '%08d' $i | dd of=/tmp/chunk bs=1 seek=0 conv=notrunc status=none
	check dd if=/tmp/chunk of="$dev" bs=1M seek=$((i * 64)) oflag=direct status=none
	/usr/bin/cksum < /tmp/chunk
	i=$((i + 1))
done | datasum > /tmp/want
got=$(sum_dev "$dev" 0 "$mib")
info "$mib MiB: $(cat /tmp/want)"
[ "$got" = "$(cat /tmp/want)" ] || fail "device checksum $got != written $(cat /tmp/want)"
