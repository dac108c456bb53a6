// SPDX-License-Identifier: GPL-2.0

//! `rpmemctl copy`: the caller's own process opens both disks (the source
//! for reading, the destination for writing with `O_EXCL`) and hands their
//! descriptors to the blocking `RPMEM_IOC_COPY`, which runs on the main
//! thread; a second thread polls `RPMEM_IOC_STATUS` and shows progress.
//! SIGINT is blocked in that thread, so Ctrl-C reaches the thread in the
//! ioctl: the module stops the copy at its next chunk and the ioctl fails
//! with EINTR.

use std::fs::{File, OpenOptions};
use std::io::IsTerminal;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use crate::args::CopyArgs;
use crate::ctl::Ctl;
use crate::errno::{Errno, EINTR};
use crate::format;
use crate::progress::Bar;
use crate::sys;
use crate::uapi::{CopyRequest, CopyStatus};

/// Exit status after SIGINT (128 + 2, as a shell reports it).
pub const EXIT_INTERRUPTED: i32 = 130;

/// Where the disks' device nodes are; `RPMEMCTL_DEV_DIR` overrides it
/// (host tests).
fn dev_dir() -> String {
    std::env::var("RPMEMCTL_DEV_DIR").unwrap_or_else(|_| "/dev".into())
}

/// The two disks of a copy, open with the caller's own rights for as long
/// as the copy runs.
struct CopyDisks {
    src: File,
    dst: File,
}

impl CopyDisks {
    /// Open the source read-only and the destination read-write and
    /// exclusively (`O_EXCL`: refused while it is mounted or held
    /// exclusively, and nobody else gets it exclusively during the copy);
    /// both close-on-exec (std opens every file so). On failure, the path
    /// that could not be opened and why.
    fn open(a: &CopyArgs) -> Result<CopyDisks, (String, Errno)> {
        let dir = dev_dir();
        let path = |name: &str| format!("{dir}/{name}");
        let (src, dst) = (path(&a.src), path(&a.dst));
        let src = OpenOptions::new()
            .read(true)
            .open(&src)
            .map_err(|e| (src, e.into()))?;
        let dst = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(sys::O_EXCL)
            .open(&dst)
            .map_err(|e| (dst, e.into()))?;
        Ok(CopyDisks { src, dst })
    }

    /// The `RPMEM_IOC_COPY` argument naming these descriptors.
    fn request(&self, a: &CopyArgs) -> CopyRequest {
        a.request(self.src.as_raw_fd(), self.dst.as_raw_fd())
    }
}

/// Run the copy; returns the exit status.
pub fn run(ctl: &Ctl, a: &CopyArgs) -> i32 {
    let what = format!("copy {} -> {}", a.src, a.dst);
    let disks = match CopyDisks::open(a) {
        Ok(disks) => disks,
        Err((path, e)) => {
            eprintln!("rpmemctl: {what}: cannot open {path}: {e}");
            return 1;
        }
    };
    let req = disks.request(a);
    let tty = std::io::stderr().is_terminal();
    sys::catch_sigint();
    let start = Instant::now();
    let (stop, stopped) = mpsc::channel::<()>();
    let result = thread::scope(|s| {
        sys::block_sigint(true);
        let poller = s.spawn(|| show_progress(ctl, a, stopped, tty));
        sys::block_sigint(false);
        let result = if sys::sigint_caught() {
            Err(Errno(EINTR))
        } else {
            ctl.copy(&req)
        };
        drop(stop);
        let _ = poller.join();
        result
    });
    drop(disks);
    let secs = start.elapsed().as_secs_f64();
    match result {
        Ok(()) => {
            let done = ctl.status().map_or(a.nr_sectors, |st| st.done_sectors);
            crate::out(&format::copied_line(done, a, secs));
            0
        }
        Err(Errno(EINTR)) if sys::sigint_caught() => {
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
    // The bar appears as soon as the module reports the copy (a short copy
    // shows one too), then is redrawn ten times a second.
    const FIRST_TICK: Duration = Duration::from_millis(10);
    let tick = Duration::from_millis(if tty { 100 } else { 200 });
    // Made now, so that its rate counts from the start of the copy.
    let mut bar = tty.then(|| {
        let label = format!("{} -> {}", a.src, a.dst);
        Bar::new(label, std::io::stderr(), Instant::now())
    });
    let mut seen = false;
    let mut printed: Option<Instant> = None;
    loop {
        let wait = if tty && !seen { FIRST_TICK } else { tick };
        if let Err(RecvTimeoutError::Disconnected) | Ok(()) = stopped.recv_timeout(wait) {
            break;
        }
        let Ok(st) = ctl.status() else { continue };
        if st.active == 0 || st.total_sectors == 0 || !is_ours(&st, a) {
            continue;
        }
        seen = true;
        if let Some(bar) = &mut bar {
            let (done, total) = (st.done_sectors, st.total_sectors);
            bar.update(
                done.saturating_mul(512),
                total.saturating_mul(512),
                Instant::now(),
            );
        } else if printed.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
            eprintln!("{}", format::progress_line(&st));
            printed = Some(Instant::now());
        }
    }
    if let Some(bar) = &mut bar {
        bar.clear();
    }
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
