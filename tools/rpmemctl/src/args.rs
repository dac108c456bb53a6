// SPDX-License-Identifier: GPL-2.0

//! Command-line parsing (no I/O).

use crate::uapi;

/// `rpmemctl --help`: the synopsis (its first four lines), then details.
pub const USAGE: &str = "\
usage: rpmemctl copy SRC[:SECTOR] DST[:SECTOR] [NR_SECTORS]
       rpmemctl status [--json]
       rpmemctl bench-kmap NR_RANGES ITERATIONS
       rpmemctl bench-copy MIB

  copy        copy NR_SECTORS 512-byte sectors between rpmem disks (pmem0 or
              /dev/pmem0) with pfn I/O; without NR_SECTORS, clone SRC onto DST
              (equal sizes). Opens SRC for reading and DST for writing,
              exclusively (O_EXCL), with your own rights. Shows progress;
              Ctrl-C stops it at the next chunk.
  status      the running or last copy, then one line per rpmem disk
  bench-kmap  in-kernel kmap_atomic_pfn_t() micro-benchmark
  bench-copy  in-kernel memcpy / copy_mc / flushcache bandwidth
              (the bench commands use /dev/rpmem-bench of rpmem_bench.ko,
              which make bench-module builds, and need CAP_SYS_ADMIN)";

/// The synopsis, shown after a usage error.
pub fn synopsis() -> String {
    USAGE.lines().take(4).collect::<Vec<_>>().join("\n")
}

/// One parsed command line.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Copy(CopyArgs),
    Status { json: bool },
    BenchKmap { nr_ranges: u32, iterations: u32 },
    BenchCopy { mib: u32 },
    Help,
}

/// `rpmemctl copy` arguments.
#[derive(Debug, PartialEq, Eq)]
pub struct CopyArgs {
    pub src: String,
    pub src_sector: u64,
    pub dst: String,
    pub dst_sector: u64,
    /// 0: clone the whole disk.
    pub nr_sectors: u64,
}

impl CopyArgs {
    /// The `RPMEM_IOC_COPY` argument for the source and destination disks
    /// open on `src_fd` and `dst_fd`.
    pub fn request(&self, src_fd: i32, dst_fd: i32) -> uapi::CopyRequest {
        uapi::CopyRequest {
            src_fd,
            dst_fd,
            src_sector: self.src_sector,
            dst_sector: self.dst_sector,
            nr_sectors: self.nr_sectors,
        }
    }
}

/// A usage error: the message, then the usage text goes to stderr (exit 2).
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

fn usage<T>(msg: impl Into<String>) -> Result<T, UsageError> {
    Err(UsageError(msg.into()))
}

/// Parse the arguments after the program name.
pub fn parse(args: &[&str]) -> Result<Command, UsageError> {
    let Some((&cmd, rest)) = args.split_first() else {
        return usage("no command");
    };
    match (cmd, rest) {
        ("-h" | "--help" | "help", _) => Ok(Command::Help),
        ("copy", [src, dst, more @ ..]) if more.len() <= 1 => {
            let (src, src_sector) = parse_disk(src)?;
            let (dst, dst_sector) = parse_disk(dst)?;
            let nr_sectors = match more.first() {
                Some(n) => number(n, "NR_SECTORS")?,
                None => 0,
            };
            Ok(Command::Copy(CopyArgs {
                src,
                src_sector,
                dst,
                dst_sector,
                nr_sectors,
            }))
        }
        ("copy", _) => usage("copy takes SRC[:SECTOR] DST[:SECTOR] [NR_SECTORS]"),
        ("status", []) => Ok(Command::Status { json: false }),
        ("status", ["--json"]) => Ok(Command::Status { json: true }),
        ("status", _) => usage("status takes only --json"),
        ("bench-kmap", [r, i]) => Ok(Command::BenchKmap {
            nr_ranges: number32(r, "NR_RANGES")?,
            iterations: number32(i, "ITERATIONS")?,
        }),
        ("bench-kmap", _) => usage("bench-kmap takes NR_RANGES ITERATIONS"),
        ("bench-copy", [m]) => Ok(Command::BenchCopy {
            mib: number32(m, "MIB")?,
        }),
        ("bench-copy", _) => usage("bench-copy takes MIB"),
        _ => usage(format!("unknown command '{cmd}'")),
    }
}

