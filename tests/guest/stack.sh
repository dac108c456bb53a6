# shellcheck shell=sh
# Stacking helpers (source after lib.sh): ext4 round trip on any block
# device, device-mapper tables and md RAID1 over pmem disks, cleanup.
MD=/dev/md0

# mkfs.ext4 (at most 256 MiB at the start of DEV: TCG is slow), mount,
# write files, keep their sums in /tmp/sums, umount, fsck.
ext4_fill() { # dev
	local size=
	[ "$(blockdev --getsize64 "$1")" -gt $((256 << 20)) ] && size=256M
	mkfs.ext4 -q -F -E nodiscard "$1" $size || fail "mkfs.ext4 on $1"
	mount -t ext4 "$1" /mnt || fail "mount $1"
	mkdir -p /mnt/d
	for i in 1 2 3 4 5 6; do
		dd if=/dev/urandom of=/mnt/d/f$i bs=64k count=$((i * 8)) status=none || fail "write /mnt/d/f$i"
	done
	dd if=/dev/urandom of=/mnt/big bs=1M count=8 status=none || fail "write /mnt/big"
	(cd /mnt && /usr/bin/cksum big d/*) > /tmp/sums
	umount /mnt || fail "umount $1"
	ext4_fsck "$1"
}

# Mount DEV read-only, compare with /tmp/sums, umount, fsck.
ext4_verify() { # dev
	mount -t ext4 -o ro "$1" /mnt || fail "mount $1"
	(cd /mnt && /usr/bin/cksum big d/*) | cmp -s - /tmp/sums || { umount /mnt; fail "checksums differ on $1"; }
	umount /mnt || fail "umount $1"
	ext4_fsck "$1"
}

# fio verify on DEV, 32 MiB each: 4 KiB random reads and writes (libaio,
# QD8) from byte RR_AT, 1 MiB sequential writes (io_uring, QD4) from SEQ_AT.
fio_verify_at() { # dev rr_at seq_at
	check fio --name=rr --filename="$1" --rw=randrw --bs=4k --size=32M --offset="$2" \
		--ioengine=libaio --iodepth=8 $FIO_VERIFY --output=/tmp/fio.out
	grep -q "err= 0" /tmp/fio.out || fail "4k randrw on $1: fio errors"
	check fio --name=seq --filename="$1" --rw=write --bs=1M --size=32M --offset="$3" \
		--ioengine=io_uring --iodepth=4 $FIO_VERIFY --output=/tmp/fio.out
	grep -q "err= 0" /tmp/fio.out || fail "1M write on $1: fio errors"
}

ext4_fsck() { # dev
	e2fsck -fn "$1" > /tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; fail "e2fsck on $1"; }
}

# BYTES starting at byte OFFSET of DEV (both multiples of 4 KiB), O_DIRECT.
dev_range() { # dev offset bytes
	dd if="$1" bs=1M skip="$2" count="$3" iflag=direct,skip_bytes,count_bytes 2>/dev/null
}

# Checksum (datasum) of the same.
sum_range() { # dev offset bytes
	dev_range "$@" | datasum
}

# The same for a regular file.
sum_frange() { # file offset bytes
	dd if="$1" bs=1M skip="$2" count="$3" iflag=skip_bytes,count_bytes 2>/dev/null |
		datasum
}

# A device-mapper device from the table on stdin; prints its node, the
# devtmpfs one (/dev/dm-N): with no udev running, dmsetup may make no
# /dev/mapper link.
dm_create() { # name
	local n
	modprobe dm-mod || return 1
	dmsetup create "$1" > /tmp/dmsetup.out 2>&1 || { cat /tmp/dmsetup.out >&2; return 1; }
	n=$(dmsetup info -c --noheadings -o blkdevname "$1" 2>>/tmp/dmsetup.out)
	[ -n "$n" ] && [ -b "/dev/$n" ] || { cat /tmp/dmsetup.out >&2; ls -l /dev/dm-* /dev/mapper >&2; return 1; }
	echo "/dev/$n"
}

# md RAID1 (metadata 1.2) over two disks using MIB MiB of each, resynced.
md_create() { # a b mib [mdadm options]
	local a=$1 b=$2 mib=$3
	shift 3
	echo 2000000 > /proc/sys/dev/raid/speed_limit_max
	echo 200000 > /proc/sys/dev/raid/speed_limit_min
	mdadm --create $MD --run --metadata=1.2 --level=1 --raid-devices=2 \
		--size=$((mib * 1024)) "$@" "$a" "$b" > /tmp/mdadm.out 2>&1 || { cat /tmp/mdadm.out; return 1; }
	md_wait
}

# Wait (at most 120 s) until no resync or recovery is running or pending
# and no member is missing (recovery of a re-added one starts later).
md_wait() {
	local tries=0
	while grep -qE 'resync|recovery|DELAYED|PENDING|\[[U_]*_[U_]*\]' /proc/mdstat; do
		tries=$((tries + 1))
		[ $tries -gt 600 ] && { cat /proc/mdstat; return 1; }
		sleep 0.2
	done
}

# Byte offset of the data area on an md member (mdadm --examine).
md_data_offset() { # dev
	local s
	s=$(mdadm --examine "$1" 2>/dev/null | sed -n 's/.*Data Offset : \([0-9]*\) sectors.*/\1/p')
	[ -n "$s" ] && echo $((s * 512))
}

# Both members hold the same MIB MiB in their data areas (cmp, not sha256:
# hashing is slow under TCG).
md_legs_equal() { # a b mib
	local oa ob
	oa=$(md_data_offset "$1") || return 1
	ob=$(md_data_offset "$2") || return 1
	dev_range "$1" "$oa" $(($3 << 20)) > /tmp/leg || return 1
	dev_range "$2" "$ob" $(($3 << 20)) | cmp -s - /tmp/leg
}

# Undo whatever a stacking test left behind.
stack_cleanup() {
	grep -q " /mnt " /proc/mounts && umount /mnt
	[ -e /sys/block/md0/md ] && mdadm --stop $MD > /dev/null 2>&1
	grep -q "^dm_mod " /proc/modules && dmsetup remove_all > /dev/null 2>&1
	true
}
