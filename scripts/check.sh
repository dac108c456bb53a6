#!/bin/bash
# The test suite: host checks (optional), then guest boots running the guest
# tests. Prints one PASS/FAIL line per test and, as the last line,
# `N passed, M failed`; exits non-zero on any failure, missing result,
# guest timeout or kernel splat on the console.
#
#   KVARIANTS="normal debug"  kernels to run the guest suite on (normal)
#   HOST_TESTS=1              also run unit tests and lints on the host
#   TESTS="dd fio"            only guest tests whose name contains a word
#   RPMEM_LOG_DIR             console logs ($RPMEM_CACHE/logs)
#   RPMEM_NVDIMM_DIR          NVDIMM backing files (/dev/shm/rpmem-check-VARIANT)
set -uo pipefail
. "$(dirname "$0")/env.sh"

pass=0
failed=0
result() { # PASS|FAIL name [reason]
	if [ "$1" = PASS ]; then pass=$((pass + 1)); else failed=$((failed + 1)); fi
	echo "$1 $2${3:+ ($3)}"
}

SPLAT_RE='Oops|BUG:|WARNING:|Kernel panic|circular locking|recursive locking|inconsistent lock state|INFO: task .* blocked|unreferenced object|kmemleak: .*suspected memory leak|KFENCE:|general protection|rcu_.*stall|soft lockup|list_add corruption|list_del corruption|ODEBUG:|sleeping function called from invalid context|scheduling while atomic'

# ---- host checks -------------------------------------------------------
host_test() { # name command...
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		result PASS "host:$name"
	else
		echo "$out" | tail -30 | sed 's/^/  | /'
		result FAIL "host:$name"
	fi
}

if [ "${HOST_TESTS:-0}" = 1 ]; then
	host_test unit-tests make -s -C "$RPMEM_ROOT" unit-test
	host_test rustfmt make -s -C "$RPMEM_ROOT" rustfmtcheck
	host_test clippy-warning-free make -s -C "$RPMEM_ROOT" lint-clippy
	host_test checkpatch make -s -C "$RPMEM_ROOT" checkpatch
fi

# ---- guest boots ---------------------------------------------------------
# Each boot: label | NVDIMM count | size | fresh backing files | tests.
# Data tests run on both drivers (NAME@rpmem, NAME@nd_pmem).
both() { local t; for t in "$@"; do printf '%s@nd_pmem,%s@rpmem,' "$t" "$t"; done; }
# A sixth field makes a power-cut boot: QEMU is SIGKILLed when the console
# matches it; the last acknowledged block goes to the next boot as RPMEM_ACKED.
# A seventh is appended to the kernel command line. An eighth gives every
# NVDIMM a label area of that size (QEMU label-size, e.g. 128K); labelled
# NVDIMMs have their own backing files (qemu/run.sh RPMEM_NVDIMM_LABEL).
# Legacy pmem regions rpmem must refuse: 2 KiB (under a page) and 10 KiB at
# an address that is not page aligned. And a good 256 MiB one: the bad-block
# tests run on it (clearing poison works on legacy pmem) and on the NVDIMM.
BAD_GEOMETRY='memmap=2K!0x60000000 memmap=10K!0x60100800'
LEGACY_PMEM='memmap=256M!0x40000000'

M4="$(both bad_io readonly fsync_jobs stress)badblocks,unbind_load"
# Trust (issue 11): info blocks, the copy's block-layer rules; bad-block
# edge cases in the geometry boot (each bb_* test runs both drivers itself,
# on one namespace per bus, and compares).
M6="infoblock,copy_rules,copy_intr,copy_unbind"
plan_normal() { # [tests appended to the main boot]
	echo "main|3|1G,1G,512M|1|$(both bind dd_readback fio_verify ndctl_list dd_odd dd_full fio_matrix ext4 reload two_disks)modload,params,move,personality,copy,$M4,$M6,persist_write@rpmem,persist_write@nd_pmem${1:+,$1}"
	echo "power-cycle|3|1G,1G,512M|0|persist_check@rpmem,persist_check@nd_pmem"
	# A BTT namespace on a labelled NVDIMM, then rpmem loaded before nd_pmem.
	echo "formatted|1|1G|1|formatted_write|||128K"
	echo "formatted-2|1|1G|0|formatted_check|||128K"
	echo "geometry|1|1G|1|geometry,bb_nowait,bb_bigwrite,bb_vectors||$BAD_GEOMETRY $LEGACY_PMEM"
	for d in rpmem nd_pmem; do
		echo "powercut-$d|1|1G|1|powercut_write@$d|RPMEM-ACK 150"
		echo "after-powercut-$d|1|1G|0|powercut_check@$d"
	done
}
# The debug kernel runs the whole suite, then a kmemleak scan.
plan_debug() { plan_normal kmemleak; }