/// `pmem0`, `/dev/pmem0`, `pmem0:2048` -> (name, sector). The name must
/// fit a status name field, which is how a copy is told apart from others.
pub fn parse_disk(arg: &str) -> Result<(String, u64), UsageError> {
    let (name, sector) = match arg.split_once(':') {
        Some((name, sector)) => (name, number(sector, "SECTOR")?),
        None => (arg, 0),
    };
    let name = name.strip_prefix("/dev/").unwrap_or(name);
    if uapi::name_field(name.as_bytes()).is_none() || name.contains('/') {
        return usage(format!(
            "bad disk name '{name}' (a name like pmem0, under {} bytes)",
            uapi::NAME_LEN
        ));
    }
    Ok((name.to_string(), sector))
}

/// A decimal or `0x` hexadecimal u64.
pub fn parse_u64(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u64::from_str_radix(hex, 16).ok()
        }
        Some(_) => None,
        None if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
        None => None,
    }
}

fn number(s: &str, what: &str) -> Result<u64, UsageError> {
    parse_u64(s).ok_or_else(|| UsageError(format!("{what} '{s}' is not a number")))
}

fn number32(s: &str, what: &str) -> Result<u32, UsageError> {
    let n = number(s, what)?;
    u32::try_from(n).map_err(|_| UsageError(format!("{what} '{s}' is too large")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(src: &str, ss: u64, dst: &str, ds: u64, nr: u64) -> Command {
        Command::Copy(CopyArgs {
            src: src.into(),
            src_sector: ss,
            dst: dst.into(),
            dst_sector: ds,
            nr_sectors: nr,
        })
    }

    #[test]
    fn copy_forms() {
        assert_eq!(
            parse(&["copy", "pmem0", "pmem1"]),
            Ok(copy("pmem0", 0, "pmem1", 0, 0))
        );
        assert_eq!(
            parse(&["copy", "pmem0:2048", "/dev/pmem1:0", "4096"]),
            Ok(copy("pmem0", 2048, "pmem1", 0, 4096))
        );
        assert_eq!(
            parse(&[
                "copy",
                "/dev/pmem0:0x10",
                "pmem1:18446744073709551615",
                "0X8"
            ]),
            Ok(copy("pmem0", 16, "pmem1", u64::MAX, 8))
        );
    }

    #[test]
    fn copy_errors() {
        for bad in [
            &["copy"][..],
            &["copy", "pmem0"],
            &["copy", "pmem0", "pmem1", "8", "9"],
            &["copy", "pmem0:", "pmem1"],
            &["copy", "pmem0:x", "pmem1"],
            &["copy", "pmem0:-1", "pmem1"],
            &["copy", "pmem0:18446744073709551616", "pmem1"],
            &["copy", ":5", "pmem1"],
            &["copy", "/dev/", "pmem1"],
            &["copy", "pmem0", "pmem1", "1k"],
            &["copy", "pmem0", "pmem1", "0x"],
            &["copy", "pmem0", "pmem1", ""],
            &["copy", "a/b", "pmem1"],
            &["copy", &"p".repeat(uapi::NAME_LEN), "pmem1"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        // The longest name that fits a status field with its NUL.
        let long = "p".repeat(uapi::NAME_LEN - 1);
        let Ok(Command::Copy(a)) = parse(&["copy", &long, "pmem1"]) else {
            panic!()
        };
        assert_eq!(a.src, long);
    }

    #[test]
    fn request_fields() {
        let Ok(Command::Copy(a)) = parse(&["copy", "pmem0:1", "pmem1:2", "3"]) else {
            panic!()
        };
        let r = a.request(7, 9);
        assert_eq!((r.src_fd, r.dst_fd), (7, 9));
        assert_eq!((r.src_sector, r.dst_sector, r.nr_sectors), (1, 2, 3));
    }

    #[test]
    fn other_commands() {
        assert_eq!(parse(&["status"]), Ok(Command::Status { json: false }));
        assert_eq!(
            parse(&["status", "--json"]),
            Ok(Command::Status { json: true })
        );
        assert!(parse(&["status", "--yaml"]).is_err());
        assert_eq!(
            parse(&["bench-kmap", "64", "1000000"]),
            Ok(Command::BenchKmap {
                nr_ranges: 64,
                iterations: 1000000
            })
        );
        assert!(parse(&["bench-kmap", "64"]).is_err());
        assert!(parse(&["bench-kmap", "64", "4294967296"]).is_err());
        assert_eq!(
            parse(&["bench-copy", "512"]),
            Ok(Command::BenchCopy { mib: 512 })
        );
        assert!(parse(&["bench-copy"]).is_err());
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
        assert!(parse(&[]).is_err());
        assert!(parse(&["frobnicate"]).is_err());
    }
}
