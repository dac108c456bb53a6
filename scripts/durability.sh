#!/bin/bash
# `make check-durability`: the persistence checker (tools/qemu-pmem-check.c,
# a TCG plugin of QEMU 10, scripts/qemu10.sh) watches every cache line of
# the guest's NVDIMMs while the durability workload (t_durability.sh) and
# the power-cut tests run, on each driver; at each power cut the NVDIMM
# image the next boot reads is the checker's shadow: what was durable.
# powercut_map (rpmem) is durability from user space: records stored,
# written back and fenced by a process through /dev/pmem0.map
# (tools/pmem-persist.c), with user code instrumented too.
# Prints PASS/FAIL lines and `N passed, M failed`; exits non-zero on any
# failure. See docs/durability.md.
#
#   DURABILITY_DRIVERS   drivers to check (rpmem nd_pmem)
#   DURABILITY_PARTS     workload powercut powercut_fsync powercut_ext4
#                        powercut_copy powercut_map (all; the last two on
#                        rpmem only)
#   DURABILITY_EXPECT=fail  a mutant run: prints what the checker and the
#                        power cuts saw and succeeds when a check failed
#   DURABILITY_EXTRA_CPIO   a cpio appended to the initramfs (a mutant nd_pmem.ko)
#   DURABILITY_OUT       file that receives the figures (lines tracked, acks, times)
#   DURABILITY_NO_CHECKER=1  the workload on QEMU 10 without the plugin (its
#                        cost in wall time: compare the boot times)
#   DURABILITY_CHECKER_ARGS  more plugin arguments, e.g. ",lockfence=1"
#   DURABILITY_INFLIGHT=SEED:PERCENT  at a power cut, keep that share of the
#                        lines in flight (picked by SEED); default: none kept
#   RPMEM_LOG_DIR, RPMEM_NVDIMM_DIR as for scripts/check.sh
set -uo pipefail
. "$(dirname "$0")/env.sh"

drivers=${DURABILITY_DRIVERS:-rpmem nd_pmem}
parts=${DURABILITY_PARTS:-workload powercut powercut_fsync powercut_ext4 powercut_copy powercut_map}
logs=${RPMEM_LOG_DIR:-$RPMEM_CACHE/logs}/durability
nvdir=${RPMEM_NVDIMM_DIR:-/dev/shm/rpmem-durability}
figures=${DURABILITY_OUT:-/dev/null}
mkdir -p "$logs" "$nvdir"
pass=0 failed=0
result() { # PASS|FAIL name [reason]
	if [ "$1" = PASS ]; then pass=$((pass + 1)); else failed=$((failed + 1)); fi
	echo "$1 durability:$2${3:+ ($3)}"
}

prepare_guest normal || { result FAIL build "kernel, module or initramfs"; exit 1; }
qemu10=$("$RPMEM_ROOT/scripts/qemu10.sh") || { result FAIL qemu10 "no QEMU 10"; exit 1; }
# The checker, built once per version of its sources (named by their hash:
# trees with another version never use each other's build).
src=$RPMEM_ROOT/tools/qemu-pmem-check.c
plugin=$RPMEM_CACHE/plugins/qemu-pmem-check-$(cat "$src" "${src%/*}/qemu-plugin-api10.h" | sha256sum | cut -c1-16).so
mkdir -p "${plugin%/*}"
if [ ! -f "$plugin" ]; then
	gcc -shared -fPIC -fvisibility=hidden -O2 -Wall -Wextra -Werror -o "$plugin.tmp$$" "$src" &&
		mv "$plugin.tmp$$" "$plugin" || { result FAIL plugin "build"; exit 1; }
fi
initrd=$INITRD
# The user-space programs whose code the checker may report (user=1), as
# the image holds them: for the report's symbols.
user_bins=$nvdir/pmem-persist
(cd "$nvdir" && cpio -i --quiet --to-stdout bin/pmem-persist < "$INITRD" > pmem-persist) || user_bins=
if [ -n "${DURABILITY_EXTRA_CPIO:-}" ]; then
	initrd=$nvdir/initramfs.cpio
	cat "$INITRD" "$DURABILITY_EXTRA_CPIO" > "$initrd"
fi

