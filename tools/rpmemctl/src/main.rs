// SPDX-License-Identifier: GPL-2.0

//! rpmemctl: the user interface to rpmem's control device, /dev/rpmem-ctl,
//! and to the benchmark module's /dev/rpmem-bench. Run `rpmemctl --help` for the commands. Exit status: 0 success, 1 a
//! failed operation, 2 a usage error, 130 a copy stopped by Ctrl-C.

// The ioctl ABI, shared with the modules (one definition).
#[path = "../../../src/logic/uapi.rs"]
mod uapi;

mod args;
mod bench;
mod copy;
mod ctl;
mod errno;
mod format;
mod progress;
mod sys;

use std::io::Write;

use args::{Command, UsageError};
use bench::Bench;
use ctl::Ctl;
use errno::{Errno, ENODEV, ENOENT, ENXIO, EPERM};

/// Print a line on stdout; a closed stdout is not an error worth a panic.
pub fn out(line: &str) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn main() {
    let argv: Option<Vec<String>> = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string().ok())
        .collect();
    let code = match argv {
        Some(argv) => run(&argv.iter().map(String::as_str).collect::<Vec<_>>()),
        None => {
            eprintln!("rpmemctl: arguments must be UTF-8");
            2
        }
    };
    std::process::exit(code);
}

fn run(argv: &[&str]) -> i32 {
    match args::parse(argv) {
        Ok(Command::Help) => {
            out(args::USAGE);
            0
        }
        Ok(Command::Copy(a)) => with_ctl(|ctl| copy::run(ctl, &a)),
        Ok(Command::Status { json }) => with_ctl(|ctl| status(ctl, json)),
        Ok(Command::BenchKmap {
            nr_ranges,
            iterations,
        }) => with_bench("bench-kmap", |b| {
            b.kmap(nr_ranges, iterations)
                .map(|r| format::bench_kmap_line(&r))
        }),
        Ok(Command::BenchCopy { mib }) => with_bench("bench-copy", |b| {
            b.copy(mib).map(|r| format::bench_copy_line(&r))
        }),
        Err(UsageError(msg)) => {
            eprintln!("rpmemctl: {msg}");
            eprintln!("{}", args::synopsis());
            2
        }
    }
}

/// Run `f` on the open control device; its exit status, or 1 if the
/// device cannot be opened.
fn with_ctl(f: impl FnOnce(&Ctl) -> i32) -> i32 {
    match Ctl::open() {
        Ok(ctl) => f(&ctl),
        Err(e) => {
            eprintln!("rpmemctl: {}: {e} (is rpmem loaded?)", ctl::device_path());
            1
        }
    }
}

/// Run benchmark `what` on the open benchmark device and print its line.
fn with_bench(what: &str, f: impl FnOnce(&Bench) -> Result<String, Errno>) -> i32 {
    let bench = match Bench::open() {
        Ok(bench) => bench,
        Err(e) => {
            // No such node, or a node left without its module.
            let hint = match e {
                Errno(ENOENT | ENXIO | ENODEV) => {
                    " (load rpmem_bench.ko, which make bench-module builds)"
                }
                _ => "",
            };
            eprintln!("rpmemctl: {}: {e}{hint}", bench::device_path());
            return 1;
        }
    };
    match f(&bench) {
        Ok(line) => {
            out(&line);
            0
        }
        Err(e) => {
            let hint = if e == Errno(EPERM) {
                " (benchmarks need CAP_SYS_ADMIN)"
            } else {
                ""
            };
            eprintln!("rpmemctl: {what}: {e}{hint}");
            1
        }
    }
}

/// The copy line, then one line per disk (or one JSON object).
fn status(ctl: &Ctl, json: bool) -> i32 {
    let st = match ctl.status() {
        Ok(st) => st,
        Err(e) => {
            eprintln!("rpmemctl: status: {e}");
            return 1;
        }
    };
    let disks = match ctl.disks() {
        Ok(disks) => disks,
        Err(e) => {
            eprintln!("rpmemctl: status: disk info: {e}");
            return 1;
        }
    };
    if json {
        out(&format::status_json(&st, disks.as_deref()));
        return 0;
    }
    out(&format::status_line(&st));
    match disks {
        Some(disks) => disks.iter().for_each(|d| out(&format::disk_line(d))),
        None => out("no per-disk info (old module)"),
    }
    0
}
