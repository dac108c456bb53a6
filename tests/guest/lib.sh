# shellcheck shell=sh
# Helpers for guest tests. A test is /tests/t_NAME.sh [DRIVER]; it exits 0 on
# success and prints why it failed otherwise (see fail/check below).

# Kernel log lines that fail the current test (SPLAT_RE, splat_lines).
. /tests/splats.sh

# Debian's busybox shell runs its own applets before PATH; use the real
# tools where their behaviour matters.
dd() { /bin/dd "$@"; }
blockdev() { /sbin/blockdev "$@"; }
sha256sum() { /usr/bin/sha256sum "$@"; }
cmp() { /usr/bin/cmp "$@"; }
stat() { /usr/bin/stat "$@"; }
blkdiscard() { /sbin/blkdiscard "$@"; }
mountpoint() { [ "$1" = -q ] && shift; grep -q " $1 " /proc/mounts; }
# busybox's in-process insmod/timeout applets fork copies of the running
# shell and hang on repeated use: use kmod and coreutils.
insmod() { /sbin/insmod "$@"; }
rmmod() { /sbin/rmmod "$@"; }
modprobe() { /sbin/modprobe "$@"; }
# busybox's modinfo applet shows one parm= field of a module, not all.
modinfo() { /sbin/modinfo "$@"; }
timeout() { /usr/bin/timeout "$@"; }

fail() { echo "FAIL: $*"; exit 1; }
check() { "$@" || fail "command failed: $*"; }
info() { echo "  $*"; }

# Raw namespaces on the nd bus, e.g. "namespace0.0 namespace1.0".
namespaces() {
	for d in /sys/bus/nd/devices/namespace*; do
		[ -e "$d" ] && basename "$d"
	done | sort
}

# Driver a namespace is bound to, or empty.
bound_to() {
	[ -e "/sys/bus/nd/devices/$1/driver" ] && basename "$(readlink "/sys/bus/nd/devices/$1/driver")"
}

unbind() { # namespace
	local d
	d=$(bound_to "$1")
	[ -n "$d" ] && echo "$1" > "/sys/bus/nd/drivers/$d/unbind"
	true
}

