// SPDX-License-Identifier: GPL-2.0

//! Output lines (no I/O). Scripts parse these: keep their shape.

use std::fmt::Write;

use crate::uapi::{self, BenchCopy, BenchKmap, CopyStatus, DiskInfo};

/// A name field as text (empty if unset).
pub fn name(field: &[u8; uapi::NAME_LEN]) -> String {
    String::from_utf8_lossy(uapi::field_name(field)).into_owned()
}

/// `active=0 done=N total=N last_error=0[ src=pmem0 dst=pmem1]`.
pub fn status_line(st: &CopyStatus) -> String {
    let mut s = format!(
        "active={} done={} total={} last_error={}",
        st.active, st.done_sectors, st.total_sectors, st.last_error
    );
    let (src, dst) = (name(&st.src), name(&st.dst));
    if !src.is_empty() || !dst.is_empty() {
        let _ = write!(s, " src={src} dst={dst}");
    }
    s
}

/// `fua`, `async` or `none`: how the disk makes writes durable.
pub fn flush_mode(flags: u32) -> &'static str {
    if flags & uapi::DISK_ASYNC_FLUSH != 0 {
        "async"
    } else if flags & uapi::DISK_FUA != 0 {
        "fua"
    } else {
        "none"
    }
}

fn flag(flags: u32, bit: u32) -> u8 {
    u8::from(flags & bit != 0)
}

/// `pmem0 namespace0.0 size=1073741824 flush=fua nowait=1 read_only=0 bad_sectors=0 copying=0`.
pub fn disk_line(d: &DiskInfo) -> String {
    format!(
        "{} {} size={} flush={} nowait={} read_only={} bad_sectors={} copying={}",
        name(&d.name),
        name(&d.namespace),
        d.sectors.saturating_mul(512),
        flush_mode(d.flags),
        flag(d.flags, uapi::DISK_NOWAIT),
        flag(d.flags, uapi::DISK_READ_ONLY),
        d.bad_sectors,
        flag(d.flags, uapi::DISK_COPYING),
    )
}

/// A JSON string literal.
pub fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A name field as a JSON string, or `null` if unset.
fn json_name(field: &[u8; uapi::NAME_LEN]) -> String {
    match name(field) {
        n if n.is_empty() => "null".into(),
        n => json_str(&n),
    }
}

/// `{"copy":{...},"disks":[...]}`; `disks` is `null` when the module does
/// not report disks.
pub fn status_json(st: &CopyStatus, disks: Option<&[DiskInfo]>) -> String {
    let mut s = format!(
        "{{\"copy\":{{\"active\":{},\"done_sectors\":{},\"total_sectors\":{},\"last_error\":{},\"src\":{},\"dst\":{}}},\"disks\":",
        st.active != 0,
        st.done_sectors,
        st.total_sectors,
        st.last_error,
        json_name(&st.src),
        json_name(&st.dst),
    );
    match disks {
        None => s.push_str("null"),
        Some(disks) => {
            s.push('[');
            for (i, d) in disks.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                let _ = write!(
                    s,
                    "{{\"name\":{},\"namespace\":{},\"size\":{},\"flush\":\"{}\",\"nowait\":{},\"read_only\":{},\"bad_sectors\":{},\"copying\":{}}}",
                    json_str(&name(&d.name)),
                    json_name(&d.namespace),
                    d.sectors.saturating_mul(512),
                    flush_mode(d.flags),
                    d.flags & uapi::DISK_NOWAIT != 0,
                    d.flags & uapi::DISK_READ_ONLY != 0,
                    d.bad_sectors,
                    d.flags & uapi::DISK_COPYING != 0,
                );
            }
            s.push(']');
        }
    }
    s.push('}');
    s
}

