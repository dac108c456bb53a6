# shellcheck shell=sh
# NVMe/TCP loopback helpers (source after lib.sh): the in-kernel target
# (nvmet, raw configfs) exports a block device on 127.0.0.1:4420 and the
# in-kernel host connects to it with nvme-cli.
NQN=nqn.2026-11.io.rpmem:export
HOSTID=4d2b6c3e-5a1f-4b7e-9c0d-2e8f1a6b3c5d
HOSTNQN=nqn.2014-08.org.nvmexpress:uuid:$HOSTID
NVMET=/sys/kernel/config/nvmet
SUBSYS=$NVMET/subsystems/$NQN
PORT=$NVMET/ports/1

nvmet_ns_enable() { echo "$1" > "$SUBSYS/namespaces/1/enable"; } # 0|1

# Subsystem NQN with namespace 1 backed by DEV, TCP port 1 on 127.0.0.1:4420.
nvmet_export() { # dev
	ip link set lo up || return 1
	grep -q " /sys/kernel/config " /proc/mounts || mount -t configfs none /sys/kernel/config || return 1
	mkdir "$SUBSYS" && echo 1 > "$SUBSYS/attr_allow_any_host" &&
		mkdir "$SUBSYS/namespaces/1" &&
		printf %s "$1" > "$SUBSYS/namespaces/1/device_path" &&
		nvmet_ns_enable 1 || return 1
	mkdir "$PORT" && echo ipv4 > "$PORT/addr_adrfam" && echo tcp > "$PORT/addr_trtype" &&
		echo 127.0.0.1 > "$PORT/addr_traddr" && echo 4420 > "$PORT/addr_trsvcid" &&
		ln -s "$SUBSYS" "$PORT/subsystems/$NQN"
}

nvmet_unexport() {
	[ -L "$PORT/subsystems/$NQN" ] && rm "$PORT/subsystems/$NQN"
	[ -d "$PORT" ] && rmdir "$PORT"
	if [ -d "$SUBSYS/namespaces/1" ]; then
		nvmet_ns_enable 0
		rmdir "$SUBSYS/namespaces/1"
	fi
	[ -d "$SUBSYS" ] && rmdir "$SUBSYS"
	true
}

# Block device of the connected controller of subsystem NQN, e.g. /dev/nvme0n1.
nvme_dev() {
	local c b
	for c in /sys/class/nvme/nvme*; do
		[ "$(cat "$c/subsysnqn" 2>/dev/null)" = "$NQN" ] || continue
		for b in "$c"/nvme*n*; do
			[ -e "$b/size" ] && { echo "/dev/$(basename "$b")"; return 0; }
		done
	done
	return 1
}

# nvme connect, then wait (bounded) for the namespace's block device; prints it.
nvme_connect() {
	local tries=0 d
	timeout 60 nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$NQN" -q "$HOSTNQN" -I "$HOSTID" \
		> /tmp/nvme-connect.out 2>&1 || { cat /tmp/nvme-connect.out; return 1; }
	while ! d=$(nvme_dev) || [ ! -b "$d" ]; do
		tries=$((tries + 1))
		[ $tries -gt 100 ] && return 1
		sleep 0.1
	done
	echo "$d"
}

nvme_disconnect() { timeout 60 nvme disconnect -n "$NQN" > /dev/null; }

# Undo everything a test may have left: host connection, then the target.
nvmf_cleanup() {
	nvme_dev > /dev/null 2>&1 && nvme_disconnect
	[ -d "$NVMET" ] && nvmet_unexport
	true
}
