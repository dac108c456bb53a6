# Power cut, part 2: every block acknowledged before the kill is intact.
# Reads them with one O_DIRECT dd and compares with the blocks regenerated
# (awk prints them as t_powercut_write.sh's block() does).
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
[ -b "$dev" ] || fail "no disk for namespace0.0"
last=${RPMEM_ACKED:?host did not pass RPMEM_ACKED}
# Block n: 64 lines of exactly 64 bytes = 4096 bytes.
awk -v last="$last" -v d="$1" 'BEGIN {
	for (n = 0; n <= last; n++)
		for (i = 0; i < 64; i++)
			printf "%-63s\n", "rpmem-block-" n "-" d "-line-" i
}' > /tmp/want
[ "$(stat -c %s /tmp/want)" = $(((last + 1) * 4096)) ] || fail "regenerated blocks have the wrong size"
check dd if="$dev" of=/tmp/got bs=4096 skip=1000 count=$((last + 1)) iflag=direct status=none
if ! cmp -s /tmp/want /tmp/got; then
	at=$(cmp /tmp/want /tmp/got 2>/dev/null | grep -oE '(byte|char) [0-9]+' | grep -oE '[0-9]+')
	fail "acknowledged block $(( (${at:-1} - 1) / 4096 )) lost or corrupt"
fi
info "all $((last + 1)) acknowledged blocks intact"
