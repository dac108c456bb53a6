// SPDX-License-Identifier: GPL-2.0

//! The binary on the host: exit statuses and error lines.
//! `RPMEMCTL_DEVICE` and `RPMEMCTL_BENCH_DEVICE` point it at a missing path
//! or at /dev/null (every ioctl: ENOTTY); `RPMEMCTL_DEV_DIR` at a
//! directory of stand-ins for the disks.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// rpmemctl with both devices at `device` and the disks in `disks`.
fn rpmemctl_in(device: &str, disks: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rpmemctl"))
        .args(args)
        .env("RPMEMCTL_DEVICE", device)
        .env("RPMEMCTL_BENCH_DEVICE", device)
        .env("RPMEMCTL_DEV_DIR", disks)
        .output()
        .expect("run rpmemctl")
}

/// rpmemctl with both devices at `device` and the disks in a directory
/// holding no disks.
fn rpmemctl(device: &str, args: &[&str]) -> Output {
    rpmemctl_in(device, Path::new("/nonexistent"), args)
}

/// A fresh directory of disk stand-ins for one test: `files` are regular
/// files, `dirs` directories (which cannot be opened for writing).
fn disk_dir(test: &str, files: &[&str], dirs: &[&str]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the disk directory");
    for f in files {
        std::fs::write(dir.join(f), b"").expect("create a disk file");
    }
    for d in dirs {
        std::fs::create_dir(dir.join(d)).expect("create a disk directory");
    }
    dir
}

fn check(o: &Output, code: i32, stdout: &str, stderr: &str) {
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(code), "stdout: {out}\nstderr: {err}");
    assert!(out.starts_with(stdout), "stdout: {out:?}, want {stdout:?}");
    assert!(err.starts_with(stderr), "stderr: {err:?}, want {stderr:?}");
}

#[test]
fn help_and_usage_errors() {
    check(
        &rpmemctl("/dev/null", &["--help"]),
        0,
        "usage: rpmemctl copy ",
        "",
    );
    check(
        &rpmemctl("/dev/null", &[]),
        2,
        "",
        "rpmemctl: no command\nusage: ",
    );
    check(
        &rpmemctl("/dev/null", &["copy", "pmem0"]),
        2,
        "",
        "rpmemctl: copy takes SRC[:SECTOR] DST[:SECTOR] [NR_SECTORS]\n",
    );
    check(
        &rpmemctl("/dev/null", &["copy", "pmem0:x", "pmem1"]),
        2,
        "",
        "rpmemctl: SECTOR 'x' is not a number\n",
    );
    check(
        &rpmemctl("/dev/null", &["stat"]),
        2,
        "",
        "rpmemctl: unknown command 'stat'\n",
    );
}

#[test]
fn no_device() {
    let o = rpmemctl("/nonexistent/rpmem-ctl", &["status"]);
    check(
        &o,
        1,
        "",
        "rpmemctl: /nonexistent/rpmem-ctl: ENOENT (No such file or directory) (is rpmem loaded?)\n",
    );
}

#[test]
fn no_bench_device() {
    let o = Command::new(env!("CARGO_BIN_EXE_rpmemctl"))
        .args(["bench-kmap", "8", "1000"])
        .env("RPMEMCTL_DEVICE", "/dev/null")
        .env("RPMEMCTL_BENCH_DEVICE", "/nonexistent/rpmem-bench")
        .output()
        .expect("run rpmemctl");
    check(
        &o,
        1,
        "",
        "rpmemctl: /nonexistent/rpmem-bench: ENOENT (No such file or directory) (load rpmem_bench.ko, which make bench-module builds)\n",
    );
}

/// The disks are opened by rpmemctl itself, the source before the
/// destination, and a failure names the path and the errno.
#[test]
fn copy_open_errors() {
    let none = disk_dir("copy_open_none", &[], &[]);
    let o = rpmemctl_in("/dev/null", &none, &["copy", "pmem0", "/dev/pmem1:8", "8"]);
    let want = format!(
        "rpmemctl: copy pmem0 -> pmem1: cannot open {}/pmem0: ENOENT (No such file or directory)\n",
        none.display()
    );
    check(&o, 1, "", &want);
    assert_eq!(o.stderr, want.as_bytes(), "one line");

    let no_dst = disk_dir("copy_open_no_dst", &["pmem0"], &[]);
    let o = rpmemctl_in("/dev/null", &no_dst, &["copy", "pmem0", "pmem1"]);
    let want = format!(
        "rpmemctl: copy pmem0 -> pmem1: cannot open {}/pmem1: ENOENT (No such file or directory)\n",
        no_dst.display()
    );
    check(&o, 1, "", &want);

    // A source that can only be read is enough; a destination that cannot
    // be opened for writing (a directory: EISDIR, even for root) is not.
    let dirs = disk_dir("copy_open_dirs", &[], &["pmem0", "pmem1"]);
    let o = rpmemctl_in("/dev/null", &dirs, &["copy", "pmem0", "pmem1"]);
    let want = format!(
        "rpmemctl: copy pmem0 -> pmem1: cannot open {}/pmem1: EISDIR (Is a directory)\n",
        dirs.display()
    );
    check(&o, 1, "", &want);
}

#[test]
fn operation_errors_are_one_line() {
    let disks = disk_dir("one_line", &["pmem0", "pmem1"], &[]);
    let enotty = "ENOTTY (Inappropriate ioctl for device)\n";
    for (args, what) in [
        (
            &["copy", "/dev/pmem0:8", "pmem1", "8"][..],
            "copy pmem0 -> pmem1",
        ),
        (&["copy", "pmem0", "pmem1"], "copy pmem0 -> pmem1"),
        (&["status"], "status"),
        (&["status", "--json"], "status"),
        (&["bench-kmap", "8", "1000"], "bench-kmap"),
        (&["bench-copy", "16"], "bench-copy"),
    ] {
        let o = rpmemctl_in("/dev/null", &disks, args);
        let err = format!("rpmemctl: {what}: {enotty}");
        check(&o, 1, "", &err);
        assert_eq!(o.stderr, err.as_bytes(), "{args:?}: one line");
        assert!(o.stdout.is_empty());
    }
}
