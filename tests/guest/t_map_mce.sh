# A machine check that reports a poisoned line in a page mapped through
# /dev/pmemN.map (VM_PFNMAP, no struct page) reaches memory_failure() for
# the frame, which finds the mapping through the range the driver
# registered (register_pfn_address_space) and sends SIGBUS with the page's
# address to the process that maps it; the kernel does not panic. Its one
# WARN, set_mce_nospec()'s for a frame outside the direct map (a kernel
# bug, docs/dax.md), is let through for this boot only (its plan line's
# RPMEM_KNOWN_SPLAT, tests/guest/splats.sh) and checked to be that; any
# other splat fails the test. docs/dax.md.
#
# The error is injected by the host (qemu/run.sh RPMEM_MCE=1 forwards the
# RPMEM-MCE-REQUEST line to QEMU's `mce` monitor command): a deferred
# uncorrected DRAM error in bank 4 of CPU 0 (AMD: QEMU's default CPU model
# is AuthenticAMD), the report of a memory scrubber, which the kernel's
# poller logs (check_interval, set to 1 s here) and hands to
# memory_failure() in process context: an "action optional" error, so the
# signal (BUS_MCEERR_AO) goes to processes that asked for early kills
# (PR_MCE_KILL_EARLY); one that did not keeps running. The line becomes a
# bad block of the disk, so a new mapping's load of the page gets SIGBUS.
# After the unbind (which unregisters the range) the same error finds no
# owner ("Ignored").
. /tests/lib.sh
load_driver rpmem
ns=$(ns_of_size 1073741824) || fail "no 1 GiB namespace"
map=$(disk_of $ns).map
start=$(cat /sys/bus/nd/devices/$ns/resource)
grep -qi "^ *0*${start#0x}-.* : $ns\$" /proc/iomem ||
	fail "$ns at $start not claimed in /proc/iomem: $(grep -i "$ns" /proc/iomem)"
grep -q '^vendor_id.*AuthenticAMD' /proc/cpuinfo ||
	fail "the error injected is AMD's deferred error; CPU: $(grep -m1 '^vendor_id' /proc/cpuinfo)"
knob=/sys/devices/system/machinecheck/machinecheck0/check_interval
[ -w $knob ] || fail "no $knob"
echo 1 > $knob

# The page 8 MiB + 20 KiB into the disk; the error names a line inside it.
off=$((8 * 1048576 + 20 * 4096))
phys=$((start + off + 0x1c0))
pfn=$(printf '%#x' $((phys >> 12)))
# VAL | EN | ADDRV | DEFERRED, extended error code 8 (DRAM ECC).
status=0x9400100000080000
request=0
inject() { # physical address
	request=$((request + 1))
	echo "RPMEM-MCE-REQUEST id=$request cpu=0 bank=4 status=$status mcg_status=0 addr=$(printf '%#x' $1) misc=0" > /dev/console
}
# Wait (up to 300 s) until the kernel log has N "Memory failure: PFN:
# recovery action" lines: memory_failure() has ended, its signals are sent.
failures() { dmesg | grep -c "Memory failure: $pfn: recovery action for"; }
await_failures() { # n
	local t=0
	until [ "$(failures)" -ge "$1" ]; do
		t=$((t + 1))
		[ $t -gt 3000 ] && fail "no memory_failure() for $pfn in 300 s: $(dmesg | grep -ai 'mce\|hardware error\|memory failure' | tail -5)"
		sleep 0.1
	done
}

: > /tmp/early
: > /tmp/late
pmem-map await-mce $map $off > /tmp/early 2>&1 &
early=$!
pmem-map await-mce $map $off late > /tmp/late 2>&1 &
late=$!
await_mapped /tmp/early /tmp/late
inject $phys
await_failures 1
dmesg | grep "Memory failure: $pfn:" | sed 's/^/  kernel: /'
check_bystanders $early $late $off $pfn
info "mapping process (early kill): $early_line"
dmesg | grep -q "Memory failure: $pfn: recovery action for non struct page pfn: Recovered" ||
	fail "memory_failure() of $pfn did not recover: $(dmesg | grep "Memory failure: $pfn")"
# The late-kill one got no signal (an action-optional error); the page is a
# bad block of the disk now, so rpmem zapped the mappings: its next load of
# the page faulted, and the fault's bad-block check gave SIGBUS
# (BUS_ADRERR), where the entry inserted before would have loaded the
# poisoned line.
info "mapping process (late kill): no signal; its next load of the page: SIGBUS BUS_ADRERR"
# ACPI NFIT's machine-check handler recorded the line as a bad block of
# the region, which the disk took: a new mapping's load of the page gets
# SIGBUS from the fault (docs/dax.md, bad blocks).
bb=$(cat /sys/block/$(basename "$(disk_of $ns)")/badblocks)
[ "$bb" = "$(((off + 0x1c0) / 512)) 1" ] ||
	fail "disk's badblocks after the error: '$bb' (expected sector $(((off + 0x1c0) / 512)))"
r=$(pmem-map touch $map $((off & ~0x1fffff)) 2M) && rc=0 || rc=$?
[ $rc = 3 ] && [ "$r" = "sigbus at offset $off" ] ||
	fail "a new mapping's load of the page: exit $rc, $r (expected SIGBUS at $off)"
info "disk's badblocks: $bb; a new mapping's load of the page: $r"

# Unbound, the range is unregistered: memory_failure() finds no owner.
unload_drivers
inject $phys
await_failures 2
dmesg | grep "Memory failure: $pfn: recovery action" | tail -1 | grep -q ": Ignored$" ||
	fail "after unbind: $(dmesg | grep "Memory failure: $pfn" | tail -1) (expected Ignored)"
# The one kernel WARN this boot lets through (tests/guest/splats.sh) must
# be set_mce_nospec()'s on a frame outside the direct map, nothing else.
n=$(dmesg | grep -c "WARNING: .* __cpa_process_fault")
[ "$n" = "$(dmesg | grep -A40 "WARNING: .* __cpa_process_fault" | grep -c " set_mce_nospec+")" ] ||
	fail "a __cpa_process_fault WARN not from set_mce_nospec(): $(dmesg | grep -A40 'WARNING: .* __cpa_process_fault' | grep -E 'WARNING|Call Trace|\+0x' | head -20)"
info "set_mce_nospec() WARNs (kernel bug, docs/dax.md): $n"
info "after unbind: $(dmesg | grep "Memory failure: $pfn: recovery action" | tail -1 | sed 's/^\[[^]]*\] //')"
