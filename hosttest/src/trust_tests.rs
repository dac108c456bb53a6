// SPDX-License-Identifier: GPL-2.0

//! Host tests for the pure logic behind the trust work: info blocks,
//! the `namespaces` parameter, the I/O path's byte/sector arithmetic,
//! mapping bounds and the control ABI.

use crate::info_block::*;
use crate::params::*;
use crate::span::*;
use crate::uapi::*;

// ---- info blocks --------------------------------------------------------

fn block(sig: &[u8; 16], parent: [u8; 16]) -> [u8; INFO_BLOCK_SIZE] {
    let mut b = [0u8; INFO_BLOCK_SIZE];
    b[..16].copy_from_slice(sig);
    b[16..32].copy_from_slice(&[7; 16]); // its own uuid
    b[32..48].copy_from_slice(&parent);
    b[48..56].copy_from_slice(&0x1234_5678_9abc_def0u64.to_le_bytes());
    let sum = sb_checksum(&b);
    b[INFO_BLOCK_SIZE - 8..].copy_from_slice(&sum.to_le_bytes());
    b
}

/// The kernel's nd_fletcher64(le=true), written out independently.
fn reference_fletcher64(words: &[u32]) -> u64 {
    let (mut lo, mut hi) = (0u32, 0u64);
    for &w in words {
        lo = lo.wrapping_add(w);
        hi = hi.wrapping_add(lo as u64);
    }
    hi << 32 | lo as u64
}

#[test]
fn checksum_is_fletcher64_with_the_checksum_field_zero() {
    let mut b = [0u8; INFO_BLOCK_SIZE];
    for (i, x) in b.iter_mut().enumerate() {
        *x = (i * 31 % 251) as u8;
    }
    let mut words: Vec<u32> = b
        .chunks_exact(4)
        .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
        .collect();
    let n = words.len();
    words[n - 2] = 0;
    words[n - 1] = 0;
    assert_eq!(sb_checksum(&b), reference_fletcher64(&words));
}

#[test]
fn recognises_each_info_block() {
    let none = [0u8; 16];
    assert_eq!(
        identify(&block(b"BTT_ARENA_INFO\0\0", none), &none),
        Some(InfoBlock::Btt)
    );
    assert_eq!(
        identify(&block(b"NVDIMM_PFN_INFO\0", none), &none),
        Some(InfoBlock::Pfn)
    );
    assert_eq!(
        identify(&block(b"NVDIMM_DAX_INFO\0", none), &none),
        Some(InfoBlock::Dax)
    );
    assert!(InfoBlock::Btt.describe().contains("BTT info block"));
    assert!(InfoBlock::Pfn.describe().contains("fsdax"));
    assert!(InfoBlock::Dax.describe().contains("devdax"));
}

#[test]
fn data_is_not_an_info_block() {
    let none = [0u8; 16];
    assert_eq!(identify(&[0u8; INFO_BLOCK_SIZE], &none), None);
    // Bad checksum: one flipped bit anywhere.
    for at in [0usize, 20, 100, 4000, INFO_BLOCK_SIZE - 1] {
        let mut b = block(b"BTT_ARENA_INFO\0\0", none);
        b[at] ^= 0x10;
        assert_eq!(identify(&b, &none), None, "flip at {at}");
    }
    // Signature without its NUL padding.
    let b = block(b"BTT_ARENA_INFOxx", none);
    assert_eq!(identify(&b, &none), None);
}

#[test]
fn parent_uuid_must_be_null_or_the_namespace() {
    let ns = [9u8; 16];
    let other = [5u8; 16];
    assert_eq!(
        identify(&block(b"NVDIMM_PFN_INFO\0", ns), &ns),
        Some(InfoBlock::Pfn)
    );
    assert_eq!(
        identify(&block(b"NVDIMM_PFN_INFO\0", [0; 16]), &ns),
        Some(InfoBlock::Pfn)
    );
    assert_eq!(identify(&block(b"NVDIMM_PFN_INFO\0", other), &ns), None);
}

// ---- namespaces= --------------------------------------------------------

#[test]
fn namespace_lists_are_checked() {
    assert_eq!(check_list(b""), Ok(()));
    assert_eq!(check_list(b"namespace0.0"), Ok(()));
    assert_eq!(check_list(b"namespace0.0,namespace12.3"), Ok(()));
    assert_eq!(
        check_list(b"bogus"),
        Err(ListError::NotANamespace(b"bogus"))
    );
    assert_eq!(
        check_list(b"namespace0.0,"),
        Err(ListError::NotANamespace(b""))
    );
    assert_eq!(
        check_list(b",namespace0.0"),
        Err(ListError::NotANamespace(b""))
    );
    for bad in [
        &b"namespace"[..],
        b"namespace0",
        b"namespace0.",
        b"namespace.0",
        b"namespace0.0.0",
        b"namespacea.0",
        b"pmem0",
    ] {
        assert_eq!(
            check_list(bad),
            Err(ListError::NotANamespace(bad)),
            "{:?}",
            bad
        );
    }
    let many: Vec<u8> = (0..65)
        .map(|i| format!("namespace{i}.0"))
        .collect::<Vec<_>>()
        .join(",")
        .into_bytes();
    assert_eq!(check_list(&many), Err(ListError::TooMany));
    let ok: Vec<u8> = (0..64)
        .map(|i| format!("namespace{i}.0"))
        .collect::<Vec<_>>()
        .join(",")
        .into_bytes();
    assert_eq!(check_list(&ok), Ok(()));
}

