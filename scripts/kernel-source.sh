#!/bin/bash
# Resolve a Linux 7.2 source tree and print its path.
# Order: $KSRC (ready tree), $LINUX_TARBALL (linux-*.tar.xz), the pinned
# tarball in ../shared/cache when present, else Debian's linux-source-7.2
# fetched with `apt-get download` through a private sources list (sid and
# forky on the Debian mirror this machine's apt already uses; the system's
# sources are never touched).
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

# The pinned tarball (checked against its .sha256 when that file is beside it).
PINNED=linux-source-7.2.13.tar.xz
tb=$RPMEM_ROOT/../shared/cache/$PINNED
if [ -f "$tb" ]; then
	tb=$(realpath "$tb")
	key=$(basename "$tb" .tar.xz)
	if [ ! -f "$SRC_DIR/$key/.unpacked" ] && [ -f "$tb.sha256" ]; then
		[ "$(sha256sum < "$tb" | cut -d' ' -f1)" = "$(cut -d' ' -f1 "$tb.sha256")" ] ||
			die "$tb does not match $tb.sha256"
	fi
	unpack "$tb"; exit 0
fi

# Already fetched?
for tb in "$SRC_DIR"/linux-source-"$KVER_SERIES"*.tar.xz; do
	[ -f "$tb" ] && { unpack "$tb"; exit 0; }
done

# The Debian archive URI and keyring this machine's apt uses: the first
# `Types: deb` stanza of /etc/apt/sources.list.d/*.sources naming a Debian
# suite (not -security, a different archive), else the first such `deb`
# line of /etc/apt/sources.list. RPMEM_DEBIAN_URI overrides it.
DEBIAN_SUITE_RE='^(stable|testing|unstable|oldstable|sid|experimental|buster|bullseye|bookworm|trixie|forky|duke)(-updates|-backports|-proposed-updates)?$'
debian_uri() { # prints "URI KEYRING"
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v re="$DEBIAN_SUITE_RE" '
		function flush() {
			if (deb && !off && hit && uri ~ /^(https?|ftp|file):/) { print uri, (key ? key : "-"); found = 1; exit }
			deb = off = hit = 0; uri = key = ""
		}
		/^[ \t]*$/ { flush(); next }
		/^[ \t]*#/ { next }
		tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
		tolower($1) == "uris:" { uri = $2 }
		tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i ~ re) hit = 1 }
		tolower($1) == "signed-by:" && $2 ~ /^\// { key = $2 }
		tolower($1) == "enabled:" && tolower($2) == "no" { off = 1 }
		END { if (!found) flush() }' "$f" | head -1 | grep . && return 0
	done
	[ -f /etc/apt/sources.list ] || return 1
	awk -v re="$DEBIAN_SUITE_RE" '
	$1 == "deb" {
		i = 2; key = "-"
		if ($2 ~ /^\[/) {
			for (; i <= NF; i++) {
				if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\]$/, "", key) }
				if ($i ~ /\]$/) { i++; break }
			}
		}
		if ($i ~ /^(https?|ftp|file):/ && $(i + 1) ~ re) { print $i, key; exit }
	}' /etc/apt/sources.list | grep .
}
if [ -n "${RPMEM_DEBIAN_URI:-}" ]; then
	uri=$RPMEM_DEBIAN_URI key=-
else
	read -r uri key < <(debian_uri) ||
		die "no Debian archive in this machine's apt sources; set RPMEM_DEBIAN_URI=<Debian mirror URI>, KSRC=<tree> or LINUX_TARBALL=<linux-source-$KVER_SERIES.tar.xz>"
fi
[ "$key" != - ] && [ -f "$key" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg

log "fetching Debian linux-source-$KVER_SERIES from $uri (sid, forky) through a private sources list"
APT_DIR=$SRC_DIR/apt
mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
cat > "$APT_DIR/sources.list" <<SRC
deb [signed-by=$key] $uri sid main
deb [signed-by=$key] $uri forky main
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
