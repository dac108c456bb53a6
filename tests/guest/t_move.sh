# Moving a namespace between rpmem and nd_pmem (sysfs unbind/bind and
# ndctl disable/enable-namespace) keeps the data.
. /tests/lib.sh
modprobe rpmem; modprobe nd_pmem
ns=namespace0.0
move_to() { unbind $ns; echo $ns > /sys/bus/nd/drivers/$1/bind || fail "bind to $1"; wait_disk $ns || fail "no disk"; }
move_to rpmem
check dd if=/dev/urandom of=/tmp/a bs=1M count=8 status=none
check dd if=/tmp/a of="$(disk_of $ns)" bs=1M seek=5 oflag=direct status=none
move_to nd_pmem
[ "$(sum_dev "$(disk_of $ns)" 5 8)" = "$(sum_file /tmp/a)" ] || fail "rpmem -> nd_pmem changed data"
check dd if=/dev/urandom of=/tmp/b bs=1M count=8 status=none
check dd if=/tmp/b of="$(disk_of $ns)" bs=1M seek=50 oflag=direct status=none
move_to rpmem
[ "$(sum_dev "$(disk_of $ns)" 50 8)" = "$(sum_file /tmp/b)" ] || fail "nd_pmem -> rpmem changed data"
[ "$(sum_dev "$(disk_of $ns)" 5 8)" = "$(sum_file /tmp/a)" ] || fail "old data changed"
# ndctl: disable-namespace unbinds rpmem; enable-namespace binds the driver
# of the namespace's modalias (nd_pmem, which ndctl loads); then back to
# rpmem through sysfs.
check ndctl disable-namespace $ns > /dev/null 2>&1
[ -z "$(bound_to $ns)" ] || fail "still bound to $(bound_to $ns) after ndctl disable-namespace"
check ndctl enable-namespace $ns > /dev/null 2>&1
wait_disk $ns || fail "no disk after ndctl enable-namespace"
info "ndctl enable-namespace bound $(bound_to $ns)"
[ "$(sum_dev "$(disk_of $ns)" 50 8)" = "$(sum_file /tmp/b)" ] || fail "data changed across ndctl disable/enable"
move_to rpmem
[ "$(sum_dev "$(disk_of $ns)" 50 8)" = "$(sum_file /tmp/b)" ] || fail "data changed moving back to rpmem"
info "rpmem -> nd_pmem -> rpmem, ndctl disable/enable: data intact"