# The NVDIMMs of QEMU's pc machine with 2 GiB of RAM: the device memory
# area starts at 4 GiB and takes them in order. The guest prints its
# /proc/iomem ranges (PMEM-IOMEM) and they are compared.
NVDIMM_BASE=$((0x100000000))
regions_arg() { # sizes (comma list, bytes) [shadow]
	local s at=$NVDIMM_BASE i=0 arg=
	for s in ${1//,/ }; do
		arg+=",region=$(printf '0x%x:0x%x' "$at" "$s"):$nvdir/nvdimm$i-$s.img${2:+:$nvdir/nvdimm$i-$s.shadow}"
		at=$((at + s)) i=$((i + 1))
	done
	echo "$arg"
}
iomem_ok() { # log sizes
	local s at=$NVDIMM_BASE want= got
	for s in ${2//,/ }; do
		want+="$(printf '%x-%x' "$at" $((at + s - 1))) "
		at=$((at + s))
	done
	got=$(grep -ao 'PMEM-IOMEM [0-9a-f]*-[0-9a-f]*' "$1" | cut -d' ' -f2 | tr '\n' ' ')
	[ "$got" = "$want" ] || { echo "  | regions passed to the checker: $want; the guest's: $got"; return 1; }
}

# One boot. checker=1: QEMU 10 with the checker (and a shadow of each
# NVDIMM when kill_at is set: a power cut); else the suite's QEMU.
# checker_user=,user=1: the checker instruments user code too.
boot() { # label checker sizes fresh tests [kill_at [append]]
	local label=$1 checker=$2 sizes=$3 fresh=$4 tests=$5 kill_at=${6:-} append=${7:-}
	local log=$logs/$label.log s i=0 qemu_args= qemu=qemu-system-x86_64 start=$SECONDS rc=0
	for s in ${sizes//,/ }; do
		if [ "$fresh" = 1 ] || [ ! -f "$nvdir/nvdimm$i-$s.img" ]; then
			rm -f "$nvdir/nvdimm$i-$s.img"
			truncate -s "$s" "$nvdir/nvdimm$i-$s.img"
		fi
		[ "$checker" = 1 ] && [ -n "$kill_at" ] &&
			cp --sparse=always "$nvdir/nvdimm$i-$s.img" "$nvdir/nvdimm$i-$s.shadow"
		i=$((i + 1))
	done
	if [ "$checker" = 1 ]; then
		qemu=$qemu10
		# clwb and clflushopt as a current Intel server has them (qemu64 has neither).
		qemu_args="-cpu qemu64,vendor=GenuineIntel,+clflushopt,+clwb"
		[ "${DURABILITY_NO_CHECKER:-0}" = 1 ] ||
			qemu_args+=" -plugin $plugin,out=$log.checker$(regions_arg "$sizes" ${kill_at:+shadow})${DURABILITY_INFLIGHT:+,inflight=$DURABILITY_INFLIGHT}${checker_user:-}${DURABILITY_CHECKER_ARGS:-}"
	fi
	# no_timer_check: under TCG on a busy host the kernel's IO-APIC timer
	# check can miss its ticks and panic at boot (seen once).
	# A guest that has not reached /init after BOOT_TIMEOUT seconds (run.sh
	# exits 125) hung in the kernel's own boot: booted once more, as
	# scripts/check.sh does. Nothing has written to the NVDIMMs by then.
	local try
	for try in 1 2; do
		rc=0
		RPMEM_QEMU=$qemu RPMEM_QEMU_ARGS=$qemu_args RPMEM_SMP=1 \
		RPMEM_KERNEL=$KDIR/arch/x86/boot/bzImage RPMEM_INITRD=$initrd RPMEM_LOG=$log \
		RPMEM_NVDIMMS=$i RPMEM_NVDIMM_SIZE=$sizes RPMEM_NVDIMM_FRESH=0 RPMEM_NVDIMM_DIR=$nvdir \
		RPMEM_TIMEOUT=3600 RPMEM_BOOT_TIMEOUT=${BOOT_TIMEOUT:-240} RPMEM_KILL_AT=$kill_at \
		RPMEM_APPEND="loglevel=5 no_timer_check RPMEM_MODE=tests RPMEM_TESTS=$tests RPMEM_TEST_TIMEOUT=3000 $append" \
			"$RPMEM_ROOT/qemu/run.sh" || rc=$?
		[ "$rc" = 125 ] && [ "$try" = 1 ] || break
		cp "$log" "$log.hung"
		log "durability: $label hung before /init (console: $log.hung); booting it again"
	done
	boot_secs=$((SECONDS - start))
	log "durability: $label: $boot_secs s (rc=$rc), console: $log"
	return "$rc"
}

# The test's outcome in LOG (RPMEM-TEST line), its output shown on failure.
guest_ok() { # log test
	grep -aq "^RPMEM-TEST: PASS $2 " "$1" && return 0
	grep -aE '^  \|' "$1" | tail -15 | clean_console
	return 1
}

# The checker's verdict on LOG: no violation, and (want_acks) as many
# acknowledgements as the guest made. Sets acks, lines.
checker_ok() { # log [want_acks]
	local sum
	python3 "$RPMEM_ROOT/scripts/durability-report.py" "$1.checker" "$1" "$KDIR/System.map" $user_bins > "$1.report"
	sed 's/^/  | /' "$1.report" | grep -v '^  | summary' | head -12
	sum=$(grep -a '^summary ' "$1.checker" | tail -1)
	acks=$(echo "$sum" | grep -o 'acks=[0-9]*' | head -1 | cut -d= -f2)
	lines=$(echo "$sum" | grep -o 'lines_tracked=[0-9]*' | cut -d= -f2)
	violations=$(echo "$sum" | grep -o ' violations=[0-9]*' | cut -d= -f2)
	echo "$1: $sum" >> "$figures"
	[ -n "$acks" ] && [ "$acks" -gt 0 ] || { echo "  | the checker saw no acknowledgement"; return 1; }
	[ "${lines:-0}" -gt 0 ] || { echo "  | the checker saw no store to the NVDIMMs (wrong addresses?)"; return 1; }
	[ -z "${2:-}" ] || [ "$acks" = "$2" ] || { echo "  | the checker saw $acks acknowledgements, the guest made $2"; return 1; }
	[ "$violations" = 0 ]
}

# powercut_map: the checker saw every record's 64 lines stored and as many
# write-backs (clwb, clflushopt or clflush: whichever the CPU model offers)
# from user space. Sets flushes.
map_seen() { # checker_out records
	local sum
	sum=$(grep -a '^summary ' "$1" | tail -1)
	flushes=$(($(echo "$sum" | grep -oE ' (clwb|clflushopt|clflush)=[0-9]+' | cut -d= -f2 | paste -sd+)))
	echo "$sum" | grep -q ' user=1' || { echo "  | the checker did not instrument user code"; return 1; }
	[ "$lines" -ge $(($2 * 64)) ] || { echo "  | $lines lines tracked for $2 records of 64"; return 1; }
	[ "$flushes" -ge $(($2 * 64)) ] || { echo "  | $flushes write-backs for $2 records of 64 lines"; return 1; }
}

for d in $drivers; do
	for part in $parts; do
		checker_user=
		case $part in
		workload)
			label=workload-$d
			boot "$label" 1 268435456,268435456 1 "durability@$d"
			log=$logs/$label.log
			windows=$(grep -ao 'PMEM-WINDOWS [0-9]*' "$log" | cut -d' ' -f2)
			if ! guest_ok "$log" "durability@$d"; then
				result FAIL "$label" "the workload failed"
			elif ! iomem_ok "$log" 268435456,268435456; then
				result FAIL "$label" "NVDIMM addresses"
			elif [ "${DURABILITY_NO_CHECKER:-0}" = 1 ]; then
				result PASS "$label" "without the checker: $windows acknowledged writes, ${boot_secs} s"
			elif checker_ok "$log" "$windows"; then
				result PASS "$label" "$acks acknowledgements checked, $lines lines tracked, 0 violations, ${boot_secs} s"
			else
				result FAIL "$label" "${violations:-?} lines not durable when acknowledged"
			fi
			echo "$label: boot with the checker ${boot_secs} s" >> "$figures"
			;;
		powercut | powercut_fsync | powercut_ext4 | powercut_copy | powercut_map)
			# powercut_fsync: t_powercut_write with buffered writes and fsync.
			label=$part-$d test=${part%_fsync} kill_at="RPMEM-ACK 150" fsync= sizes=1073741824 checker_user=
			[ "$part" = powercut_ext4 ] && kill_at="RPMEM-ACK 40"
			[ "$part" = powercut_fsync ] && fsync=RPMEM_POWERCUT_FSYNC=1
			if [ "$part" = powercut_copy ]; then
				[ "$d" = rpmem ] || continue
				kill_at="RPMEM-ACK 0" sizes=268435456,268435456
			fi
			# powercut_map: t_map_persist_write, user code instrumented.
			if [ "$part" = powercut_map ]; then
				[ "$d" = rpmem ] || continue
				test=map_persist checker_user=,user=1
			fi
			boot "$label" 1 "$sizes" 1 "${test}_write@$d" "$kill_at" "RPMEM_CUT_AFTER=${kill_at#RPMEM-ACK } $fsync"
			log=$logs/$label.log
			acked=$(grep -ao 'RPMEM-ACK [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
			if ! grep -aq "RPMEM-HOST: power cut" "$log" || [ -z "$acked" ]; then
				result FAIL "$label" "no power cut"
				continue
			fi
			if [ "$part" = powercut_map ]; then
				# Each record is a window of 64 lines, made durable by
				# the process's own write-backs: all of them seen.
				if checker_ok "$log" $((acked + 1)) && map_seen "$log.checker" $((acked + 1)); then
					result PASS "$label:checker" "$acks acknowledgements checked, $lines lines tracked, 0 violations"
				else
					result FAIL "$label:checker" "${violations:-?} lines not durable when acknowledged"
				fi
			elif checker_ok "$log"; then
				result PASS "$label:checker" "$acks acknowledgements checked, 0 violations"
			else
				result FAIL "$label:checker" "${violations:-?} lines not durable when acknowledged"
			fi
			# The power cut: what the persistence domain held.
			i=0
			for s in ${sizes//,/ }; do
				mv "$nvdir/nvdimm$i-$s.shadow" "$nvdir/nvdimm$i-$s.img"
				i=$((i + 1))
			done
			boot "after-$label" 0 "$sizes" 0 "${test}_check@$d" "" "RPMEM_ACKED=$acked"
			if guest_ok "$logs/after-$label.log" "${test}_check@$d"; then
				result PASS "$label:after" "all $((acked + 1)) acknowledged writes in the durable image"
			else
				result FAIL "$label:after" "acknowledged data lost in the durable image (last ack $acked)"
			fi
			;;
		esac
	done
done
rm -rf "$nvdir"
echo "$pass passed, $failed failed"
if [ "${DURABILITY_EXPECT:-pass}" = fail ]; then
	[ "$failed" -gt 0 ]
else
	[ "$failed" = 0 ]
fi
