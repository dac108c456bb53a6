#!/bin/bash
# The README's first command: build kernel, module and image, boot the VM
# with an NVDIMM, load rpmem (DEMO_DRIVER=nd_pmem for the in-tree driver),
# run dd and a short fio job on /dev/pmem0 and print the results.
#   DEMO_DRIVER=rpmem|nd_pmem   driver to demo (rpmem)
#   DEMO_SHELL=1                console on this terminal, shell after the
#                               demo (exit it to power off; Ctrl-A x quits)
#   RPMEM_APPEND                extra kernel command line
set -euo pipefail
. "$(dirname "$0")/env.sh"
prepare_guest normal
logdir=${RPMEM_LOG_DIR:-$RPMEM_CACHE/logs}
log=$logdir/demo.log
mkdir -p "$logdir"
drv=${DEMO_DRIVER:-rpmem}
log "booting the demo VM (1 x 1 GiB NVDIMM, TCG, driver $drv); console: $log"
interactive=${DEMO_SHELL:-0}
rc=0
RPMEM_KERNEL=$KDIR/arch/x86/boot/bzImage RPMEM_INITRD=$INITRD RPMEM_LOG=$log \
RPMEM_NVDIMMS=1 RPMEM_NVDIMM_SIZE=1G RPMEM_TIMEOUT=${RPMEM_TIMEOUT:-600} \
RPMEM_ECHO=$((1 - interactive)) RPMEM_INTERACTIVE=$interactive \
RPMEM_NVDIMM_DIR=${RPMEM_NVDIMM_DIR:-/dev/shm/rpmem-demo} \
RPMEM_APPEND="quiet RPMEM_MODE=demo DEMO_DRIVER=$drv RPMEM_SHELL=$interactive ${RPMEM_APPEND:-}" \
	"$RPMEM_ROOT/qemu/run.sh" || rc=$?
[ "$rc" = 124 ] && die "demo VM timed out; see $log"
if ! grep -aq "RPMEM-DEMO-OK" "$log"; then
	grep -a "RPMEM-DEMO-FAIL" "$log" | clean_console >&2 || true
	die "demo did not complete (rc=$rc); see $log"
fi
log "demo done ($drv); console: $log"
