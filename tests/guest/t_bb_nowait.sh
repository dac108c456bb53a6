# A REQ_NOWAIT write over a bad block (pwritev2 RWF_NOWAIT on an O_DIRECT
# fd, tools/vecio.c): 64 KiB starting 32 KiB before a bad page. rpmem must
# turn it back with EAGAIN before writing anything: the good sectors of
# the range are unchanged and the bad block is still listed. A NOWAIT
# write elsewhere succeeds. Then a normal write over the bad block behaves
# as on nd_pmem (same result, same badblocks file afterwards) and, if it
# succeeds, the data reads back. nd_pmem does not set BLK_FEAT_NOWAIT, so
# RWF_NOWAIT is refused up front there (EOPNOTSUPP); its outcome is only
# recorded. Runs on one namespace per bus (bb_targets): on legacy pmem
# (e820) clearing succeeds, so the normal write must succeed there.
. /tests/lib.sh
BAD=2048                        # the bad page: sectors 2048..2055 (1 MiB)
OFF=$((BAD * 512 - 32768))      # the write: 64 KiB from 32 KiB before it
err_of() { sed -n 's/^vecio: .*: //p' /tmp/e | head -1 | tr -d ' '; }
# The range's good parts: 32 KiB before the bad page, 28 KiB after it.
good_sha() { # dev
	{ dd if="$1" bs=4096 skip=$((OFF / 4096)) count=8 iflag=direct status=none
	  dd if="$1" bs=4096 skip=$((BAD / 8 + 1)) count=7 iflag=direct status=none; } | datasum
}
run_on() { # driver ns -> outcome line
	dev=$(serve "$1" "$2") || fail "$dev"
	[ -b "$dev" ] || fail "$1: no disk for $2"
	bb=/sys/block/$(basename "$dev")/badblocks
	check dd if=/dev/urandom of="$dev" bs=1M count=4 oflag=direct status=none
	# A NOWAIT direct write also fails if the range has cached pages.
	check blockdev --flushbufs "$dev"
	echo "$BAD 8" > "$bb" || fail "$1: cannot inject into $bb"
	head -c 65536 /dev/urandom > /tmp/new
	ctl=ok; vecio -n write "$dev" $((3 * 1048576)) 65536 < /tmp/new 2>/tmp/e || ctl=$(err_of)
	before=$(good_sha "$dev")
	nw=ok; vecio -n write "$dev" $OFF 65536 < /tmp/new 2>/tmp/e || nw=$(err_of)
	kept=no; [ "$(good_sha "$dev")" = "$before" ] && kept=yes
	bb_nw=$(tr '\n' ' ' < "$bb")
	w=ok; vecio write "$dev" $OFF 65536 < /tmp/new 2>/tmp/e || w=$(err_of)
	bb_w=$(tr '\n' ' ' < "$bb")
	back=no; vecio read "$dev" $OFF 65536 2>/dev/null | cmp -s - /tmp/new && back=yes
	echo "nowait_elsewhere=$ctl nowait_over_bad=$nw good_sectors_kept=$kept bb_after_nowait=[$bb_nw] write=$w bb_after_write=[$bb_w] reads_back=$back"
	unload_drivers
}
need_bb_targets
for ns in $BB_TARGETS; do
	bb_run_both $ns
	case $b in *"nowait_elsewhere=ok "*) ;; *) fail "$p rpmem: NOWAIT write to good sectors failed" ;; esac
	case $b in *"nowait_over_bad=Resourcetemporarilyunavailable "*) ;; *) fail "$p rpmem: NOWAIT write over a bad block did not fail with EAGAIN" ;; esac
	case $b in *"good_sectors_kept=yes "*) ;; *) fail "$p rpmem: NOWAIT write over a bad block changed good sectors" ;; esac
	case $b in *"bb_after_nowait=[$BAD 8 ]"*) ;; *) fail "$p rpmem: NOWAIT write over a bad block changed the bad-block list" ;; esac
	# From the normal write on, rpmem must do what nd_pmem does.
	[ "${a#*write=}" = "${b#*write=}" ] || fail "$p: normal write over the bad block: rpmem and nd_pmem differ"
	[ "$p" = e820 ] && case $a in *" write=ok "*) ;; *) fail "e820: nd_pmem's write over a bad block failed" ;; esac
	case $b in *" write=ok "*)
		case $b in *"bb_after_write=[] reads_back=yes"*) ;; *) fail "$p rpmem: write succeeded but the bad block stays or data differs" ;; esac ;;
	esac
done