select_tests() { # comma list -> filtered comma list
	local t out=
	for t in $(echo "$1" | tr ',' ' '); do
		if [ -z "${TESTS:-}" ]; then out+="$t,"; continue; fi
		for w in $TESTS; do
			case $t in *"$w"*) out+="$t,"; break ;; esac
		done
	done
	echo "${out%,}"
}

ACKED=
run_boot() { # variant kdir initrd label n size fresh tests [kill_at [append [label_size]]]
	local variant=$1 kdir=$2 initrd=$3 label=$4 n=$5 size=$6 fresh=$7 tests=$8 kill_at=${9:-}
	local append=${10:-} label_size=${11:-}
	local log=${RPMEM_LOG_DIR:-$RPMEM_CACHE/logs}/$variant-$label.log t rc=0 extra=
	[ -n "$tests" ] || return 0
	mkdir -p "$(dirname "$log")"
	[ "$variant" = debug ] && extra="debug_pagealloc=on kmemleak=on"
	[ -n "$ACKED" ] && extra+=" RPMEM_ACKED=$ACKED"
	[ -n "$append" ] && extra+=" $append"
	log "boot $variant/$label: $(echo "$tests" | tr ',' ' ' | wc -w) tests, console: $log"
	RPMEM_KERNEL=$kdir/arch/x86/boot/bzImage RPMEM_INITRD=$initrd RPMEM_LOG=$log \
	RPMEM_NVDIMMS=$n RPMEM_NVDIMM_SIZE=$size RPMEM_NVDIMM_FRESH=$fresh RPMEM_NVDIMM_LABEL=$label_size \
	RPMEM_NVDIMM_DIR=${RPMEM_NVDIMM_DIR:-/dev/shm/rpmem-check-$variant} \
	RPMEM_TIMEOUT=$([ "$variant" = debug ] && echo 3600 || echo 1800) \
	RPMEM_APPEND="loglevel=5 RPMEM_MODE=tests RPMEM_TESTS=$tests $extra" \
	RPMEM_KILL_AT=$kill_at "$RPMEM_ROOT/qemu/run.sh" || rc=$?
	if [ -n "$kill_at" ]; then
		ACKED=$(grep -ao 'RPMEM-ACK [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
		if grep -aq "RPMEM-HOST: power cut" "$log" && [ -n "$ACKED" ]; then
			result PASS "$variant:$tests" "QEMU killed after block $ACKED was acknowledged"
		else
			result FAIL "$variant:$tests" "no power cut (rc=$rc)"
		fi
		return 0
	fi
	# Show the guest's per-test output.
	grep -aE '^(  \||RPMEM-TEST|RPMEM-RUN)' "$log" | grep -av '^RPMEM-RUN' | sed 's/^RPMEM-TEST: /  guest: /' | grep -av '^  guest: PASS' || true
	for t in $(echo "$tests" | tr ',' ' '); do
		if grep -aq "^RPMEM-TEST: PASS $t " "$log"; then
			result PASS "$variant:$t"
		elif grep -aq "^RPMEM-TEST: FAIL $t " "$log"; then
			result FAIL "$variant:$t" "$(grep -a "^RPMEM-TEST: FAIL $t " "$log" | head -1 | sed 's/.*(\(.*\))/\1/')"
		else
			result FAIL "$variant:$t" "no result"
		fi
	done
	[ -s "$log.qemu" ] && sed 's/^/  qemu: /' "$log.qemu"
	[ "$rc" = 124 ] && result FAIL "$variant:$label:boot" "guest timed out"
	grep -aq RPMEM-GUEST-DONE "$log" || [ "$rc" = 124 ] || result FAIL "$variant:$label:boot" "guest did not finish (rc=$rc)"
	if grep -av '^  |' "$log" | grep -qE "$SPLAT_RE"; then
		grep -av '^  |' "$log" | grep -aE "$SPLAT_RE" | head -5 | sed 's/^/  console: /'
		result FAIL "$variant:$label:console" "kernel splat on the console"
	fi
}

for variant in ${KVARIANTS:-normal}; do
	prepare_guest "$variant" || { result FAIL "$variant:build" "kernel, module or initramfs"; continue; }
	kdir=$KDIR
	initrd=$INITRD
	while IFS='|' read -r label n size fresh tests kill_at append label_size; do
		run_boot "$variant" "$kdir" "$initrd" "$label" "$n" "$size" "$fresh" "$(select_tests "$tests")" \
			"$kill_at" "$append" "$label_size"
	done < <("plan_$variant")
done

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
