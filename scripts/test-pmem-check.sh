#!/bin/bash
# Host check of the persistence checker (tools/qemu-pmem-check.c): the
# plugin builds warning-free, and its instruction decoder and cache model
# give the right answers without QEMU (tools/qemu-pmem-check-test.c).
set -euo pipefail
. "$(dirname "$0")/env.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -shared -fPIC -fvisibility=hidden -O2 -Wall -Wextra -Werror -o "$tmp/qemu-pmem-check.so" \
	"$RPMEM_ROOT/tools/qemu-pmem-check.c"
# The test calls the plugin's callbacks itself; the QEMU functions only the
# unused registration code names stay unresolved.
gcc -O1 -no-pie -Wall -Wextra -Werror -Wno-unused-function -o "$tmp/test" \
	"$RPMEM_ROOT/tools/qemu-pmem-check-test.c" -Wl,--unresolved-symbols=ignore-all
"$tmp/test"
