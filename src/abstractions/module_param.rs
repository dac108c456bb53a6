// SPDX-License-Identifier: GPL-2.0

//! The `namespaces` module parameter, a string, which the kernel crate's
//! `module!` cannot declare: it is declared in bindings/shim.c.

use kernel::prelude::*;
use kernel::str::CStr;

use super::bindings;

/// The `namespaces` parameter as given at load time.
pub(crate) fn namespaces() -> &'static [u8] {
    // SAFETY: a NUL-terminated static buffer of the module, written only by
    // the module loader before init (the parameter is 0444), and the module
    // outlives every caller.
    unsafe { CStr::from_char_ptr(bindings::rpmem_namespaces_param()) }.to_bytes()
}
