# DRIVER binds every raw namespace; each disk has its namespace's size.
. /tests/lib.sh
D=$1
load_driver "$D"
for ns in $(namespaces); do
	[ "$(bound_to "$ns")" = "$D" ] || fail "$ns bound to '$(bound_to "$ns")', not $D"
	dev=$(disk_of "$ns")
	check_disk_geometry "$ns" "$dev"
done
