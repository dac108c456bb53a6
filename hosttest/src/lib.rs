// SPDX-License-Identifier: GPL-2.0

//! Host unit tests for the parts of rpmem that do not need a kernel: the
//! very same source files the module builds, included by path.

#![allow(dead_code)]

#[path = "../../src/geometry.rs"]
pub mod geometry;
#[path = "../../src/pfn.rs"]
pub mod pfn;
#[path = "../../src/range_table.rs"]
pub mod range_table;
#[path = "../../src/segments.rs"]
pub mod segments;

#[cfg(test)]
mod tests;