/// `ranges=64 iterations=1000000 registry_ns=3.21 registry_held_ns=2.00
/// list_ns=40.00 page_ns=1.05 page_section_ns=2.10 kmap_atomic_ns=2.50`.
pub fn bench_kmap_line(b: &BenchKmap) -> String {
    let ns = |ps: u64| ps as f64 / 1000.0;
    format!(
        "ranges={} iterations={} registry_ns={:.2} registry_held_ns={:.2} list_ns={:.2} page_ns={:.2} page_section_ns={:.2} kmap_atomic_ns={:.2}",
        b.nr_ranges,
        b.iterations,
        ns(b.registry_ps),
        ns(b.registry_held_ps),
        ns(b.list_ps),
        ns(b.page_ps),
        ns(b.page_section_ps),
        ns(b.kmap_atomic_ps)
    )
}

/// `kernel_memcpy_mibs=N kernel_copy_mc_mibs=N kernel_flushcache_mibs=N`.
pub fn bench_copy_line(b: &BenchCopy) -> String {
    format!(
        "kernel_memcpy_mibs={} kernel_copy_mc_mibs={} kernel_flushcache_mibs={}",
        b.memcpy_kibs / 1024,
        b.copy_mc_kibs / 1024,
        b.flushcache_kibs / 1024
    )
}

/// Percent of `total` that `done` is, rounded down.
pub fn percent(done: u64, total: u64) -> u64 {
    if total == 0 {
        return 0;
    }
    (u128::from(done) * 100 / u128::from(total)) as u64
}

/// Progress when stderr is not a terminal: `rpmemctl: copied 4096/8192 sectors (50%)`.
pub fn progress_line(st: &CopyStatus) -> String {
    format!(
        "rpmemctl: copied {}/{} sectors ({}%)",
        st.done_sectors,
        st.total_sectors,
        percent(st.done_sectors, st.total_sectors)
    )
}

