#!/bin/bash
# QEMU 10.0 for the durability checker (tools/qemu-pmem-check.c needs the
# plugin API's register reads, which QEMU 7.2 lacks), unpacked privately:
# Debian's qemu-system-x86, qemu-system-common, qemu-system-data and
# seabios from bookworm-backports, fetched with `apt-get download` through a
# private sources list (the Debian mirror this machine's apt already uses,
# as scripts/kernel-source.sh finds it), `dpkg-deb -x`'ed under
# $RPMEM_CACHE/qemu10. Nothing is installed: the suite keeps the system's
# QEMU 7.2. Prints the path of a launcher that runs QEMU 10 with its own
# firmware and modules. RPMEM_QEMU10_DIR: an unpacked tree to use instead.
set -euo pipefail
. "$(dirname "$0")/env.sh"

dest=${RPMEM_QEMU10_DIR:-$RPMEM_CACHE/qemu10}
launcher=$dest/qemu-system-x86_64
if [ -x "$launcher" ] && "$launcher" --version 2>/dev/null | grep -q 'version 10\.'; then
	echo "$launcher"; exit 0
fi
[ -z "${RPMEM_QEMU10_DIR:-}" ] || die "RPMEM_QEMU10_DIR=$dest holds no usable QEMU 10"

# The Debian archive URI and keyring of this machine's apt: the first
# deb822 stanza naming a Debian suite (not -security), else sources.list.
read -r uri key < <(
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'function flush() { if (deb && !off && hit && uri ~ /^(https?|ftp|file):/) { print uri, (key ? key : "-"); exit } deb = off = hit = 0; uri = key = "" }
		/^[ \t]*$/ { flush(); next } /^[ \t]*#/ { next }
		tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
		tolower($1) == "uris:" { uri = $2 }
		tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i ~ /^(bookworm|stable)(-updates)?$/) hit = 1 }
		tolower($1) == "signed-by:" && $2 ~ /^\// { key = $2 }
		tolower($1) == "enabled:" && tolower($2) == "no" { off = 1 }
		END { flush() }' "$f"
	done
	[ -f /etc/apt/sources.list ] && awk '$1 == "deb" && $0 !~ /security/ {
		for (i = 2; i <= NF; i++) if ($i ~ /^(https?|ftp|file):/ && $(i + 1) ~ /^(bookworm|stable)(-updates)?$/) { print $i, "-"; exit } }' /etc/apt/sources.list
	[ -n "${RPMEM_DEBIAN_URI:-}" ] && echo "$RPMEM_DEBIAN_URI -"
) || die "no Debian bookworm archive in this machine's apt sources; set RPMEM_DEBIAN_URI=<Debian mirror URI> or RPMEM_QEMU10_DIR=<unpacked QEMU 10>"
[ -n "${RPMEM_DEBIAN_URI:-}" ] && uri=$RPMEM_DEBIAN_URI key=-
[ "$key" != - ] && [ -f "$key" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg

log "fetching QEMU 10 from $uri (bookworm-backports) through a private sources list"
apt_dir=$RPMEM_CACHE/qemu10-apt
rm -rf "$apt_dir"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
echo "deb [signed-by=$key] $uri bookworm-backports main" > "$apt_dir/sources.list"
opts=(-o Dir::Etc::sourcelist="$apt_dir/sources.list" -o Dir::Etc::sourceparts=-
      -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache"
      -o Dir::State::status=/var/lib/dpkg/status -o APT::Get::List-Cleanup=0)
apt-get -q "${opts[@]}" update >&2 || die "apt-get update of the private bookworm-backports list failed"
(cd "$apt_dir/debs" && apt-get -q "${opts[@]}" download qemu-system-x86 qemu-system-common \
	qemu-system-data seabios >&2) || die "bookworm-backports no longer serves qemu-system-x86"
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
for d in "$apt_dir"/debs/*.deb; do dpkg-deb -x "$d" "$dest.tmp/root"; done
ver=$(dpkg-deb -f "$apt_dir"/debs/qemu-system-x86_*.deb Version)
bin=$dest/root/usr/bin/qemu-system-x86_64
# Its libraries are those of the system's QEMU 7.2 (the same Depends).
missing=$(ldd "$dest.tmp/root/usr/bin/qemu-system-x86_64" | grep 'not found' || true)
[ -z "$missing" ] || die "QEMU $ver needs libraries this machine lacks: $missing"
cat > "$dest.tmp/qemu-system-x86_64" <<EOF
#!/bin/sh
# QEMU $ver (Debian, bookworm-backports), unpacked by scripts/qemu10.sh.
QEMU_MODULE_DIR=$dest/root/usr/lib/x86_64-linux-gnu/qemu exec $bin \\
	-L $dest/root/usr/share/qemu -L $dest/root/usr/share/seabios "\$@"
EOF
chmod +x "$dest.tmp/qemu-system-x86_64"
rm -rf "$dest" "$apt_dir"
mv "$dest.tmp" "$dest"
"$launcher" --version | grep -q 'version 10\.' || die "$launcher does not run"
log "QEMU $ver in $dest"
echo "$launcher"
