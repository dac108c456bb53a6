# Power cut on ext4, part 2: after the journal's replay, every file
# acknowledged before the kill (t_powercut_ext4_write.sh) is intact and
# e2fsck finds the file system clean.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
[ -b "$dev" ] || fail "no disk for namespace0.0"
last=${RPMEM_ACKED:?host did not pass RPMEM_ACKED}
check mount -t ext4 "$dev" /mnt
n=0
while [ $n -le "$last" ]; do
	awk -v n=$n -v d="$1" 'BEGIN { for (i = 0; i < 128; i++) printf "%-63s\n", "rpmem-file-" n "-" d "-line-" i }' > /tmp/want
	[ -f /mnt/f$n ] || fail "acknowledged file $n lost"
	cmp -s /tmp/want /mnt/f$n || fail "acknowledged file $n corrupt"
	n=$((n + 1))
done
check umount /mnt
e2fsck -fn "$dev" > /tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; fail "e2fsck after the power cut"; }
info "all $((last + 1)) acknowledged files intact, e2fsck clean"
