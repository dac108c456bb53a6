#!/bin/bash
# Boot the guest kernel with emulated NVDIMMs; console goes to a log file
# (and to stdout when RPMEM_ECHO=1). A hard wall-clock timeout kills QEMU.
#
# Environment:
#   RPMEM_KERNEL      bzImage (required)          RPMEM_INITRD  initramfs (required)
#   RPMEM_NVDIMMS     number of NVDIMMs (1)       RPMEM_NVDIMM_SIZE  size each (1G),
#                     or a comma list of sizes, one per NVDIMM
#   RPMEM_NVDIMM_DIR  backing files (/dev/shm/rpmem-nvdimm: tmpfs, so host
#                     writeback does not distort timings; files persist
#                     between boots until RPMEM_NVDIMM_FRESH=1 recreates them)
#   RPMEM_NVDIMM_LABEL  label area of every NVDIMM (QEMU label-size, e.g.
#                     128K; unset: no labels). Labelled NVDIMMs use their own
#                     backing files (nvdimmN-SIZE-labelL.img)
#   RPMEM_MEM         guest RAM (2G)              RPMEM_SMP  vCPUs (2)
#   RPMEM_CPU         QEMU -cpu model and options (QEMU's default, qemu64,
#                     AuthenticAMD; e.g. qemu64,vendor=GenuineIntel)
#   RPMEM_MAXMEM      guest RAM plus NVDIMMs at most (64G; a 512G NVDIMM needs more)
#   RPMEM_APPEND      extra kernel command line   RPMEM_TIMEOUT  seconds (600)
#   RPMEM_LOG         console log file (required) RPMEM_ACCEL  tcg (default) or kvm
#   RPMEM_KILL_AT     regex: SIGKILL QEMU when the console matches (power cut)
#   RPMEM_MONITOR     QEMU's monitor (HMP) on this Unix socket (default: no
#                     monitor)
#   RPMEM_MCE=1       machine checks on request: each console line
#                     `RPMEM-MCE-REQUEST id=N cpu=C bank=B status=S
#                     mcg_status=G addr=A misc=M` becomes the monitor command
#                     `mce C B S G A M` (scripts/mce-host.py; monitor socket
#                     RPMEM_LOG.monitor unless RPMEM_MONITOR says), what QEMU
#                     answered goes to RPMEM_LOG.mce; with ` load=LO-HI` the
#                     host injects only when vCPU C loads from that physical
#                     range, on that load (see scripts/mce-host.py)
#   RPMEM_ICOUNT      QEMU -icount options (e.g. shift=0,sleep=off: the guest
#                     clock counts executed instructions, 1 ns each, so timings
#                     measure instructions and no host noise; single-threaded)
#   RPMEM_QEMU_ARGS   further QEMU arguments, split at blanks (e.g. a -plugin)
#   RPMEM_QEMU        the QEMU to run (qemu-system-x86_64 on PATH; the
#                     durability checker's is scripts/qemu10.sh's launcher)
#   RPMEM_BOOT_TIMEOUT  seconds for the guest's /init to print RPMEM-BOOT;
#                     past them QEMU is killed and run.sh exits 125
#   RPMEM_INTERACTIVE=1  console on this terminal (and still logged); quit
#                     with Ctrl-A x. Boot with RPMEM_APPEND="RPMEM_MODE=shell"
#                     or RPMEM_SHELL=1 (shell after the selected mode).
# virtio-pmem, CXL type-3 persistent memory and the flush trace:
#   RPMEM_VIRTIO_PMEM, RPMEM_CXL, RPMEM_TRACE_FILE, see qemu/pmem-devices.sh.
# Exit status: QEMU's, or 124 after a timeout (the guest was killed).
set -euo pipefail
: "${RPMEM_KERNEL:?}" "${RPMEM_INITRD:?}" "${RPMEM_LOG:?}"
n=${RPMEM_NVDIMMS:-1}
# One size for all, or a comma list (one per NVDIMM, overriding the count).
sizes=${RPMEM_NVDIMM_SIZE:-1G}
if [[ $sizes == *,* ]]; then
	IFS=, read -ra size_of <<< "$sizes"
	n=${#size_of[@]}
else
	size_of=()
	for i in $(seq 0 $((n - 1))); do size_of+=("$sizes"); done
fi
dir=${RPMEM_NVDIMM_DIR:-/dev/shm/rpmem-nvdimm}
timeout=${RPMEM_TIMEOUT:-600}
# /dev/kvm exists on these hosts but cannot run guests (no VMX): TCG unless
# told otherwise.
accel=${RPMEM_ACCEL:-tcg}
qemu=${RPMEM_QEMU:-qemu-system-x86_64}

mkdir -p "$dir"
# A slow or loaded host must not fail a boot: TCG's vCPUs are host threads,
# and when the host is busy the guest's timer check at boot (which panics,
# "IO-APIC + timer doesn't work!") and its stall detectors (RCU after 21 s,
# hung tasks after 120 s) see the emulator's delays, not the guest's. The
# detectors stay on, with limits no delay of the host reaches and every
# real deadlock does (it never ends).
slow_host="no_timer_check rcupdate.rcu_cpu_stall_timeout=300 sysctl.kernel.hung_task_timeout_secs=900"
# -display none, not -nographic: with -nographic QEMU points SeaBIOS's serial
# console at ttyS0 and it prints VT100 escapes (ESC c, ESC [2J) there.
args=(-accel "$accel" -M pc,nvdimm=on -m "${RPMEM_MEM:-2G},slots=$((n + 1)),maxmem=${RPMEM_MAXMEM:-64G}"
      -smp "${RPMEM_SMP:-2}" -kernel "$RPMEM_KERNEL" -initrd "$RPMEM_INITRD"
      -display none -parallel none -no-reboot -nic none
      -append "console=ttyS0 panic=-1 oops=panic $slow_host ${RPMEM_APPEND:-}")
[ -n "${RPMEM_CPU:-}" ] && args+=(-cpu "$RPMEM_CPU")
[ -n "${RPMEM_ICOUNT:-}" ] && args+=(-icount "$RPMEM_ICOUNT")
# shellcheck disable=SC2206
[ -n "${RPMEM_QEMU_ARGS:-}" ] && args+=($RPMEM_QEMU_ARGS)
for i in $(seq 0 $((n - 1))); do
	size=${size_of[$i]}
	f=$dir/nvdimm$i-$size${RPMEM_NVDIMM_LABEL:+-label$RPMEM_NVDIMM_LABEL}.img
	if [ "${RPMEM_NVDIMM_FRESH:-0}" = 1 ] || [ ! -f "$f" ]; then
		rm -f "$f"
		truncate -s "$size" "$f"
	fi
	args+=(-object "memory-backend-file,id=mem$i,share=on,mem-path=$f,size=$size"
	       -device "nvdimm,id=nvdimm$i,memdev=mem$i${RPMEM_NVDIMM_LABEL:+,label-size=$RPMEM_NVDIMM_LABEL}")
done
. "$(dirname "$0")/pmem-devices.sh"

: > "$RPMEM_LOG"
if [ "${RPMEM_INTERACTIVE:-0}" = 1 ]; then
	args+=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$RPMEM_LOG"
	       -serial chardev:con -mon chardev=con,mode=readline)
	rc=0
	timeout --foreground -s KILL "$timeout" "$qemu" "${args[@]}" || rc=$?
	[ "$rc" = 137 ] && { echo "RPMEM-HOST: guest timed out after ${timeout}s" >> "$RPMEM_LOG"; rc=124; }
	exit "$rc"
