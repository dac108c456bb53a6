#!/bin/bash
# `make mutants`: a mutation run over the driver. Each mutant is one small
# change to one line of src/ that a real bug could make, found by content
# (a pattern that is missing or matches more than one line fails loudly),
# applied to a throwaway copy of the committed tree ($MUT_DIR/mut-N, from
# `git archive HEAD`), built, and then checked by the tests that cover
# that code only: the host unit tests when the line is in src/logic/ (they
# include those files), then the guest tests named for it (scripts/check.sh
# with TESTS=..., one guest at a time). A mutant is killed when any of them
# FAILs. Mutants that only lose durability (what a cache-aware checker
# sees, not the data a test reads back) are built but not run here: `make
# check-durability-mutants` is theirs.
#
# First the unmutated tree (mut-0) runs the union of the test sets, which
# must pass: a kill is only meaningful against a green baseline
# (MUT_BASELINE=0 skips it). While one mutant's guest runs, the next ones
# are prepared (copied, mutated, host-tested, built) in the background.
#
#   MUTANTS       ids to run (default: all), e.g. "M03 M10"
#   MUT_DIR       where the work trees go (/tmp): mut-0 (baseline), mut-N
#   MUT_TAG       a word in every tree, log and NVDIMM name (mut-TAGN), so
#                 that two runs do not meet (default none)
#   MUT_BASELINE_TESTS  the baseline's TESTS (default: every mutant's)
#   MUT_BASELINE  1: run the baseline first (default 1)
#   KEEP_MUTANTS  1: keep the work trees
#   MUT_REUSE_BASE  1: use an existing $MUT_DIR/mut-0 as the baseline tree
#   MUT_CHECK_ONLY  1: only check that every pattern matches one line
#   MUT_LOCK      a file locked (flock) around each guest run
#                 ($MUT_DIR/mut-guest.lock)
#   MUT_OUT       the results file (tab-separated; default
#                 $RPMEM_CACHE/logs/mutants/results.tsv)
# Guest runs use RPMEM_LOG_DIR=/tmp/mut-logs-N and
# RPMEM_NVDIMM_DIR=/dev/shm/mut-N of their own, SLOTS=1.
tag=${MUT_TAG:-}
set -uo pipefail
. "$(dirname "$0")/env.sh"

MUT_DIR=${MUT_DIR:-/tmp}
MUT_OUT=${MUT_OUT:-$RPMEM_CACHE/logs/mutants/results.tsv}
mkdir -p "$(dirname "$MUT_OUT")"

# ---- the mutants -------------------------------------------------------
# m ID AREA FILE PATTERN REPLACEMENT KIND TESTS DESCRIPTION
#   KIND: host (src/logic, host unit tests first), guest, durability
#   TESTS: scripts/check.sh TESTS words (substrings of test names)
ids=()
declare -A area=() file=() pat=() rep=() kind=() tests=() desc=()
m() {
	ids+=("$1")
	area[$1]=$2 file[$1]=$3 pat[$1]=$4 rep[$1]=$5 kind[$1]=$6 tests[$1]=$7 desc[$1]=$8
}
IO=src/driver/io.rs COPY=src/driver/copy.rs PB=src/abstractions/pfn_bio.rs
m M01 "sector arithmetic" src/logic/span.rs '.div_ceil(SECTOR_SIZE);' '/ SECTOR_SIZE;' host \
	"bb_vectors" "a span's last, partly touched sector left out of its sector range"
m M02 "sector arithmetic" $IO 'let blocks = cleared >> 9;' 'let blocks = cleared >> 12;' guest \
	"bb_nowait bb_bigwrite bb_vectors" "cleared bytes counted in pages, not sectors, when bad blocks are cleared"
m M03 "poison clearing" $IO 'self.shared.badblocks.clear(piece.pos / 512, blocks);' \
	'self.shared.badblocks.clear(piece.pos / 4096, blocks);' guest \
	"bb_nowait bb_bigwrite bb_vectors" "bad blocks cleared at a page index taken for a sector"
m M04 "segment walk" src/logic/segments.rs 'let len = avail.min(self.iter.size);' 'let len = avail;' host \
	"dd_odd@rpmem fio_verify@rpmem" "a bio ending inside a vector gets the whole vector"
m M05 "segment walk" src/logic/segments.rs 'let mp_offset = bv.offset as usize + done as usize;' \
	'let mp_offset = bv.offset as usize;' host \
	"dd_odd@rpmem fio_verify@rpmem" "a walk resumed inside a vector starts at the vector's first byte"
