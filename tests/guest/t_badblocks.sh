# Bad blocks injected through /sys/block/pmemN/badblocks: reads of bad
# sectors fail with EIO, reads elsewhere succeed, writes behave as they do
# on nd_pmem. Runs the same sequence on both drivers and compares.
. /tests/lib.sh
run_on() { # driver -> prints the outcome line
	load_driver "$1" > /dev/null
	dev=$(disk_of namespace0.0)
	bb=/sys/block/$(basename "$dev")/badblocks
	[ -b "$dev" ] || fail "$1: no disk for namespace0.0"
	check dd if=/dev/urandom of="$dev" bs=1M count=4 oflag=direct status=none
	echo "4096 8" > "$bb" || fail "$1: cannot inject into $bb"
	listed=$(cat "$bb" | tr '\n' ' ')
	r_bad=ok; dd if="$dev" of=/dev/null bs=512 skip=4100 count=1 iflag=direct status=none 2>/tmp/e || r_bad=$(cut -d: -f3 /tmp/e | tr -d ' ')
	r_span=ok; dd if="$dev" of=/dev/null bs=4096 skip=511 count=2 iflag=direct status=none 2>/tmp/e || r_span=$(cut -d: -f3 /tmp/e | tr -d ' ')
	r_good=ok; dd if="$dev" of=/dev/null bs=4096 skip=0 count=500 iflag=direct status=none 2>/tmp/e || r_good=$(cut -d: -f3 /tmp/e | tr -d ' ')
	w_bad=ok; dd if=/dev/zero of="$dev" bs=512 seek=4096 count=8 oflag=direct status=none 2>/tmp/e || w_bad=$(cut -d: -f3 /tmp/e | tr -d ' ')
	after=$(cat "$bb" | tr '\n' ' ')
	r_after=ok; dd if="$dev" of=/dev/null bs=512 skip=4100 count=1 iflag=direct status=none 2>/tmp/e || r_after=$(cut -d: -f3 /tmp/e | tr -d ' ')
	echo "listed=[$listed] read_bad=$r_bad read_span=$r_span read_good=$r_good write_bad=$w_bad after_write=[$after] read_after=$r_after"
	# Injected entries are not in the bus's poison list: a rebind starts
	# with an empty list, so the next driver (and test) starts clean.
	unload_drivers
	load_driver "$1" > /dev/null
	left=$(cat "/sys/block/$(basename "$(disk_of namespace0.0)")/badblocks")
	[ -z "$left" ] || fail "$1: bad blocks [$left] survive a rebind"
	unload_drivers
}
a=$(run_on nd_pmem) || fail "nd_pmem: $a"
info "nd_pmem: $a"
b=$(run_on rpmem) || fail "rpmem: $b"
info "rpmem:   $b"
case $b in *"read_bad=Input/outputerror"*) ;; *) fail "rpmem: read of a bad sector did not fail with EIO" ;; esac
case $b in *"read_good=ok"*) ;; *) fail "rpmem: read of good sectors failed" ;; esac
case $b in *"listed=[4096 8 ]"*) ;; *) fail "rpmem: badblocks file does not list the injection" ;; esac
[ "$a" = "$b" ] || fail "rpmem and nd_pmem behave differently"
