# pfn I/O: rpmemctl copies between rpmem disks with bios whose vectors are
# device frames without struct page. Checks data for several sizes and
# offsets (incl. the last sector and a whole-namespace clone) and every
# error the interface documents.
. /tests/lib.sh
load_driver rpmem
modprobe brd rd_nr=1 rd_size=8192 max_part=0
# Two disks of equal size (A, B) and one of another size (C).
A= B= C=
for ns in $(namespaces); do
	d=$(basename "$(disk_of "$ns")")
	s=$(size_of_ns "$ns")
	if [ "$s" = 1073741824 ] && [ -z "$A" ]; then A=$d
	elif [ "$s" = 1073741824 ] && [ -z "$B" ]; then B=$d
	else C=$d; fi
done
info "A=$A B=$B C=$C"
[ -n "$A" ] && [ -n "$B" ] && [ -n "$C" ] || fail "need two 1 GiB namespaces and one of another size"
N=$(( $(blockdev --getsize64 /dev/$A) / 512 ))
check dd if=/dev/urandom of=/dev/$A bs=1M count=64 oflag=direct status=none
check dd if=/dev/urandom of=/dev/$A bs=1M seek=$(( N / 2048 - 8 )) count=8 oflag=direct status=none
sect_sha() { dd if=/dev/$1 bs=512 skip=$2 count=$3 iflag=direct status=none | sha256sum | cut -d' ' -f1; }
copy_ok() { # src_sector dst_sector nr
	rpmemctl copy $A:$1 $B:$2 $3 > /tmp/copy.out 2>&1 || { cat /tmp/copy.out; fail "copy $A:$1 -> $B:$2 x$3"; }
	[ "$(sect_sha $A $1 $3)" = "$(sect_sha $B $2 $3)" ] || fail "data differs after copy $A:$1 -> $B:$2 x$3"
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
[ "$(sect_sha $A 0 5000)" = "$(sect_sha $A 200000 5000)" ] || fail "same-disk copy differs"
# Whole-namespace clone with progress lines.
rpmemctl copy $A $B > /tmp/clone.out 2>&1 || { cat /tmp/clone.out; fail "clone $A -> $B"; }
grep -q "copied" /tmp/clone.out || fail "no progress/summary output"
[ "$(sha_dev /dev/$A 0 $((N / 2048)))" = "$(sha_dev /dev/$B 0 $((N / 2048)))" ] || fail "clone differs"
info "clone $A -> $B: equal ($(grep -c 'sectors (' /tmp/clone.out) progress lines)"
rpmemctl status | grep -q "active=0 done=$N total=$N last_error=0" || fail "status after clone: $(rpmemctl status)"
# Errors.
expect_err() { # errno-text args...
	want=$1; shift
	if rpmemctl copy "$@" > /tmp/err.out 2>&1; then fail "copy $* succeeded, expected '$want'"; fi
	grep -q "$want" /tmp/err.out || fail "copy $*: '$(cat /tmp/err.out)', expected '$want'"
	info "copy $*: $want"
}
expect_err "No such device" $A:0 pmem99:0 8
expect_err "No such device" ram0:0 $B:0 8
expect_err "No such device" $A:0 ram0:0 8
expect_err "Numerical result out of range" $A:$((N - 4)) $B:0 8
expect_err "Numerical result out of range" $A:0 $B:$((N - 1)) 2
expect_err "Numerical result out of range" $A:18446744073709551615 $B:0 2
expect_err "Invalid argument" $A:0 $A:100 200
expect_err "Invalid argument" $A:100 $A:0 101
expect_err "Invalid argument" $A:8 $B:0 0
expect_err "File too large" $A $C
expect_err "File too large" $C $A
rpmemctl status | grep -q "last_error=-27" || fail "status does not report the last error"
