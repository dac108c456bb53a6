// SPDX-License-Identifier: GPL-2.0

//! `rpmemctl copy`: the blocking `RPMEM_IOC_COPY` runs on the main thread;
//! a second thread polls `RPMEM_IOC_STATUS` and shows progress. SIGINT is
//! blocked in that thread, so Ctrl-C reaches the thread in the ioctl: the
//! module stops the copy at its next chunk and the ioctl fails with EINTR.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::CopyArgs;
use crate::ctl::Ctl;
use crate::errno::Errno;
use crate::format;
use crate::uapi::CopyStatus;

/// Exit status after SIGINT (128 + 2, as a shell reports it).
pub const EXIT_INTERRUPTED: i32 = 130;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_sig: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Catch SIGINT without SA_RESTART, so a blocked ioctl returns EINTR; a
/// second Ctrl-C gets the default action (SA_RESETHAND).
fn catch_sigint() {
    // SAFETY: a zeroed sigaction is valid; the handler only stores to an atomic.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
        sa.sa_flags = libc::SA_RESETHAND;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGINT, &sa, std::ptr::null_mut());
    }
}

/// Block or unblock SIGINT in the calling thread (new threads inherit it).
fn block_sigint(block: bool) {
    // SAFETY: plain signal-set calls on a local set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        let how = if block {
            libc::SIG_BLOCK
        } else {
            libc::SIG_UNBLOCK
        };
        libc::pthread_sigmask(how, &set, std::ptr::null_mut());
    }
}

/// Run the copy; returns the exit status.
pub fn run(ctl: &Ctl, a: &CopyArgs) -> i32 {
    let req = a.request();
    let tty = std::io::stderr().is_terminal();
    catch_sigint();
    let start = Instant::now();
    let (stop, stopped) = mpsc::channel::<()>();
    let result = thread::scope(|s| {
        block_sigint(true);
        let poller = s.spawn(|| show_progress(ctl, a, stopped, tty));
        block_sigint(false);
        let result = if INTERRUPTED.load(Ordering::SeqCst) {
            Err(Errno(libc::EINTR))
        } else {
            ctl.copy(&req)
        };
        drop(stop);
        let _ = poller.join();
        result
    });
    let secs = start.elapsed().as_secs_f64();
    let what = format!("copy {} -> {}", a.src, a.dst);
    match result {
        Ok(()) => {
            let done = ctl.status().map_or(a.nr_sectors, |st| st.done_sectors);
            crate::out(&format::copied_line(done, a, secs));
            0
        }
        Err(Errno(libc::EINTR)) if INTERRUPTED.load(Ordering::SeqCst) => {
            let (done, total) = match ctl.status() {
                Ok(st) if is_ours(&st, a) => (st.done_sectors, st.total_sectors),
                _ => (0, a.nr_sectors),
            };
            eprintln!("rpmemctl: {what} interrupted after {done} of {total} sectors");
            EXIT_INTERRUPTED
        }
        Err(e) => {
            eprintln!("rpmemctl: {what}: {e}");
            1
        }
    }
}

/// Whether a status is about this copy (modules without names in the
/// status cannot tell; their status is taken as ours).
fn is_ours(st: &CopyStatus, a: &CopyArgs) -> bool {
    let (src, dst) = (format::name(&st.src), format::name(&st.dst));
    (src.is_empty() && dst.is_empty()) || (src == a.src && dst == a.dst)
}

/// Until `stopped` closes: a progress bar with rate and ETA on a terminal,
/// else a plain progress line at most once a second.
fn show_progress(ctl: &Ctl, a: &CopyArgs, stopped: Receiver<()>, tty: bool) {
    let tick = Duration::from_millis(if tty { 100 } else { 200 });
    // Made now, so that its rate counts from the start of the copy; shown
    // once the module reports the copy.
    let bar = tty.then(|| new_bar(a));
    let mut printed: Option<Instant> = None;
    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(tick) {
        let Ok(st) = ctl.status() else { continue };
        if st.active == 0 || st.total_sectors == 0 || !is_ours(&st, a) {
            continue;
        }
        if let Some(bar) = &bar {
            if bar.is_hidden() {
                bar.set_length(st.total_sectors.saturating_mul(512));
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
            bar.set_position(st.done_sectors.saturating_mul(512));
        } else if printed.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
            eprintln!("{}", format::progress_line(&st));
            printed = Some(Instant::now());
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

/// A hidden progress bar in bytes: `pmem0 -> pmem1 [===>  ]  42% 430 MiB/1 GiB 850 MiB/s ETA 1s`.
fn new_bar(a: &CopyArgs) -> ProgressBar {
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {percent:>3}% {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta}",
    )
    .expect("valid template")
    .progress_chars("=> ");
    ProgressBar::hidden()
        .with_style(style)
        .with_message(format!("{} -> {}", a.src, a.dst))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(src: &str, dst: &str) -> CopyArgs {
        CopyArgs {
            src: src.into(),
            src_sector: 0,
            dst: dst.into(),
            dst_sector: 0,
            nr_sectors: 0,
        }
    }

    #[test]
    fn bar_template() {
        let bar = new_bar(&args("pmem0", "pmem1"));
        assert!(bar.is_hidden());
        bar.set_length(2048 * 512);
        bar.set_position(1024 * 512);
        assert_eq!(bar.message(), "pmem0 -> pmem1");
        bar.finish_and_clear();
    }

    #[test]
    fn which_status_is_ours() {
        let field = |s: &str| crate::uapi::name_field(s.as_bytes()).unwrap();
        let mut st = CopyStatus {
            done_sectors: 0,
            total_sectors: 8,
            active: 1,
            last_error: 0,
            src: [0; crate::uapi::NAME_LEN],
            dst: [0; crate::uapi::NAME_LEN],
        };
        // A module without names: taken as ours.
        assert!(is_ours(&st, &args("pmem0", "pmem1")));
        st.src = field("pmem0");
        st.dst = field("pmem1");
        assert!(is_ours(&st, &args("pmem0", "pmem1")));
        assert!(!is_ours(&st, &args("pmem0", "pmem2")));
        assert!(!is_ours(&st, &args("pmem1", "pmem0")));
    }
}
