// SPDX-License-Identifier: GPL-2.0

//! Read-side sections that keep a registered device range alive.
//!
//! The registry frees a table only after `synchronize_rcu()`, which waits
//! for every RCU read-side section and, RCU flavours being consolidated
//! since Linux 4.20, for every region that runs with preemption disabled.
//! So two kinds of section protect a lookup ([`ReadSide`]): a caller's
//! `rcu::Guard`, and the [`Section`] that `kmap_atomic_pfn_t()` takes for
//! itself, which disables preemption as `kmap_atomic()` always did.
//!
//! [`Section`] is `preempt_disable()`/`preempt_enable()` inline. From Rust,
//! `rcu::read_lock()` and `preempt_disable()` are calls into C helpers: a
//! call and a return on each side of every mapping, which costs more than
//! the lookup itself. On x86-64 (the only architecture rpmem builds for,
//! see bindings/shim.c) the preempt count is the per-CPU `__preempt_count`
//! that C's own inline `preempt_disable()` increments the same way.

use core::arch::asm;
use core::marker::PhantomData;

use kernel::sync::rcu;

extern "C" {
    /// This CPU's preempt count (a per-CPU variable, addressed through %gs).
    static __preempt_count: i32;
    /// The preemption point of `preempt_enable()`.
    fn preempt_schedule();
}

/// A section in which the registry's tables stay allocated.
///
/// # Safety
///
/// Implementors must be held only inside a section that `synchronize_rcu()`
/// waits for, from construction to drop.
pub(crate) unsafe trait ReadSide {}

// SAFETY: an `rcu::Guard` is an RCU read-side critical section.
unsafe impl ReadSide for rcu::Guard {}

// SAFETY: preemption stays disabled while a `Section` lives, and
// `synchronize_rcu()` waits for such regions.
unsafe impl ReadSide for Section {}

/// Preemption disabled on this CPU until dropped (`preempt_disable()`). Not
/// `Send`: it must be dropped on the CPU that took it. Code holding it must
/// not sleep.
pub(crate) struct Section {
    _not_send: PhantomData<*mut ()>,
}

impl Section {
    /// `preempt_disable()`.
    #[inline(always)]
    pub(crate) fn enter() -> Self {
        // SAFETY: increments this CPU's preempt count, exactly as C's
        // `preempt_disable()` does on x86-64; `Drop` undoes it on the same
        // CPU (no migration while the count is raised). The asm may touch
        // memory, so it is also the compiler barrier `preempt_disable()`
        // implies.
        unsafe {
            asm!(
                "incl %gs:{count}(%rip)",
                count = sym __preempt_count,
                options(att_syntax, nostack),
            );
        }
        Section {
            _not_send: PhantomData,
        }
    }
}

impl Drop for Section {
    /// `preempt_enable()`.
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: undoes `enter()` on the same CPU. The count reaches zero
        // only when it is the outermost section and a reschedule is pending
        // (the folded NEED_RESCHED bit is clear), and only then is the
        // preemption point called, as C's `preempt_enable()` does: the same
        // `decl` and jump on its flags (`__preempt_count_dec_and_test()`).
        // The usual case jumps straight on, the rare one falls through.
        unsafe {
            asm!(
                "decl %gs:{count}(%rip)",
                "jnz {done}",
                count = sym __preempt_count,
                done = label { return },
                options(att_syntax, nostack),
            );
        }
        // SAFETY: preemption is enabled again and a reschedule is due: the
        // preemption point `preempt_enable()` calls.
        unsafe { preempt_schedule() };
    }
}
