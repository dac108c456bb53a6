# REQ_NOWAIT on an asynchronous-flush region. A virtio-pmem flush sleeps
# until the host answers, so rpmem leaves BLK_FEAT_NOWAIT off there (as
# nd_pmem does everywhere): the disk is opened without FMODE_NOWAIT and a
# pwritev2(RWF_NOWAIT) O_DIRECT write fails with EOPNOTSUPP before a bio is
# built; io_uring punts the same writes to a worker and they succeed. On an
# ACPI NFIT region (synchronous) rpmem does set it and the write goes through.
. /tests/sources.sh
D=$1
nowait_write() { # dev: 1 MiB of pwritev2(RWF_NOWAIT) O_DIRECT writes
	fio --name=nowait --filename="$1" --rw=write --bs=4k --size=1M --direct=1 \
		--ioengine=pvsync2 --nowait=1 --output=/tmp/fio.out > /dev/null 2>&1
}
vpmem_ns
bind_ns "$D" "$NS"
nowait_write "$DEV" && { cat /tmp/fio.out; fail "RWF_NOWAIT write on $DEV (virtio-pmem, $D) succeeded"; }
grep -q "Operation not supported" /tmp/fio.out || { cat /tmp/fio.out; fail "RWF_NOWAIT write on $DEV failed, but not with EOPNOTSUPP"; }
info "virtio-pmem $DEV ($D): RWF_NOWAIT write -> EOPNOTSUPP"
check fio --name=uring --filename="$DEV" --rw=randwrite --bs=4k --size=4M --offset=8M \
	--ioengine=io_uring --iodepth=16 $FIO_VERIFY --output=/tmp/fio.out
grep -q "err= 0" /tmp/fio.out || { cat /tmp/fio.out; fail "io_uring writes on $DEV reported errors"; }
info "virtio-pmem $DEV ($D): io_uring writes (punted to a worker) verified"
# The same write on an NFIT namespace: accepted by rpmem, refused by nd_pmem.
nfit=$(regions_of ACPI.NFIT | head -1)
[ -n "$nfit" ] || fail "no ACPI NFIT region to compare with"
ns=$(ns_of_region "$nfit" | head -1)
bind_ns "$D" "$ns"
if nowait_write "$DEV"; then got=accepted; else got=refused; fi
case $D in rpmem) want=accepted ;; *) want=refused ;; esac
info "ACPI NFIT $DEV ($D): RWF_NOWAIT write $got"
[ "$got" = "$want" ] || { cat /tmp/fio.out; fail "RWF_NOWAIT write on NFIT $DEV $got, expected $want"; }
