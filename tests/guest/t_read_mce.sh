# A machine check raised while the kernel copies pmem for a read() ends
# that read with EIO, and the kernel carries on: rpmem reads device memory
# with copy_mc_to_kernel(), whose loads have exception-table entries
# (EX_TYPE_DEFAULT_MCE_SAFE), so the #MC handler grades the error
# "Action required: data load in error recoverable area of kernel" and
# jumps to the fixup, the copy returns the bytes not copied, the bio fails.
# A plain copy (memcpy_flushcache, mutant M15 of scripts/mutants.sh) has
# none: the same machine check is "Data load in unrecoverable area of
# kernel" and panics the kernel (the boot then has no result, and its
# console a "Kernel panic").
#
# What makes the difference visible under QEMU TCG (plan line: kernel
# argument mce=recovery, RPMEM_MCE=1, RPMEM_CPU with vendor GenuineIntel):
# - mce=recovery turns copy_mc_to_kernel() into copy_mc_fragile(), whose
#   loads are the ones with exception-table entries; without it (qemu64 has
#   no ERMS) copy_mc_to_kernel() is plain memcpy() and panics as well.
# - GenuineIntel: QEMU 7.2 does not offer AMD's SUCCOR (MCA recovery), and
#   without it the kernel panics on every uncorrected error; Intel's
#   software error recovery (MCG_CAP.SER_P) QEMU does offer.
# - The host aims the machine check as a poisoned load raises one
#   (scripts/mce-host.py, load=): it stops the VM, single-stepped, until
#   vCPU 1 is in kernel mode at an instruction that loads from the range
#   this test reads, and injects then; the #MC is taken on that load and
#   reports its physical address. Whatever kernel code loads the range
#   is hit, whichever copy routine it is, and nothing else is.
# The error: MCi_STATUS VAL|UC|EN|MISCV|ADDRV|S|AR with MCACOD 0x134 (data
# load), MCi_MISC physical address mode with a 64-byte line; MCG_STATUS
# MCIP|EIPV|RIPV (the RIP is the faulting load and restartable), broadcast
# to every vCPU (QEMU's `mce -b`, as an Intel machine check without LMCE
# is: the handler waits for all CPUs). ACPI NFIT's handler records the line
# as a bad block of the region, so the disk fails reads of that sector
# from then on, before any copy.
. /tests/lib.sh
need_aimed_mce reader kernel
load_driver rpmem
ns=$(ns_of_size 1073741824) || fail "no 1 GiB namespace"
disk=$(disk_of $ns)
name=$(basename $disk)
start=$(cat /sys/bus/nd/devices/$ns/resource)

# The range read: 16 MiB at 64 MiB, written with known data first.
skip=16 count=4 # 4 MiB blocks
lo=$((start + skip * 4194304))
hi=$((lo + count * 4194304))
dd if=/dev/urandom of=/tmp/data bs=4M count=$count status=none || fail "dd urandom"
dd if=/tmp/data of=$disk bs=4M seek=$skip oflag=direct status=none || fail "write $disk"
want=$(datasum < /tmp/data)

# The reader: O_DIRECT reads of the range on CPU 1, each failed dd's
# message kept; the read under way when the machine check lands fails
# with EIO.
mce_on_worker $name 1 64 $lo $hi \
	"dd if=$disk of=/dev/null bs=4M skip=$skip count=$count iflag=direct status=none 2>> /tmp/worker.err"
addr=$mce_addr
info "the error's address is $((addr - start)) bytes into $ns"
grep -q 'Input/output error' /tmp/worker.err ||
	fail "the reader's failure is not EIO: $(head -3 /tmp/worker.err)"
info "reader: $(head -1 /tmp/worker.err)"
# NFIT's handler made the line a bad block of the disk: the sector of the
# address is bad, reads of it fail, the rest of the range reads back.
sector=$(((addr - start) / 512))
await_bad_sector $name $sector
dd if=$disk of=/dev/null bs=512 skip=$sector count=1 iflag=direct status=none 2>/dev/null &&
	fail "a read of bad sector $sector succeeded"
first=$((skip * 8192))
got=$( { dd if=$disk bs=512 skip=$first count=$((sector - first)) iflag=direct status=none
	dd if=/tmp/data bs=512 skip=$((sector - first)) count=1 status=none
	dd if=$disk bs=512 skip=$((sector + 1)) count=$((first + count * 8192 - sector - 1)) iflag=direct status=none; } | datasum)
[ "$got" = "$want" ] || fail "the range around the bad sector does not read back: $got, wrote $want"
info "badblocks: $sector 1; its read fails, the rest of the range reads back"
