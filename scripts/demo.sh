#!/bin/bash
# The README's first command: build kernel, module and image, boot the VM
# with an NVDIMM, load rpmem (DEMO_DRIVER=nd_pmem for the in-tree driver),
# run dd and a short fio job on /dev/pmem0 and print the results.
set -euo pipefail
. "$(dirname "$0")/env.sh"
prepare_guest normal
log=$RPMEM_CACHE/logs/demo.log
mkdir -p "$(dirname "$log")"
log "booting the demo VM (1 x 1 GiB NVDIMM, TCG); console: $log"
rc=0
RPMEM_KERNEL=$KDIR/arch/x86/boot/bzImage RPMEM_INITRD=$INITRD RPMEM_LOG=$log \
RPMEM_NVDIMMS=1 RPMEM_NVDIMM_SIZE=1G RPMEM_TIMEOUT=600 RPMEM_ECHO=1 \
RPMEM_NVDIMM_DIR=${RPMEM_NVDIMM_DIR:-/dev/shm/rpmem-demo} \
RPMEM_APPEND="quiet RPMEM_MODE=demo DEMO_DRIVER=${DEMO_DRIVER:-rpmem}" \
	"$RPMEM_ROOT/qemu/run.sh" || rc=$?
grep -q RPMEM-GUEST-DONE "$log" || die "demo did not complete (rc=$rc); see $log"
