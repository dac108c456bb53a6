#!/bin/bash
# `make bench`: one VM boot running bench/guest-bench.sh (rpmem and nd_pmem
# alternately on the same 1 GiB namespace, brd, null_blk with and without
# memory backing), then bench/report.py writes docs/benchmarks.md and its
# charts docs/bench-ratios.svg and docs/bench-kmap.svg (python3-matplotlib).
#   BENCH_ROUNDS (3), BENCH_RUNTIME seconds per run (4),
#   BENCH_DRIVERS (rpmem,nd_pmem,brd,nullb_mem,nullb_nomem),
#   BENCH_CONTROL (1: nd_pmem measured again beside itself, the method's error),
#   BENCH_NOWAIT0 (1: io_uring rows also on rpmem loaded with nowait=0),
#   BENCH_ROWS (all: a comma list of row names keeps only those),
#   BENCH_OUT (docs/benchmarks.md: where the report goes),
#   BENCH_FRESH_BOOT (0; 1: every round in a boot of its own, so that the
#     spread between rounds shows how much a result depends on where one
#     boot's KASLR put the code and data, which matters under TCG)
# `make bench-icount` (BENCH_ICOUNT=1): the same rows with QEMU's -icount
# shift=0,sleep=off, where the guest clock counts executed instructions
# (1 ns each): IOPS measure instructions per I/O, deterministic and free of
# host noise (cache and TLB costs do not count). Writes
# docs/benchmarks-icount.md; defaults 3 rounds, 1 s, rpmem and nd_pmem.
set -euo pipefail
. "$(dirname "$0")/../scripts/env.sh"
prepare_guest normal
kdir=$KDIR
icount=${BENCH_ICOUNT:-0}
if [ "$icount" = 1 ]; then
	export RPMEM_ICOUNT=shift=0,sleep=off REPORT_DIGITS=4
	log=${RPMEM_LOG_DIR:-$RPMEM_CACHE/logs}/bench-icount.log out=$RPMEM_ROOT/docs/benchmarks-icount.md
	: "${BENCH_RUNTIME:=1}" "${BENCH_DRIVERS:=rpmem,nd_pmem}"
	clock="QEMU -icount $RPMEM_ICOUNT: the guest clock counts instructions (1 ns each), so IOPS are instructions per I/O"
else
	log=${RPMEM_LOG_DIR:-$RPMEM_CACHE/logs}/bench.log out=${BENCH_OUT:-$RPMEM_ROOT/docs/benchmarks.md}
	clock="the guest clock is the host's (TCG): timings carry host noise"
fi
mkdir -p "$(dirname "$log")"
rounds=${BENCH_ROUNDS:-3}
runtime=${BENCH_RUNTIME:-4}
log "bench: $rounds rounds x ${BENCH_ROWS:-9 rows} x ${BENCH_DRIVERS:-5 drivers} x ${runtime}s; console: $log"
start=$(date +%s)
guest_args=(BENCH_RUNTIME=$runtime BENCH_CONTROL=${BENCH_CONTROL:-1} BENCH_NOWAIT0=${BENCH_NOWAIT0:-1}
	${BENCH_ROWS:+BENCH_ROWS=$BENCH_ROWS} BENCH_DRIVERS=${BENCH_DRIVERS:-rpmem,nd_pmem,brd,nullb_mem,nullb_nomem})
fresh=${BENCH_FRESH_BOOT:-0}
if [ "$fresh" = 1 ]; then
	: > "$log.all"
	for r in $(seq 1 "$rounds"); do
		run_measurement_guest bench 1 3600 "$log.$r" BENCH_ROUNDS=1 BENCH_FIRST_ROUND=$r "${guest_args[@]}"
		cat "$log.$r" >> "$log.all"
	done
	mv "$log.all" "$log"
else
	run_measurement_guest bench 1 3600 "$log" BENCH_ROUNDS=$rounds "${guest_args[@]}"
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
"$PYTHON" "$RPMEM_ROOT/bench/report.py" "$log" "$out" \
	"date: $(date -u '+%Y-%m-%d %H:%M UTC')" \
	"kernel: $(cat "$kdir/include/config/kernel.release") (configs/rpmem.config), rpmem $(git -C "$RPMEM_ROOT" rev-parse --short HEAD)" \
	"QEMU: $(qemu-system-x86_64 --version | head -1), accelerator ${RPMEM_ACCEL:-tcg}, ${RPMEM_SMP:-2} vCPUs, 4 GiB; host CPU: $cpu" \
	"clock: $clock" \
	"command: \`make $([ "$icount" = 1 ] && echo bench-icount || echo bench)\` (BENCH_FRESH_BOOT=$fresh BENCH_ROUNDS=$rounds BENCH_RUNTIME=$runtime BENCH_CONTROL=${BENCH_CONTROL:-1} BENCH_NOWAIT0=${BENCH_NOWAIT0:-1} BENCH_DRIVERS=${BENCH_DRIVERS:-all}), $(( $(date +%s) - start )) s" \
	"fio: O_DIRECT, time_based ${runtime}s + 1s ramp, 1 GiB devices pre-touched once per round; rpmem, nd_pmem and the control nd_pmem_again back to back on every row (namespace rebound before each run; the six orders of the three in turn, row by row and round by round), the other drivers in order reversed every other round"
