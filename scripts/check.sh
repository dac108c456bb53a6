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
#   RPMEM_NVDIMM_DIR          where NVDIMM backing files go (/dev/shm/rpmem-check):
#                             VARIANT-CHAIN/ for each chain, removed after it
#   SLOTS                     guests (and host checks) at once (the CPU count)
#   BOOT_TIMEOUT              seconds a guest may take to reach /init (240)
set -uo pipefail
. "$(dirname "$0")/env.sh"
. "$(dirname "$0")/flushes.sh"

pass=0
failed=0
result() { # PASS|FAIL name [reason]
	if [ "$1" = PASS ]; then pass=$((pass + 1)); else failed=$((failed + 1)); fi
	echo "$1 $2${3:+ ($3)}"
}

. "$RPMEM_ROOT/tests/guest/splats.sh"

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

host_checks() {
	host_test unit-tests make -s -C "$RPMEM_ROOT" unit-test-module
	host_test rpmemctl make -s -C "$RPMEM_ROOT" unit-test-rpmemctl
	host_test rustfmt make -s -C "$RPMEM_ROOT" rustfmtcheck
	host_test clippy-warning-free make -s -C "$RPMEM_ROOT" lint-clippy
	host_test checkpatch make -s -C "$RPMEM_ROOT" checkpatch
	host_test io-path-panic-free make -s -C "$RPMEM_ROOT" check-io-path
	host_test layers make -s -C "$RPMEM_ROOT" check-layers
	host_test insn-report "$RPMEM_ROOT/scripts/test-insn-report.sh"
	host_test install "$RPMEM_ROOT/scripts/test-install.sh" install
	host_test dkms "$RPMEM_ROOT/scripts/test-install.sh" dkms
	# Acknowledged writes durable under a model of the CPU cache (QEMU 10
	# plugin), power cuts that drop what was not (docs/durability.md).
	host_test pmem-check "$RPMEM_ROOT/scripts/test-pmem-check.sh"
	host_test durability "$RPMEM_ROOT/scripts/durability.sh"
}

# ---- guest boots ---------------------------------------------------------
# Each boot: chain | label | NVDIMM count | size | fresh backing files | tests.
# The boots of one chain run in order on the chain's own NVDIMM files (a
# power cycle reads what the boot before it wrote); chains run side by side.
# Data tests run on both drivers (NAME@rpmem, NAME@nd_pmem).
both() { local t; for t in "$@"; do printf '%s@nd_pmem,%s@rpmem,' "$t" "$t"; done; }
# A seventh field makes a power-cut boot: QEMU is SIGKILLed when the console
# matches it; the last acknowledged block goes to the next boot as RPMEM_ACKED.
# An eighth is appended to the kernel command line.
# A ninth sets the other memory sources and NVDIMM options, as VAR=value
# words for qemu/run.sh (RPMEM_VIRTIO_PMEM=N RPMEM_CXL=1 ..., see
# qemu/pmem-devices.sh; RPMEM_NVDIMM_LABEL=128K gives every NVDIMM a label
# area, and labelled NVDIMMs have their own backing files); a boot with
# virtio-pmem also traces the host's flushes for flush_host
# (scripts/flushes.sh).
# Legacy pmem regions rpmem must refuse: 2 KiB (under a page), 10 KiB at
# an address that is not page aligned, and 64 MiB inside RAM (its memory
# section holds System RAM too). And a good 256 MiB one (two whole memory
# sections): the bad-block tests run on it (clearing poison works on legacy
# pmem) and on the NVDIMM.
BAD_GEOMETRY='memmap=2K!0x60000000 memmap=10K!0x60100800 memmap=64M!0x70000000'
LEGACY_PMEM='memmap=256M!0x40000000'

