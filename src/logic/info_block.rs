// SPDX-License-Identifier: GPL-2.0

//! The info blocks that libnvdimm's personality drivers write 4 KiB into a
//! namespace (BTT for sector mode, pfn for fsdax, dax for devdax), and how
//! to recognise them as `nd_btt_arena_is_valid()` and `nd_pfn_validate()`
//! do: signature, parent uuid, fletcher64 checksum. Pure logic, shared with
//! the host unit tests.

/// Byte offsets where an info block may sit: 4 KiB in (pfn, dax, and BTT
/// under v1.1 labels), and 0 (BTT under v1.2 labels, `nd_btt_version()`).
pub(crate) const INFO_BLOCK_OFFSETS: [u64; 2] = [4096, 0];
/// Size of an info block.
pub(crate) const INFO_BLOCK_SIZE: usize = 4096;

/// A personality's info block.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum InfoBlock {
    /// BTT arena info block (`ndctl create-namespace -m sector`).
    Btt,
    /// pfn info block (`-m fsdax`).
    Pfn,
    /// device-dax info block (`-m devdax`).
    Dax,
}

impl InfoBlock {
    /// What it is, for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            InfoBlock::Btt => "a BTT info block (sector mode)",
            InfoBlock::Pfn => "a pfn info block (fsdax mode)",
            InfoBlock::Dax => "a dax info block (devdax mode)",
        }
    }
}

/// The 16 signature bytes each block starts with (`BTT_SIG`, `PFN_SIG`,
/// `DAX_SIG` with their NUL padding).
const SIGNATURES: [(&[u8; 16], InfoBlock); 3] = [
    (b"BTT_ARENA_INFO\0\0", InfoBlock::Btt),
    (b"NVDIMM_PFN_INFO\0", InfoBlock::Pfn),
    (b"NVDIMM_DAX_INFO\0", InfoBlock::Dax),
];
/// Where the parent namespace's uuid is kept (after signature and uuid).
const PARENT_UUID_AT: usize = 32;
/// Where the little-endian checksum is kept: the last 8 bytes.
const CHECKSUM_AT: usize = INFO_BLOCK_SIZE - 8;

/// `nd_fletcher64()` over little-endian 32-bit words, with the checksum
/// field read as zero (`nd_sb_checksum()`).
pub(crate) fn sb_checksum(block: &[u8; INFO_BLOCK_SIZE]) -> u64 {
    let mut lo: u32 = 0;
    let mut hi: u64 = 0;
    for (i, w) in block.chunks_exact(4).enumerate() {
        let word = if i * 4 >= CHECKSUM_AT {
            0
        } else {
            u32::from_le_bytes([w[0], w[1], w[2], w[3]])
        };
        lo = lo.wrapping_add(word);
        hi = hi.wrapping_add(u64::from(lo));
    }
    (hi << 32) | u64::from(lo)
}

/// The info block `block` is, if it is a valid one for the namespace whose
/// uuid is `ns_uuid` (all zero for a namespace without labels): a known
/// signature, a parent uuid that is zero or the namespace's, and a good
/// checksum. Anything else is data, and the namespace is raw.
pub(crate) fn identify(block: &[u8; INFO_BLOCK_SIZE], ns_uuid: &[u8; 16]) -> Option<InfoBlock> {
    let (head, rest) = block.split_at(16);
    let kind = SIGNATURES
        .iter()
        .find(|(sig, _)| head == sig.as_slice())
        .map(|&(_, kind)| kind)?;
    let parent = rest.get(PARENT_UUID_AT - 16..PARENT_UUID_AT)?;
    if parent.iter().any(|&b| b != 0) && parent != ns_uuid.as_slice() {
        return None;
    }
    let stored = block.get(CHECKSUM_AT..)?;
    let stored = u64::from_le_bytes(stored.try_into().ok()?);
    (stored == sb_checksum(block)).then_some(kind)
}
