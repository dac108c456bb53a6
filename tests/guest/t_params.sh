# Module parameters: out-of-range and malformed values refuse the load with
# a message naming them; unknown names are reported by the kernel and
# ignored (kernel policy); nowait=0 loads with BLK_FEAT_NOWAIT off: every
# disk's queue refuses an RWF_NOWAIT write (EOPNOTSUPP), which it takes by
# default.
. /tests/lib.sh
unload_drivers
ko=/lib/modules/$(uname -r)/extra/rpmem.ko
# Kernel messages since the last `mark` (the ring is never cleared, so the
# runner still sees every splat).
marks=0
mark() { marks=$((marks + 1)); echo "t_params mark $marks" > /dev/kmsg; }
since() { dmesg | sed -n "/t_params mark $marks\$/,\$p"; }
refused() { # expected-dmesg-text insmod-args...
	want=$1; shift
	mark
	if insmod "$ko" "$@" 2>/tmp/err; then rmmod rpmem; fail "insmod $* loaded"; fi
	grep -q "Invalid parameters" /tmp/err || fail "insmod $*: '$(cat /tmp/err)', expected EINVAL (kmod: Invalid parameters)"
	since | grep -qF "$want" || fail "insmod $*: no '$want' in dmesg: $(since | tail -3)"
	grep -q "^rpmem " /proc/modules && fail "rpmem loaded after a refused insmod $*"
	ls /dev/pmem* > /dev/null 2>&1 && fail "disks after a refused insmod $*"
	info "insmod $*: refused, '$want'"
}
refused "nowait=2 is out of range (0 or 1)" nowait=2
refused "nowait=4294967295 is out of range" nowait=4294967295
refused "invalid for parameter \`nowait'" nowait=yes
refused "invalid for parameter \`nowait'" nowait=4294967296
mark
check insmod "$ko" bogus_param=1
since | grep -qF "rpmem: unknown parameter 'bogus_param' ignored" || fail "no warning for an unknown parameter"
info "insmod bogus_param=1: loaded, kernel warns 'unknown parameter ... ignored'"
check rmmod rpmem
mark
check insmod "$ko" nowait=0
for ns in $(namespaces); do
	wait_disk "$ns" || fail "no disk for $ns with nowait=0"
	[ "$(nowait_of "$(disk_of "$ns")")" = off ] || fail "nowait=0: $ns's queue takes RWF_NOWAIT writes ($(nowait_of "$(disk_of "$ns")"))"
done
dev=$(disk_of namespace0.0)
check dd if=/dev/zero of="$dev" bs=4096 count=16 oflag=direct status=none
check rmmod rpmem
mark
check insmod "$ko"
for ns in $(namespaces); do
	wait_disk "$ns" || fail "no disk for $ns"
	[ "$(nowait_of "$(disk_of "$ns")")" = on ] || fail "default: $ns's queue refuses RWF_NOWAIT writes ($(nowait_of "$(disk_of "$ns")"))"
done
check rmmod rpmem
info "nowait=0: queues refuse RWF_NOWAIT (EOPNOTSUPP); default: queues take it; both serve I/O"
