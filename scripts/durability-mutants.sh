#!/bin/bash
# `make check-durability-mutants`: proof that the durability checks can
# fail. Each mutant is one change that breaks durability, applied by
# pattern to a throwaway copy (of this tree's src/ for rpmem, of the
# kernel's drivers/nvdimm/pmem.c for nd_pmem, built as an out-of-tree
# nd_pmem.ko and laid over the initramfs); then scripts/durability.sh runs
# on it and must fail. Prints, per mutant, where the change went
# (file:line, found by content: a missing pattern fails loudly), what the
# checker reported (place, symbol) and what the power cuts lost, and a
# table row for docs/durability.md. The map-* mutants break the user-space
# example tools/pmem-persist.c instead (rpmem's powercut_map part only).
#
#   MUTANTS   driver:name words (all below)
#   DURABILITY_PARTS  as for scripts/durability.sh (default: all; for the
#             map-* mutants powercut_map)
#   RPMEM_LOG_DIR     as for scripts/check.sh
#   RPMEM_NVDIMM_DIR  a directory for the mutants' NVDIMM images
#             (default: /dev/shm/rpmem-mut-DRIVER-NAME)
set -uo pipefail
. "$(dirname "$0")/env.sh"

MUTANTS=${MUTANTS:-rpmem:memcpy rpmem:no-fua rpmem:no-preflush rpmem:no-copy-wb rpmem:no-flush rpmem:map-no-fence rpmem:map-no-flush nd_pmem:memcpy nd_pmem:no-fua nd_pmem:no-preflush}
logs=${RPMEM_LOG_DIR:-$RPMEM_CACHE/logs}/durability-mutants
mkdir -p "$logs"
KDIR=$("$RPMEM_ROOT/scripts/build-kernel.sh" normal) || die "kernel build failed"
kver=$(cat "$KDIR/include/config/kernel.release")
ksrc=$(readlink -f "$KDIR/source")

# mutate FILE PATTERN REPLACEMENT: scripts/mutate-line.py; prints the
# mutated line as FILE:LINE: TEXT, FILE relative to the mutant's tree.
mutate() {
	local n
	n=$("$PYTHON" "$RPMEM_ROOT/scripts/mutate-line.py" "$@") || return
	echo "${1#*/mut-*/}:$n: $(sed -n "${n}p" "$1" | sed 's/^[[:space:]]*//')"
}

rpmem_mutant() { # name tree
	local t=$2/src
	case $1 in
	memcpy) # plain stores (cached) instead of memcpy_flushcache's non-temporal ones
		mutate "$t/abstractions/pfn_mapping.rs" 'bindings::__memcpy_flushcache(dst.cast(), from.cast(), len)' \
			'core::ptr::copy_nonoverlapping(from, dst, len)' ;;
	no-fua) # REQ_FUA ignored: no flush after a FUA write
		mutate "$t/driver/io.rs" 'if bio.is_fua() && bio.status() == Status::OK {' \
			'if core::hint::black_box(false) && bio.is_fua() && bio.status() == Status::OK {' ;;
	no-preflush) # REQ_PREFLUSH ignored: no nvdimm_flush before the data
		mutate "$t/driver/io.rs" 'if bio.is_preflush() {' 'if core::hint::black_box(false) && bio.is_preflush() {' ;;
	no-copy-wb) # the pfn copy's cache write-back after copy_mc_to_kernel dropped
		mutate "$t/abstractions/pfn_mapping.rs" 'unsafe { bindings::arch_wb_cache_pmem(dst.cast(), len) };' 'let _ = (dst, len);' ;;
	no-flush) # the flush's sfence dropped: rpmem's flushes are libnvdimm's
		# nvdimm_flush(), which on an NVDIMM without flush hints (QEMU's)
		# is that sfence and nothing else; the mutant skips both calls
		mutate "$t/abstractions/region.rs" 'match unsafe { bindings::nvdimm_flush(self.as_ptr(), core::ptr::null_mut()) } {' 'match 0 {' &&
		mutate "$t/abstractions/region.rs" 'let rc = unsafe { bindings::nvdimm_flush(self.as_ptr(), raw.as_ptr()) };' 'let rc = 0;' ;;
	map-no-fence) # the user-space example's sfence dropped: its clwbs are never ordered
		mutate "$2/tools/pmem-persist.c" 'asm volatile("sfence" ::: "memory");' 'asm volatile("" ::: "memory");' ;;
	map-no-flush) # the user-space example's write-backs dropped: plain stores, then the fence
		mutate "$2/tools/pmem-persist.c" 'flush_line(p);' 'if (0) flush_line(p);' ;;
	*) echo "no rpmem mutant $1"; return 1 ;;
	esac
}

