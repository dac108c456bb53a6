// SPDX-License-Identifier: GPL-2.0

//! Sections that keep a registered device range alive, through the
//! kernel's own API.
//!
//! The registry frees a table only after `synchronize_rcu()`, which waits
//! for every RCU read-side section and, RCU flavours being consolidated
//! since Linux 4.20, for every region that runs with preemption disabled.
//! So two kinds of section protect a lookup ([`ReadSide`]): a caller's
//! `rcu::Guard`, and the [`Section`] that `kmap_atomic_pfn_t()` takes for
//! a device frame, which disables preemption as `kmap_atomic()` does. It is
//! C's `preempt_disable()`/`preempt_enable()`, called through the shim, so
//! `DEBUG_PREEMPT`, the preemption tracers and `PREEMPT_DYNAMIC` see it as
//! they see C's.

use core::marker::PhantomData;

use kernel::sync::rcu;

use super::bindings;

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
/// not sleep; callers keep what they do inside it bounded (the I/O path
/// copies at most [`MAX_SECTION_BYTES`] per section).
pub(crate) struct Section {
    _not_send: PhantomData<*mut ()>,
}

/// The most bytes the I/O path moves inside one [`Section`].
pub(crate) const MAX_SECTION_BYTES: usize = 64 * 1024;

impl Section {
    /// `preempt_disable()`.
    #[inline]
    pub(crate) fn enter() -> Self {
        // SAFETY: `preempt_disable()` has no precondition; `Drop` undoes it
        // on the same CPU (the type is not `Send`).
        unsafe { bindings::rpmem_preempt_disable() };
        Section {
            _not_send: PhantomData,
        }
    }
}

impl Drop for Section {
    /// `preempt_enable()`: a preemption point if a reschedule is due.
    #[inline]
    fn drop(&mut self) {
        // SAFETY: pairs with the `preempt_disable()` of `enter()`.
        unsafe { bindings::rpmem_preempt_enable() };
    }
}
