// SPDX-License-Identifier: GPL-2.0

//! The binary on the host: exit statuses and error lines. `RPMEMCTL_DEVICE`
//! points it at a missing path or at /dev/null (every ioctl: ENOTTY).

use std::process::{Command, Output};

fn rpmemctl(device: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rpmemctl"))
        .args(args)
        .env("RPMEMCTL_DEVICE", device)
        .output()
        .expect("run rpmemctl")
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
fn operation_errors_are_one_line() {
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
        let o = rpmemctl("/dev/null", args);
        let err = format!("rpmemctl: {what}: {enotty}");
        check(&o, 1, "", &err);
        assert_eq!(o.stderr, err.as_bytes(), "{args:?}: one line");
        assert!(o.stdout.is_empty());
    }
}