nd_pmem_mutant() { # name dir
	local f=$2/pmem.c
	case $1 in
	memcpy) mutate "$f" 'memcpy_flushcache(pmem_addr, mem + off, chunk);' 'memcpy(pmem_addr, mem + off, chunk);' ;;
	no-fua) mutate "$f" 'if ((bio->bi_opf & REQ_FUA) && !bio->bi_status) {' 'if (0 && (bio->bi_opf & REQ_FUA) && !bio->bi_status) {' ;;
	no-preflush) mutate "$f" 'if (bio->bi_opf & REQ_PREFLUSH) {' 'if (0 && (bio->bi_opf & REQ_PREFLUSH)) {' ;;
	*) echo "no nd_pmem mutant $1"; return 1 ;;
	esac
}

rows=()
for m in $MUTANTS; do
	drv=${m%%:*} name=${m#*:}
	work=/tmp/mut-$drv-$name
	out=$logs/$drv-$name.out
	rm -rf "$work"
	mkdir -p "$work"
	echo "== mutant $drv:$name"
	if [ "$drv" = rpmem ]; then
		# The tree as it is now (tracked and built files), without .git.
		tar -C "$RPMEM_ROOT" --exclude=.git -cf - . | tar -C "$work" -xf -
		where=$(rpmem_mutant "$name" "$work") || { echo "$where"; rows+=("| $drv | $name | pattern missing | | |"); continue; }
		# KSRC: the kernel tree this one's build used (the copy does not
		# see the pinned tarball, which is found relative to the tree).
		run=(env RPMEM_ROOT="$work" KSRC="$ksrc" "$work/scripts/durability.sh")
		extra=
	else
		cp "$ksrc"/drivers/nvdimm/*.h "$ksrc/drivers/nvdimm/pmem.c" "$work/"
		echo 'obj-m := nd_pmem.o
nd_pmem-y := pmem.o' > "$work/Kbuild"
		where=$(nd_pmem_mutant "$name" "$work") || { echo "$where"; rows+=("| $drv | $name | pattern missing | | |"); continue; }
		(. "$RPMEM_ROOT/scripts/env.sh"; make -s -C "$KDIR" M="$work" "${KMAKE_ARGS[@]}" modules) ||
			{ rows+=("| $drv | $name | build failed | | |"); continue; }
		mkdir -p "$work/root/lib/modules/$kver/kernel/drivers/nvdimm"
		cp "$work/nd_pmem.ko" "$work/root/lib/modules/$kver/kernel/drivers/nvdimm/nd_pmem.ko"
		(cd "$work/root" && find . | cpio -o -H newc --quiet) > "$work/nd_pmem.cpio"
		run=("$RPMEM_ROOT/scripts/durability.sh")
		extra=$work/nd_pmem.cpio
	fi
	where=$(echo "$where" | paste -sd';' | sed 's/;/; /g')
	echo "  changed $where"
	parts=${DURABILITY_PARTS:-}
	nvdimm_dir=/dev/shm/rpmem-mut-$drv-$name
	[ -n "${RPMEM_NVDIMM_DIR:-}" ] && nvdimm_dir=$RPMEM_NVDIMM_DIR/mut-$drv-$name
	case $name in map-*) parts=${DURABILITY_PARTS:-powercut_map} ;; esac
	DURABILITY_DRIVERS=$drv DURABILITY_PARTS=$parts DURABILITY_EXPECT=fail DURABILITY_EXTRA_CPIO=$extra \
	RPMEM_LOG_DIR=$logs/$drv-$name RPMEM_NVDIMM_DIR=$nvdimm_dir \
		"${run[@]}" > "$out" 2>&1
	rc=$?
	sed 's/^/  /' "$out" | grep -v '^  \[rpmem\]'
	# The checker's first place for the workload (the map mutants: for
	# powercut_map), and the power cuts' outcome.
	report=$logs/$drv-$name/durability/workload-$drv.log.report
	[ -f "$report" ] || report=$logs/$drv-$name/durability/powercut_map-$drv.log.report
	report=$(grep -h '^violation' "$report" 2>/dev/null | head -2 | sed 's/|/\\|/g' | tr '\n' ' ')
	lost=$(grep -E '^(PASS|FAIL) durability:powercut' "$out" | grep ':after' | sed -E 's/^(PASS|FAIL) durability:([a-z_0-9]+)-[a-z_]+:after.*/\2 \1/' | tr '\n' ',' | sed 's/,$//; s/PASS/kept/g; s/FAIL/LOST/g')
	verdict=caught
	[ "$rc" = 0 ] || verdict="NOT CAUGHT"
	rows+=("| $drv | $name | \`${where}\` | ${report:-no violation} | ${lost:-} | $verdict |")
	[ "${KEEP_MUTANTS:-0}" = 1 ] || rm -rf "$work"
done
echo
echo "| driver | mutant | change | checker (workload) | power cuts (raw, ext4) | |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
