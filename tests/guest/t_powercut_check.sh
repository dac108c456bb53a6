# Power cut, part 2: every block acknowledged before the kill is intact.
. /tests/lib.sh
load_driver "$1"
dev=$(disk_of namespace0.0)
last=${RPMEM_ACKED:?host did not pass RPMEM_ACKED}
# Block n: 64 lines of exactly 64 bytes = 4096 bytes.
block() { i=0; while [ $i -lt 64 ]; do printf '%-63s\n' "rpmem-block-$1-$2-line-$i"; i=$((i + 1)); done; }
n=0
while [ $n -le "$last" ]; do
	block $n "$1" > /tmp/want
	dd if="$dev" of=/tmp/got bs=4096 skip=$((n + 1000)) count=1 iflag=direct status=none
	cmp -s /tmp/want /tmp/got || fail "acknowledged block $n lost or corrupt"
	n=$((n + 1))
done
info "all $((last + 1)) acknowledged blocks intact"
