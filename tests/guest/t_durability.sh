# The durability workload of `make check-durability` (scripts/durability.sh),
# on DRIVER: every write below that returns acknowledged runs inside a
# window of insn-window (tools/insn-window.c), whose close the host's
# persistence checker (tools/qemu-pmem-check.c) takes as "acknowledged":
# every pmem line stored to in the window must be durable by then.
# Single-threaded, and nothing else writes to the disks meanwhile (no
# periodic writeback, no periodic journal commit, no lazy inode table
# init), so the lines stored in a window are those of its write.
# Prints PMEM-WINDOWS (how many), PMEM-IOMEM (the regions the host
# passed to the checker must be these) and PMEM-KSYM (the driver's text
# symbols, for the host's report).
. /tests/lib.sh
DRIVER=$1
load_driver "$DRIVER"
command -v insn-window > /dev/null || fail "no insn-window in the image"
windows=0
acked() { # command...: run it in a window; it must succeed
	windows=$((windows + 1))
	insn-window "$@" || fail "acknowledged write failed: $*"
}
grep -i 'persistent memory' /proc/iomem | sed 's/^ */PMEM-IOMEM /' > /dev/console
grep -E " [tT] .*\[$DRIVER\]" /proc/kallsyms | sed 's/^/PMEM-KSYM /' > /dev/console
echo 0 > /proc/sys/vm/dirty_writeback_centisecs
echo 360000 > /proc/sys/vm/dirty_expire_centisecs
set -- $(namespaces)
[ $# -ge 2 ] || fail "need two namespaces, have: $*"
A=$(disk_of "$1") B=$(disk_of "$2")
[ -b "$A" ] && [ -b "$B" ] || fail "no block devices for $1, $2"
head -c 1048576 /dev/urandom > /tmp/data

# Raw disk: O_DIRECT|O_DSYNC writes of 512 B to 256 KiB, buffered O_DSYNC,
# buffered writes then fsync / fdatasync.
for bs in 512 4096 65536 262144; do
	acked dd if=/tmp/data of="$A" bs=$bs count=2 seek=7 oflag=direct,dsync conv=notrunc status=none
done
acked dd if=/tmp/data of="$A" bs=4096 count=3 seek=100 oflag=dsync conv=notrunc status=none
acked dd if=/tmp/data of="$A" bs=65536 count=4 seek=30 conv=notrunc,fsync status=none
acked dd if=/tmp/data of="$A" bs=1536 count=5 seek=9 conv=notrunc,fdatasync status=none
[ "$(dd if="$A" bs=65536 skip=30 count=4 iflag=direct status=none | datasum)" = \
  "$(head -c 262144 /tmp/data | datasum)" ] || fail "raw data read back differs"
info "raw: $windows acknowledged writes"

# The pfn copy (rpmem only): rpmemctl copy A -> B, then fsync of B.
if [ "$DRIVER" = rpmem ]; then
	acked sh -c "rpmemctl copy ${A#/dev/}:0 ${B#/dev/}:64 2048 > /dev/null && sync $B"
	[ "$(sum_sectors "${A#/dev/}" 0 2048)" = "$(sum_sectors "${B#/dev/}" 64 2048)" ] || fail "copy differs"
	info "copy: acknowledged"
fi

# ext4 with its journal (jbd2 commits): fsync, fdatasync, O_DSYNC.
check mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$A"
check mount -t ext4 -o commit=3600 "$A" /mnt
for i in 1 2 3; do
	acked dd if=/tmp/data of=/mnt/f$i bs=4096 count=$((i * 8)) conv=fsync status=none
	acked dd if=/tmp/data of=/mnt/f$i bs=4096 count=2 seek=1 conv=notrunc,fdatasync status=none
	acked dd if=/tmp/data of=/mnt/s$i bs=4096 count=3 oflag=dsync status=none
done
# New files and their directory, each fsync'ed (busybox sync FILE...). Not
# syncfs: it ends with a write-back of the block device's cache, journaled
# metadata written in place without a flush (the journal holds it durably),
# which a window would report.
mkdir /mnt/d && for i in 1 2 3 4; do echo "file $i" > /mnt/d/g$i; done
acked sync /mnt/d/g1 /mnt/d/g2 /mnt/d/g3 /mnt/d/g4 /mnt/d
acked dd if=/tmp/data of=/mnt/d/big bs=1M count=1 conv=fsync status=none
check umount /mnt
check mount -t ext4 "$A" /mnt
[ "$(datasum < /mnt/d/big)" = "$(datasum < /tmp/data)" ] || fail "ext4 data read back differs"
check umount /mnt
info "ext4 done"
echo "PMEM-WINDOWS $windows" > /dev/console
info "$windows acknowledged writes in windows"
