#!/bin/bash
# `make bench-stack`: one VM boot with two 1 GiB NVDIMMs running
# bench/guest-stack.sh (fio on /dev/pmem0, through NVMe/TCP loopback and
# through dm-striped, rpmem and nd_pmem), then bench/stack-report.py puts
# the ratios to the local disk into docs/benchmarks.md (its own section).
#   BENCH_ROUNDS (3), BENCH_RUNTIME seconds per run (4)
set -euo pipefail
. "$(dirname "$0")/../scripts/env.sh"
prepare_guest normal
log=$RPMEM_CACHE/logs/bench-stack.log
rounds=${BENCH_ROUNDS:-3}
runtime=${BENCH_RUNTIME:-4}
log "bench-stack: $rounds rounds x 2 drivers x 4 rows x 3 targets x $((runtime + 1))s; console: $log"
start=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
run_measurement_guest stack 2 3600 "$log" BENCH_ROUNDS=$rounds BENCH_RUNTIME=$runtime
python3 "$RPMEM_ROOT/bench/stack-report.py" "$log" "$RPMEM_ROOT/docs/benchmarks.md" \
	"date: $(date -u '+%Y-%m-%d %H:%M UTC')" \
	"kernel: $(cat "$KDIR/include/config/kernel.release") (configs/rpmem.config), rpmem $(git -C "$RPMEM_ROOT" rev-parse --short HEAD)" \
	"QEMU: accelerator ${RPMEM_ACCEL:-tcg}, 2 vCPUs, 4 GiB; command: \`make bench-stack\` (BENCH_ROUNDS=$rounds BENCH_RUNTIME=$runtime), $(( $(date +%s) - start )) s" \
	"host: $(nproc) cores, load average (1/5/15 min) $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
