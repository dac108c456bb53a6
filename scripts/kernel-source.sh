#!/bin/bash
# Resolve a Linux 7.2 source tree and print its path.
# Order: $KSRC (ready tree), $LINUX_TARBALL (linux-*.tar.xz), else Debian's
# linux-source-7.2 fetched with `apt-get download` through a private sources
# list (the system's sources are never touched).
set -euo pipefail
. "$(dirname "$0")/env.sh"

if [ -n "${KSRC:-}" ]; then
	[ -f "$KSRC/Makefile" ] && [ -d "$KSRC/rust/kernel" ] ||
		die "KSRC=$KSRC is not a Linux source tree with rust/kernel"
	echo "$KSRC"; exit 0
fi

SRC_DIR=$RPMEM_CACHE/src
mkdir -p "$SRC_DIR"

unpack() { # tarball -> tree path
	local tb=$1 key dest
	key=$(basename "$tb" | sed -e 's/\.tar\.xz$//')
	dest=$SRC_DIR/$key
	if [ ! -f "$dest/.unpacked" ]; then
		log "unpacking $tb into $dest"
		rm -rf "$dest.tmp" "$dest"; mkdir -p "$dest.tmp"
		tar -C "$dest.tmp" -xf "$tb"
		# The tarball holds one top directory.
		mv "$dest.tmp"/* "$dest"; rmdir "$dest.tmp"
		touch "$dest/.unpacked"
	fi
	echo "$dest"
}

if [ -n "${LINUX_TARBALL:-}" ]; then
	[ -f "$LINUX_TARBALL" ] || die "LINUX_TARBALL=$LINUX_TARBALL does not exist"
	unpack "$LINUX_TARBALL"; exit 0
fi

# Already fetched?
for tb in "$SRC_DIR"/linux-source-"$KVER_SERIES"*.tar.xz; do
	[ -f "$tb" ] && { unpack "$tb"; exit 0; }
done

log "fetching Debian linux-source-$KVER_SERIES through a private sources list (sid, forky)"
APT_DIR=$SRC_DIR/apt
mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
cat > "$APT_DIR/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian forky main
SRC
APT_OPTS=(-o Dir::Etc::sourcelist="$APT_DIR/sources.list" -o Dir::Etc::sourceparts=-
	  -o Dir::State::Lists="$APT_DIR/lists" -o Dir::Cache="$APT_DIR/cache"
	  -o Dir::State::status=/var/lib/dpkg/status -o APT::Get::List-Cleanup=0)
apt-get -q "${APT_OPTS[@]}" update >&2 ||
	die "apt-get update of the private sid/forky list failed; set KSRC=<tree> or LINUX_TARBALL=<linux-source-7.2.tar.xz>"
( cd "$APT_DIR" && rm -f linux-source-*.deb &&
  apt-get -q "${APT_OPTS[@]}" download "linux-source-$KVER_SERIES" >&2 ) ||
	die "linux-source-$KVER_SERIES is no longer served by sid/forky; set KSRC=<tree> or LINUX_TARBALL=<linux-source-$KVER_SERIES.tar.xz>"
deb=$(ls "$APT_DIR"/linux-source-"$KVER_SERIES"_*.deb | head -1)
ver=$(dpkg-deb -f "$deb" Version)
log "got $(basename "$deb") ($ver)"
rm -rf "$APT_DIR/x"; dpkg-deb -x "$deb" "$APT_DIR/x"
upstream=${ver%%-*}
mv "$APT_DIR"/x/usr/src/linux-source-"$KVER_SERIES".tar.xz "$SRC_DIR/linux-source-$upstream.tar.xz"
rm -rf "$APT_DIR/x" "$deb"
unpack "$SRC_DIR/linux-source-$upstream.tar.xz"
