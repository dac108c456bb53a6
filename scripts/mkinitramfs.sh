#!/bin/bash
# Build (or reuse) the guest initramfs for kernel tree KDIR and print its
# path. Contents: busybox, Debian's fio/ndctl/cxl/e2fsprogs/coreutils/nvme-cli/
# dmsetup/mdadm binaries
# with the libraries ldd names, the kernel's modules plus rpmem.ko and, if
# `make bench-module` built it, rpmem_bench.ko (depmod'ed so modprobe
# works), the guest tests and tools (rpmemctl with its libraries, static C
# tools). Rebuilt only when an input changes (the cpio is named by a hash
# of its inputs).
set -euo pipefail
. "$(dirname "$0")/env.sh"
KDIR=${1:?usage: mkinitramfs.sh KDIR}

BINS=(/usr/bin/fio /usr/bin/ndctl /usr/bin/cxl /sbin/mke2fs /sbin/e2fsck /sbin/blockdev
      /bin/dd /usr/bin/sha256sum /usr/bin/cksum /usr/bin/cmp /usr/bin/stat /sbin/blkdiscard
      /usr/bin/kmod /usr/bin/timeout /usr/bin/env /usr/sbin/nvme /sbin/dmsetup /sbin/mdadm)
# Optional: perf for `make profile` (Debian linux-perf; RPMEM_IMAGE_PERF=1),
# skipped if absent. Not in the test image: perf's libraries are a fifth of
# the image, and every boot unpacks the image (seconds on the debug kernel).
OPT_BINS=()
[ "${RPMEM_IMAGE_PERF:-0}" = 1 ] && OPT_BINS=(/usr/bin/perf)
kver=$(cat "$KDIR/include/config/kernel.release")
ko=$RPMEM_ROOT/rpmem.ko
[ -f "$ko" ] || die "$ko missing: run make first"
# The benchmark module, beside rpmem.ko when built (tests that need it fail
# without it).
bench_ko=()
[ -f "$RPMEM_ROOT/rpmem_bench.ko" ] && bench_ko=("$RPMEM_ROOT/rpmem_bench.ko")

# rpmemctl (cargo, built by `make`) goes in with its libraries.
rpmemctl=$RPMEM_ROOT/tools/rpmemctl/target/release/rpmemctl
[ -x "$rpmemctl" ] || die "$rpmemctl missing: run make first"

# The static C tools, built once per set of sources: the directory is named
# by their hash, so trees with other tools (another branch, a mutant's
# copy of this tree) never overwrite each other's builds.
tool_names=(memcpy-bw abbench mkinfoblock vecio ptyerr insn-window copyfd runas pmem-map pmem-persist)
tools=$RPMEM_CACHE/tools-$(cd "$RPMEM_ROOT/tools" && sha256sum "${tool_names[@]/%/.c}" | sha256sum | cut -c1-16)
mkdir -p "$tools"
for t in "${tool_names[@]}"; do
	if [ ! -x "$tools/$t" ]; then
		gcc -static -O2 -Wall -Wextra -Werror -o "$tools/$t.tmp$$" "$RPMEM_ROOT/tools/$t.c"
		mv "$tools/$t.tmp$$" "$tools/$t"
	fi
done

key=$( { sha256sum "$ko" "${bench_ko[@]}" "$0" "$rpmemctl" "$tools"/* "$RPMEM_ROOT"/tests/guest/* "$RPMEM_ROOT"/bench/guest-*.sh \
	   "$KDIR/.rpmem-built" "${BINS[@]}" /bin/busybox; for b in "${OPT_BINS[@]}"; do [ -x "$b" ] && echo "$b"; done; echo "$kver"; } | sha256sum | cut -c1-16)
out_dir=$RPMEM_CACHE/initramfs
out=$out_dir/initramfs-$key.cpio
if [ -f "$out" ]; then
	log "initramfs: reusing $out"
	echo "$out"; exit 0
fi

log "initramfs: packing $out"
root=$(mktemp -d "$RPMEM_CACHE/initramfs-root.XXXX")
trap 'rm -rf "$root" "$root.cpio"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,run,mnt,etc,tests,root}
# mktemp made the root 0700: open it, so that tests can run commands as an
# unprivileged user (tools/runas.c); /tmp as on any system.
chmod 0755 "$root"
chmod 1777 "$root/tmp"

copy_with_libs() { # file [path in the image, default: the same]
	local f=$1 to=${2:-$1} lib
	mkdir -p "$root$(dirname "$to")"
	cp -L "$f" "$root$to"
	for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
for b in "${BINS[@]}"; do
	[ -x "$b" ] || die "$b missing (run scripts/setup.sh)"
	copy_with_libs "$b"
done
for b in "${OPT_BINS[@]}"; do
	if [ -x "$b" ]; then copy_with_libs "$b"; else log "initramfs: $b absent, skipped"; fi
done
ln -sf mke2fs "$root/sbin/mkfs.ext4"
for m in insmod rmmod modprobe lsmod modinfo depmod; do
	ln -sf /usr/bin/kmod "$root/sbin/$m"
done
# busybox for everything else; the real tools above take precedence.
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	found=
	for d in bin sbin usr/bin usr/sbin; do
		[ -e "$root/$d/$applet" ] && found=1
	done
	[ -n "$found" ] || ln -s busybox "$root/bin/$applet"
done
cp "$tools"/* "$root/bin/"
copy_with_libs "$rpmemctl" /bin/rpmemctl

mkdir -p "$root/lib/modules"
cp -a "$KDIR/modinst/lib/modules/$kver" "$root/lib/modules/"
rm -f "$root/lib/modules/$kver"/{build,source}
mkdir -p "$root/lib/modules/$kver/extra"
cp "$ko" "$root/lib/modules/$kver/extra/rpmem.ko"
for b in "${bench_ko[@]}"; do cp "$b" "$root/lib/modules/$kver/extra/"; done
depmod -b "$root" "$kver"

cp "$RPMEM_ROOT"/tests/guest/* "$root/tests/"
cp "$RPMEM_ROOT"/bench/guest-*.sh "$root/tests/"
mv "$root/tests/init" "$root/init"
chmod +x "$root/init" "$root"/tests/*
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"

mkdir -p "$out_dir"
# Keep the newest few images; never one younger than an hour, which a
# concurrent run (another variant or worktree) may be about to boot.
{ ls -t "$out_dir"/initramfs-*.cpio 2>/dev/null || true; } | tail -n +5 |
	while read -r old; do find "$old" -mmin +60 -delete; done
(cd "$root" && find . | cpio -o -H newc --quiet) > "$root.cpio"
mv "$root.cpio" "$out"
log "initramfs: $(du -h "$out" | cut -f1)"
echo "$out"
