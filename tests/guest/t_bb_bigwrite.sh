# A multi-MiB O_DIRECT write over one bad page (4 MiB in one pwritev2, the
# bad page 1 MiB + 4 KiB into it): rpmem does what nd_pmem does. Both
# drivers must give the same write result, the same badblocks file
# afterwards and the same state of the range (each part: new data, old
# data or a read error); if the write succeeds, all of it reads back.
# User pages reach a driver one page per vector here (no large folios for
# user memory in this kernel); a bio with one multi-MiB vector comes from
# rpmemctl copy (1 MiB pfn vectors): the same 4 MiB copied onto a
# destination with the same bad page must end like the write: same result,
# same badblocks file and the bad page in the same state (poison is handled
# page by page, as pmem.c's segment walk does, not for the whole vector).
# Where clearing poison fails (QEMU's NVDIMM) the write fails on both, and
# the pages around the bad one are compared only when the write succeeds:
# rpmem clears a bio's poison before it writes any of it, so the failing
# bio writes nothing, while pmem.c has written the pages before the bad
# one; and which bios there are (so what a failed write left before and
# after the bad page) depends on the writing process's buffer: physically
# contiguous pages share a vector, a bio takes 256 vectors, and each run's
# buffer lies elsewhere. Runs on one
# namespace per bus (bb_targets): on legacy pmem (e820) clearing succeeds,
# so there the write must succeed and clear only the bad page.
. /tests/lib.sh
OFF=1048576                  # the write: 4 MiB at 1 MiB
BAD=$((2 * 2048 + 8))        # the bad page: 2 MiB + 4 KiB (sector 4104)
err_of() { sed -n 's/^vecio: .*: //p' /tmp/e | head -1 | tr -d ' '; }
# State of LEN bytes at byte POS: new, old, differs or the read error.
part() { # dev pos len
	vecio read "$1" "$2" "$3" > /tmp/part 2>/tmp/e || { echo "$(err_of)"; return; }
	if cmp -s /tmp/part /tmp/new.$2; then echo new
	elif cmp -s /tmp/part /tmp/old.$2; then echo old
	else echo differs; fi
}
run_on() { # driver ns -> outcome line
	dev=$(serve "$1" "$2") || fail "$dev"
	bb=/sys/block/$(basename "$dev")/badblocks
	check dd if=/tmp/old of="$dev" bs=1M seek=1 oflag=direct status=none
	echo "$BAD 8" > "$bb" || fail "$1: cannot inject into $bb"
	w=ok; vecio write "$dev" $OFF 4194304 < /tmp/new 2>/tmp/e || w=$(err_of)
	bbw=$(tr '\n' ' ' < "$bb")
	before=$(part "$dev" $OFF $((BAD * 512 - OFF)))
	bad=$(part "$dev" $((BAD * 512)) 4096)
	after=$(part "$dev" $((BAD * 512 + 4096)) $((OFF + 4194304 - BAD * 512 - 4096)))
	echo "write=$w bb_after=[$bbw] before_bad=$before bad_page=$bad after_bad=$after"
	unload_drivers
}
check dd if=/dev/urandom of=/tmp/old bs=1M count=4 status=none
check dd if=/dev/urandom of=/tmp/new bs=1M count=4 status=none
# The expected contents of each part, named by its byte position.
for f in old new; do
	dd if=/tmp/$f of=/tmp/$f.$OFF bs=4096 count=$(((BAD * 512 - OFF) / 4096)) status=none
	dd if=/tmp/$f of=/tmp/$f.$((BAD * 512)) bs=4096 skip=$(((BAD * 512 - OFF) / 4096)) count=1 status=none
	dd if=/tmp/$f of=/tmp/$f.$((BAD * 512 + 4096)) bs=4096 skip=$(((BAD * 512 - OFF) / 4096 + 1)) status=none
done
need_bb_targets
for ns in $BB_TARGETS; do
	bb_run_both $ns
	# Without the pages around the bad one when the write failed (see the header).
	cmp_of() { case $1 in "write=ok "*) echo "$1" ;; *) echo "$1" | sed 's/ before_bad=[^ ]*//; s/ after_bad=[^ ]*//' ;; esac; }
	[ "$(cmp_of "$a")" = "$(cmp_of "$b")" ] || fail "$p: rpmem and nd_pmem differ"
	[ "$p" = e820 ] && case $a in "write=ok "*) ;; *) fail "e820: nd_pmem's write over a bad page failed" ;; esac
	case $b in "write=ok "*)
		case $b in *"bb_after=[] before_bad=new bad_page=new after_bad=new") ;; *) fail "$p: write succeeded but the range does not read back" ;; esac ;;
	esac
	# The same through rpmemctl copy from another namespace.
	src_ns=
	for n in $(namespaces); do
		[ $n != $ns ] && [ "$(size_of_ns $n)" -gt 67108864 ] && { src_ns=$n; break; }
	done
	[ -n "$src_ns" ] || fail "no second namespace to copy from"
	src=$(serve rpmem $src_ns) || fail "$src"
	dst=$(serve rpmem $ns) || fail "$dst"
	check dd if=/tmp/new of="$src" bs=1M seek=1 oflag=direct status=none
	check dd if=/tmp/old of="$dst" bs=1M seek=1 oflag=direct status=none
	bb=/sys/block/$(basename "$dst")/badblocks
	echo "$BAD 8" > "$bb" || fail "cannot inject into $bb"
	c=ok
	# The error's text: "...: Input/output error" or "...: EIO (Input/output error)".
	rpmemctl copy "$(basename "$src"):2048" "$(basename "$dst"):2048" 8192 > /tmp/e 2>&1 ||
		c=$(sed -n 's/^rpmemctl: copy .*: //p' /tmp/e | sed 's/^E[A-Z]* (\(.*\))$/\1/' | tr -d ' ')
	c="write=$c bb_after=[$(tr '\n' ' ' < "$bb")] before_bad=$(part "$dst" $OFF $((BAD * 512 - OFF)))"
	c="$c bad_page=$(part "$dst" $((BAD * 512)) 4096)"
	info "$ns ($p) rpmem copy from $src_ns: $c"
	case $(cmp_of "$b") in "$(cmp_of "$c")"*) ;; *) fail "$p: copy over the bad page ends unlike the write" ;; esac
	unload_drivers
done
