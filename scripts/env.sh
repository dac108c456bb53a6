# shellcheck shell=bash
# Common environment for every rpmem script: toolchain, cache paths, versions.
# Source it; it only sets variables.

RPMEM_ROOT=${RPMEM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
RPMEM_CACHE=${RPMEM_CACHE:-$HOME/.cache/rpmem}
KVER_SERIES=${KVER_SERIES:-7.2}
BINDGEN_VERSION=${BINDGEN_VERSION:-0.73.2}

# The kernel must be built with Debian's rustc-web (it ships rust-src);
# the rustup rustc on PATH cannot build a kernel.
export RUSTC=${RUSTC:-/usr/bin/rustc}
export BINDGEN=${BINDGEN:-$HOME/.cargo/bin/bindgen}
export LIBCLANG_PATH=${LIBCLANG_PATH:-/usr/lib/llvm-19/lib}
export RUSTFMT=${RUSTFMT:-/usr/bin/rustfmt}
export CLIPPY_DRIVER=${CLIPPY_DRIVER:-/usr/bin/clippy-driver}
JOBS=${JOBS:-$(nproc)}

# Arguments every kernel or module make gets.
KMAKE_ARGS=(RUSTC="$RUSTC" BINDGEN="$BINDGEN" RUSTFMT="$RUSTFMT"
	    CLIPPY_DRIVER="$CLIPPY_DRIVER" HOSTRUSTC="$RUSTC")

log() { printf '[rpmem] %s\n' "$*" >&2; }
die() { printf '[rpmem] error: %s\n' "$*" >&2; exit 1; }

# Build (or reuse) kernel VARIANT, rpmem.ko and the initramfs; sets KDIR and
# INITRD. Returns non-zero, with a message, on the first failing step.
prepare_guest() { # variant
	KDIR=$("$RPMEM_ROOT/scripts/build-kernel.sh" "$1") || { log "kernel build failed"; return 1; }
	make -s -C "$RPMEM_ROOT" KDIR="$KDIR" modules >&2 || { log "module build failed"; return 2; }
	INITRD=$("$RPMEM_ROOT/scripts/mkinitramfs.sh" "$KDIR") || { log "initramfs failed"; return 3; }
}
