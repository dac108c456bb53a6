// SPDX-License-Identifier: GPL-2.0

//! The few C library calls and constants std does not provide: `ioctl()`,
//! SIGINT handling and `O_EXCL`, declared here for Linux with glibc (rpmemctl has no
//! dependencies), each behind a safe function.

use std::ffi::{c_int, c_ulong};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};

/// `O_EXCL` (asm-generic/fcntl.h, which x86-64 and arm64 use): on a block
/// device without `O_CREAT`, an exclusive open, refused with EBUSY while
/// the device is mounted or opened exclusively by anyone else.
pub const O_EXCL: c_int = 0o200;

/// `SIGINT` (the same number on every Linux architecture).
const SIGINT: c_int = 2;
/// `how` of `pthread_sigmask()` (asm-generic numbering).
const SIG_BLOCK: c_int = 0;
const SIG_UNBLOCK: c_int = 1;
/// `sa_flags`: restore the default action once the handler has run.
const SA_RESETHAND: c_int = 0x8000_0000_u32 as c_int;

/// glibc's `sigset_t`: 1024 signal bits.
#[repr(C)]
struct SigSet([c_ulong; 1024 / c_ulong::BITS as usize]);

/// glibc's `struct sigaction` on Linux (the generic layout that x86-64
/// and arm64 share): handler, mask, flags, restorer.
#[repr(C)]
struct SigAction {
    handler: extern "C" fn(c_int),
    mask: SigSet,
    flags: c_int,
    restorer: usize,
}

#[cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]
const _: () = assert!(size_of::<SigSet>() == 128 && size_of::<SigAction>() == 152);

extern "C" {
    fn ioctl(fd: c_int, request: c_ulong, ...) -> c_int;
    fn sigaction(sig: c_int, act: *const SigAction, old: *mut SigAction) -> c_int;
    fn sigemptyset(set: *mut SigSet) -> c_int;
    fn sigaddset(set: *mut SigSet, sig: c_int) -> c_int;
    fn pthread_sigmask(how: c_int, set: *const SigSet, old: *mut SigSet) -> c_int;
}

/// An empty signal set.
fn empty_set() -> SigSet {
    let mut set = SigSet([0; 1024 / c_ulong::BITS as usize]);
    // SAFETY: `set` is a live, writable `sigset_t`.
    unsafe { sigemptyset(&mut set) };
    set
}

/// A set holding SIGINT alone.
fn sigint_set() -> SigSet {
    let mut set = empty_set();
    // SAFETY: as above; SIGINT is a valid signal number.
    unsafe { sigaddset(&mut set, SIGINT) };
    set
}

/// An ioctl with a pointer argument; the C return value, or the errno.
///
/// # Safety
///
/// `arg` must point at memory of the size and layout that `request`
/// tells the driver to read or write.
pub unsafe fn ioctl_ptr<T>(
    file: &impl AsRawFd,
    request: u32,
    arg: *mut T,
) -> std::io::Result<c_int> {
    // SAFETY: the caller vouches for `arg`; the descriptor is open while
    // `file` is borrowed.
    let rc = unsafe { ioctl(file.as_raw_fd(), c_ulong::from(request), arg) };
    if rc < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// Set by the SIGINT handler, which does nothing else (async-signal-safe).
static SIGINT_CAUGHT: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_sig: c_int) {
    SIGINT_CAUGHT.store(true, Ordering::SeqCst);
}

/// Catch SIGINT without SA_RESTART, so a blocked ioctl returns EINTR (see
/// [`sigint_caught`]); a second SIGINT gets the default action
/// (SA_RESETHAND).
pub fn catch_sigint() {
    let act = SigAction {
        handler: on_sigint,
        mask: empty_set(),
        flags: SA_RESETHAND,
        restorer: 0,
    };
    // SAFETY: `act` is a complete `struct sigaction` whose handler only
    // stores to an atomic; the old action is not asked for.
    unsafe { sigaction(SIGINT, &act, std::ptr::null_mut()) };
}

/// Whether SIGINT arrived since [`catch_sigint`].
pub fn sigint_caught() -> bool {
    SIGINT_CAUGHT.load(Ordering::SeqCst)
}

/// Block or unblock SIGINT in the calling thread (new threads inherit it).
pub fn block_sigint(block: bool) {
    let set = sigint_set();
    let how = if block { SIG_BLOCK } else { SIG_UNBLOCK };
    // SAFETY: `set` is a live `sigset_t`; the old mask is not asked for.
    unsafe { pthread_sigmask(how, &set, std::ptr::null_mut()) };
}
