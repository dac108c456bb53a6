# Power cycle, part 2: after a full VM power-off and boot, the data written
# by t_persist_write.sh is intact.
. /tests/lib.sh
D=$1
load_driver "$D"
dev=$(disk_of namespace0.0)
case $D in rpmem) at=100 ;; *) at=200 ;; esac
want=$(dd if="$dev" bs=512 skip=$(( (at + 32) * 2048 )) count=1 status=none | tr -d '\0' | head -c 64)
got=$(sum_dev "$dev" $at 32)
info "stored $want, read $got"
case $want in [0-9]*:[0-9]*) ;; *) false ;; esac || fail "no checksum stored at slot $at (was persist_write run?)"
[ "$got" = "$want" ] || fail "data changed across power cycle"
