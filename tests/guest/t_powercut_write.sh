# Power cut, part 1: write numbered 4 KiB blocks with O_DIRECT|O_SYNC and
# print `RPMEM-ACK n` once block n is acknowledged; the host SIGKILLs QEMU
# in the middle. t_powercut_check.sh verifies every acknowledged block.
# Each write runs in a window of insn-window, for the durability checker
# (scripts/durability.sh) when it runs.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
# Block n: 64 lines of exactly 64 bytes = 4096 bytes.
block() { i=0; while [ $i -lt 64 ]; do printf '%-63s\n' "rpmem-block-$1-$2-line-$i"; i=$((i + 1)); done; }
# RPMEM_POWERCUT_FSYNC=1: buffered writes, each followed by fsync (a
# REQ_PREFLUSH alone makes them durable), instead of O_DIRECT|O_SYNC.
flags="oflag=direct,sync conv=notrunc"
[ "${RPMEM_POWERCUT_FSYNC:-0}" = 1 ] && flags="conv=notrunc,fsync"
w=
command -v insn-window > /dev/null && w=insn-window
n=0
while [ $n -lt 100000 ]; do
	block $n "$1" > /tmp/blk
	$w dd if=/tmp/blk of="$dev" bs=4096 seek=$((n + 1000)) $flags status=none || fail "write $n"
	echo "RPMEM-ACK $n" > /dev/console
	# RPMEM_CUT_AFTER=n: no write after the n-th, so that nothing the
	# driver does later can make up for a flush it skipped.
	[ "$n" = "${RPMEM_CUT_AFTER:-}" ] && sleep 3600
	n=$((n + 1))
done
