#!/bin/bash
# Build (or reuse) the guest kernel and print the path of its object tree.
# Usage: build-kernel.sh [normal|debug|zonedev]
# The tree lives in ~/.cache/rpmem/kernel/<source>-<variant>-<hash>, where the
# hash covers the config fragments and the toolchain versions; an unchanged
# key reuses the finished build.
set -euo pipefail
. "$(dirname "$0")/env.sh"

variant=${1:-${KVARIANT:-normal}}
frags=("$RPMEM_ROOT/configs/rpmem.config")
case $variant in
normal) ;;
debug) frags+=("$RPMEM_ROOT/configs/debug.config") ;;
zonedev) frags+=("$RPMEM_ROOT/configs/zonedev.config") ;;
*) die "unknown kernel variant '$variant' (normal|debug|zonedev)" ;;
esac

src=$("$RPMEM_ROOT/scripts/kernel-source.sh")
key=$( { cat "${frags[@]}"; "$RUSTC" --version; gcc --version | head -1;
	 "$BINDGEN" --version; echo "$src"; } | sha256sum | cut -c1-12)
out=$RPMEM_CACHE/kernel/$(basename "$src")-$variant-$key

# One build per tree at a time: a second caller (another suite, a helper
# script) waits for the first and then reuses its result.
mkdir -p "$(dirname "$out")"
exec 9> "$out.lock"
flock 9
if [ -f "$out/.rpmem-built" ]; then
	log "kernel: reusing $out"
	echo "$out"; exit 0
fi

log "kernel: building $variant kernel from $src into $out (about 4-5 minutes on 2 cores)"
mkdir -p "$out"
start=$(date +%s)
make -s -C "$src" O="$out" "${KMAKE_ARGS[@]}" tinyconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >/dev/null
make -s -C "$src" O="$out" "${KMAKE_ARGS[@]}" olddefconfig >&2

# Every option we asked for must have survived Kconfig's dependency checks;
# a later fragment overrides an earlier one, as in merge_config.sh.
declare -A want_of=()
order=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=n) opt=${line%=n}; want="# $opt is not set" ;;
	CONFIG_*) opt=${line%%=*}; want=$line ;;
	*) continue ;;
	esac
	[ -n "${want_of[$opt]+set}" ] || order+=("$opt")
	want_of[$opt]=$want
done < <(cat "${frags[@]}")
bad=0
for opt in "${order[@]}"; do
	want=${want_of[$opt]}
	if [ "$want" = "# $opt is not set" ]; then
		grep -q "^$opt=" "$out/.config" && { log "config: $opt should be off"; bad=1; }
	else
		grep -qx "$want" "$out/.config" || { log "config: wanted $want, got: $(grep "^$opt=\|$opt is not set" "$out/.config" || echo unset)"; bad=1; }
	fi
done
if [ "$bad" = 1 ]; then
	make -s -C "$src" O="$out" "${KMAKE_ARGS[@]}" rustavailable >&2 || true
	die "kernel config lacks options from the fragments (see above)"
fi

# Progress: print a line every ~30 s so a long build is visibly alive.
( while sleep 30; do log "kernel: still building ($(( $(date +%s) - start )) s)"; done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true' EXIT
make -C "$src" O="$out" "${KMAKE_ARGS[@]}" -j"$JOBS" bzImage modules > "$out/build.log" 2>&1 ||
	{ tail -40 "$out/build.log" >&2; die "kernel build failed; full log: $out/build.log"; }
rm -rf "$out/modinst"
make -s -C "$src" O="$out" "${KMAKE_ARGS[@]}" INSTALL_MOD_PATH="$out/modinst" modules_install >&2
kill $ticker 2>/dev/null || true
touch "$out/.rpmem-built"
log "kernel: built in $(( $(date +%s) - start )) s"
echo "$out"
