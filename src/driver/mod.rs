// SPDX-License-Identifier: GPL-2.0

//! The driver: ordinary Rust over [`crate::abstractions`], with no `unsafe`
//! and no `bindings::`.
//!
//! - `probe`: which namespaces rpmem serves, and binding them;
//! - `disk`: one disk's lifecycle (`/dev/pmemN`);
//! - `io`: the I/O path;
//! - `disk_shared`: what a disk shares beyond its binding;
//! - `disk_map`: the disk's load/store mapping (`/dev/pmemN.map`);
//! - `disk_list`: the live disks, for `rpmemctl status`;
//! - `copy`: the pfn copy between two disks the caller opened;
//! - `control`: `/dev/rpmem-ctl`.

pub(crate) mod control;
pub(crate) mod copy;
pub(crate) mod disk;
pub(crate) mod disk_list;
pub(crate) mod disk_map;
pub(crate) mod disk_shared;
pub(crate) mod io;
pub(crate) mod probe;
