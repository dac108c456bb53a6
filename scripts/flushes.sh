# shellcheck shell=bash
# Host side of the flush_host guest test (sourced by scripts/check.sh).
# QEMU logs every virtio-pmem flush it performs (an fsync of the backing
# file) to a trace file; the guest runs workload phases, each ended by a
# console mark `RPMEM-FLUSH-MARK i` and a pause, and begun by
# `RPMEM-FLUSH-START i`; its output line `RPMEM-FLUSH-PHASE i DRIVER NAME
# WANT` says what phase i must give: N flushes, "=" as many on rpmem as on
# nd_pmem, "-" anything (setup). flush_watch notes the host's flush count at each
# mark; the count is exact when phase i+1 has not started yet (checked).
# flush_results turns the counts into PASS/FAIL lines.

flush_count() { # trace: flushes the host completed so far
	local n
	n=$(grep -ac 'virtio_pmem_flush_done' "$1" 2>/dev/null)
	echo "${n:-0}"
}

flush_watch() { # console trace out: until $out.stop exists
	local log=$1 trace=$2 out=$3 seen=0 marks i c state
	: > "$out"
	while :; do
		marks=$(grep -ao 'RPMEM-FLUSH-MARK [0-9]*' "$log" 2>/dev/null | wc -l)
		while [ "$seen" -lt "$marks" ]; do
			seen=$((seen + 1))
			c=$(flush_count "$trace")
			i=$(grep -ao 'RPMEM-FLUSH-MARK [0-9]*' "$log" | sed -n "${seen}p" | cut -d' ' -f2)
			state=ok
			grep -aqE "RPMEM-FLUSH-START $((i + 1))([^0-9]|$)" "$log" && state=late
			echo "$i $c $state" >> "$out"
		done
		[ -e "$out.stop" ] && break
		sleep 0.1
	done
}

flush_results() { # variant console trace out
	local variant=$1 log=$2 trace=$3 out=$4 i d name want c prev got bad
	declare -A counts=() summary=() failed=()
	while read -r i d name want; do
		c=$(awk -v i="$i" '$1 == i { print $2, $3 }' "$out")
		prev=$(awk -v i="$((i - 1))" '$1 == i { print $2, $3 }' "$out")
		[ "$i" = 1 ] && prev="0 ok"
		if [ -z "$c" ] || [ -z "$prev" ] || [ "${c#* }" != ok ] || [ "${prev#* }" != ok ]; then
			failed[$d]+="$name: host count not taken in time; "
			continue
		fi
		got=$((${c% *} - ${prev% *}))
		summary[$d]+="$name=$got "
		# "-": not checked; "=": the same on both drivers; N: exactly N.
		[ "$want" = - ] || counts[$d:$name]=$got
		case $want in -|=) ;; *) [ "$got" = "$want" ] || failed[$d]+="$name: $got host flushes, expected $want; " ;; esac
	done < <(grep -aoE 'RPMEM-FLUSH-PHASE [0-9]+ [a-z_]+ [a-z0-9_]+ [-=0-9]+' "$log" | cut -d' ' -f2-)
	for d in "${!summary[@]}"; do
		if [ -z "${failed[$d]:-}" ]; then
			result PASS "$variant:flush_host@$d:host" "host flushes: ${summary[$d]% }"
		else
			result FAIL "$variant:flush_host@$d:host" "${failed[$d]%; }"
		fi
	done
	for d in "${!failed[@]}"; do
		[ -n "${summary[$d]:-}" ] || result FAIL "$variant:flush_host@$d:host" "${failed[$d]%; }"
	done
	# The same workload must reach the host as the same flushes on both drivers.
	if [ -n "${summary[rpmem]:-}" ] && [ -n "${summary[nd_pmem]:-}" ]; then
		bad=
		for c in "${!counts[@]}"; do
			[ "${c%%:*}" = rpmem ] || continue
			name=${c#*:}
			[ "${counts[$c]}" = "${counts[nd_pmem:$name]:-}" ] ||
				bad+="$name: rpmem ${counts[$c]}, nd_pmem ${counts[nd_pmem:$name]:-none}; "
		done
		if [ -z "$bad" ]; then
			result PASS "$variant:flush_host:rpmem=nd_pmem" "same host flushes per phase"
		else
			result FAIL "$variant:flush_host:rpmem=nd_pmem" "${bad%; }"
		fi
	fi
	# Every flush QEMU was asked for it completed.
	[ "$(grep -ac virtio_pmem_flush_request "$trace")" = "$(flush_count "$trace")" ] ||
		result FAIL "$variant:flush_host:trace" "flush requests and completions differ in $trace"
}
