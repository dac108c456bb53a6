# Power cut after a pfn copy, part 2: the copy that was acknowledged
# (t_powercut_copy_write.sh) is on the second disk.
. /tests/lib.sh
load_driver "$1"
set -- $(namespaces)
B=$(disk_of "$2")
[ -b "$B" ] || fail "no block device for $2"
awk 'BEGIN { for (i = 0; i < 16384; i++) printf "%-63s\n", "rpmem-copy-line-" i }' > /tmp/want
check dd if="$B" of=/tmp/got bs=1M count=1 iflag=direct status=none
if ! cmp -s /tmp/want /tmp/got; then
	at=$(cmp /tmp/want /tmp/got 2>/dev/null | grep -oE '(byte|char) [0-9]+' | grep -oE '[0-9]+')
	fail "acknowledged copy lost or corrupt from byte ${at:-?}"
fi
info "the acknowledged 1 MiB copy is intact"
