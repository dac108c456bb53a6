# rpmemctl copy reads what every reader of the source reads: data a
# buffered writer left dirty in the source's page cache is written back
# before the copy (periodic write-back off and the source held open, so
# nothing else writes it back; the disk's write counter shows it is still
# only in the page cache), and that data is what arrives. And copies from
# and to sectors that do not start a page (the source frames' offset in
# their first page) land byte-exact, the sectors around the destination
# range unchanged.
. /tests/lib.sh
load_driver rpmem
pick_copy_disks
info "A=$A B=$B"
check dd if=/dev/urandom of=/dev/$A bs=1M count=16 oflag=direct status=none
check dd if=/dev/urandom of=/dev/$B bs=1M count=16 oflag=direct status=none

# Ranges that start inside a page: SRC DST NR (sectors).
for r in "1 3 1000" "4097 0 7" "8191 4104 4097" "15 16000 2048"; do
	set -- $r
	before=$(sum_sectors $B $(($2 + $3)) 1)
	[ "$2" -gt 0 ] && before="$before $(sum_sectors $B $(($2 - 1)) 1)"
	rpmemctl copy $A:$1 $B:$2 $3 > /tmp/copy.out 2>&1 || { cat /tmp/copy.out; fail "copy $A:$1 -> $B:$2 ($3 sectors)"; }
	[ "$(sum_sectors $A $1 $3)" = "$(sum_sectors $B $2 $3)" ] ||
		fail "copy $A:$1 -> $B:$2 ($3 sectors): the destination differs from the source"
	after=$(sum_sectors $B $(($2 + $3)) 1)
	[ "$2" -gt 0 ] && after="$after $(sum_sectors $B $(($2 - 1)) 1)"
	[ "$after" = "$before" ] || fail "copy $A:$1 -> $B:$2 ($3 sectors) changed the sectors around its range"
	info "copy $A:$1 -> $B:$2 ($3 sectors): byte-exact"
done

# The source's dirty page cache.
wb=$(cat /proc/sys/vm/dirty_writeback_centisecs)
trap 'echo $wb > /proc/sys/vm/dirty_writeback_centisecs; exec 3<&-' EXIT
echo 0 > /proc/sys/vm/dirty_writeback_centisecs || fail "cannot switch periodic write-back off"
echo 1 > /sys/block/$A/queue/iostats || fail "cannot enable I/O statistics of $A"
written() { awk '{ print $7 }' /sys/block/$A/stat; }
# Held open: the last close of a block device writes its page cache back.
exec 3< /dev/$A
check dd if=/dev/urandom of=/tmp/new bs=1M count=2 status=none
w0=$(written)
check dd if=/tmp/new of=/dev/$A bs=1M seek=4 count=2 conv=notrunc status=none
w1=$(written)
[ "$w1" = "$w0" ] || fail "precondition: the buffered write reached $A at once ($w0 -> $w1 sectors written), so a copy that skips the write-back could not be seen"
rpmemctl copy $A:8192 $B:8192 4096 > /tmp/copy.out 2>&1 || { cat /tmp/copy.out; fail "copy $A:8192 -> $B:8192"; }
[ "$(written)" -gt "$w1" ] || fail "the copy did not write $A's dirty page cache back"
[ "$(sum_sectors $B 8192 4096)" = "$(datasum < /tmp/new)" ] ||
	fail "the copy did not copy what a buffered writer left in $A's page cache"
info "a buffered write still in $A's page cache: written back and copied"
