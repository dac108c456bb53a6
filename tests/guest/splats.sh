# shellcheck shell=sh
# What counts as a kernel splat: for the guest's runner (through lib.sh)
# and for the host's console check (scripts/check.sh).
SPLAT_RE='Oops|BUG:|WARNING:|Kernel panic|circular locking|recursive locking|inconsistent lock state|INFO: task .* blocked|unreferenced object|kmemleak: .*suspected memory leak|KFENCE:|general protection|rcu_.*stall|soft lockup|list_add corruption|list_del corruption|ODEBUG:|sleeping function called from invalid context|scheduling while atomic'

# A boot may expect one kernel bug outside rpmem that a test provokes on
# purpose, by name (RPMEM_KNOWN_SPLAT, from the plan); only the line named
# here is let through, every other splat still counts.
#   set_mce_nospec: memory_failure() of a frame outside the kernel's direct
#   map (a VM_PFNMAP range registered with register_pfn_address_space(), as
#   rpmem's and VFIO's are) ends in set_mce_nospec(), which unmaps the
#   frame's direct-map alias, which does not exist: __cpa_process_fault()
#   WARNs "CPA: called for zero pte" (docs/dax.md).
KNOWN_SPLAT_set_mce_nospec='WARNING: arch/x86/mm/pat/set_memory.c:[0-9]+ at __cpa_process_fault\+'

# The splat lines of the kernel log text on standard input ($GREP: the
# grep to use, "grep -a" for a raw console on the host).
splat_lines() {
	case ${RPMEM_KNOWN_SPLAT:-} in
	set_mce_nospec) ${GREP:-grep} -E "$SPLAT_RE" | ${GREP:-grep} -vE "$KNOWN_SPLAT_set_mce_nospec" ;;
	*) ${GREP:-grep} -E "$SPLAT_RE" ;;
	esac
}
