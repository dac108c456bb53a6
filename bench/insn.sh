#!/bin/bash
# `make bench-insn`: make bench's rows on rpmem, nd_pmem and the control
# (nd_pmem again), with every guest instruction counted by a QEMU TCG plugin
# (tools/qemu-insn-count.c) in windows around each fio run
# (tools/insn-window.c), the clock counting instructions (-icount, so timer
# work per instruction is the same in every run). Each row runs a number of
# I/Os and a quarter of them: the difference is the instructions per I/O,
# exact and free of setup costs, and bench/insn-report.py splits it by
# kernel function: the driver's own code against everything else.
# Writes docs/insn-count.md.
#   BENCH_ROUNDS (5), BENCH_ROWS (all), BENCH_CONTROL (1)
set -euo pipefail
. "$(dirname "$0")/../scripts/env.sh"
prepare_guest normal
plugin=$(insn_plugin) || die "plugin build failed"
log=${RPMEM_LOG_DIR:-$RPMEM_CACHE/logs}/bench-insn.log
counts=${RPMEM_LOG_DIR:-$RPMEM_CACHE/logs}/bench-insn.counts
out=${INSN_OUT:-$RPMEM_ROOT/docs/insn-count.md}
rounds=${BENCH_ROUNDS:-5}
start=$(date +%s)
log "bench-insn: $rounds rounds; console: $log"
RPMEM_ICOUNT=shift=0,sleep=off RPMEM_QEMU_ARGS="-plugin $plugin,out=$counts" \
	run_measurement_guest bench 1 3600 "$log" BENCH_INSN=1 BENCH_ROUNDS=$rounds \
	BENCH_CONTROL=${BENCH_CONTROL:-1} BENCH_NOWAIT0=0 ${BENCH_ROWS:+BENCH_ROWS=$BENCH_ROWS} \
	BENCH_DRIVERS=rpmem,nd_pmem
"$PYTHON" "$RPMEM_ROOT/bench/insn-report.py" "$log" "$counts" "$KDIR/System.map" "$out" \
	"date: $(date -u '+%Y-%m-%d %H:%M UTC')" \
	"kernel: $(cat "$KDIR/include/config/kernel.release") (configs/rpmem.config), rpmem $(git -C "$RPMEM_ROOT" rev-parse --short HEAD)$(git -C "$RPMEM_ROOT" diff --quiet HEAD -- src bindings || echo '+changes')" \
	"QEMU: $(qemu-system-x86_64 --version | head -1), TCG, -icount shift=0,sleep=off, ${RPMEM_SMP:-2} vCPUs, 4 GiB" \
	"command: \`make bench-insn\` (BENCH_ROUNDS=$rounds${BENCH_ROWS:+ BENCH_ROWS=$BENCH_ROWS}), $(( $(date +%s) - start )) s"