fi
monitor=${RPMEM_MONITOR:-}
[ "${RPMEM_MCE:-0}" = 1 ] && [ -z "$monitor" ] && monitor=$RPMEM_LOG.monitor
if [ -n "$monitor" ]; then
	rm -f "$monitor"
	args+=(-serial "file:$RPMEM_LOG" -monitor "unix:$monitor,server=on,wait=off")
else
	args+=(-serial "file:$RPMEM_LOG" -monitor none)
fi
if [ "${RPMEM_MCE:-0}" = 1 ]; then
	: > "$RPMEM_LOG.mce"
	python3 "$(dirname "$0")/../scripts/mce-host.py" "$RPMEM_LOG" "$monitor" >> "$RPMEM_LOG.mce" 2>&1 &
	mce_host=$!
	trap 'kill $mce_host 2>/dev/null || true' EXIT
fi
if [ "${RPMEM_ECHO:-0}" = 1 ]; then
	# Echo as clean text (the log file keeps the raw console).
	. "$(dirname "$0")/../scripts/env.sh"
	exec {clean}> >(clean_console)
	cleaner=$!
	tail -n +1 -f "$RPMEM_LOG" >&$clean &
	tailer=$!
	trap 'kill $tailer ${mce_host:-} 2>/dev/null; exec {clean}>&-; wait $cleaner 2>/dev/null || true' EXIT
fi
rc=0
if [ -n "${RPMEM_KILL_AT:-}" ] || [ -n "${RPMEM_BOOT_TIMEOUT:-}" ]; then
	timeout -s KILL "$timeout" "$qemu" "${args[@]}" </dev/null >/dev/null 2>"$RPMEM_LOG.qemu" &
	qpid=$!
	start=$SECONDS booted= cut= hung=
	while kill -0 "$qpid" 2>/dev/null; do
		# Power cut: SIGKILL QEMU as soon as the console matches the pattern.
		if [ -n "${RPMEM_KILL_AT:-}" ] && grep -qE "$RPMEM_KILL_AT" "$RPMEM_LOG"; then
			pkill -KILL -P "$qpid" 2>/dev/null || true
			echo "RPMEM-HOST: power cut (SIGKILL) at '$RPMEM_KILL_AT'" >> "$RPMEM_LOG"
			cut=1
			break
		fi
		# Boot watchdog: /init must start within RPMEM_BOOT_TIMEOUT seconds.
		if [ -n "${RPMEM_BOOT_TIMEOUT:-}" ] && [ -z "$booted" ]; then
			if grep -q '^RPMEM-BOOT' "$RPMEM_LOG"; then
				booted=1
				[ -n "${RPMEM_KILL_AT:-}" ] || break
			elif [ $((SECONDS - start)) -ge "$RPMEM_BOOT_TIMEOUT" ]; then
				pkill -KILL -P "$qpid" 2>/dev/null || true
				echo "RPMEM-HOST: no /init within ${RPMEM_BOOT_TIMEOUT}s: the guest hung while booting" >> "$RPMEM_LOG"
				hung=1
				break
			fi
		fi
		sleep 0.1
	done
	wait "$qpid" 2>/dev/null || rc=$?
	[ -n "$cut" ] && rc=0
	[ -n "$hung" ] && rc=125
else
	timeout -s KILL "$timeout" "$qemu" "${args[@]}" </dev/null >/dev/null 2>"$RPMEM_LOG.qemu" || rc=$?
fi
if [ "$rc" = 137 ]; then
	echo "RPMEM-HOST: guest timed out after ${timeout}s" >> "$RPMEM_LOG"
	rc=124
fi
sleep 0.2
exit "$rc"
