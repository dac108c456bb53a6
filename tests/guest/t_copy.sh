# pfn I/O: rpmemctl copies between rpmem disks with bios whose vectors are
# device frames without struct page. Checks data for several sizes and
# offsets (incl. the last sector and a whole-namespace clone) and every
# error the interface documents.
. /tests/lib.sh
load_driver rpmem
modprobe brd rd_nr=1 rd_size=8192 max_part=0
pick_copy_disks smallest
info "A=$A B=$B C=$C"
N=$(( $(blockdev --getsize64 /dev/$A) / 512 ))
check dd if=/dev/urandom of=/dev/$A bs=1M count=64 oflag=direct status=none
check dd if=/dev/urandom of=/dev/$A bs=1M seek=$(( N / 2048 - 8 )) count=8 oflag=direct status=none
copy_ok() { # src_sector dst_sector nr
	rpmemctl copy $A:$1 $B:$2 $3 > /tmp/copy.out 2>&1 || { cat /tmp/copy.out; fail "copy $A:$1 -> $B:$2 x$3"; }
	[ "$(sum_sectors $A $1 $3)" = "$(sum_sectors $B $2 $3)" ] || fail "data differs after copy $A:$1 -> $B:$2 x$3"
	info "copy $A:$1 -> $B:$2 x$3 sectors: equal"
}
copy_ok 0 0 8
copy_ok 1 3 1
copy_ok 12345 777 4103
copy_ok 0 100000 65536
copy_ok $((N - 1)) $((N - 1)) 1
copy_ok $((N - 2049)) 0 2049
# Same disk, disjoint ranges.
rpmemctl copy $A:0 $A:200000 5000 > /dev/null 2>&1 || fail "same-disk disjoint copy"
[ "$(sum_sectors $A 0 5000)" = "$(sum_sectors $A 200000 5000)" ] || fail "same-disk copy differs"
# Whole-namespace clone (/dev/ names too) with progress lines.
rpmemctl copy /dev/$A /dev/$B > /tmp/clone.out 2>&1 || { cat /tmp/clone.out; fail "clone $A -> $B"; }
grep -q "^copied $N sectors from $A:0 to $B:0 in " /tmp/clone.out || fail "no summary line: $(cat /tmp/clone.out)"
[ "$(sum_dev /dev/$A 0 $((N / 2048)))" = "$(sum_dev /dev/$B 0 $((N / 2048)))" ] || fail "clone differs"
info "clone $A -> $B: equal ($(grep -c 'sectors (' /tmp/clone.out) progress lines)"
rpmemctl status | grep -q "active=0 done=$N total=$N last_error=0" || fail "status after clone: $(rpmemctl status)"
# On a terminal the progress is a bar redrawn in place and cleared at the
# end (carriage returns, no escape sequences); stdout holds the summary only.
ptyerr /tmp/bar.tty rpmemctl copy $B $A > /tmp/clone-tty.out || fail "clone $B -> $A on a terminal"
[ "$(grep -c . /tmp/clone-tty.out)" = 1 ] && grep -q "^copied $N sectors from $B:0 to $A:0 in " /tmp/clone-tty.out ||
	fail "clone on a terminal: stdout '$(cat /tmp/clone-tty.out)'"
tr '\r' '\n' < /tmp/bar.tty > /tmp/bar.lines
draws=$(grep -c "^$B -> $A \[[=> ]*\] *[0-9]*% .* ETA " /tmp/bar.lines)
[ "$draws" -ge 1 ] || fail "no progress bar on the terminal: '$(cat /tmp/bar.lines)'"
! grep -q "$(printf '\033')" /tmp/bar.tty || fail "escape sequences on the terminal"
[ "$(tail -c 1 /tmp/bar.tty | od -An -c | tr -d ' ')" = '\r' ] && [ -z "$(tail -n 1 /tmp/bar.lines | tr -d ' ')" ] ||
	fail "the bar was not cleared: '$(tail -n 2 /tmp/bar.lines)'"
