#!/bin/bash
# Install everything rpmem needs on a Debian 12 machine. Idempotent.
set -euo pipefail
. "$(dirname "$0")/env.sh"

PKGS=(rustc-web rust-web-src cargo-web rust-web-clippy rustfmt-web
      libclang-19-dev clang-19 llvm-19 lld-19 gcc make bc bison flex libelf-dev libssl-dev
      cpio xz-utils zstd kmod qemu-system-x86 busybox-static fio ndctl e2fsprogs
      dwarves python3 pkg-config ca-certificates curl rsync file linux-perf dkms
      nvme-cli dmsetup mdadm python3-matplotlib)

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing Debian packages: ${missing[*]}"
	$SUDO apt-get update -q
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	log "Debian packages: all present"
fi

if [ -x "$BINDGEN" ] && "$BINDGEN" --version 2>/dev/null | grep -q "$BINDGEN_VERSION"; then
	log "bindgen $BINDGEN_VERSION: present"
else
	log "installing bindgen-cli $BINDGEN_VERSION with cargo install (about 2 minutes)"
	cargo install bindgen-cli --version "$BINDGEN_VERSION" --locked
fi
# QEMU 10 for the durability checker, unpacked privately (the suite keeps 7.2).
"$RPMEM_ROOT/scripts/qemu10.sh" > /dev/null
log "rustc: $($RUSTC --version)"
log "setup done"
