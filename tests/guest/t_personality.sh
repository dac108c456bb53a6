# A namespace claimed by a BTT personality is refused by rpmem with a clear
# message; released again, rpmem serves it.
. /tests/lib.sh
modprobe nd_pmem
modprobe rpmem
ns=namespace0.0
unbind $ns
ndctl create-namespace -f -e $ns -m sector > /tmp/nd.out 2>&1 || { cat /tmp/nd.out; fail "ndctl create-namespace -m sector"; }
claim=$(ls -d /sys/bus/nd/devices/$ns/../btt* 2>/dev/null | head -1)
info "sector mode: $(grep -o '"blockdev":"[^"]*"' /tmp/nd.out)"
unbind $ns
if echo $ns > /sys/bus/nd/drivers/rpmem/bind 2>/dev/null; then
	fail "rpmem bound a BTT-claimed namespace"
fi
dmesg | grep -q "rpmem: $ns: claimed by btt" || { dmesg | tail -5; fail "no clear refusal message"; }
info "$(dmesg | grep "rpmem: $ns: claimed by" | tail -1)"
ndctl create-namespace -f -e $ns -m raw > /tmp/nd.out 2>&1 || { cat /tmp/nd.out; fail "back to raw"; }
unbind $ns
echo $ns > /sys/bus/nd/drivers/rpmem/bind || fail "rpmem refuses the raw namespace again"
wait_disk $ns || fail "no disk after reverting to raw"
