// SPDX-License-Identifier: GPL-2.0

//! The `namespaces` module parameter: which namespaces rpmem serves. Pure
//! logic, shared with the host unit tests.

/// Most names the list may hold.
pub(crate) const MAX_NAMESPACES: usize = 64;

/// Why a `namespaces=` value is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ListError<'a> {
    /// An item that is not `namespaceN.M` (possibly empty).
    NotANamespace(&'a [u8]),
    /// More than [`MAX_NAMESPACES`] items.
    TooMany,
}

/// The items of a comma-separated list (none for an empty list).
fn items(list: &[u8]) -> impl Iterator<Item = &[u8]> {
    list.split(|&b| b == b',').filter(move |_| !list.is_empty())
}

/// True for `namespaceN.M` with decimal N and M.
fn is_namespace_name(name: &[u8]) -> bool {
    let Some(rest) = name.strip_prefix(b"namespace") else {
        return false;
    };
    let mut parts = rest.splitn(2, |&b| b == b'.');
    let number =
        |p: Option<&[u8]>| p.is_some_and(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit));
    number(parts.next()) && number(parts.next())
}

/// Check a `namespaces=` value; empty means every free raw namespace.
pub(crate) fn check_list(list: &[u8]) -> Result<(), ListError<'_>> {
    let mut n = 0;
    for item in items(list) {
        if !is_namespace_name(item) {
            return Err(ListError::NotANamespace(item));
        }
        n += 1;
        if n > MAX_NAMESPACES {
            return Err(ListError::TooMany);
        }
    }
    Ok(())
}

/// True if a (checked) list selects the namespace called `name`.
pub(crate) fn selects(list: &[u8], name: &[u8]) -> bool {
    list.is_empty() || items(list).any(|item| item == name)
}
