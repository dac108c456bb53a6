# shellcheck shell=sh
# Helpers for the tests of the persistent-memory sources besides ACPI NFIT
# NVDIMMs: virtio-pmem and CXL type-3 persistent memory
# (qemu/pmem-devices.sh). The t_vpmem_* and t_cxl_* tests pick their
# namespace with vpmem_ns or cxl_ns (which set NS) and run the src_* bodies.
. /tests/lib.sh

# Regions whose nd bus provider is $1: ACPI.NFIT, virtio-pmem, CXL, e820.
regions_of() {
	local r
	for r in /sys/bus/nd/devices/region*; do
		[ -e "$r/../provider" ] && [ "$(cat "$r/../provider")" = "$1" ] && basename "$r"
	done
	true
}

# Namespaces of region $1 with a size (data), of size 0 with $2=seed (a
# labelled region's idle seed; it appears once the region has a namespace
# enabled or none at all), or every one with $2=all.
ns_of_region() {
	local n s
	for n in /sys/bus/nd/devices/$1/namespace*; do
		[ -e "$n/size" ] || continue
		s=$(cat "$n/size")
		case ${2:-}:$s in
		all:*|seed:0) basename "$n" ;;
		seed:*|*:0) ;;
		*) basename "$n" ;;
		esac
	done
	true
}

