// SPDX-License-Identifier: GPL-2.0

//! The ioctl ABI of `/dev/rpmem-ctl` (copy, status) and of the benchmark
//! module's `/dev/rpmem-bench`: the one definition shared by the modules
//! and by `rpmemctl` (tools/rpmemctl includes this file by path). Plain
//! `repr(C)` structs of integers and byte arrays with no padding, and the
//! ioctl numbers as the kernel's `_IOR`/`_IOW`/`_IOWR` encode them on x86-64.
//! No kernel or std dependency, so both sides build it as is.

/// Bytes in a name field (NUL-terminated, NUL-padded).
pub const NAME_LEN: usize = 32;

/// `RPMEM_IOC_COPY`: copy `nr_sectors` from the disk open on `src_fd` at
/// `src_sector` to the disk open on `dst_fd` at `dst_sector` with pfn I/O;
/// `nr_sectors == 0` clones a whole disk (equal sizes, both sectors 0).
/// Both are rpmem disks the caller opened: the source for reading, the
/// destination for writing with `O_EXCL`. Blocks until the copy ends; a
/// signal ends it at the next chunk with `EINTR` (progress stays in
/// [`CopyStatus`]).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CopyRequest {
    /// File descriptor of the source disk (opened for reading).
    pub src_fd: i32,
    /// File descriptor of the destination disk (opened read-write, `O_EXCL`).
    pub dst_fd: i32,
    /// First source sector.
    pub src_sector: u64,
    /// First destination sector.
    pub dst_sector: u64,
    /// Sectors to copy; 0 clones the whole disk.
    pub nr_sectors: u64,
}

/// `RPMEM_IOC_STATUS`: the running or last copy.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CopyStatus {
    /// Sectors copied so far.
    pub done_sectors: u64,
    /// Sectors the copy was asked for.
    pub total_sectors: u64,
    /// 1 while a copy runs.
    pub active: u32,
    /// 0, or the negative errno the last copy ended with.
    pub last_error: i32,
    /// Source disk name of the running or last copy.
    pub src: [u8; NAME_LEN],
    /// Destination disk name of the running or last copy.
    pub dst: [u8; NAME_LEN],
}

/// [`DiskInfo::flags`]: writes are made durable with `REQ_FUA`/flushes
/// through the region's flush hints.
pub const DISK_FUA: u32 = 1 << 0;
/// [`DiskInfo::flags`]: the region flushes asynchronously (virtio-pmem).
pub const DISK_ASYNC_FLUSH: u32 = 1 << 1;
/// [`DiskInfo::flags`]: the disk serves `REQ_NOWAIT` bios (`BLK_FEAT_NOWAIT`).
pub const DISK_NOWAIT: u32 = 1 << 2;
/// [`DiskInfo::flags`]: the disk is read-only.
pub const DISK_READ_ONLY: u32 = 1 << 3;
/// [`DiskInfo::flags`]: a copy reads from or writes to this disk now.
pub const DISK_COPYING: u32 = 1 << 4;

/// `RPMEM_IOC_DISK_INFO`: the `index`-th rpmem disk (0, 1, ...); `ENOENT`
/// past the last one.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiskInfo {
    /// In: which disk.
    pub index: u32,
    /// Out: `DISK_*` flags.
    pub flags: u32,
    /// Out: disk name, e.g. `pmem0`.
    pub name: [u8; NAME_LEN],
    /// Out: namespace device name, e.g. `namespace0.0`.
    pub namespace: [u8; NAME_LEN],
    /// Out: capacity in 512-byte sectors.
    pub sectors: u64,
    /// Out: known bad 512-byte sectors.
    pub bad_sectors: u64,
}

/// `RPMEM_IOC_BENCH_KMAP` (on `/dev/rpmem-bench`, `CAP_SYS_ADMIN`):
/// in-kernel micro-benchmark of
/// `kmap_atomic_pfn_t()` map+unmap.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BenchKmap {
    /// In: registered ranges.
    pub nr_ranges: u32,
    /// In: map+unmap calls per variant.
    pub iterations: u32,
    /// Out: ps per call, registry lookup in its own RCU section.
    pub registry_ps: u64,
    /// Out: ps per call, registry lookup inside one held RCU section.
    pub registry_held_ps: u64,
    /// Out: ps per call, RCU list walk (the 2015 design).
    pub list_ps: u64,
    /// Out: ps per call, RAM page (its direct-map address).
    pub page_ps: u64,
    /// Out: ps per call, RAM page inside a preemption-disabled section of
    /// its own, as a device frame's mapping takes one.
    pub page_section_ps: u64,
    /// Out: ps per call, the kernel's `kmap_atomic_pfn()` of the RAM page
    /// (C, inline) and its unmap.
    pub kmap_atomic_ps: u64,
}

/// `RPMEM_IOC_BENCH_COPY` (on `/dev/rpmem-bench`, `CAP_SYS_ADMIN`):
/// in-kernel copy bandwidth, 4 KiB pieces between
/// two 1 MiB buffers.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BenchCopy {
    /// In: MiB per primitive, 1..4096.
    pub mib: u32,
    /// Padding, zero.
    pub pad: u32,
    /// Out: KiB/s, memcpy.
    pub memcpy_kibs: u64,
    /// Out: KiB/s, `copy_mc_to_kernel` (reads).
    pub copy_mc_kibs: u64,
    /// Out: KiB/s, `memcpy_flushcache` (writes).
    pub flushcache_kibs: u64,
}

const IOC_WRITE: u32 = 1;
const IOC_READ: u32 = 2;
/// The ioctl "type" byte of rpmem.
const IOC_TYPE: u32 = b'R' as u32;

/// `_IOC(dir, 'R', nr, size)` as the kernel encodes it on x86-64.
const fn ioc(dir: u32, nr: u32, size: usize) -> u32 {
    (dir << 30) | ((size as u32) << 16) | (IOC_TYPE << 8) | nr
}

/// `_IOW('R', 1, struct rpmem_copy)`.
pub const IOC_COPY: u32 = ioc(IOC_WRITE, 1, core::mem::size_of::<CopyRequest>());
/// `_IOR('R', 2, struct rpmem_copy_status)`.
pub const IOC_STATUS: u32 = ioc(IOC_READ, 2, core::mem::size_of::<CopyStatus>());
/// `_IOWR('R', 3, struct rpmem_bench_kmap)`.
pub const IOC_BENCH_KMAP: u32 = ioc(IOC_READ | IOC_WRITE, 3, core::mem::size_of::<BenchKmap>());
/// `_IOWR('R', 4, struct rpmem_bench_copy)`.
pub const IOC_BENCH_COPY: u32 = ioc(IOC_READ | IOC_WRITE, 4, core::mem::size_of::<BenchCopy>());
/// `_IOWR('R', 5, struct rpmem_disk_info)`.
pub const IOC_DISK_INFO: u32 = ioc(IOC_READ | IOC_WRITE, 5, core::mem::size_of::<DiskInfo>());

/// The name in a NUL-padded field, up to its first NUL.
pub fn field_name(field: &[u8; NAME_LEN]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(NAME_LEN);
    &field[..end]
}

/// A NUL-padded name field holding `name`, or `None` if it does not fit
/// (with its NUL) or contains a NUL.
pub fn name_field(name: &[u8]) -> Option<[u8; NAME_LEN]> {
    if name.is_empty() || name.len() >= NAME_LEN || name.contains(&0) {
        return None;
    }
    let mut field = [0u8; NAME_LEN];
    field[..name.len()].copy_from_slice(name);
    Some(field)
}
