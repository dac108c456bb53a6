# DRIVER binds every raw namespace; each disk has its namespace's size.
. /tests/lib.sh
D=$1
load_driver "$D"
for ns in $(namespaces); do
	[ "$(bound_to "$ns")" = "$D" ] || fail "$ns bound to '$(bound_to "$ns")', not $D"
	dev=$(disk_of "$ns")
	want=$(size_of_ns "$ns")
	got=$(blockdev --getsize64 "$dev")
	info "$ns -> $dev: $got bytes (namespace $want)"
	[ "$got" = "$want" ] || fail "$dev size $got != namespace size $want"
	[ "$(blockdev --getss "$dev")" = 512 ] || fail "logical block size not 512"
	[ "$(blockdev --getpbsz "$dev")" = 4096 ] || fail "physical block size not 4096"
done
