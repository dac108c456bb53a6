# After loading, using and unloading rpmem, kmemleak finds nothing: three
# explicit scans, then /sys/kernel/debug/kmemleak must list no object. The
# list is never cleared, so whatever an automatic scan found earlier in the
# boot is listed too (the debug boots pass kmemleak.verbose=1: every
# automatic find is also printed on the console as "unreferenced object",
# a splat that fails the test running at the time and the boot).
. /tests/lib.sh
[ -e /sys/kernel/debug/kmemleak ] || fail "kmemleak not available (debug kernel only)"
[ "$(cat /sys/module/kmemleak/parameters/verbose 2>/dev/null)" = Y ] ||
	fail "kmemleak.verbose is not set: automatic scans would not report on the console"
load_driver rpmem
modprobe rpmem_bench || fail "modprobe rpmem_bench"
dev=$(disk_of namespace0.0)
check dd if=/dev/urandom of="$dev" bs=1M count=8 oflag=direct status=none
rpmemctl bench-kmap 8 1000 > /dev/null || fail "bench-kmap"
rmmod rpmem_bench || fail "rmmod rpmem_bench"
unload_drivers
load_driver rpmem
check dd if="$dev" of=/dev/null bs=1M count=8 iflag=direct status=none
unload_drivers
for i in 1 2 3; do echo scan > /sys/kernel/debug/kmemleak; sleep 2; done
leaks=$(cat /sys/kernel/debug/kmemleak)
[ -z "$leaks" ] || { echo "$leaks" | head -40; fail "kmemleak reports leaks"; }
info "kmemleak: no leaks after load/use/unload"