# Block I/O on both drivers, then a power cycle.
DATA="$(both bind dd_readback fio_verify ndctl_list dd_odd dd_full fio_matrix ext4 reload two_disks bad_io readonly fsync_jobs stress)persist_write@rpmem,persist_write@nd_pmem"
# The module's life: loading, parameters, binding, unbinding under load,
# info blocks (issue 11); the kmap_atomic_pfn_t registry under concurrent
# register/unregister, every lookup checked (its timing is `make
# bench-kmap`'s); unbinding a third namespace during a copy.
MODULE="modload,params,modprobe_conf,move,personality,badblocks,unbind_load,infoblock,copy_unbind,kmap_race"
# pfn copies (t_copy clones the 256 MiB pair whole; the interrupt needs the
# 1 GiB one), the copy's block-layer rules (issue 11), the caller's rights
# to the disks and the module pinned under a caller (issue 25), the source's
# page cache and ranges that start inside a page (copy_cache).
COPY="copy,copy_rules,copy_intr,copy_rights,ctl_pin,copy_cache"
# The load/store mapping (/dev/pmemN.map): errors, data, huge entries,
# pinning, revocation at unbind, read-only disks.
MAP="map_basic,map_revoke,map_badblock,map_readonly,map_exclusive"
# Export over NVMe/TCP (loopback) and stacking under device-mapper and md.
STACK="nvme_export nvme_unbind dm_linear dm_striped md_raid1 md_raid1_fault"
plan_normal() { # [tests appended to the module boot]
	echo "data|data|3|1G,1G,256M|1|$DATA"
	echo "data|power-cycle|3|1G,1G,256M|0|persist_check@rpmem,persist_check@nd_pmem"
	# virtio-pmem and CXL pmem beside an NFIT NVDIMM, then the same files
	# after a power-off: the CXL region is created again, its namespace
	# comes back from the labels.
	local src="RPMEM_VIRTIO_PMEM=1 RPMEM_VIRTIO_PMEM_SIZE=512M RPMEM_CXL=1 RPMEM_CXL_SIZE=256M"
	echo "sources|sources|1|256M|1|cxl_create,$(both vpmem_dd vpmem_fio vpmem_ext4 vpmem_nowait flush_host cxl_dd cxl_fio cxl_ext4 seed_quiet)vpmem_move,cxl_move,$(both vpmem_persist_write cxl_persist_write)|||$src"
	echo "sources|sources-power-cycle|1|256M|0|cxl_labels,$(both vpmem_persist_check cxl_persist_check)|||$src"
	echo "stack|stack|2|1G|1|$(both $STACK | sed 's/,$//')"
	echo "module|module|3|1G,1G,256M|1|$MODULE${1:+,$1}"
	echo "copy|copy|4|1G,1G,256M,256M|1|$COPY"
	# The load/store mapping of a disk (docs/dax.md).
	echo "map|map|2|1G,1G|1|$MAP"
	# A machine check on a mapped page, injected by the host through QEMU's
	# monitor on the guest's request (qemu/run.sh RPMEM_MCE).
	# It provokes a kernel WARN outside rpmem (tests/guest/splats.sh).
	echo "map|map-mce|1|1G|1|map_mce||RPMEM_KNOWN_SPLAT=set_mce_nospec|RPMEM_MCE=1"
	# A machine check on a load of the read path's copy, aimed by the host
	# (scripts/mce-host.py load=): copy_mc_fragile needs mce=recovery, the
	# kernel's recovery of it an Intel CPU (tests/guest/t_read_mce.sh).
	echo "read-mce|read-mce|1|1G|1|read_mce||mce=recovery|RPMEM_MCE=1 RPMEM_CPU=qemu64,vendor=GenuineIntel"
	# The same on the pfn copy's load of its source (tests/guest/t_copy_mce.sh).
	echo "copy-mce|copy-mce|2|256M,256M|1|copy_mce||mce=recovery|RPMEM_MCE=1 RPMEM_CPU=qemu64,vendor=GenuineIntel"
	# A machine check on a process's own load through the mapping, aimed by
	# the host at a user-mode load (mce-host.py load= mode=user): SIGBUS
	# BUS_MCEERR_AR (tests/guest/t_map_mce_load.sh).
	echo "map-mce-load|map-mce-load|1|1G|1|map_mce_load||RPMEM_KNOWN_SPLAT=set_mce_nospec|RPMEM_MCE=1 RPMEM_CPU=qemu64,vendor=GenuineIntel"
	echo "geometry|geometry|1|1G|1|geometry,bb_nowait,bb_bigwrite,bb_vectors||$BAD_GEOMETRY $LEGACY_PMEM"
	for d in rpmem nd_pmem; do
		echo "powercut-$d|powercut-$d|1|1G|1|powercut_write@$d|RPMEM-ACK 150"
		echo "powercut-$d|after-powercut-$d|1|1G|0|powercut_check@$d"
	done
	# A 512 GiB (sparse) NVDIMM in the 2 GiB guest: what binding it costs in
	# RAM, rpmem against nd_pmem's raw mode, and what mapping it whole does.
	echo "ramcost|ramcost|1|512G|1|ram_cost,map_ram_cost|||RPMEM_MAXMEM=600G"
	# The same through the load/store mapping (stores, write-back, fence).
	echo "powercut-map|powercut-map|1|1G|1|map_powercut_write|RPMEM-ACK 150"
	echo "powercut-map|after-powercut-map|1|1G|0|map_powercut_check"
	# A BTT namespace on a labelled NVDIMM, then rpmem loaded before nd_pmem.
	echo "formatted|formatted|1|1G|1|formatted_write|||RPMEM_NVDIMM_LABEL=128K"
	echo "formatted|formatted-2|1|1G|0|formatted_check|||RPMEM_NVDIMM_LABEL=128K"
}
# The debug kernel runs the suite on rpmem, and a kmemleak scan. The
# nd_pmem oracle rows run once, on the normal kernel: the debug kernel is
# there to catch rpmem's bugs (flush_host keeps both: it compares them).
# dd_full and fio_matrix (whole-device passes, minutes each under
# DEBUG_PAGEALLOC) also run on the normal kernel only: on the debug kernel
# the same paths are driven by dd_readback, fio_verify, stress and ext4.
# DEBUG_LONG=0 (what `make test`, i.e. CI, sets) leaves out the chains of the
# other memory sources and of NVMe/TCP + dm/md on the debug kernel (TCG runs
# CXL memory at ~15 MB/s; together they take longer than CI's budget allows
# beside everything else); `make check-debug` runs them. The 512 GiB
# NVDIMM's chain (ramcost) runs on the normal kernel only: it measures RAM,
# and on the debug kernel (DEBUG_PAGEALLOC, KFENCE, kmemleak under TCG) its
# binds did not end within the test's 30 minutes on a loaded host.
plan_debug() {
	plan_normal kmemleak | sed -E 's/flush_host@nd_pmem/flush_host@ND_PMEM/g
		s/[a-z_0-9]+@nd_pmem,//g; s/,?[a-z_0-9]+@nd_pmem(\||$)/\1/g; s/@ND_PMEM/@nd_pmem/g
		s/(dd_full|fio_matrix)@rpmem,//g' |
		grep -Ev '^ramcost\|' |
		if [ "${DEBUG_LONG:-1}" = 0 ]; then grep -Ev '^(sources|stack)\|'; else cat; fi
}

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
run_boot() { # variant kdir initrd label n size fresh tests [kill_at [append [devices]]]
	local variant=$1 kdir=$2 initrd=$3 label=$4 n=$5 size=$6 fresh=$7 tests=$8 kill_at=${9:-}
	local append=${10:-} devices=${11:-} known
	# RPMEM_KNOWN_SPLAT=NAME in the boot's kernel arguments: the guest's
	# runner and this console check let that one kernel bug through.
	known=$(echo " $append " | sed -n 's/.* RPMEM_KNOWN_SPLAT=\([^ ]*\) .*/\1/p')
	local log=${RPMEM_LOG_DIR:-$RPMEM_CACHE/logs}/$variant-$label.log t rc=0 extra= trace= watcher=
	[ -n "$tests" ] || return 0
	mkdir -p "$(dirname "$log")"
	# Generous limits: the two kernels' suites share the CPUs (TCG).
	extra="RPMEM_TEST_TIMEOUT=900"
	# kmemleak.verbose=1: an automatic scan's finds are printed ("unreferenced
	# object", pr_warn, shown at loglevel=5), not only counted at pr_info.
	[ "$variant" = debug ] && extra="debug_pagealloc=on kmemleak=on kmemleak.verbose=1 RPMEM_TEST_TIMEOUT=1800"
	[ -n "$ACKED" ] && extra+=" RPMEM_ACKED=$ACKED"
	[ -n "$append" ] && extra+=" $append"
	log "boot $variant/$label: $(echo "$tests" | tr ',' ' ' | wc -w) tests, console: $log"
	if [[ $devices == *RPMEM_VIRTIO_PMEM=* ]]; then
		trace=$log.trace
		# The watcher must not see the last run's console or trace.
		: > "$log"
		rm -f "$trace" "$trace.marks.stop"
		flush_watch "$log" "$trace" "$trace.marks" &
		watcher=$!
	fi
	# A guest that has not reached /init after BOOT_TIMEOUT seconds hung in
	# the kernel's own boot, before any test or rpmem code ran (seen once
	# on the debug kernel: the console stopped at 4.8 s, QEMU spinning).
	# It is killed and booted once more; the report says so.
	local try
	for try in 1 2; do
		rc=0
		# shellcheck disable=SC2086 # devices: VAR=value words
		env $devices RPMEM_TRACE_FILE=$trace \
		RPMEM_KERNEL=$kdir/arch/x86/boot/bzImage RPMEM_INITRD=$initrd RPMEM_LOG=$log \
		RPMEM_NVDIMMS=$n RPMEM_NVDIMM_SIZE=$size RPMEM_NVDIMM_FRESH=$fresh \
		RPMEM_NVDIMM_DIR=$chain_dir RPMEM_BOOT_TIMEOUT=${BOOT_TIMEOUT:-240} \
		RPMEM_TIMEOUT=$([ "$variant" = debug ] && echo 5400 || echo 3600) \
		RPMEM_APPEND="loglevel=5 RPMEM_MODE=tests RPMEM_TESTS=$tests $extra" \
		RPMEM_KILL_AT="$kill_at" "$RPMEM_ROOT/qemu/run.sh" || rc=$?
		[ "$rc" = 125 ] && [ "$try" = 1 ] || break
		cp "$log" "$log.hung"
		echo "  qemu: $variant/$label hung before /init (console: $log.hung); booted again"
		log "boot $variant/$label: hung before /init; booting it again"
	done
	[ "$rc" = 125 ] && result FAIL "$variant:$label:boot" "hung before /init twice"
	if [ -n "$watcher" ]; then
		touch "$trace.marks.stop"
		wait "$watcher"
	fi
	if [ -n "$kill_at" ]; then
		ACKED=$(grep -ao 'RPMEM-ACK [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
		if grep -aq "RPMEM-HOST: power cut" "$log" && [ -n "$ACKED" ]; then
			result PASS "$variant:$tests" "QEMU killed after block $ACKED was acknowledged"
		else
			result FAIL "$variant:$tests" "no power cut (rc=$rc)"
		fi
		console_check "$variant" "$label" "$log" "$known"
		return 0
	fi
	# Show the guest's per-test output.
	grep -aE '^(  \||RPMEM-TEST|RPMEM-RUN)' "$log" | grep -av '^RPMEM-RUN' | sed 's/^RPMEM-TEST: /  guest: /' | grep -av '^  guest: PASS' | clean_console || true
	for t in $(echo "$tests" | tr ',' ' '); do
		if grep -aq "^RPMEM-TEST: PASS $t " "$log"; then
			result PASS "$variant:$t"
		elif grep -aq "^RPMEM-TEST: FAIL $t " "$log"; then
			result FAIL "$variant:$t" "$(grep -a "^RPMEM-TEST: FAIL $t " "$log" | head -1 | clean_console | sed 's/.*(\(.*\))/\1/')"
		else
			result FAIL "$variant:$t" "no result"
		fi
	done
	[ -n "$trace" ] && flush_results "$variant" "$log" "$trace" "$trace.marks"
	[ -s "$log.qemu" ] && sed 's/^/  qemu: /' "$log.qemu"
	[ "$rc" = 124 ] && result FAIL "$variant:$label:boot" "guest timed out"
	grep -aq RPMEM-GUEST-DONE "$log" || [ "$rc" = 124 ] || [ "$rc" = 125 ] || result FAIL "$variant:$label:boot" "guest did not finish (rc=$rc)"
	console_check "$variant" "$label" "$log" "$known"
}

# The whole console of a boot (outside the guest tests' own output) must be
# free of kernel splats; power-cut boots too, up to the cut.
console_check() { # variant label log [known splat]
	local splats
	splats=$(grep -av '^  |' "$3" | RPMEM_KNOWN_SPLAT=${4:-} GREP="grep -a" splat_lines)
	if [ -n "$splats" ]; then
		echo "$splats" | head -5 | clean_console | sed 's/^/  console: /'
		result FAIL "$1:$2:console" "kernel splat on the console"
	fi
}

# One chain: its boots in order, on NVDIMM files of its own, removed after
# the last boot (they take RAM: /dev/shm).
run_chain() { # variant chain
	local variant=$1 chain=$2 kdir=${kdir_of[$1]} initrd=${initrd_of[$1]} start=$SECONDS
	local chain_dir=${RPMEM_NVDIMM_DIR:-/dev/shm/rpmem-check}/$variant-$chain
	local label n size fresh tests kill_at append devices
	while IFS='|' read -r label n size fresh tests kill_at append devices; do
		run_boot "$variant" "$kdir" "$initrd" "$label" "$n" "$size" "$fresh" "$tests" "$kill_at" "$append" "$devices"
	done <<< "${boots_of["$variant $chain"]}"
	rm -rf "$chain_dir"
	log "$variant/$chain: done in $((SECONDS - start)) s"
	[ -n "${TESTS:-}" ] || echo "$variant $chain $((SECONDS - start))" >> "$durations"
}

# The first variant's kernel, module and image are built first; the other
# variants' (one at a time: the module builds in this tree) build while the
# first variant's chains run, and the host checks (they build in this tree
# too) wait for the last of them. Jobs run SLOTS at a time (default: the
# CPU count; each TCG guest keeps a CPU busy), longest first by the recent
# whole runs' durations ($RPMEM_CACHE/check-durations; until there are some,
# the variants' plans interleaved, debug first), each once its variant is
# built. Each job's report is printed whole at the end, in plan order.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
read -ra variants <<< "${KVARIANTS:-normal}"
declare -A kdir_of=() initrd_of=() boots_of=() index_of=()
prepare_into() { # variant: what it built goes to $out/built.VARIANT
	if prepare_guest "$1"; then
		echo "$KDIR $INITRD" > "$out/built.$1"
	else
		result FAIL "$1:build" "kernel, module or initramfs"
		: > "$out/failed.$1"
	fi
}
built() { # variant: true once its build is done (and noted here)
	local k i
	[ -n "${kdir_of[$1]+set}" ] && return 0
	[ -f "$out/built.$1" ] || return 1
	read -r k i < "$out/built.$1"
	kdir_of[$1]=$k initrd_of[$1]=$i
}
(prepare_into "${variants[0]}") > "$out/prep.0"
running=0
if [ ${#variants[@]} -gt 1 ]; then
	(for v in "${variants[@]:1}"; do prepare_into "$v"; done; : > "$out/prepared") > "$out/prep.1" &
	running=1
else
	: > "$out/prepared"
fi
chains=()
for variant in "${variants[@]}"; do
	k=0
	while IFS='|' read -r chain label n size fresh tests rest; do
		tests=$(select_tests "$tests")
		[ -n "$tests" ] || continue
		if [ -z "${boots_of["$variant $chain"]+set}" ]; then
			index_of["$variant $chain"]=$k
			k=$((k + 1))
			chains+=("$variant $chain")
		fi
		boots_of["$variant $chain"]+="$label|$n|$size|$fresh|$tests|$rest"$'\n'
	done < <("plan_$variant")
done
durations=$RPMEM_CACHE/check-durations
touch "$durations"
# Longest first: the median of the last three recorded durations (one
# anomalous run, say a hung boot, does not reorder the next), else the plan
# position.
all_jobs=("${chains[@]}")
[ "${HOST_TESTS:-0}" = 1 ] && { all_jobs+=("host checks"); index_of["host checks"]=99; }
pending=()
while read -r c; do
	[ -n "$c" ] && pending+=("$c")
done < <(for c in "${all_jobs[@]}"; do
		d=$(awk -v v="${c% *}" -v c="${c#* }" '$1 == v && $2 == c { a = b; b = x; x = $3; n++ }
			END { if (n >= 3) print (x < a ? (a < b ? a : (x < b ? b : x)) : (x < b ? x : (a < b ? b : a)))
				else print x + 0 }' "$durations")
		printf '%s %s %s %s\n' "$d" "${index_of[$c]}" "$([ "${c% *}" = debug ] && echo 0 || echo 1)" "$c"
	done | sort -k1,1nr -k2,2n -k3,3n | cut -d' ' -f4-)
slots=${SLOTS:-$(nproc)}
start=$SECONDS
while [ ${#pending[@]} -gt 0 ]; do
	while [ "$running" -ge "$slots" ]; do
		wait -n
		running=$((running - 1))
	done
	next=
	for i in "${!pending[@]}"; do
		job=${pending[$i]}
		if [ "$job" = "host checks" ]; then [ -f "$out/prepared" ]; else built "${job% *}"; fi && { next=$i; break; }
	done
	if [ -z "$next" ]; then
		# Nothing can start until a build ends; a failed build drops its chains.
		for i in "${!pending[@]}"; do
			[ -f "$out/failed.${pending[$i]% *}" ] && unset 'pending[i]'
		done
		pending=("${pending[@]}")
		[ "$running" -gt 0 ] || { result FAIL check "jobs that cannot start: ${pending[*]}"; break; }
		wait -n
		running=$((running - 1))
		continue
	fi
	job=${pending[$next]}
	unset 'pending[next]'
	pending=("${pending[@]}")
	if [ "$job" = "host checks" ]; then
		(t=$SECONDS; host_checks; [ -n "${TESTS:-}" ] || echo "host checks $((SECONDS - t))" >> "$durations") > "$out/host" 2>&1 &
	else
		run_chain "${job% *}" "${job#* }" > "$out/${job/ /.}" &
	fi
	running=$((running + 1))
done
wait
tail -n 200 "$durations" > "$durations.new" && mv "$durations.new" "$durations"
log "jobs: $((SECONDS - start)) s"
for f in prep.0 prep.1 host "${chains[@]/ /.}"; do
	[ -f "$out/$f" ] || continue
	cat "$out/$f"
	pass=$((pass + $(grep -c '^PASS ' "$out/$f")))
	failed=$((failed + $(grep -c '^FAIL ' "$out/$f")))
done
# The plan check: every chain reported exactly one result for each test its
# boots were given (a chain that died, or a boot that lost tests, is a FAIL
# naming the chain and the tests without a result).
for c in "${chains[@]}"; do
	v=${c% *} want=0 got=0 missing=
	for t in $(echo "${boots_of[$c]}" | cut -d'|' -f5 | tr ',' ' '); do
		want=$((want + 1))
		n=$(grep -c "^\(PASS\|FAIL\) $v:$t\( (.*)\)\?\$" "$out/${c/ /.}" 2>/dev/null)
		got=$((got + ${n:-0}))
		[ "${n:-0}" -ge 1 ] || missing+=" $t"
	done
	[ "$got" = "$want" ] && [ -z "$missing" ] ||
		result FAIL "$v:${c#* }:plan" "$got results for the plan's $want tests${missing:+; none for$missing}"
done

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
