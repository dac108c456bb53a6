# Concurrency: 2 x vCPU jobs of mixed verified read/write on two disks at
# once, for a bounded time.
. /tests/lib.sh
load_driver "$1"
set -- $(namespaces)
a=$(disk_of "$1"); b=$(disk_of "$2")
jobs=$(( $(nproc) * 2 ))
for d in $a $b; do
	fio --name=stress --filename="$d" --rw=randrw --bs=4k --size=16M --offset_increment=32M \
		--numjobs=$jobs --ioengine=libaio --iodepth=4 --direct=1 --verify=crc32c \
		--verify_fatal=1 --group_reporting --time_based --runtime=10 \
		--output=/tmp/fio.$(basename $d) > /dev/null 2>&1 &
done
wait
for d in $a $b; do
	grep -q "err= 0" /tmp/fio.$(basename $d) || { tail -20 /tmp/fio.$(basename $d); fail "errors on $d"; }
done
info "$jobs jobs x 2 disks, 10 s, verified"
