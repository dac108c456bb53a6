// SPDX-License-Identifier: GPL-2.0

//! Host unit tests for the parts of rpmem that do not need a kernel: the
//! very same source files the module builds, included by path.

#![allow(dead_code)]

#[path = "../../src/logic/dev_range.rs"]
pub mod dev_range;
#[path = "../../src/logic/geometry.rs"]
pub mod geometry;
#[path = "../../src/logic/info_block.rs"]
pub mod info_block;
#[path = "../../src/logic/map_fault.rs"]
pub mod map_fault;
#[path = "../../src/logic/params.rs"]
pub mod params;
#[path = "../../src/logic/pfn.rs"]
pub mod pfn;
#[path = "../../src/logic/range_index.rs"]
pub mod range_index;
#[path = "../../src/logic/range_table.rs"]
pub mod range_table;
#[path = "../../src/logic/segments.rs"]
pub mod segments;
#[path = "../../src/logic/span.rs"]
pub mod span;
#[path = "../../src/logic/uapi.rs"]
pub mod uapi;
#[path = "../../src/logic/xorshift.rs"]
pub mod xorshift;

#[cfg(test)]
mod map_fault_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod trust_tests;