# Block device served for a namespace, e.g. /dev/pmem0.
disk_of() {
	local b
	for b in /sys/bus/nd/devices/$1/block/*; do
		[ -e "$b" ] && { echo "/dev/$(basename "$b")"; return 0; }
	done
	return 1
}

wait_disk() { # namespace
	local tries=0 d
	while ! disk_of "$1" > /dev/null; do
		tries=$((tries + 1))
		[ $tries -gt 50 ] && return 1
		sleep 0.1
	done
	d=$(disk_of "$1")
	while [ ! -b "$d" ]; do
		tries=$((tries + 1))
		[ $tries -gt 100 ] && return 1
		sleep 0.1
	done
}

# Load DRIVER (rpmem or nd_pmem) and bind every raw namespace to it.
load_driver() {
	local ns
	modprobe "$1" || fail "modprobe $1"
	for ns in $(namespaces); do
		[ "$(bound_to "$ns")" = "$1" ] && continue
		unbind "$ns"
		echo "$ns" > "/sys/bus/nd/drivers/$1/bind" || fail "bind $ns to $1"
	done
	for ns in $(namespaces); do
		wait_disk "$ns" || fail "no disk for $ns after binding to $1"
	done
}

unload_drivers() {
	local ns m
	for ns in $(namespaces); do unbind "$ns"; done
	for m in rpmem_bench rpmem nd_pmem brd null_blk; do
		grep -q "^$m " /proc/modules && rmmod "$m"
	done
	true
}

# Data checks compare checksums: cksum's CRC-32 and byte count, five times
# faster than sha256sum under TCG (64 MiB: 0.5 s against 2.5 s). The suite
# looks for lost, stale or misplaced data, not for an adversary.
datasum() { /usr/bin/cksum | cut -d' ' -f1,2 | tr ' ' :; }

# Checksum of COUNT MiB of a file or device from SKIP MiB on, taken in
# 64 MiB pieces: each piece is copied to tmpfs and summed there, then the
# list of sums is summed (hashing from a pipe is several times slower under
# TCG). IFLAG: dd input flags (direct for a device).
sum_pieces() { # path skip_mib count_mib [iflag]
	local at=$2 end=$(($2 + $3)) n piece
	piece=$(mktemp)
	while [ "$at" -lt "$end" ]; do
		n=$((end - at))
		[ $n -gt 64 ] && n=64
		dd if="$1" of="$piece" bs=1M skip="$at" count=$n ${4:+iflag=$4} status=none || echo "unreadable $1 at $at MiB"
		[ -s "$piece" ] || break
		/usr/bin/cksum < "$piece"
		at=$((at + n))
	done | datasum
	rm -f "$piece"
}

# Checksum of COUNT MiB of a device starting SKIP MiB in.
sum_dev() { sum_pieces "$1" "$2" "$3" direct; } # dev skip_mib count_mib

# Checksum of a whole file, comparable with sum_dev of the same data.
sum_file() { sum_pieces "$1" 0 $((($(stat -c %s "$1") + 1048575) >> 20)); }

# Checksum of NR 512-byte sectors of disk NAME (pmem0) from sector START.
sum_sectors() { # name start nr
	dd if="/dev/$1" bs=1M skip=$(($2 * 512)) count=$(($3 * 512)) \
		iflag=direct,skip_bytes,count_bytes status=none | datasum
}

# Two rpmem disks of one size for a copy: the first two namespaces (in
# name order) that share a size, or with `smallest` the two of the
# smallest size that two share; A, B their disks, NS_A, NS_B their
# namespaces, size_a their size.
pick_disk_pair() { # [smallest]
	local ns size
	A= B= NS_A= NS_B= size_a=
	for ns in $(namespaces); do echo "$(size_of_ns "$ns") $ns"; done > /tmp/ns-sizes
	if [ "${1:-}" = smallest ]; then sort -n -k1,1 /tmp/ns-sizes; else cat /tmp/ns-sizes; fi > /tmp/ns-order
	while read -r size ns; do
		[ -n "$NS_B" ] && break
		if grep -q "^$size " /tmp/ns-seen 2>/dev/null; then
			NS_A=$(grep "^$size " /tmp/ns-seen | head -1 | cut -d' ' -f2) NS_B=$ns size_a=$size
		fi
		echo "$size $ns" >> /tmp/ns-seen
	done < /tmp/ns-order
	rm -f /tmp/ns-seen
	[ -n "$NS_B" ] || fail "need two rpmem disks of one size ($(tr '\n' ' ' < /tmp/ns-sizes))"
	A=$(basename "$(disk_of "$NS_A")") B=$(basename "$(disk_of "$NS_B")")
	[ -b "/dev/$A" ] && [ -b "/dev/$B" ] || fail "/dev/$A or /dev/$B is not a block device"
}

# The copy tests' disks: A and B as pick_disk_pair chooses them, and C, one
# of another size; NS_C its namespace.
pick_copy_disks() { # [smallest]
	pick_disk_pair "$@"
	C= NS_C=
	for ns in $(namespaces); do
		[ "$(size_of_ns "$ns")" != "$size_a" ] || continue
		C=$(basename "$(disk_of "$ns")") NS_C=$ns
		break
	done
	[ -n "$C" ] && [ -b "/dev/$C" ] || fail "need an rpmem disk of another size than $A (C=$C)"
}

size_of_ns() { cat "/sys/bus/nd/devices/$1/size"; }

# The first namespace of BYTES bytes; false if there is none.
ns_of_size() { # bytes
	local n
	for n in $(namespaces); do
		[ "$(size_of_ns "$n")" = "$1" ] && { echo "$n"; return; }
	done
	return 1
}

# Map SIZE bytes of map device MAP in a background `pmem-map hold` (its
# output in /tmp/hold.out, its pid in $hold_pid) and wait until it has
# mapped them.
map_hold() { # map size [seed: a writable mapping, see tools/pmem-map.c]
	local n=0
	rm -f /tmp/hold.out
	# shellcheck disable=SC2086 # ${3:-}: empty or one word
	pmem-map hold "$1" "$2" ${3:-} > /tmp/hold.out 2>&1 &
	hold_pid=$!
	until grep -q '^mapped$' /tmp/hold.out; do
		[ -e /proc/$hold_pid ] || fail "pmem-map hold ended: $(cat /tmp/hold.out)"
		n=$((n + 1)); [ $n -gt 3000 ] && fail "pmem-map hold did not map in 300 s"
		sleep 0.1
	done
}

# Wait (up to 300 s) until each background pmem-map whose output goes to
# FILE has printed "mapped".
await_mapped() { # file...
	local f n
	for f in "$@"; do
		n=0
		until grep -q '^mapped$' "$f"; do
			n=$((n + 1)); [ $n -gt 3000 ] && fail "pmem-map ($f) did not map in 300 s: $(cat "$f")"
			sleep 0.1
		done
	done
}

# The bystanders of a machine check on the mapped page at disk offset OFF
# (frame PFN): the `pmem-map await-mce` processes EARLY (output in
# /tmp/early; it asked for early kills) and LATE (/tmp/late; the system's
# policy). The early one gets SIGBUS BUS_MCEERR_AO with the page's address,
# as the kernel log says; the late one gets none, and its next load of the
# page gets SIGBUS BUS_ADRERR from the fault's bad-block check, the entry
# inserted before having been zapped. Sets early_line to the early one's
# last line.
check_bystanders() { # early late off pfn
	local rc
	wait_gone $1 60 || fail "no SIGBUS for the early-kill process after memory_failure(): $(cat /tmp/early)"
	wait $1 && rc=0 || rc=$?
	[ $rc = 3 ] || fail "early-kill process: exit $rc, $(cat /tmp/early) (expected SIGBUS, exit 3)"
	early_line=$(tail -1 /tmp/early)
	[ "$early_line" = "sigbus BUS_MCEERR_AO at offset $3 lsb 12" ] ||
		fail "early-kill process: $early_line (expected sigbus BUS_MCEERR_AO at offset $3 lsb 12)"
	dmesg | grep -q "Memory failure: $4: Sending SIGBUS to pmem-map:$1 " ||
		fail "no 'Sending SIGBUS to pmem-map:$1' for $4 in the kernel log"
	[ -e /proc/$2 ] || fail "the late-kill process ended: $(cat /tmp/late)"
	kill -USR1 $2
	wait $2 && rc=0 || rc=$?
	[ $rc = 3 ] && [ "$(cat /tmp/late)" = "$(printf 'mapped\nno signal\nsigbus BUS_ADRERR at offset %s lsb 0' $3)" ] ||
		fail "late-kill process: exit $rc, $(cat /tmp/late) (expected no signal for the action-optional error, then SIGBUS BUS_ADRERR at offset $3 when it loads the page again)"
}

# What a machine check aimed at a load on CPU 1 needs of the guest (see
# t_read_mce.sh): Intel's recovery rules (QEMU offers no AMD SUCCOR), a
# second CPU for WHO, and for a kernel load (KERNEL given) mce=recovery,
# which makes copy_mc_to_kernel() copy_mc_fragile().
need_aimed_mce() { # who [kernel]
	grep -q '^vendor_id.*GenuineIntel' /proc/cpuinfo ||
		fail "the error injected needs Intel's recovery rules; CPU: $(grep -m1 '^vendor_id' /proc/cpuinfo)"
	[ -z "${2:-}" ] || grep -qw 'mce=recovery' /proc/cmdline ||
		fail "no mce=recovery on the kernel command line (copy_mc_fragile is off)"
	[ "$(nproc)" -ge 2 ] || fail "need two CPUs (the $1 runs on CPU 1), have $(nproc)"
}

# An action-required data-load machine check on a kernel load from physical
# [LO, HI), as a poisoned line raises one (see t_read_mce.sh for the error's
# fields and what the guest needs: mce=recovery, GenuineIntel, RPMEM_MCE=1):
# the host (scripts/mce-host.py load=) single-steps vCPU 1 until it loads
# from the range in kernel mode and injects there. Waits (600 s) for the
# kernel's record, requires it to have landed in copy_mc_fragile at an
# address in the range, and sets mce_addr to that address.
mce_on_kernel_load() { # lo hi
	local knob=/sys/devices/system/machinecheck/machinecheck0/print_all t=0 rip at fn
	[ -w $knob ] || fail "no $knob"
	# Print every machine-check record (RIP, ADDR), also those a handler took.
	echo 1 > $knob
	echo "RPMEM-MCE-REQUEST id=1 cpu=1 bank=2 status=0xbd80000000000134 mcg_status=0x7 addr=0 misc=0x86 broadcast=1 load=$(printf '%#x-%#x' "$1" "$2")" > /dev/console
	# The host waits for a landing (up to its own limit of stops), then the
	# work queue prints the record.
	until dmesg | grep -q 'Hardware Error\]: RIP'; do
		t=$((t + 1))
		[ $t -gt 6000 ] && fail "no machine check in 600 s (host log: RPMEM_LOG.mce)"
		sleep 0.1
	done
	sleep 1
	dmesg | grep 'Hardware Error\]' | sed 's/^/  kernel: /'
	rip=$(dmesg | grep -m1 'Hardware Error\]: RIP' | sed 's/.*RIP//')
	# Inside copy_mc_fragile: from its address to the next symbol's (by the
	# address, not the "{symbol+off}" the kernel appends with pr_cont, which
	# another CPU's printk can split off the line).
	at=$(echo "$rip" | sed -n 's/^ 10:<\([0-9a-f]*\)>.*/\1/p')
	echo 0 > /proc/sys/kernel/kptr_restrict
	fn=$(grep -A1 ' copy_mc_fragile$' /proc/kallsyms | cut -d' ' -f1 | tr '\n' ' ')
	# shellcheck disable=SC2086 # two addresses
	set -- "$1" "$2" $fn
	[ -n "$at" ] && [ $# = 4 ] || fail "no kernel RIP ('$rip') or no copy_mc_fragile in /proc/kallsyms ('$fn')"
	[ $((0x$at - 0x$3)) -ge 0 ] && [ $((0x$at - 0x$4)) -lt 0 ] ||
		fail "the machine check landed outside copy_mc_fragile ($3-$4): RIP$rip"
	mce_addr=0x$(dmesg | grep -m1 'Hardware Error\]: TSC' | sed -n 's/.* ADDR \([0-9a-f]*\) .*/\1/p')
	[ "$((mce_addr))" -ge "$1" ] && [ "$((mce_addr))" -lt "$2" ] ||
		fail "machine check address $mce_addr is not in the range loaded ($1-$2)"
	info "landed: RIP$rip, ADDR $mce_addr"
}

# The machine check of mce_on_kernel_load on a worker's loads: run shell
# code STEP again and again on CPU 1 in the background (it appends each
# failure's message to /tmp/worker.err), wait until field FIELD of block
# disk NAME's stat has grown by N (the worker is under way; none may have
# failed), aim the error at [LO, HI), then wait (60 s) for the worker's
# first failure and stop it. Sets mce_addr.
mce_on_worker() { # name field n lo hi step
	local t=0 before worker
	: > /tmp/worker.err
	echo 1 > /sys/block/$1/queue/iostats
	before=$(awk -v f="$2" '{ print $f }' /sys/block/$1/stat)
	taskset -c 1 sh -c "while :; do $6; done" &
	worker=$!
	until [ "$(awk -v f="$2" '{ print $f }' /sys/block/$1/stat)" -gt $((before + $3)) ]; do
		t=$((t + 1))
		[ $t -gt 3000 ] && fail "the worker did not start in 300 s: $(cat /tmp/worker.err)"
		sleep 0.1
	done
	[ -s /tmp/worker.err ] && fail "the worker failed before any machine check: $(cat /tmp/worker.err)"
	mce_on_kernel_load "$4" "$5"
	t=0
	until [ -s /tmp/worker.err ]; do
		t=$((t + 1))
		[ $t -gt 600 ] && fail "the worker did not fail within 60 s of the machine check"
		sleep 0.1
	done
	kill $worker
	wait $worker 2>/dev/null
}

# Wait (up to 60 s) until block disk NAME lists a bad block, and require
# that to be SECTOR alone (what a machine check's handler records).
await_bad_sector() { # name sector
	local n=0 bb
	until [ -n "$(cat /sys/block/$1/badblocks)" ]; do
		n=$((n + 1)); [ $n -gt 600 ] && fail "no bad block on $1 60 s after the machine check"
		sleep 0.1
	done
	bb=$(cat /sys/block/$1/badblocks)
	[ "$bb" = "$2 1" ] || fail "$1's badblocks '$bb', expected '$2 1'"
}

# Whether disk DEV's queue takes REQ_NOWAIT (BLK_FEAT_NOWAIT): a 4 KiB
# RWF_NOWAIT O_DIRECT write of zeros at sector 0 (tools/vecio.c) prints
# "on" if it succeeds, "off" if the block layer refuses it with EOPNOTSUPP
# (submit_bio_noacct: REQ_NOWAIT on a queue without the feature), else the
# error. Overwrites the first 4 KiB.
nowait_of() { # dev
	blockdev --flushbufs "$1" || { echo "flushbufs failed"; return; }
	if head -c 4096 /dev/zero | vecio -n write "$1" 0 4096 2>/tmp/nowait.err; then
		echo on
	elif grep -q "Operation not supported" /tmp/nowait.err; then
		echo off
	else
		echo "error: $(cat /tmp/nowait.err)"
	fi
}

# Common fio options for verified O_DIRECT jobs.
FIO_VERIFY="--direct=1 --verify=crc32c --verify_fatal=1 --do_verify=1 --group_reporting"

# Wait up to SECONDS for background process PID to end (a zombie counts
# as ended); false if it still runs.
wait_gone() { # pid seconds
	local n=0
	while [ -e "/proc/$1" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; do
		n=$((n + 1))
		[ $n -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
}

# Wait up to SECONDS until disk DEV has completed N writes more than when
# called (its I/O statistics are turned on first: pmem and md disks keep
# none by default): the event that a load is under way.
writes_done() { # dev n seconds
	local b w0 t=0
	b=$(basename "$(readlink -f "$1")")
	echo 1 > "/sys/block/$b/queue/iostats" || return 1
	w0=$(awk '{ print $5 }' "/sys/block/$b/stat")
	until [ "$(awk '{ print $5 }' "/sys/block/$b/stat")" -ge $((w0 + $2)) ]; do
		t=$((t + 1))
		[ $t -gt $(($3 * 10)) ] && return 1
		sleep 0.1
	done
}

# Wait up to 10 s until `rpmemctl status` shows a copy running.
copy_active() {
	local n=0
	until rpmemctl status 2>/dev/null | grep -q 'active=1 done=[1-9]'; do
		n=$((n + 1))
		[ $n -gt 500 ] && return 1
		sleep 0.02
	done
}

# rpmem refused NS because it holds an info block, WHAT e.g. "a BTT info
# block (sector mode)": exactly one kernel log line after the line MARK
# says so and names the force_raw override; NS is not bound to rpmem and
# has no disk.
expect_info_refusal() { # ns what mark
	local lines
	lines=$(dmesg | sed -n "/$3\$/,\$p" | grep "rpmem: $1: holds $2; not served raw")
	[ "$(echo "$lines" | grep -c .)" = 1 ] || { dmesg | tail -20; fail "$1: want one 'holds $2' line, got: '$lines'"; }
	echo "$lines" | grep -q "echo 1 > /sys/bus/nd/devices/$1/force_raw" || fail "$1: refusal does not name force_raw: $lines"
	[ "$(bound_to "$1")" != rpmem ] || fail "$1 is bound to rpmem"
	disk_of "$1" > /dev/null && fail "$1 has a disk: $(disk_of "$1")"
	info "refused: $(echo "$lines" | sed 's/^\[[^]]*\] //')"
}

# Disk DEV has namespace NS's size, 512-byte logical and 4 KiB physical
# blocks; prints "NS -> DEV: SIZE bytes".
check_disk_geometry() { # ns dev
	local want got
	want=$(size_of_ns "$1")
	got=$(blockdev --getsize64 "$2")
	info "$1 -> $2: $got bytes"
	[ "$got" = "$want" ] || fail "$2 size $got != namespace size $want"
	[ "$(blockdev --getss "$2")" = 512 ] || fail "$2: logical block size not 512"
	[ "$(blockdev --getpbsz "$2")" = 4096 ] || fail "$2: physical block size not 4096"
}

# The nd bus provider of namespace NS: ACPI.NFIT, e820, ...
provider_of() {
	cat "/sys/bus/nd/devices/$(readlink -f "/sys/bus/nd/devices/$1" | grep -o 'ndbus[0-9]*')/provider"
}

# One namespace of more than 64 MiB per nd bus provider (the geometry boot's
# 64 MiB memmap= region inside RAM, which rpmem refuses, is left out): on an NVDIMM
# (ACPI.NFIT) clearing poison goes through firmware, which QEMU does not
# implement (writes over bad blocks fail); on legacy pmem (e820, memmap=)
# it always succeeds.
bb_targets() {
	local ns seen= p
	for ns in $(namespaces); do
		[ "$(size_of_ns "$ns")" -gt 67108864 ] || continue
		p=$(provider_of "$ns")
		case " $seen " in *" $p "*) continue ;; esac
		seen="$seen $p"
		echo "$ns"
	done
}

# bb_targets, which must include the NVDIMM's namespace (ACPI.NFIT) and the
# legacy pmem one (e820, from memmap=): without either the "write over
# poison" coverage of that bus would vanish silently. Sets BB_TARGETS.
need_bb_targets() {
	local ns have=
	BB_TARGETS=$(bb_targets)
	for ns in $BB_TARGETS; do have="$have $(provider_of "$ns")"; done
	case " $have " in *" ACPI.NFIT "*) ;; *) fail "no NVDIMM (ACPI.NFIT) namespace of more than 64 MiB to inject bad blocks into (have:$have)" ;; esac
	case " $have " in *" e820 "*) ;; *) fail "no legacy pmem (e820, memmap=) namespace of more than 64 MiB to inject bad blocks into (have:$have)" ;; esac
}

# The bad-block tests' comparison: the test's run_on DRIVER NS, first with
# nd_pmem, then with rpmem, on namespace NS; both outcome lines are shown.
# Sets p (the provider), a (nd_pmem's outcome) and b (rpmem's).
bb_run_both() { # ns
	p=$(provider_of "$1")
	a=$(run_on nd_pmem "$1") || fail "nd_pmem: $a"
	info "$1 ($p) nd_pmem: $a"
	b=$(run_on rpmem "$1") || fail "rpmem: $b"
	info "$1 ($p) rpmem:   $b"
}

# Serve namespace NS with DRIVER (loading it) and print its disk.
serve() { # driver ns
	modprobe "$1" || fail "modprobe $1"
	if [ "$(bound_to "$2")" != "$1" ]; then
		unbind "$2"
		echo "$2" > "/sys/bus/nd/drivers/$1/bind" || fail "bind $2 to $1"
	fi
	wait_disk "$2" || fail "no disk for $2 with $1"
	disk_of "$2"
}
