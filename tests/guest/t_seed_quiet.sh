# Idle seed namespaces (size 0; every labelled region has one, the CXL
# region too) are passed over quietly by DRIVER, as nd_pmem does: loading
# the driver, binding the data namespace and probing the seed leave no
# error or warning about the seed in the kernel log, and the seed no disk.
. /tests/sources.sh
D=$1
cxl_ns
dmesg -c > /dev/null
bind_ns "$D" "$NS"
seeds=$(ns_of_region "$CXL_REGION" seed)
[ -n "$seeds" ] || fail "no seed namespace in $CXL_REGION"
for s in $seeds; do
	# Probe the seed against every driver of the bus, as a hotplug would.
	echo "$s" > /sys/bus/nd/drivers_probe 2>/dev/null
	disk_of "$s" > /dev/null && fail "seed $s got a disk ($(disk_of "$s"))"
done
dmesg -r > /tmp/kmsg
for s in $seeds; do
	# Levels 0-4 (emerg .. warning), or any line calling it an error.
	if grep -E "^<[0-4]>" /tmp/kmsg | grep -F "$s" > /tmp/bad ||
	   grep -F "$s" /tmp/kmsg | grep -iE "not usable|error|fail|not served" >> /tmp/bad; then
		cat /tmp/bad
		fail "kernel log complains about idle seed $s"
	fi
done
info "$D on $NS ($DEV); seeds $(echo $seeds) passed over quietly"
