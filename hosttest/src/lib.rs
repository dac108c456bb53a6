// SPDX-License-Identifier: GPL-2.0

//! Host unit tests for the parts of rpmem that do not need a kernel: the
//! very same source files the module builds, included by path.

#![allow(dead_code)]

#[path = "../../src/geometry.rs"]
pub mod geometry;
#[path = "../../src/info_block.rs"]
pub mod info_block;
#[path = "../../src/params.rs"]
pub mod params;
#[path = "../../src/pfn.rs"]
pub mod pfn;
#[path = "../../src/range_table.rs"]
pub mod range_table;
#[path = "../../src/segments.rs"]
pub mod segments;
#[path = "../../src/span.rs"]
pub mod span;
#[path = "../../src/uapi.rs"]
pub mod uapi;
#[path = "../../src/xorshift.rs"]
pub mod xorshift;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod trust_tests;
