# The README's modprobe.d recipe: with /etc/modprobe.d/rpmem.conf holding
# `options rpmem namespaces=namespace0.0` and `softdep nd_pmem pre: rpmem`,
# `modprobe nd_pmem` (what udev runs at boot) loads rpmem first, which binds
# namespace0.0, and nd_pmem binds the others. Malformed namespaces= values
# refuse the load with a message; `modinfo -p` describes every parameter.
. /tests/lib.sh
unload_drivers
set -- $(namespaces)
[ $# -ge 2 ] || fail "needs two namespaces, got: $*"
others=$(namespaces | grep -vx namespace0.0)
conf=/etc/modprobe.d/rpmem.conf
mkdir -p /etc/modprobe.d
trap 'rm -f "$conf"' EXIT
marks=0
mark() { marks=$((marks + 1)); echo "t_modprobe_conf mark $marks" > /dev/kmsg; }
since() { dmesg | sed -n "/t_modprobe_conf mark $marks\$/,\$p"; }
loaded() { grep -q "^$1 " /proc/modules; }

# modprobe nd_pmem with CONF: rpmem must come first (dry run order and
# load), then nd_pmem.
softdep_load() { # conf-text
	printf '%s\n' "$1" > "$conf"
	plan=$(modprobe -D nd_pmem) || fail "modprobe -D nd_pmem"
	first_rpmem=$(echo "$plan" | grep -n '/rpmem\.ko' | head -1 | cut -d: -f1)
	first_pmem=$(echo "$plan" | grep -n '/nd_pmem\.ko' | head -1 | cut -d: -f1)
	[ -n "$first_rpmem" ] && [ -n "$first_pmem" ] && [ "$first_rpmem" -lt "$first_pmem" ] ||
		fail "modprobe -D nd_pmem does not load rpmem first: $plan"
	mark
	check modprobe nd_pmem
	loaded rpmem || fail "modprobe nd_pmem did not load rpmem (softdep)"
	loaded nd_pmem || fail "modprobe nd_pmem did not load nd_pmem"
	for ns in $(namespaces); do wait_disk "$ns" || fail "no disk for $ns"; done
}

# 1. Softdep mechanics with a parameter every rpmem has: rpmem is loaded
#    first with its options and, without namespaces=, binds every namespace.
softdep_load "options rpmem nowait=0
softdep nd_pmem pre: rpmem"
for ns in $(namespaces); do
	[ "$(bound_to "$ns")" = rpmem ] || fail "$ns bound to '$(bound_to "$ns")', expected rpmem (loaded first)"
	nw=$(nowait_of "$(disk_of "$ns")")
	[ "$nw" = off ] || fail "options rpmem nowait=0 not applied: $ns's queue gives RWF_NOWAIT '$nw', want off"
done
info "softdep: modprobe nd_pmem loaded rpmem first (nowait=0 applied), rpmem bound all"
unload_drivers

# 2. The recipe: rpmem takes namespace0.0 only, nd_pmem the others.
softdep_load "options rpmem namespaces=namespace0.0
softdep nd_pmem pre: rpmem"
[ "$(bound_to namespace0.0)" = rpmem ] || fail "namespace0.0 bound to '$(bound_to namespace0.0)', expected rpmem"
for ns in $others; do
	[ "$(bound_to "$ns")" = nd_pmem ] || fail "$ns bound to '$(bound_to "$ns")', expected nd_pmem"
done
# Declining the others is quiet (-ENODEV): no probe error on the console.
since | grep -E "probe with driver rpmem failed" && fail "rpmem's probe reported an error"
for ns in $(namespaces); do
	dev=$(disk_of "$ns")
	[ -b "$dev" ] || fail "$dev is not a block device"
	check dd if=/dev/urandom of=/tmp/blk bs=4096 count=16 status=none
	check dd if=/tmp/blk of="$dev" bs=4096 oflag=direct status=none
	got=$(dd if="$dev" bs=4096 count=16 iflag=direct 2>/dev/null | datasum)
	[ "$got" = "$(datasum < /tmp/blk)" ] || fail "$dev ($ns, $(bound_to "$ns")) read back other data"
done
info "recipe: namespace0.0 -> rpmem, $(echo $others) -> nd_pmem; each disk reads back what was written"
unload_drivers
rm -f "$conf"

# 3. Well-formed but absent names: loads, binds nothing.
check modprobe rpmem namespaces=namespace9.0,namespace9.1
for ns in $(namespaces); do
	[ -z "$(bound_to "$ns")" ] || fail "$ns bound to $(bound_to "$ns") with namespaces=namespace9.0,namespace9.1"
done
check rmmod rpmem
info "namespaces=namespace9.0,namespace9.1: loaded, bound nothing"

# 4. Malformed values refuse the load (EINVAL) with a line naming the item.
refused() { # value bad-item (- when the line need not name one)
	v=$(echo "$1" | cut -c1-40)
	[ "$v" = "$1" ] || v="$v..."
	mark
	if modprobe rpmem "namespaces=$1" 2>/tmp/err; then rmmod rpmem; fail "modprobe rpmem namespaces=$v loaded"; fi
	grep -qE "Invalid (argument|parameters)" /tmp/err || fail "namespaces=$v: '$(cat /tmp/err)', expected EINVAL"
	loaded rpmem && fail "rpmem loaded after namespaces=$v"
	if [ "$2" = - ]; then
		since | grep -q "rpmem: namespaces=" || fail "namespaces=$v: no 'rpmem: namespaces=' line in dmesg"
	else
		since | grep -F "rpmem: namespaces=" | grep -qF ": '$2' is not a namespace name (namespaceN.M)" ||
			fail "namespaces=$v: no \"'$2' is not a namespace name (namespaceN.M)\" in dmesg: $(since | tail -2)"
	fi
	info "namespaces=$v: refused"
}
refused bogus bogus
refused namespace0.0,namespace1 namespace1
refused namespace0.0,,namespace1.0 ''
refused namespace0.0, ''
refused namespaceX.0 namespaceX.0
refused namespace0.0.1 namespace0.0.1
many=$(i=0; while [ $i -lt 65 ]; do printf 'namespace%d.0,' $i; i=$((i + 1)); done)
refused "${many%,}" -

# 5. modinfo documents every parameter.
params=$(modinfo -p rpmem) || fail "modinfo -p rpmem"
for p in namespaces nowait; do
	echo "$params" | grep -qE "^$p:[^(]*[a-z]{3}" || fail "modinfo -p rpmem: no description of $p: $params"
done
info "modinfo -p: $(echo "$params" | cut -d: -f1 | tr '\n' ' ')"
