// SPDX-License-Identifier: GPL-2.0

//! The benchmark device `/dev/rpmem-bench` of the separate, not installed
//! module rpmem_bench.ko (`make bench-module`) and its ioctls, which need
//! `CAP_SYS_ADMIN`.

use std::fs::File;

use crate::ctl::{ioctl, open_device};
use crate::errno::Errno;
use crate::uapi::{self, BenchCopy, BenchKmap};

/// The benchmark device; `RPMEMCTL_BENCH_DEVICE` overrides it (host tests).
pub fn device_path() -> String {
    std::env::var("RPMEMCTL_BENCH_DEVICE").unwrap_or_else(|_| "/dev/rpmem-bench".into())
}

/// An open `/dev/rpmem-bench`.
pub struct Bench {
    file: File,
}

impl Bench {
    pub fn open() -> Result<Bench, Errno> {
        Ok(Bench {
            file: open_device(&device_path())?,
        })
    }

    pub fn kmap(&self, nr_ranges: u32, iterations: u32) -> Result<BenchKmap, Errno> {
        let mut b = BenchKmap {
            nr_ranges,
            iterations,
            registry_ps: 0,
            registry_held_ps: 0,
            list_ps: 0,
            page_ps: 0,
            page_section_ps: 0,
            kmap_atomic_ps: 0,
        };
        ioctl(&self.file, uapi::IOC_BENCH_KMAP, &mut b).map(|()| b)
    }

    pub fn copy(&self, mib: u32) -> Result<BenchCopy, Errno> {
        let mut b = BenchCopy {
            mib,
            pad: 0,
            memcpy_kibs: 0,
            copy_mc_kibs: 0,
            flushcache_kibs: 0,
        };
        ioctl(&self.file, uapi::IOC_BENCH_COPY, &mut b).map(|()| b)
    }
}
