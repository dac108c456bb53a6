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
# The bench reports draw their charts with Debian's python3-matplotlib, which
# only Debian's python3 sees (not a pyenv or venv python3 earlier on PATH).
PYTHON=${PYTHON:-/usr/bin/python3}
JOBS=${JOBS:-$(nproc)}

# Arguments every kernel or module make gets.
KMAKE_ARGS=(RUSTC="$RUSTC" BINDGEN="$BINDGEN" RUSTFMT="$RUSTFMT"
	    CLIPPY_DRIVER="$CLIPPY_DRIVER" HOSTRUSTC="$RUSTC")

# Console text as clean lines for the terminal: drops ANSI/VT100 escape
# sequences (CSI, OSC and two-byte ESC ones, e.g. the ESC c and ESC [2J
# firmware prints), carriage returns and other control characters.
clean_console() {
	LC_ALL=C sed -u -e 's#\x1b\][^\x07\x1b]*\(\x07\|\x1b\\\)##g' \
		-e 's#\x1b\[[0-?]*[ -/]*[@-~]##g' -e 's#\x1b[ -/]*[0-~]##g' \
		-e 's#[\x01-\x08\x0b-\x1f\x7f]##g'
}

log() { printf '[rpmem] %s\n' "$*" >&2; }
die() { printf '[rpmem] error: %s\n' "$*" >&2; exit 1; }

# Build (or reuse) kernel VARIANT, rpmem.ko, rpmemctl and the initramfs; sets KDIR and
# INITRD. Returns non-zero, with a message, on the first failing step.
prepare_guest() { # variant
	KDIR=$("$RPMEM_ROOT/scripts/build-kernel.sh" "$1") || { log "kernel build failed"; return 1; }
	make -s -C "$RPMEM_ROOT" KDIR="$KDIR" modules bench-module rpmemctl >&2 || { log "module or rpmemctl build failed"; return 2; }
	INITRD=$("$RPMEM_ROOT/scripts/mkinitramfs.sh" "$KDIR") || { log "initramfs failed"; return 3; }
}

# Build (or reuse) the instruction-counting QEMU plugin (tools/qemu-insn-count.c)
# and print its path.
insn_plugin() {
	local plugin=$RPMEM_CACHE/plugins/qemu-insn-count.so src=$RPMEM_ROOT/tools/qemu-insn-count.c
	mkdir -p "${plugin%/*}"
	if [ ! -f "$plugin" ] || [ "$src" -nt "$plugin" ] || [ "${src%/*}/qemu-plugin-api.h" -nt "$plugin" ]; then
		gcc -shared -fPIC -fvisibility=hidden -O2 -Wall -Wextra -Werror -o "$plugin" "$src" || return 1
	fi
	echo "$plugin"
}

# One guest boot for a measurement job (after prepare_guest): init mode MODE
# with NVDIMMS 1 GiB namespaces, at most TIMEOUT seconds, console to LOG;
# further arguments go on the kernel command line for the guest script.
# Dies unless the guest printed its "<MODE>-DONE" marker (mode upper-cased).
# RPMEM_MEM (4G) and other qemu/run.sh variables may be set by the caller.
run_measurement_guest() { # mode nvdimms timeout log [guest args...]
	local mode=$1 nvdimms=$2 timeout=$3 log=$4 rc=0
	shift 4
	mkdir -p "$(dirname "$log")"
	RPMEM_KERNEL=$KDIR/arch/x86/boot/bzImage RPMEM_INITRD=$INITRD RPMEM_LOG=$log \
	RPMEM_NVDIMMS=$nvdimms RPMEM_NVDIMM_SIZE=1G RPMEM_MEM=${RPMEM_MEM:-4G} RPMEM_TIMEOUT=$timeout \
	RPMEM_NVDIMM_DIR=${RPMEM_NVDIMM_DIR:-/dev/shm/rpmem-$mode} \
	RPMEM_APPEND="quiet RPMEM_MODE=$mode $*" "$RPMEM_ROOT/qemu/run.sh" || rc=$?
	grep -aq "${mode^^}-DONE" "$log" || die "$mode run did not complete (rc=$rc); see $log"
}
