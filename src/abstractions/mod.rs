// SPDX-License-Identifier: GPL-2.0

//! Safe abstractions over the C objects rpmem uses, in the manner of
//! `rust/kernel/block/mq`: each file owns one C type and argues each of its
//! `unsafe` blocks once. Nothing outside this folder names `bindings::`.
//!
//! Lifetimes carry the rules: a [`namespace::Namespace<'ns>`] (and the
//! [`region::Region<'ns>`], [`mapping::Mapping<'ns>`] made from it) lives
//! only as long as its binding to the driver ([`nd_driver`]); a
//! [`pfn_mapping::PfnMapping<'a, M>`] borrows what keeps its memory mapped; a
//! pfn bio can only be built for a disk of this module
//! ([`pfn_bio::PfnTarget`]).

#[path = "../../bindings/mod.rs"]
mod bindings;

pub(crate) mod badblocks;
pub(crate) mod bio;
pub(crate) mod bio_segment;
pub(crate) mod bio_set;
pub(crate) mod block_device;
pub(crate) mod capability;
pub(crate) mod control_device;
pub(crate) mod disk_type;
pub(crate) mod gendisk;
pub(crate) mod kmap;
pub(crate) mod map_device;
mod map_vma;
pub(crate) mod mapping;
pub(crate) mod memmap;
pub(crate) mod module_param;
pub(crate) mod namespace;
pub(crate) mod nd_driver;
pub(crate) mod pfn_bio;
pub(crate) mod pfn_mapping;
pub(crate) mod pfn_space;
pub(crate) mod preempt;
pub(crate) mod region;
pub(crate) mod registry;
pub(crate) mod status;
pub(crate) mod sysfs_dirent;
pub(crate) mod uapi_bytes;
