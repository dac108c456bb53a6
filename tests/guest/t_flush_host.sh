# Flushes proven on the host (virtio-pmem): each workload phase runs between
# two console marks; QEMU traces every flush the host performs and
# scripts/check.sh (scripts/flushes.sh) counts them per phase, then compares
# with what each phase must give (printed here as RPMEM-FLUSH-PHASE i DRIVER
# name N: N flushes, "=" as many as on the other driver, "-" unchecked) and
# rpmem's counts with nd_pmem's.
. /tests/sources.sh
D=$1
at=76800 # 4 KiB blocks: 300 MiB in

phase() { # name expected command...
	local name=$1 want=$2 i
	shift 2
	i=$(($(cat /tmp/flush-phase 2>/dev/null || echo 0) + 1))
	echo $i > /tmp/flush-phase
	echo "RPMEM-FLUSH-START $i" > /dev/console
	sleep 1
	"$@" || fail "phase $name: $* failed"
	# Every flush of the phase completed on the host before this mark; the
	# host notes its count while the guest sleeps.
	echo "RPMEM-FLUSH-MARK $i" > /dev/console
	sleep 1
	echo "RPMEM-FLUSH-PHASE $i $D $name $want"
}
writes() { # count dd-output-flags [conv]: 4 KiB O_DIRECT writes, one dd each
	local k
	for k in $(seq 1 "$1"); do
		dd if=/dev/urandom of="$DEV" bs=4k count=1 seek=$((at + k)) oflag="$2" ${3:+conv=$3} status=none || return 1
	done
}
ext4_fsyncs() { # 5 x (new 4 KiB file + fsync)
	local k
	for k in 1 2 3 4 5; do
		dd if=/dev/urandom of=/mnt/f$k bs=4k count=1 conv=fsync status=none || return 1
	done
}

vpmem_ns
phase bind - bind_ns "$D" "$NS"
# fsync(2) on the disk: one empty REQ_PREFLUSH bio each.
phase fsync10 10 writes 10 direct fsync
phase direct10 0 writes 10 direct
# O_DSYNC: a REQ_FUA write, then generic_write_sync's flush: two each.
phase dsync5 10 writes 5 direct,dsync
# ext4 with no timed commit: each fsync of a new file commits one jbd2
# transaction whose commit block is a REQ_PREFLUSH | REQ_FUA write: two each.
phase mkfs = sh -c "mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 $DEV && mount -t ext4 -o commit=600,noinit_itable $DEV /mnt"
phase ext4_fsync5 10 ext4_fsyncs
phase umount = umount /mnt
# Unbinding on module unload flushes once.
phase rmmod 1 rmmod "$D"
# Nothing after the last mark may flush before the host has counted.
echo "RPMEM-FLUSH-START $(($(cat /tmp/flush-phase) + 1))" > /dev/console
