# A read-only region gives a read-only disk; writes fail as on nd_pmem.
# The same steps run on nd_pmem and on DRIVER (the argument), on the same
# namespace: data written while the region is writable, then the region set
# read-only, then a write and a read. Each driver's outcome (getro, the
# write's error, the read, whether the data is unchanged) must be
# read-only, and DRIVER's must equal nd_pmem's. Then the same with the
# region made read-only while the driver serves the namespace, and
# writable again.
. /tests/lib.sh
ns=namespace0.0
region=$(readlink -f /sys/bus/nd/devices/$ns/..)
outcome() { # driver -> outcome line
	dev=$(serve "$1" $ns) || fail "$dev"
	check dd if=/tmp/data of="$dev" bs=4096 count=16 oflag=direct status=none
	unbind $ns
	echo 1 > "$region/read_only" || fail "cannot set $region read-only"
	dev=$(serve "$1" $ns) || fail "$dev"
	ro=$(blockdev --getro "$dev")
	w=ok; dd if=/dev/zero of="$dev" bs=4096 count=1 oflag=direct status=none 2>/tmp/e || w=$(cut -d: -f3 /tmp/e | tr -d ' ')
	r=ok; dd if="$dev" of=/dev/null bs=4096 count=1 iflag=direct status=none 2>/tmp/e || r=$(cut -d: -f3 /tmp/e | tr -d ' ')
	kept=no; [ "$(dd if="$dev" bs=4096 count=16 iflag=direct status=none | datasum)" = "$(datasum < /tmp/data)" ] && kept=yes
	unbind $ns
	echo 0 > "$region/read_only"
	echo "getro=$ro write=$w read=$r data_kept=$kept"
}
# The region made read-only while the driver serves the namespace (the
# region's revalidate event), then writable again.
live() { # driver -> outcome line
	dev=$(serve "$1" $ns) || fail "$dev"
	echo 1 > "$region/read_only" || fail "cannot set $region read-only"
	ro=$(blockdev --getro "$dev")
	w=ok; dd if=/dev/zero of="$dev" bs=4096 count=1 oflag=direct status=none 2>/tmp/e || w=$(cut -d: -f3 /tmp/e | tr -d ' ')
	echo 0 > "$region/read_only" || fail "cannot set $region writable"
	ro2=$(blockdev --getro "$dev")
	w2=ok; dd if=/tmp/data of="$dev" bs=4096 count=1 oflag=direct status=none 2>/tmp/e || w2=$(cut -d: -f3 /tmp/e | tr -d ' ')
	unbind $ns
	echo "live getro=$ro write=$w, writable again getro=$ro2 write=$w2"
}
check dd if=/dev/urandom of=/tmp/data bs=4096 count=16 status=none
a=$(outcome nd_pmem)
info "nd_pmem: $a"
la=$(live nd_pmem)
info "nd_pmem: $la"
unload_drivers
b=$(outcome "$1")
info "$1: $b"
lb=$(live "$1")
info "$1: $lb"
for x in "$la" "$lb"; do
	case $x in "live getro=1 write="*) ;; *) fail "not read-only after the region was made read-only under it: $x" ;; esac
	case $x in "live getro=1 write=ok"*) fail "a write succeeded after the region was made read-only: $x" ;; esac
done
[ "$la" = "$lb" ] || fail "$1 and nd_pmem differ with the region made read-only under them: '$lb' against '$la'"
for x in "$a" "$b"; do
	case $x in "getro=1 write="*" read=ok data_kept=yes") ;; *) fail "not a read-only disk: $x" ;; esac
	case $x in *" write=ok "*) fail "a write to a read-only disk succeeded: $x" ;; esac
done
[ "$a" = "$b" ] || fail "$1 and nd_pmem differ: '$b' against '$a'"