m M06 "segment walk" src/logic/segments.rs 'self.walked = bio_offset.wrapping_add(len);' 'self.walked = len;' host \
	"dd_readback@rpmem fio_verify@rpmem" "bio offset of the third and later segments wrong"
m M07 "bad-block checks" $IO 'if self.shared.badblocks.count() != 0 {' 'if self.shared.badblocks.count() > 1 {' guest \
	"bb_nowait bb_vectors" "a disk with one bad range skips the bad-block check"
m M08 "bad-block checks" $IO 'if !is_write {' 'if false && !is_write {' guest \
	"badblocks bb_vectors" "a read of a bad sector is served instead of failing (reads clear poison as writes do)"
m M09 "REQ_NOWAIT/AGAIN" $IO 'if bio.is_nowait() {' 'if false && bio.is_nowait() {' guest \
	"bb_nowait" "a REQ_NOWAIT write over poison clears it inline (sleeps) instead of BLK_STS_AGAIN"
m M10 "REQ_NOWAIT/AGAIN" src/driver/disk.rs 'nowait: sync && nowait_param,' 'nowait: sync,' guest \
	"params modprobe_conf" "nowait=0 ignored: BLK_FEAT_NOWAIT set anyway"
m M11 "REQ_PREFLUSH" $IO 'if bio.is_preflush() {' 'if false && bio.is_preflush() {' guest \
	"flush_host" "REQ_PREFLUSH ignored (no region flush before the data)"
m M12 "REQ_FUA" $IO 'if bio.is_fua() && bio.status() == Status::OK {' \
	'if false && bio.is_fua() && bio.status() == Status::OK {' guest \
	"flush_host" "REQ_FUA ignored (no region flush after the data)"
m M13 "write durability" src/abstractions/pfn_mapping.rs \
	'unsafe { bindings::__memcpy_flushcache(dst.cast(), from.cast(), len) };' \
	'unsafe { core::ptr::copy_nonoverlapping(from, dst, len) };' durability \
	"" "writes with cached stores instead of memcpy_flushcache"
m M14 "write durability" src/abstractions/pfn_mapping.rs \
	'unsafe { bindings::arch_wb_cache_pmem(dst.cast(), len) };' 'let _ = (dst, len);' durability \
	"" "the copy's cache write-back after copy_mc dropped"
# The driver cannot read device memory but through copy_mc (the types of
# src/abstractions/pfn_mapping.rs refuse it): the bug can only be made there.
m M15 "read path machine-check safety" src/abstractions/pfn_mapping.rs \
	'match unsafe { bindings::copy_mc_to_kernel(dst.cast(), from.cast(), n) } {' \
	'match { unsafe { bindings::__memcpy_flushcache(dst.cast(), from.cast(), len) }; 0 } {' guest \
	"dd_readback@rpmem bb_vectors read_mce copy_mce" "reads of device memory with memcpy_flushcache, not copy_mc"
m M16 "info block / force_raw" src/driver/probe.rs 'if ns.force_raw() {' 'if false && ns.force_raw() {' guest \
	"infoblock" "force_raw ignored: a formatted namespace cannot be served raw"
m M17 "info block / force_raw" src/logic/info_block.rs '(stored == sb_checksum(block)).then_some(kind)' \
	'Some(kind)' host "infoblock" "info block checksum not checked: data that starts with a signature is refused"
m M18 "info block / force_raw" src/logic/info_block.rs \
	'pub(crate) const INFO_BLOCK_OFFSETS: [u64; 2] = [4096, 0];' \
	'pub(crate) const INFO_BLOCK_OFFSETS: [u64; 2] = [4096, 4096];' host \
	"infoblock" "a BTT info block at offset 0 (v1.2 labels) not looked for"
m M19 "namespace selection" src/driver/probe.rs 'if !params::selects(self.namespaces, name.to_bytes()) {' \
	'if false && !params::selects(self.namespaces, name.to_bytes()) {' guest \
	"modprobe_conf" "namespaces= ignored: every raw namespace bound"
m M20 "namespace selection" src/logic/params.rs 'list.is_empty() || items(list).any(|item| item == name)' \
	'list.is_empty() || items(list).any(|item| name.starts_with(item))' host \
	"modprobe_conf" "namespaces= matched by prefix (namespace0.1 selects namespace0.10)"
