# Concurrency: 2 x vCPU fio jobs on two disks at once, each writing its own
# 16 MiB in random order while it reads back and checks what it wrote
# (verify_backlog: every 64 writes, those 64 blocks are read and their
# crc32c checked), then checking the rest. Every written block is read
# back: the test asserts read volume == write volume == jobs x 16 MiB.
# A fixed amount of work, not a time: no dependence on the machine's speed.
. /tests/lib.sh
load_driver "$1"
set -- $(namespaces)
a=$(disk_of "$1"); b=$(disk_of "$2")
jobs=$(( $(nproc) * 2 ))
for d in $a $b; do
	fio --name=stress --filename="$d" --rw=randwrite --bs=4k --size=16M --offset_increment=32M \
		--numjobs=$jobs --ioengine=libaio --iodepth=4 --direct=1 --verify=crc32c \
		--verify_backlog=64 --verify_fatal=1 --do_verify=1 --group_reporting \
		--minimal --output=/tmp/fio.$(basename $d) > /tmp/fio.$(basename $d).err 2>&1 &
done
wait
want=$((jobs * 16384))
for d in $a $b; do
	f=/tmp/fio.$(basename $d)
	# Terse v3: field 5 the error, 6 the KiB read, 47 the KiB written.
	got=$(grep '^3;' $f | awk -F';' '{ print "err=" $5 " read=" $6 " write=" $47 }')
	[ "$got" = "err=0 read=$want write=$want" ] ||
		{ cat $f $f.err | tail -20; fail "$d: '$got', want 'err=0 read=$want write=$want' (KiB)"; }
done
info "$jobs jobs x 2 disks: $want KiB written and read back verified on each"
