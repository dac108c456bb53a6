# A process's own load of a poisoned line through /dev/pmemN.map (a
# VM_PFNMAP mapping, no struct page) raises an action-required machine
# check in user mode; the process gets SIGBUS with si_code BUS_MCEERR_AR
# and si_addr the page's address in its mapping, and the kernel does not
# panic. The #MC handler grades the error "Action required: data load
# error in a user process" and leaves it to kill_me_maybe() (task work,
# before the return to user space): memory_failure(pfn, MF_ACTION_REQUIRED)
# finds the frame in the range rpmem registered (register_pfn_address_space)
# and sends the loading task force_sig_mceerr(BUS_MCEERR_AR, its address).
# Without the registration memory_failure() ignores the frame and
# kill_me_maybe() falls back to a bare SIGBUS (si_code SI_KERNEL, no
# address): "Memory error not recovered". docs/dax.md, machine checks.
#
# Plan line: RPMEM_MCE=1, RPMEM_CPU with vendor GenuineIntel (QEMU offers
# Intel's software error recovery, MCG_CAP.SER_P, not AMD's SUCCOR), and
# RPMEM_KNOWN_SPLAT=set_mce_nospec: memory_failure() of the frame ends in
# set_mce_nospec(), which WARNs on a frame outside the direct map (a kernel
# bug, tests/guest/splats.sh), checked below to be the only splat.
#
# The host aims the machine check (scripts/mce-host.py, load= mode=user):
# it stops the VM, single-stepped, until vCPU 1 is in user mode (CPL 3) at
# an instruction that loads from the page, and injects then, on that load:
# MCi_STATUS VAL|UC|EN|MISCV|ADDRV|S|AR, MCACOD 0x134 (data load), MCi_MISC
# a physical address with a 64-byte line, MCG_STATUS MCIP|EIPV|RIPV,
# broadcast (as t_read_mce's). The loader (pmem-map load-mce) runs on CPU 1
# and loads one line of the page in a two-instruction loop.
#
# Two more processes map the page and wait (pmem-map await-mce, as in
# t_map_mce): one that asked for early kills gets BUS_MCEERR_AO (the error
# is not its own load), one that did not gets nothing, and its next load
# of the page faults (rpmem zapped the mappings when the line became a bad
# block) and gets SIGBUS BUS_ADRERR instead of loading the poisoned line.
. /tests/lib.sh
need_aimed_mce loader
load_driver rpmem
ns=$(ns_of_size 1073741824) || fail "no 1 GiB namespace"
disk=$(disk_of $ns)
name=$(basename $disk)
map=$disk.map
start=$(cat /sys/bus/nd/devices/$ns/resource)
knob=/sys/devices/system/machinecheck/machinecheck0/print_all
[ -w $knob ] || fail "no $knob"
# Print every machine-check record (RIP, ADDR), also those a handler took.
echo 1 > $knob

# The page 8 MiB + 20 KiB into the disk; the loader loads its line at 0x1c0.
off=$((8 * 1048576 + 20 * 4096))
line=0x1c0
page=$((start + off))
pfn=$(printf '%#x' $((page >> 12)))
: > /tmp/load
: > /tmp/early
: > /tmp/late
taskset -c 0 pmem-map await-mce $map $off > /tmp/early 2>&1 &
early=$!
taskset -c 0 pmem-map await-mce $map $off late > /tmp/late 2>&1 &
late=$!
taskset -c 1 pmem-map load-mce $map $((off + line)) > /tmp/load 2>&1 &
loader=$!
await_mapped /tmp/early /tmp/late /tmp/load

status=0xbd80000000000134
echo "RPMEM-MCE-REQUEST id=1 cpu=1 bank=2 status=$status mcg_status=0x7 addr=0 misc=0x86 broadcast=1 load=$(printf '%#x-%#x' $page $((page + 4096))) mode=user" > /dev/console
# The host waits for a landing (up to its own limit of stops); the loader
# ends on the signal.
wait_gone $loader 900 || fail "the loader still runs 900 s after the request: $(cat /tmp/load) (host log: RPMEM_LOG.mce; kernel: $(dmesg | grep -ai 'mce\|hardware error\|memory failure' | tail -5))"
wait $loader && rc=0 || rc=$?
sleep 1
dmesg | grep -a 'Hardware Error\]\|Memory failure: \|user-access\|not recovered' | sed 's/^/  kernel: /'
r=$(tail -1 /tmp/load)
[ $rc = 3 ] && [ "$r" = "sigbus BUS_MCEERR_AR at offset $off lsb 12" ] ||
	fail "the loader: exit $rc, '$(cat /tmp/load)' (expected SIGBUS BUS_MCEERR_AR at offset $off lsb 12)"