m M21 "module parameters" src/rpmem.rs 'if nowait > 1 {' 'if nowait > 2 {' guest \
	"params" "nowait=2 accepted"
m M22 "copy exclusivity" $PB 'if !dev.exclusive() {' 'if false && !dev.exclusive() {' guest \
	"copy_rights copy_rules" "copy to a destination not opened O_EXCL"
m M23 "copy rights" $PB 'if !dev.readable() {' 'if false && !dev.readable() {' guest \
	"copy_rights" "copy from a source the caller did not open for reading"
m M24 "copy page cache" $COPY 'let invalidated = dst_dev.invalidate(req.dst_sector, nr);' \
	'let invalidated: Result = Ok(());' guest \
	"copy_rules" "destination page cache not invalidated after a copy"
m M25 "copy signal" $COPY 'if kernel::current!().signal_pending() {' \
	'if false && kernel::current!().signal_pending() {' guest \
	"copy_intr" "a pending signal does not stop a copy"
m M26 "read-only" $PB 'if dev.read_only() {' 'if false && dev.read_only() {' guest \
	"copy_rights copy_rules" "copy to a read-only destination"
m M27 "read-only" src/driver/disk.rs 'self.disk.apply_region_ro();' 'let _ = &self.disk;' guest \
	"readonly@rpmem" "a region made read-only after the bind leaves the disk writable"
m M28 "unbind under I/O" $COPY 'dst.write_from(src, from, to, n).inspect_err(|e| {' \
	'dst.write_from(src, from, to, n).or(Ok::<(), Error>(())).inspect_err(|e| {' guest \
	"copy_unbind" "a failed chunk (disk unbound under the copy) ignored: the copy reports success"
m M29 "copy page cache" $COPY 'src_dev.write_back(req.src_sector, nr)?;' 'let _ = &src_dev;' guest \
	"copy_cache" "the source's dirty page cache not written back before a copy"
m M30 "sector arithmetic" $PB 'let offset = (byte as usize & (PAGE_SIZE - 1)) as u32;' 'let offset = 0u32;' guest \
	"copy_cache" "a copy from a source sector that is not page aligned starts at the page"
MV=src/abstractions/map_vma.rs DS=src/driver/disk_shared.rs
m M31 "map exclusion" $DS 'if write && a.mappings != 0 {' 'if false && write && a.mappings != 0 {' guest \
	"map_exclusive" "the block device opened for write while the disk is mapped"
m M32 "map exclusion" $DS 'if a.opened_for_write {' 'if false && a.opened_for_write {' guest \
	"map_exclusive" "a mapping made while the block device is open for write"
m M33 "map bad blocks" $MV 'if shared.ops.bad(pgoff, 1 << order) {' \
	'if false && shared.ops.bad(pgoff, 1 << order) {' guest \
	"map_badblock" "a fault over a known bad block maps it"
m M34 "map revocation" src/abstractions/map_device.rs '*self.shared.live.lock() = false;' \
	'let _ = self.shared.live.lock();' guest \
	"map_revoke" "faults after unbind still insert entries (the mapping outlives the disk)"
m M35 "map read-only" $MV 'if q.write && shared.ops.read_only() {' \
	'if false && q.write && shared.ops.read_only() {' guest \
	"map_readonly" "a writable mapping faults in entries after its region turned read-only"
m M36 "map read-only" src/driver/disk.rs 'if read_only && !was_read_only {' \
	'if false && read_only && !was_read_only {' guest \
	"map_readonly" "entries made writable before the region turned read-only stay"
m M37 "map read-only" $DS 'if a.mappings != 0 {' 'if false && a.mappings != 0 {' guest \
	"map_readonly" "blockdev --setro accepted while the disk is mapped"
m M38 "map read-only" $DS 'if write && read_only {' 'if false && write && read_only {' guest \
	"map_readonly" "a writable mapping of a disk set read-only by blockdev --setro"
m M39 "map read-only" $DS 'Ok(read_only)' 'Ok(self.read_only())' guest \
	"map_readonly" "a read-only mapping of a disk set read-only by blockdev made writable by mprotect"

# ---- helpers -------------------------------------------------------------
# mutate FILE PATTERN REPLACEMENT: scripts/mutate-line.py (prints the line).
mutate() { "$PYTHON" "$RPMEM_ROOT/scripts/mutate-line.py" "$@"; }

