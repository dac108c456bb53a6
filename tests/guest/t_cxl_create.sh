# CXL pmem, first boot on fresh backing files: no nd region until
# `cxl create-region` makes one from the memdev's persistent capacity; it
# holds only its idle seed namespace until `ndctl create-namespace -m raw`
# writes labels for a raw namespace of the whole region.
. /tests/sources.sh
[ -z "$(regions_of CXL)" ] || fail "a CXL nd region exists before cxl create-region"
cxl list -M > /tmp/cxl.json 2>&1 || { cat /tmp/cxl.json; fail "cxl list -M"; }
grep -q '"memdev":"mem0"' /tmp/cxl.json || { cat /tmp/cxl.json; fail "no CXL memdev mem0"; }
grep -q '"pmem_size":[1-9]' /tmp/cxl.json || { cat /tmp/cxl.json; fail "mem0 has no persistent capacity"; }
cxl_region
size=$(cat /sys/bus/nd/devices/$CXL_REGION/size)
pd=$(cat /sys/bus/nd/devices/$CXL_REGION/persistence_domain)
info "cxl create-region -> nd $CXL_REGION: $size bytes, persistence_domain $pd"
[ "$size" -gt 0 ] || fail "$CXL_REGION has size 0"
[ "$pd" = memory_controller ] || fail "$CXL_REGION persistence_domain '$pd', not memory_controller"
[ -z "$(ns_of_region "$CXL_REGION")" ] || fail "fresh $CXL_REGION already has a namespace with a size"
ndctl create-namespace -m raw -r "$CXL_REGION" > /tmp/ns.json 2>&1 || { cat /tmp/ns.json; fail "ndctl create-namespace"; }
cxl_ns
info "ndctl create-namespace -m raw -> $NS: $(size_of_ns "$NS") bytes, uuid $(uuid_of "$NS")"
[ "$(size_of_ns "$NS")" = "$size" ] || fail "$NS is not the whole region"
[ "$(uuid_of "$NS")" != none ] || fail "$NS has no uuid (not labelled)"
[ -n "$(ns_of_region "$CXL_REGION" seed)" ] || fail "no new seed namespace in $CXL_REGION"
