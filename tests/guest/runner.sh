#!/bin/sh
# Run the tests named in RPMEM_TESTS (comma-separated NAME or NAME@DRIVER),
# one line `RPMEM-TEST: PASS|FAIL NAME` each. A test also fails if the
# kernel log gains a splat while it runs.
. /tests/lib.sh
TEST_TIMEOUT=${RPMEM_TEST_TIMEOUT:-400}
for t in $(echo "${RPMEM_TESTS:-}" | tr ',' ' '); do
	name=${t%@*}
	drv=
	[ "$t" != "$name" ] && drv=${t#*@}
	dmesg -c > /dev/null
	echo "RPMEM-RUN: $t"
	if [ ! -f "/tests/t_$name.sh" ]; then
		echo "RPMEM-TEST: FAIL $t (no such test)"
		continue
	fi
	start=$(date +%s)
	/usr/bin/timeout "$TEST_TIMEOUT" sh "/tests/t_$name.sh" $drv > /tmp/test.out 2>&1
	rc=$?
	sed "s/^/  | /" /tmp/test.out
	splats=$(dmesg | splat_lines)
	secs=$(( $(date +%s) - start ))
	if [ $rc = 0 ] && [ -z "$splats" ]; then
		echo "RPMEM-TEST: PASS $t (${secs}s)"
	else
		[ $rc = 143 ] || [ $rc = 124 ] && echo "  | timed out after ${TEST_TIMEOUT}s"
		[ -n "$splats" ] && { echo "  | kernel log:"; dmesg | tail -60 | sed 's/^/  | /'; }
		echo "RPMEM-TEST: FAIL $t (rc=$rc${splats:+, kernel splat})"
	fi
	# Leave a clean slate for the next test.
	mountpoint -q /mnt && umount /mnt
	unload_drivers > /dev/null 2>&1
done