# prepare N ID: copy the baseline, mutate, host tests, build; writes
# $dir/.mut-state: "line LINE", then "killed host:unit-tests" or "built"
# or "error WHY".
prepare() {
	local n=$1 id=$2 dir=$MUT_DIR/mut-$tag$1 line
	rm -rf "$dir" "$dir.state"
	cp -a "$MUT_DIR/mut-${tag}0" "$dir" || { echo "error copy" > "$dir.state"; return; }
	# Built from scratch: cargo's dep-info names the baseline's absolute
	# paths (the host tests include src/logic by path), so a copy of its
	# target would test the unmutated code; kbuild's objects go too.
	find "$dir" \( -path "$dir/tools" -o -path "$dir/hosttest/target" \) -prune -o -type f \
		\( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name modules.order -o -name Module.symvers \) -print0 | xargs -0 rm -f
	rm -rf "$dir/hosttest/target"
	if ! line=$(mutate "$dir/${file[$id]}" "${pat[$id]}" "${rep[$id]}" 2>&1); then
		echo "error $line" > "$dir.state"
		return
	fi
	echo "line $line" > "$dir.state"
	if [ "${kind[$id]}" = host ]; then
		if ! make -s -C "$dir" unit-test-module > "$dir.host.log" 2>&1; then
			echo "killed host:unit-tests" >> "$dir.state"
			return
		fi
	fi
	if ! make -s -C "$dir" modules bench-module rpmemctl > "$dir.build.log" 2>&1; then
		echo "error build failed ($dir.build.log)" >> "$dir.state"
		return
	fi
	[ "$dir/rpmem.ko" -nt "$dir/${file[$id]}" ] ||
		{ echo "error rpmem.ko not rebuilt after the mutation" >> "$dir.state"; return; }
	echo built >> "$dir.state"
}

# A guest kernel that panics in its own timer setup, before init or any
# rpmem code ("IO-APIC + timer doesn't work": TCG on a loaded host) says
# nothing about the mutant: that run is repeated (twice at most).
EARLY_PANIC="Kernel panic - not syncing: IO-APIC + timer doesn't work"
guest_run() { # N TESTS -> check.sh output in $MUT_DIR/mut-N.guest.log
	local n=$tag$1 try
	for try in 1 2 3; do
		rm -rf "/dev/shm/mut-$n" "/tmp/mut-logs-$n"
		# One guest at a time, this run's or another of the same lock's.
		flock "${MUT_LOCK:-$MUT_DIR/mut-guest.lock}" env TESTS="$2" SLOTS=1 RPMEM_LOG_DIR="/tmp/mut-logs-$n" RPMEM_NVDIMM_DIR="/dev/shm/mut-$n" \
			"$MUT_DIR/mut-$n/scripts/check.sh" > "$MUT_DIR/mut-$n.guest.log" 2>&1
		rm -rf "/dev/shm/mut-$n"
		grep -q "$EARLY_PANIC" "$MUT_DIR/mut-$n.guest.log" || return 0
		cp "$MUT_DIR/mut-$n.guest.log" "$MUT_DIR/mut-$n.guest.log.early-panic-$try"
		log "mut-$n: guest kernel panicked in its timer setup (before init): run again"
	done
}

# ---- the run -----------------------------------------------------------
sel=(${MUTANTS:-${ids[@]}})
for id in "${sel[@]}"; do [ -n "${area[$id]+set}" ] || die "no mutant $id"; done
if [ "${MUT_CHECK_ONLY:-0}" = 1 ]; then
	t=$(mktemp -d)
	trap 'rm -rf "$t"' EXIT
	bad=0
	for id in "${sel[@]}"; do
		mkdir -p "$t/$id/$(dirname "${file[$id]}")"
		cp "$RPMEM_ROOT/${file[$id]}" "$t/$id/${file[$id]}"
		if line=$(mutate "$t/$id/${file[$id]}" "${pat[$id]}" "${rep[$id]}" 2>&1); then
			echo "$id ${file[$id]}:$line"
		else
			echo "$id $line"
			bad=1
		fi
	done
	exit $bad
fi
commit=$(git -C "$RPMEM_ROOT" rev-parse --short HEAD)
base=$MUT_DIR/mut-${tag}0
if [ "${MUT_REUSE_BASE:-0}" = 1 ] && [ -d "$base" ]; then
	log "baseline: reusing $base (MUT_REUSE_BASE=1)"
