#!/bin/bash
# Host tests of the two ways to install rpmem, against the cached kernel and
# only in temporary trees (the host's /lib/modules and /var/lib/dkms are
# never touched):
#   test-install.sh install   `make install INSTALL_MOD_PATH=$tmp` over a copy
#                             of the kernel's own modules: rpmem.ko under
#                             lib/modules/<release>/extra/, depmod ran
#   test-install.sh dkms      `dkms add` + `dkms build` for that kernel into a
#                             temporary DKMS tree: rpmem.ko built for it
# KDIR: the kernel build tree (default: the cached normal kernel).
set -euo pipefail
. "$(dirname "$0")/env.sh"
KDIR=${KDIR:-$("$RPMEM_ROOT/scripts/build-kernel.sh" normal)}
kver=$(cat "$KDIR/include/config/kernel.release")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rpmem-install.XXXX")
trap 'rm -rf "$tmp"' EXIT
# What the host has before the test; the test must not add to it.
host_before=$(ls -d "/lib/modules/$kver" /var/lib/dkms/rpmem 2>/dev/null || true)

# The module a tree holds must be rpmem, built for this kernel.
check_ko() { # file
	[ -f "$1" ] || die "no $1"
	[ "$(modinfo -F name "$1")" = rpmem ] || die "$1 is not rpmem"
	case "$(modinfo -F vermagic "$1")" in
	"$kver "*) ;;
	*) die "$1: vermagic '$(modinfo -F vermagic "$1")' is not for $kver" ;;
	esac
}

case ${1:?usage: test-install.sh install|dkms} in
install)
	mods=$tmp/lib/modules/$kver
	mkdir -p "$tmp/lib/modules"
	cp -a "$KDIR/modinst/lib/modules/$kver" "$tmp/lib/modules/"
	rm -f "$mods"/{build,source} "$mods"/modules.dep*
	make -s -C "$RPMEM_ROOT" KDIR="$KDIR" INSTALL_MOD_PATH="$tmp" install
	check_ko "$mods/extra/rpmem.ko"
	cmp -s "$mods/extra/rpmem.ko" "$RPMEM_ROOT/rpmem.ko" || die "installed rpmem.ko differs from the built one"
	grep -q '^extra/rpmem.ko:' "$mods/modules.dep" || die "no extra/rpmem.ko in modules.dep"
	grep -q '^kernel/drivers/nvdimm/nd_pmem.ko:' "$mods/modules.dep" ||
		die "modules.dep lost the kernel's own modules"
	[ "$(modinfo -b "$tmp" -k "$kver" -n rpmem)" = "$mods/extra/rpmem.ko" ] ||
		die "modinfo -b $tmp -k $kver rpmem does not find extra/rpmem.ko"
	echo "make install: $mods/extra/rpmem.ko, in modules.dep"
	;;
dkms)
	command -v dkms > /dev/null || die "dkms missing (run scripts/setup.sh)"
	ver=$(sed -n 's/^PACKAGE_VERSION=//p' "$RPMEM_ROOT/dkms.conf")
	src=$tmp/src/rpmem-$ver
	mkdir -p "$src" "$tmp/dkms" "$tmp/install"
	# The source as a package would ship it: tracked and new files, no build
	# products (outside git: what the module build reads).
	if git -C "$RPMEM_ROOT" rev-parse --git-dir > /dev/null 2>&1; then
		(cd "$RPMEM_ROOT" && git ls-files -co --exclude-standard --deduplicate |
			while read -r f; do [ -e "$f" ] && echo "$f"; done | xargs cp --parents -t "$src")
	else
		cp -r "$RPMEM_ROOT"/{Makefile,Kbuild,dkms.conf,src,bindings,scripts} "$src/"
	fi
	trees=(--sourcetree "$tmp/src" --dkmstree "$tmp/dkms" --installtree "$tmp/install")
	dkms add -m rpmem -v "$ver" "${trees[@]}"
	if ! dkms build -m rpmem -v "$ver" -k "$kver" --kernelsourcedir "$KDIR" "${trees[@]}"; then
		cat "$tmp/dkms/rpmem/$ver/build/make.log" 2>/dev/null | tail -30
		die "dkms build failed"
	fi
	ko=$(ls "$tmp/dkms/rpmem/$ver/$kver"/*/module/rpmem.ko*)
	check_ko "$ko"
	dkms status -m rpmem "${trees[@]}" | grep -q "rpmem/$ver, $kver, .*: built" ||
		die "dkms status: $(dkms status -m rpmem "${trees[@]}")"
	echo "dkms build: $ko"
	;;
*) die "usage: test-install.sh install|dkms" ;;
esac
[ "$(ls -d "/lib/modules/$kver" /var/lib/dkms/rpmem 2>/dev/null || true)" = "$host_before" ] ||
	die "the host's /lib/modules/$kver or /var/lib/dkms changed"
