# After loading, using and unloading rpmem, kmemleak finds nothing.
. /tests/lib.sh
[ -e /sys/kernel/debug/kmemleak ] || fail "kmemleak not available (debug kernel only)"
load_driver rpmem
dev=$(disk_of namespace0.0)
check dd if=/dev/urandom of="$dev" bs=1M count=8 oflag=direct status=none
rpmemctl bench-kmap 8 1000 > /dev/null || fail "bench-kmap"
unload_drivers
echo clear > /sys/kernel/debug/kmemleak
load_driver rpmem
check dd if="$dev" of=/dev/null bs=1M count=8 iflag=direct status=none
unload_drivers
for i in 1 2 3; do echo scan > /sys/kernel/debug/kmemleak; sleep 2; done
leaks=$(cat /sys/kernel/debug/kmemleak)
[ -z "$leaks" ] || { echo "$leaks" | head -40; fail "kmemleak reports leaks"; }
info "kmemleak: no leaks after load/use/unload"
