# Power cut, part 2: every block acknowledged before the kill is intact.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
last=${RPMEM_ACKED:?host did not pass RPMEM_ACKED}
block() { i=0; while [ $i -lt 64 ]; do printf 'rpmem-block-%08d-%s-padding-to-sixty-four-byte\n' "$1" "$2" | head -c 64; i=$((i + 1)); done; }
n=0
while [ $n -le "$last" ]; do
	block $n "$1" > /tmp/want
	dd if="$dev" of=/tmp/got bs=4096 skip=$((n + 1000)) count=1 iflag=direct status=none
	cmp -s /tmp/want /tmp/got || fail "acknowledged block $n lost or corrupt"
	n=$((n + 1))
done
info "all $((last + 1)) acknowledged blocks intact"