wait_for() { # tries(0.1 s) command...: until the command prints something
	local n=$1
	shift
	while [ -z "$("$@")" ]; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

# NS := the raw namespace of the (first) virtio-pmem region.
vpmem_ns() {
	modprobe virtio_pmem || fail "modprobe virtio_pmem"
	wait_for 50 regions_of virtio-pmem || fail "no virtio-pmem region after modprobe virtio_pmem"
	VP_REGION=$(regions_of virtio-pmem | head -1)
	wait_for 50 ns_of_region "$VP_REGION" || fail "no namespace in $VP_REGION"
	NS=$(ns_of_region "$VP_REGION" | head -1)
}

# CXL_REGION := the nd region of the CXL memdev's persistent capacity,
# created (cxl create-region) when absent: decoders are not kept across boots.
cxl_region() {
	CXL_REGION=$(regions_of CXL | head -1)
	[ -n "$CXL_REGION" ] && return 0
	cxl create-region -m -d decoder0.0 -w 1 -t pmem mem0 > /tmp/cxl.out 2>&1 ||
		{ cat /tmp/cxl.out; fail "cxl create-region"; }
	wait_for 50 regions_of CXL || fail "no nd region after cxl create-region"
	CXL_REGION=$(regions_of CXL | head -1)
	# Its namespaces (from labels, else a seed) appear asynchronously.
	wait_for 50 ns_of_region "$CXL_REGION" all || fail "no namespace in $CXL_REGION"
}

# NS := the labelled raw namespace of the CXL region (t_cxl_create makes it
# on fresh files; made here too when absent, so that a TESTS subset runs).
cxl_ns() {
	cxl_region
	if [ -z "$(ns_of_region "$CXL_REGION")" ]; then
		ndctl create-namespace -m raw -r "$CXL_REGION" > /tmp/ns.json 2>&1 ||
			{ cat /tmp/ns.json; fail "ndctl create-namespace -m raw -r $CXL_REGION"; }
		info "created a raw namespace in $CXL_REGION"
	fi
	wait_for 30 ns_of_region "$CXL_REGION" || fail "no namespace in $CXL_REGION"
	NS=$(ns_of_region "$CXL_REGION" | head -1)
}

# Bind namespace $2 to driver $1 (loading it) and wait for its disk: DEV.
bind_ns() {
	modprobe "$1" || fail "modprobe $1"
	if [ "$(bound_to "$2")" != "$1" ]; then
		unbind "$2"
		echo "$2" > "/sys/bus/nd/drivers/$1/bind" || fail "bind $2 to $1"
	fi
	wait_disk "$2" || fail "no disk for $2 after binding to $1"
	DEV=$(disk_of "$2")
	[ -b "$DEV" ] || fail "$DEV is not a block device"
}

# ---- test bodies: driver namespace [MiB] ----------------------------------

# Bind, the disk's size and block sizes, dd round trip of MiB at 8 MiB.
src_dd() {
	local want got
	bind_ns "$1" "$2"
	check_disk_geometry "$2" "$DEV"
	check dd if=/dev/urandom of=/tmp/data bs=1M count="$3" status=none
	check dd if=/tmp/data of="$DEV" bs=1M seek=8 oflag=direct status=none
	want=$(sum_file /tmp/data)
	got=$(sum_dev "$DEV" 8 "$3")
	[ "$got" = "$want" ] || fail "readback $got != $want"
	info "dd $3 MiB O_DIRECT round trip: $want"
}

# fio crc32c-verified random writes, psync and io_uring, MiB each.
src_fio() {
	local e
	bind_ns "$1" "$2"
	for e in psync io_uring; do
		check fio --name=verify-$e --filename="$DEV" --rw=randwrite --bs=4k --size="$3"M \
			--offset=8M --ioengine=$e --iodepth=8 $FIO_VERIFY --output=/tmp/fio.out
		grep -q "err= 0" /tmp/fio.out || { cat /tmp/fio.out; fail "fio $e reported errors"; }
		info "fio $e: $(grep -E 'WRITE:' /tmp/fio.out | sed 's/^ *//')"
	done
}

# mkfs.ext4, four files of about MiB in all, umount, e2fsck clean, remount, same sums.
src_ext4() {
	local i
	bind_ns "$1" "$2"
	check mkfs.ext4 -q -F "$DEV"
	# noinit_itable: no background inode-table zeroing (slow on CXL).
	check mount -t ext4 -o noinit_itable "$DEV" /mnt
	mkdir -p /mnt/d
	for i in 1 2 3 4; do
		check dd if=/dev/urandom of=/mnt/d/f$i bs=256k count=$((i * $3 * 4 / 10 + 1)) status=none
	done
	(cd /mnt && /usr/bin/cksum d/*) > /tmp/sums
	check umount /mnt
	e2fsck -fn "$DEV" > /tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; fail "e2fsck"; }
	check mount -t ext4 -o noinit_itable "$DEV" /mnt
	(cd /mnt && /usr/bin/cksum d/*) | cmp -s - /tmp/sums || fail "checksums differ after remount"
	check umount /mnt
	info "ext4 on $DEV: 4 files, e2fsck clean, checksums equal after remount"
}

# A slot per driver for the power-cycle pair: MiB of data at $at MiB, then
# one sector "checksum uuid" (uuid of a labelled namespace, else "none").
slot_of() { case $1 in rpmem) echo 16 ;; *) echo 64 ;; esac; }
uuid_of() { cat "/sys/bus/nd/devices/$1/uuid" 2>/dev/null || echo none; }

src_persist_write() {
	local at
	at=$(slot_of "$1")
	bind_ns "$1" "$2"
	check dd if=/dev/urandom of=/tmp/data bs=1M count="$3" status=none
	check dd if=/tmp/data of="$DEV" bs=1M seek="$at" oflag=direct status=none
	echo "$(sum_file /tmp/data) $(uuid_of "$2")" > /tmp/sum
	check dd if=/tmp/sum of="$DEV" bs=512 seek=$(((at + $3) * 2048)) count=1 conv=sync oflag=direct,dsync status=none
	info "$2 slot $at MiB: $(cat /tmp/sum)"
}

# After a VM power-off and a new boot: the data and the namespace are the same.
src_persist_check() {
	local at want uuid got
	at=$(slot_of "$1")
	bind_ns "$1" "$2"
	set -- "$1" "$2" "$3" $(dd if="$DEV" bs=512 skip=$(((at + $3) * 2048)) count=1 status=none | tr -d '\0')
	want=${4:-} uuid=${5:-}
	case $want in [0-9]*:[0-9]*) ;; *) false ;; esac || fail "no checksum stored at slot $at (was persist_write run?)"
	got=$(sum_dev "$DEV" "$at" "$3")
	info "$2 slot $at MiB: stored $want $uuid, read $got $(uuid_of "$2")"
	[ "$got" = "$want" ] || fail "data changed across the power cycle"
	[ "$uuid" = "$(uuid_of "$2")" ] || fail "namespace uuid changed: $uuid -> $(uuid_of "$2")"
}

# rpmem -> nd_pmem -> rpmem by sysfs unbind/bind: data written under each
# driver reads back under the other.
src_move() {
	bind_ns rpmem "$1"
	check dd if=/dev/urandom of=/tmp/a bs=1M count="$2" status=none
	check dd if=/tmp/a of="$DEV" bs=1M seek=8 oflag=direct status=none
	bind_ns nd_pmem "$1"
	[ "$(sum_dev "$DEV" 8 "$2")" = "$(sum_file /tmp/a)" ] || fail "rpmem -> nd_pmem changed data"
	check dd if=/dev/urandom of=/tmp/b bs=1M count="$2" status=none
	check dd if=/tmp/b of="$DEV" bs=1M seek=$((8 + $2)) oflag=direct status=none
	bind_ns rpmem "$1"
	[ "$(sum_dev "$DEV" $((8 + $2)) "$2")" = "$(sum_file /tmp/b)" ] || fail "nd_pmem -> rpmem changed data"
	[ "$(sum_dev "$DEV" 8 "$2")" = "$(sum_file /tmp/a)" ] || fail "old data changed"
	info "$1: rpmem -> nd_pmem -> rpmem, data intact"
}
