// SPDX-License-Identifier: GPL-2.0

//! The calling task's capabilities (`capable()`).

use super::bindings;

/// True if the calling task has `CAP_SYS_ADMIN` (and the check is audited,
/// as `capable()` does).
#[allow(dead_code, reason = "used by the benchmark module (src/bench/)")]
pub(crate) fn sys_admin() -> bool {
    // SAFETY: `capable()` checks the current task's credentials; process
    // context, no precondition.
    unsafe { bindings::rpmem_capable_sys_admin() }
}