info "loader: $r"
# The record: the machine check was taken on the loader's load, in user
# mode, at the line of the page it loads.
rip=$(dmesg | grep -m1 'Hardware Error\]: RIP' | sed 's/.*RIP //')
case $rip in 33:*) ;; *) fail "the machine check was not taken in user mode (CS 0x33): RIP $rip" ;; esac
addr=0x$(dmesg | grep -m1 'Hardware Error\]: TSC' | sed -n 's/.* ADDR \([0-9a-f]*\) .*/\1/p')
[ "$((addr))" = "$((page + line))" ] ||
	fail "machine check address $addr is not the line loaded ($(printf '%#x' $((page + line))))"
dmesg | grep -q "Uncorrected hardware memory error in user-access at ${addr#0x}" ||
	fail "no kill_me_maybe() for $addr: $(dmesg | grep -a 'user-access\|Hardware Error\]: RIP')"
dmesg | grep -q 'Memory error not recovered' &&
	fail "kill_me_maybe(): $(dmesg | grep 'Memory error not recovered')"
dmesg | grep -q "Memory failure: $pfn: Sending SIGBUS to pmem-map:$loader " ||
	fail "no 'Sending SIGBUS to pmem-map:$loader' for $pfn: $(dmesg | grep "Memory failure: $pfn")"
dmesg | grep -q "Memory failure: $pfn: recovery action for non struct page pfn: Recovered" ||
	fail "memory_failure() of $pfn did not recover: $(dmesg | grep "Memory failure: $pfn")"
info "machine check: $(dmesg | grep -m1 'Hardware Error\]: RIP' | sed 's/.*\]: //'), ADDR $addr"
# NFIT's handler made the line a bad block of the disk; rpmem zapped the
# mappings, so a new mapping's load of the page gets SIGBUS from the fault.
sector=$(((off + line) / 512))
await_bad_sector $name $sector
r=$(pmem-map touch $map $((off & ~0x1fffff)) 2M) && rc=0 || rc=$?
[ $rc = 3 ] && [ "$r" = "sigbus at offset $off" ] ||
	fail "a new mapping's load of the page: exit $rc, $r (expected SIGBUS at $off)"
info "disk's badblocks: $sector 1; a new mapping's load of the page: $r"
# The bystanders: the early-kill one got the action-optional signal with
# the page's address; the other none, and its next load faults.
check_bystanders $early $late $off $pfn
info "early-kill process: $early_line; late-kill process: no signal, its next load of the page: SIGBUS BUS_ADRERR"
# The kernel runs on: the disk reads elsewhere, a new process maps and
# loads the next 2 MiB.
dd if=$disk of=/dev/null bs=1M skip=16 count=16 iflag=direct status=none || fail "a read after the machine check"
r=$(pmem-map touch $map $(((off & ~0x1fffff) + 2097152)) 2M) || fail "loads of the next 2 MiB: $r"
# The one kernel WARN this boot lets through (tests/guest/splats.sh) must
# be set_mce_nospec()'s on a frame outside the direct map, nothing else.
n=$(dmesg | grep -c "WARNING: .* __cpa_process_fault")
[ "$n" = "$(dmesg | grep -A40 "WARNING: .* __cpa_process_fault" | grep -c " set_mce_nospec+")" ] ||
	fail "a __cpa_process_fault WARN not from set_mce_nospec(): $(dmesg | grep -A40 'WARNING: .* __cpa_process_fault' | grep -E 'WARNING|Call Trace|\+0x' | head -20)"
info "set_mce_nospec() WARNs (kernel bug, docs/dax.md): $n"