/// The summary of a finished copy: `copied N sectors from pmem0:0 to pmem1:0 in 1.50 s (341 MiB/s)`.
pub fn copied_line(done: u64, a: &crate::args::CopyArgs, secs: f64) -> String {
    let mib = done as f64 / 2048.0;
    let rate = if secs > 0.0 {
        format!(" ({:.0} MiB/s)", mib / secs)
    } else {
        String::new()
    };
    format!(
        "copied {} sectors from {}:{} to {}:{} in {:.2} s{}",
        done, a.src, a.src_sector, a.dst, a.dst_sector, secs, rate
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::CopyArgs;

    fn field(s: &str) -> [u8; uapi::NAME_LEN] {
        if s.is_empty() {
            return [0; uapi::NAME_LEN];
        }
        uapi::name_field(s.as_bytes()).unwrap()
    }

    fn status(done: u64, total: u64, active: u32, err: i32, src: &str, dst: &str) -> CopyStatus {
        CopyStatus {
            done_sectors: done,
            total_sectors: total,
            active,
            last_error: err,
            src: field(src),
            dst: field(dst),
        }
    }

    fn disk(name: &str, ns: &str, flags: u32, bad: u64) -> DiskInfo {
        DiskInfo {
            index: 0,
            flags,
            name: field(name),
            namespace: field(ns),
            sectors: 2097152,
            bad_sectors: bad,
        }
    }

    #[test]
    fn status_lines() {
        // What tests/guest/t_copy.sh greps.
        let st = status(2097152, 2097152, 0, 0, "", "");
        assert_eq!(
            status_line(&st),
            "active=0 done=2097152 total=2097152 last_error=0"
        );
        let st = status(8, 16, 1, -27, "pmem0", "pmem2");
        assert_eq!(
            status_line(&st),
            "active=1 done=8 total=16 last_error=-27 src=pmem0 dst=pmem2"
        );
    }

    #[test]
    fn disk_lines() {
        let d = disk(
            "pmem0",
            "namespace0.0",
            uapi::DISK_FUA | uapi::DISK_NOWAIT,
            0,
        );
        assert_eq!(
            disk_line(&d),
            "pmem0 namespace0.0 size=1073741824 flush=fua nowait=1 read_only=0 bad_sectors=0 copying=0"
        );
        let d = disk(
            "pmem1",
            "namespace1.0",
            uapi::DISK_READ_ONLY | uapi::DISK_COPYING,
            24,
        );
        assert_eq!(
            disk_line(&d),
            "pmem1 namespace1.0 size=1073741824 flush=none nowait=0 read_only=1 bad_sectors=24 copying=1"
        );
        assert_eq!(flush_mode(uapi::DISK_ASYNC_FLUSH), "async");
        assert_eq!(flush_mode(uapi::DISK_ASYNC_FLUSH | uapi::DISK_FUA), "async");
    }

    #[test]
    fn json() {
        let st = status(8, 16, 1, 0, "pmem0", "pmem1");
        let disks = [
            disk(
                "pmem0",
                "namespace0.0",
                uapi::DISK_FUA | uapi::DISK_COPYING,
                0,
            ),
            disk("pmem1", "", uapi::DISK_NOWAIT, 3),
        ];
        assert_eq!(
            status_json(&st, Some(&disks)),
            concat!(
                r#"{"copy":{"active":true,"done_sectors":8,"total_sectors":16,"last_error":0,"src":"pmem0","dst":"pmem1"},"disks":["#,
                r#"{"name":"pmem0","namespace":"namespace0.0","size":1073741824,"flush":"fua","nowait":false,"read_only":false,"bad_sectors":0,"copying":true},"#,
                r#"{"name":"pmem1","namespace":null,"size":1073741824,"flush":"none","nowait":true,"read_only":false,"bad_sectors":3,"copying":false}]}"#
            )
        );
        let st = status(0, 0, 0, -5, "", "");
        assert_eq!(
            status_json(&st, None),
            r#"{"copy":{"active":false,"done_sectors":0,"total_sectors":0,"last_error":-5,"src":null,"dst":null},"disks":null}"#
        );
        assert_eq!(
            status_json(&st, Some(&[]))
                .rsplit_once("\"disks\":")
                .unwrap()
                .1,
            "[]}"
        );
        assert_eq!(json_str("a\"b\\c\n\u{1}é"), r#""a\"b\\c\n\u0001é""#);
    }

    #[test]
    fn bench_lines() {
        let b = BenchKmap {
            nr_ranges: 64,
            iterations: 1000,
            registry_ps: 3210,
            registry_held_ps: 2004,
            list_ps: 40006,
            page_ps: 999,
            page_section_ps: 2104,
            kmap_atomic_ps: 2500,
        };
        assert_eq!(
            bench_kmap_line(&b),
            "ranges=64 iterations=1000 registry_ns=3.21 registry_held_ns=2.00 list_ns=40.01 page_ns=1.00 page_section_ns=2.10 kmap_atomic_ns=2.50"
        );
        let b = BenchCopy {
            mib: 512,
            pad: 0,
            memcpy_kibs: 4642000,
            copy_mc_kibs: 1024,
            flushcache_kibs: 1023,
        };
        assert_eq!(
            bench_copy_line(&b),
            "kernel_memcpy_mibs=4533 kernel_copy_mc_mibs=1 kernel_flushcache_mibs=0"
        );
    }

    #[test]
    fn progress() {
        let st = status(1024, 4096, 1, 0, "", "");
        assert_eq!(
            progress_line(&st),
            "rpmemctl: copied 1024/4096 sectors (25%)"
        );
        assert_eq!(percent(u64::MAX, u64::MAX), 100);
        assert_eq!(percent(1, 0), 0);
        let a = CopyArgs {
            src: "pmem0".into(),
            src_sector: 2048,
            dst: "pmem1".into(),
            dst_sector: 0,
            nr_sectors: 4096,
        };
        assert_eq!(
            copied_line(4096, &a, 0.5),
            "copied 4096 sectors from pmem0:2048 to pmem1:0 in 0.50 s (4 MiB/s)"
        );
        assert_eq!(
            copied_line(0, &a, 0.0),
            "copied 0 sectors from pmem0:2048 to pmem1:0 in 0.00 s"
        );
    }
}
