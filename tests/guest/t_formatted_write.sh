# Formatted namespace, boot 1 of 2 (labelled NVDIMM, label-size 128K):
# initialise the labels, make a 256 MiB BTT (sector mode) namespace and
# write 32 MiB of random data through its disk, with the data's checksum in
# the sector after it. t_formatted_check.sh boots again on the same files.
. /tests/lib.sh
modprobe nd_pmem || fail "modprobe nd_pmem"
check ndctl disable-region all
check ndctl init-labels -f all
check ndctl enable-region all
ndctl create-namespace -m sector -r region0 -s 256M > /tmp/nd.out 2>&1 || { cat /tmp/nd.out; fail "ndctl create-namespace -m sector"; }
bdev=/dev/$(grep -o '"blockdev":"[^"]*"' /tmp/nd.out | cut -d'"' -f4)
[ -b "$bdev" ] || { cat /tmp/nd.out; fail "no BTT disk ($bdev)"; }
info "BTT namespace: $(grep -o '"dev":"[^"]*"' /tmp/nd.out | head -1), disk $bdev, $(grep -o '"sector_size":[0-9]*' /tmp/nd.out)"
check dd if=/dev/urandom of=/tmp/data bs=1M count=32 status=none
check dd if=/tmp/data of="$bdev" bs=1M oflag=direct status=none
sum_file /tmp/data > /tmp/sum
check dd if=/tmp/sum of="$bdev" bs=4096 seek=8192 count=1 conv=sync oflag=direct status=none
[ "$(sum_dev "$bdev" 0 32)" = "$(cat /tmp/sum)" ] || fail "BTT readback differs"
sync
info "wrote 32 MiB through $bdev, checksum $(cat /tmp/sum)"
