// SPDX-License-Identifier: GPL-2.0

//! A small deterministic pseudo-random generator (xorshift64*) for the kmap
//! micro-benchmark's frame order and the host tests' random tables.

/// xorshift64*: seed it with any value but 0.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    /// The next value of the sequence.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}
