# A figure for `make copy-bench`: pfn I/O copy bandwidth (rpmemctl copy, a
# whole 1 GiB namespace) against dd with O_DIRECT between the same two
# disks, 3 rounds each, alternating; fails if either copy fails.
. /tests/lib.sh
load_driver rpmem
A= B=
for ns in $(namespaces); do
	[ "$(size_of_ns "$ns")" = 1073741824 ] || continue
	d=$(basename "$(disk_of "$ns")")
	if [ -z "$A" ]; then A=$d; elif [ -z "$B" ]; then B=$d; fi
done
[ -n "$A" ] && [ -n "$B" ] || fail "need two 1 GiB rpmem disks"
# Touch both namespaces once so no round pays the host's first-touch cost
# of the backing files.
for d in $A $B; do check dd if=/dev/zero of=/dev/$d bs=1M count=1024 oflag=direct status=none; done
now() { cut -d' ' -f1 /proc/uptime; }
mibs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", 1024 / (b - a) }'; }
for r in 1 2 3; do
	t0=$(now); rpmemctl copy $A $B > /dev/null 2>&1 || fail "copy"; t1=$(now)
	dd if=/dev/$A of=/dev/$B bs=1M iflag=direct oflag=direct status=none || fail "dd"; t2=$(now)
	echo "RPMEM-COPY-BW round=$r rpmemctl_copy_mibs=$(mibs $t0 $t1) dd_direct_1m_mibs=$(mibs $t1 $t2)"
done