#[test]
fn namespace_lists_select() {
    assert!(selects(b"", b"namespace3.0"));
    assert!(selects(b"namespace0.0,namespace3.0", b"namespace3.0"));
    assert!(!selects(b"namespace0.0,namespace3.0", b"namespace3.1"));
    assert!(!selects(b"namespace10.0", b"namespace1.0"));
    // Whole names, not prefixes.
    assert!(!selects(b"namespace1.1", b"namespace1.10"));
    assert!(!selects(b"namespace1.1", b"namespace1.1x"));
}

// ---- byte and sector arithmetic ----------------------------------------

#[test]
fn segment_spans_use_bytes_not_truncated_sectors() {
    // Two 700-byte vectors: the second starts at byte 700, in sector 1.
    let a = DevSpan::of_segment(100, 0, 700);
    let b = DevSpan::of_segment(100, 700, 700);
    assert_eq!(a.pos, 100 * 512);
    assert_eq!(b.pos, 100 * 512 + 700);
    assert_eq!(a.sectors(), (100, 2)); // bytes 0..700 touch sectors 100, 101
    assert_eq!(b.sectors(), (101, 2)); // bytes 700..1400 touch 101, 102
    assert_eq!(DevSpan::of_segment(0, 0, 512).sectors(), (0, 1));
    assert_eq!(DevSpan::of_segment(0, 1, 1).sectors(), (0, 1));
    assert_eq!(DevSpan::of_segment(0, 511, 2).sectors(), (0, 2));
}

#[test]
fn spans_split_at_device_pages() {
    let pieces: Vec<_> = DevSpan {
        pos: 4096 - 512,
        len: 4096 * 2 + 1024,
    }
    .pages()
    .collect();
    assert_eq!(
        pieces,
        vec![
            DevSpan {
                pos: 3584,
                len: 512
            },
            DevSpan {
                pos: 4096,
                len: 4096
            },
            DevSpan {
                pos: 8192,
                len: 4096
            },
            DevSpan {
                pos: 12288,
                len: 512
            },
        ]
    );
    let total: u32 = pieces.iter().map(|p| p.len).sum();
    assert_eq!(total, 4096 * 2 + 1024);
    // A 4 MiB vector with one bad page: only that page's piece is bad.
    let big = DevSpan {
        pos: 1 << 20,
        len: 4 << 20,
    };
    let bad_sector = (1u64 << 20) / 512 + 2048 + 3;
    let hit: Vec<_> = big
        .pages()
        .filter(|p| {
            let (s, n) = p.sectors();
            (s..s + n).contains(&bad_sector)
        })
        .collect();
    assert_eq!(hit.len(), 1);
    assert_eq!(hit[0].len, 4096);
    assert_eq!(DevSpan { pos: 0, len: 0 }.pages().count(), 0);
}

#[test]
fn spans_at_the_top_of_the_range_do_not_overflow() {
    // The last page of a 64-bit byte range: the next boundary does not
    // exist, so the span ends where it saturates.
    let top = DevSpan {
        pos: u64::MAX - 4095,
        len: 8192,
    };
    let pieces: Vec<_> = top.pages().collect();
    assert_eq!(
        pieces,
        vec![DevSpan {
            pos: u64::MAX - 4095,
            len: 4095
        }]
    );
    assert_eq!(top.sectors(), (u64::MAX / 512 - 7, 8));
}

#[test]
fn mapping_bounds() {
    assert_eq!(end_within(0, 4096, 4096), Some(4096));
    assert_eq!(end_within(1, 4096, 4096), None);
    assert_eq!(end_within(4096, 0, 4096), Some(4096));
    assert_eq!(end_within(4097, 0, 4096), None);
    assert_eq!(end_within(usize::MAX, 1, usize::MAX), None);
    assert_eq!(end_within(usize::MAX - 1, 1, usize::MAX), Some(usize::MAX));
}

// ---- control ABI ----------------------------------------------------------

#[test]
fn abi_layout_and_numbers() {
    use core::mem::size_of;
    assert_eq!(size_of::<CopyRequest>(), 32);
    assert_eq!(core::mem::offset_of!(CopyRequest, dst_fd), 4);
    assert_eq!(core::mem::offset_of!(CopyRequest, src_sector), 8);
    assert_eq!(size_of::<CopyStatus>(), 88);
    assert_eq!(size_of::<DiskInfo>(), 88);
    assert_eq!(size_of::<BenchKmap>(), 56);
    assert_eq!(size_of::<BenchCopy>(), 32);
    // _IOW('R', 1, 32): dir 1 << 30 | size << 16 | 'R' << 8 | 1.
    assert_eq!(IOC_COPY, 0x4020_5201);
    assert_eq!(IOC_STATUS, 0x8058_5202);
    assert_eq!(IOC_BENCH_KMAP, 0xc038_5203);
    assert_eq!(IOC_BENCH_COPY, 0xc020_5204);
    assert_eq!(IOC_DISK_INFO, 0xc058_5205);
    assert_eq!(
        name_field(b"pmem0").map(|f| field_name(&f).to_vec()),
        Some(b"pmem0".to_vec())
    );
    assert_eq!(name_field(&[b'a'; 32]), None);
    assert_eq!(name_field(b""), None);
}
