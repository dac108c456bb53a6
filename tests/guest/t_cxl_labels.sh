# CXL pmem, next boot on the same backing files: the region is gone with the
# decoders until `cxl create-region` again; then the raw namespace comes
# back from the labels (same size and mode) without ndctl create-namespace.
. /tests/sources.sh
[ -z "$(regions_of CXL)" ] || fail "a CXL nd region exists before cxl create-region"
cxl_region
wait_for 50 ns_of_region "$CXL_REGION" || fail "no namespace came back from the labels of $CXL_REGION"
NS=$(ns_of_region "$CXL_REGION" | head -1)
info "$CXL_REGION re-created: $NS from labels, $(size_of_ns "$NS") bytes, uuid $(uuid_of "$NS")"
[ "$(size_of_ns "$NS")" = "$(cat /sys/bus/nd/devices/$CXL_REGION/size)" ] || fail "$NS is not the whole region"
ndctl list -N -i -n "$NS" > /tmp/ns.json
grep -q '"mode":"raw"' /tmp/ns.json || { cat /tmp/ns.json; fail "$NS is not raw"; }
