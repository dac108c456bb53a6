# `ndctl list -N` names the namespace's block device.
. /tests/lib.sh
load_driver "$1"
out=$(ndctl list -N 2>&1)
echo "$out" | head -20
for ns in $(namespaces); do
	dev=$(basename "$(disk_of "$ns")")
	echo "$out" | grep -q "\"blockdev\":\"$dev\"" || fail "ndctl list -N does not show blockdev $dev"
done