else
	log "baseline: $base from $commit (committed state)"
	rm -rf "$base"
	mkdir -p "$base"
	git -C "$RPMEM_ROOT" archive HEAD | tar -x -C "$base" || die "git archive"
fi
make -s -C "$base" modules bench-module rpmemctl >&2 || die "baseline build failed"
make -s -C "$base" unit-test-module >&2 || die "baseline host unit tests fail"
# Prepare every mutant in the background, in order (while the baseline
# runs too); run each guest when its tree is ready.
(
	for i in "${!sel[@]}"; do prepare $((i + 1)) "${sel[$i]}"; echo done >> "$MUT_DIR/mut-$tag$((i + 1)).state"; done
) &
preparer=$!
if [ "${MUT_BASELINE:-1}" = 1 ]; then
	all=$(for id in "${sel[@]}"; do [ "${kind[$id]}" = durability ] || echo "${tests[$id]}"; done | tr ' ' '\n' | sort -u | tr '\n' ' ')
	all=${MUT_BASELINE_TESTS:-$all}
	log "baseline: TESTS=\"$all\""
	guest_run 0 "$all"
	tail -3 "$base.guest.log" >&2
	if grep '^FAIL ' "$base.guest.log" >&2 || ! grep -q '^[1-9][0-9]* passed, 0 failed' "$base.guest.log"; then
		kill "$preparer"
		die "the unmutated tree fails these tests ($base.guest.log): kills would mean nothing"
	fi
fi

date=$(date -u +%Y-%m-%d)
printf 'id\tarea\tfile:line\tdescription\ttests\tresult\tkilled by\twall s\tdate\tcommit\n' > "$MUT_OUT"
for i in "${!sel[@]}"; do
	n=$((i + 1)) id=${sel[$i]} start=$SECONDS
	state=$MUT_DIR/mut-$tag$n.state
	while ! grep -q '^done' "$state" 2>/dev/null; do sleep 5; done
	line=$(sed -n 's/^line //p' "$state")
	where=${file[$id]}:${line:-?}
	ran= result= by=
	if err=$(grep '^error' "$state"); then
		result=error by=${err#error }
	elif grep -q '^killed host' "$state"; then
		result=killed by=host:unit-tests ran=host:unit-tests
	elif [ "${kind[$id]}" = durability ]; then
		result=durability by="durability: see make check-durability"
	else
		ran=${tests[$id]}
		[ "${kind[$id]}" = host ] && ran="host:unit-tests $ran"
		log "$id: $where: guest TESTS=\"${tests[$id]}\""
		guest_run "$n" "${tests[$id]}"
		if grep -q '^FAIL ' "$MUT_DIR/mut-$tag$n.guest.log"; then
			result=killed
			by=$(grep '^FAIL ' "$MUT_DIR/mut-$tag$n.guest.log" | cut -d' ' -f2 | head -4 | tr '\n' ' ')
		elif grep -q '^[1-9][0-9]* passed, 0 failed' "$MUT_DIR/mut-$tag$n.guest.log"; then
			result=survived
		else
			result=error by="no results (see $MUT_DIR/mut-$tag$n.guest.log)"
		fi
	fi
	wall=$((SECONDS - start))
	echo "$id $result ${by:+($by) }$where ${wall}s: ${desc[$id]}"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "${area[$id]}" "$where" "${desc[$id]}" \
		"$ran" "$result" "${by% }" "$wall" "$date" "$commit" >> "$MUT_OUT"
	[ "${KEEP_MUTANTS:-0}" = 1 ] || rm -rf "$MUT_DIR/mut-$tag$n"
done
wait "$preparer"
total=$(awk -F'\t' 'NR > 1 && $6 != "durability"' "$MUT_OUT" | wc -l)
killed=$(awk -F'\t' 'NR > 1 && $6 == "killed"' "$MUT_OUT" | wc -l)
echo
echo "| mutant | area | file:line | tests run | killed by | wall s |"
echo "|---|---|---|---|---|---|"
awk -F'\t' 'NR > 1 { printf "| %s: %s | %s | `%s` | %s | %s | %s |\n", $1, $4, $2, $3, $5, ($6 == "killed" ? $7 : $6 ($7 != "" ? " (" $7 ")" : "")), $8 }' "$MUT_OUT"
echo
echo "mutation score: $killed / $total killed (durability-only mutants excluded); results: $MUT_OUT"
[ "$killed" = "$total" ]
