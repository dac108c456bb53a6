# Power cut on ext4, part 1: a fresh ext4 on namespace0.0, then numbered
# 8 KiB files, each written and fsync'ed (in a window of insn-window, for
# the durability checker when it runs), then `RPMEM-ACK n` is printed; the
# host SIGKILLs QEMU in the middle. t_powercut_ext4_check.sh verifies
# every acknowledged file after the journal's replay.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
[ -b "$dev" ] || fail "no disk for namespace0.0"
check mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$dev"
check mount -t ext4 "$dev" /mnt
w=
command -v insn-window > /dev/null && w=insn-window
# File n: 128 lines of exactly 64 bytes = 8192 bytes.
file() { i=0; while [ $i -lt 128 ]; do printf '%-63s\n' "rpmem-file-$1-$2-line-$i"; i=$((i + 1)); done; }
n=0
while [ $n -lt 100000 ]; do
	file $n "$1" > /tmp/f
	$w dd if=/tmp/f of=/mnt/f$n bs=8192 conv=fsync status=none || fail "write $n"
	echo "RPMEM-ACK $n" > /dev/console
	# RPMEM_CUT_AFTER=n: no write after the n-th, so that nothing the
	# driver does later can make up for a flush it skipped.
	[ "$n" = "${RPMEM_CUT_AFTER:-}" ] && sleep 3600
	n=$((n + 1))
done
