# A figure for `make copy-bench`: pfn I/O copy bandwidth (rpmemctl copy, a
# whole 1 GiB namespace) against dd with O_DIRECT between the same two
# disks, 5 rounds each, alternating. The source holds random data in 4 MiB
# stretches spread over the disk; before every copy the destination is
# scribbled on in each of them, after it each must equal the source
# (O_DIRECT reads), so a copy that skips any part fails. A whole-disk
# compare would cost minutes under TCG.
. /tests/lib.sh
load_driver rpmem
pick_disk_pair
# Touch both namespaces once so no round pays the host's first-touch cost
# of the backing files.
for d in $A $B; do check dd if=/dev/zero of=/dev/$d bs=1M count=1024 oflag=direct status=none; done
SPOTS="0 137 300 511 700 901 1020"    # MiB, 4 MiB each
for at in $SPOTS; do
	check dd if=/dev/urandom of=/dev/$A bs=1M seek=$at count=4 oflag=direct status=none
done
now() { cut -d' ' -f1 /proc/uptime; }
mibs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", 1024 / (b - a) }'; }
scribble() { # B, in every stretch
	for at in $SPOTS; do
		check dd if=/dev/urandom of=/dev/$B bs=1M seek=$((at + 1)) count=1 oflag=direct status=none
	done
}
same() { # what
	for at in $SPOTS; do
		[ "$(sum_dev /dev/$A $at 4)" = "$(sum_dev /dev/$B $at 4)" ] || fail "$1: $B differs from $A at $at MiB"
	done
}
for r in 1 2 3 4 5; do
	scribble
	t0=$(now); rpmemctl copy $A $B > /tmp/copy.out 2>&1 || { cat /tmp/copy.out; fail "copy"; }; t1=$(now)
	grep -q "^copied 2097152 sectors" /tmp/copy.out || fail "round $r: $(tail -1 /tmp/copy.out)"
	same "round $r rpmemctl copy"
	scribble
	t2=$(now); dd if=/dev/$A of=/dev/$B bs=1M iflag=direct oflag=direct status=none || fail "dd"; t3=$(now)
	same "round $r dd"
	echo "RPMEM-COPY-BW round=$r rpmemctl_copy_mibs=$(mibs $t0 $t1) dd_direct_1m_mibs=$(mibs $t2 $t3)"
done