info "clone $B -> $A on a terminal: $draws bar draws, the last '$(grep '%' /tmp/bar.lines | tail -1)'"
# Errors: one line "rpmemctl: copy SRC -> DST: ENAME (text)", exit status 1.
expect_err() { # "ENAME (text)" args...
	want=$1; shift
	rc=0; rpmemctl copy "$@" > /tmp/err.out 2>&1 || rc=$?
	[ $rc = 1 ] || fail "copy $*: exit status $rc, expected 1 ($(cat /tmp/err.out))"
	grep -q "^rpmemctl: copy [a-z0-9]* -> [a-z0-9]*: $want\$" /tmp/err.out && [ "$(wc -l < /tmp/err.out)" = 1 ] ||
		fail "copy $*: '$(cat /tmp/err.out)', expected one line ending in '$want'"
	info "copy $*: $want"
}
expect_err "cannot open /dev/pmem99: ENOENT (No such file or directory)" $A:0 pmem99:0 8
expect_err "ENODEV (No such device)" ram0:0 $B:0 8
expect_err "ENODEV (No such device)" $A:0 ram0:0 8
expect_err "ERANGE (Numerical result out of range)" $A:$((N - 4)) $B:0 8
expect_err "ERANGE (Numerical result out of range)" $A:0 $B:$((N - 1)) 2
expect_err "ERANGE (Numerical result out of range)" $A:18446744073709551615 $B:0 2
expect_err "EINVAL (Invalid argument)" $A:0 $A:100 200
expect_err "EINVAL (Invalid argument)" $A:100 $A:0 101
expect_err "EINVAL (Invalid argument)" $A:8 $B:0 0
expect_err "EFBIG (File too large)" $A $C
expect_err "EFBIG (File too large)" $C $A
rpmemctl status | grep -q "last_error=-27" || fail "status does not report the last error"
# Usage errors: exit status 2, nothing copied.
for args in "$A" "$A $B 8 9" "$A:x $B 8" "$A $B 1k"; do
	rc=0; rpmemctl copy $args > /tmp/err.out 2>&1 || rc=$?
	[ $rc = 2 ] || fail "copy $args: exit status $rc, expected 2 ($(cat /tmp/err.out))"
done
rpmemctl status | grep -q "last_error=-27" || fail "a usage error reached the module"
# Per-disk status (RPMEM_IOC_DISK_INFO): every disk listed with its state.
rpmemctl status > /tmp/status.out || fail "status: $(cat /tmp/status.out)"
! grep -q "per-disk info" /tmp/status.out || fail "status lists no disks: $(cat /tmp/status.out)"
for x in A B C; do
	eval "d=\$$x ns=\$NS_$x"
	line="$d $ns size=$(blockdev --getsize64 /dev/$d) flush=[a-z]* nowait=1 read_only=0 bad_sectors=0 copying=0"
	grep -q "^$line$" /tmp/status.out || fail "status has no line '$line': $(cat /tmp/status.out)"
done
rpmemctl status --json | grep -q "\"name\":\"$A\",\"namespace\":\"$NS_A\",\"size\":$(blockdev --getsize64 /dev/$A)," ||
	fail "status --json: $(rpmemctl status --json)"
info "status lists $A $B $C"
# Ctrl-C stops a clone at the next chunk: exit status 130 and how far it got.
# On the first (1 GiB) pair: the small pair's clone can pass its half-way
# point on the debug kernel before the poll below sees it.
pick_copy_disks
N=$(( $(blockdev --getsize64 /dev/$A) / 512 ))
info "Ctrl-C clone: A=$A B=$B ($N sectors)"
rpmemctl copy $A $B > /tmp/int.out 2>&1 &
pid=$!
tries=0
while :; do
	got=$(rpmemctl status | sed -n "s/^active=1 done=\([0-9]*\) total=$N .*/\1/p")
	[ -n "$got" ] && [ "$got" -gt 0 ] && [ "$got" -lt $((N / 2)) ] && break
	tries=$((tries + 1))
	[ $tries -lt 1000 ] || { kill $pid; fail "clone never seen in its first half"; }
done
kill -INT $pid
rc=0; wait $pid || rc=$?
[ $rc = 130 ] || fail "Ctrl-C: exit status $rc, expected 130 ($(cat /tmp/int.out))"
got=$(sed -n "s/^rpmemctl: copy $A -> $B interrupted after \([0-9]*\) of $N sectors$/\1/p" /tmp/int.out)
[ -n "$got" ] && [ "$got" -lt $N ] || fail "Ctrl-C: $(cat /tmp/int.out)"
rpmemctl status | grep -Eq "^active=0 done=$got total=$N last_error=-4( |$)" || fail "status after Ctrl-C: $(rpmemctl status)"
info "Ctrl-C stopped the clone after $got of $N sectors"
