// SPDX-License-Identifier: GPL-2.0

//! rpmemctl: the user interface to rpmem's control device, /dev/rpmem-ctl.
//! Run `rpmemctl --help` for the commands. Exit status: 0 success, 1 a
//! failed operation, 2 a usage error, 130 a copy stopped by Ctrl-C.

// The ioctl ABI, shared with the module (one definition).
#[path = "../../../src/uapi.rs"]
mod uapi;

mod args;
mod copy;
mod ctl;
mod errno;
mod format;
mod progress;
mod sys;

use std::io::Write;

use args::{Command, UsageError};
use ctl::Ctl;

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
    let cmd = match args::parse(argv) {
        Ok(Command::Help) => {
            out(args::USAGE);
            return 0;
        }
        Ok(cmd) => cmd,
        Err(UsageError(msg)) => {
            eprintln!("rpmemctl: {msg}");
            eprintln!("{}", args::synopsis());
            return 2;
        }
    };
    let ctl = match Ctl::open() {
        Ok(ctl) => ctl,
        Err(e) => {
            eprintln!("rpmemctl: {}: {e} (is rpmem loaded?)", ctl::device_path());
            return 1;
        }
    };
    let result = match cmd {
        Command::Copy(a) => return copy::run(&ctl, &a),
        Command::Status { json } => return status(&ctl, json),
        Command::BenchKmap {
            nr_ranges,
            iterations,
        } => ctl
            .bench_kmap(nr_ranges, iterations)
            .map(|b| format::bench_kmap_line(&b))
            .map_err(|e| ("bench-kmap", e)),
        Command::BenchCopy { mib } => ctl
            .bench_copy(mib)
            .map(|b| format::bench_copy_line(&b))
            .map_err(|e| ("bench-copy", e)),
        Command::Help => unreachable!(),
    };
    match result {
        Ok(line) => {
            out(&line);
            0
        }
        Err((what, e)) => {
            eprintln!("rpmemctl: {what}: {e}");
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
