// SPDX-License-Identifier: GPL-2.0

use crate::pfn::*;
use crate::range_table::*;
use crate::segments::*;
use crate::xorshift::Rng;

// ---- Pfn -------------------------------------------------------------

#[test]
fn pfn_flags_and_page_semantics() {
    // SAFETY: host test; nothing is mapped.
    let ram = unsafe { Pfn::ram(0x1234) };
    assert!(ram.has_page() && !ram.is_device());
    let dev = Pfn::device(0x1234);
    assert!(!dev.has_page() && dev.is_device());
    assert_eq!(dev.flags(), PFN_DEV);
    let mapped = Pfn::device_mapped(0x1234);
    assert!(mapped.has_page() && mapped.is_device());
    assert_eq!(mapped.flags(), PFN_DEV | PFN_MAP);
    for p in [ram, dev, mapped] {
        assert_eq!(p.number(), 0x1234);
    }
}

#[test]
fn pfn_add_keeps_flags_and_strips_overflow_into_flags() {
    let p = Pfn::device(10).add(5);
    assert_eq!(p.number(), 15);
    assert!(p.is_device());
    // A frame number that would spill into the flag bits is masked.
    // SAFETY: host test; nothing is mapped.
    let big = unsafe { Pfn::ram(u64::MAX) };
    assert_eq!(big.flags(), 0);
}

#[test]
fn pfn_checked_flag_covers_its_subsection_only() {
    // SAFETY: host test; nothing is mapped.
    let p = unsafe { Pfn::ram_checked(0x42) };
    assert!(p.is_checked() && p.has_page() && !p.is_device());
    assert_eq!(p.number(), 0x42);
    assert!(p.add(0).is_checked());
    let q = p.add(1);
    assert!(q.is_checked() && q.has_page());
    assert_eq!(q.number(), 0x43);
    // Last frame of the subsection keeps it, the next one loses it.
    assert!(p.add(PAGES_PER_SUBSECTION - 0x42 - 1).is_checked());
    let r = p.add(PAGES_PER_SUBSECTION - 0x42);
    assert!(!r.is_checked() && r.has_page());
    assert_eq!(r.number(), PAGES_PER_SUBSECTION);
    // Once lost, it stays lost.
    assert!(!r.add(1).is_checked());
    // SAFETY: host test; nothing is mapped.
    assert!(!unsafe { Pfn::ram(0x42) }.is_checked() && !Pfn::device(0x42).is_checked());
}

#[test]
fn pfn_checked_for_a_span_agrees_with_add() {
    for first in [
        0,
        1,
        0x42,
        PAGES_PER_SUBSECTION - 1,
        3 * PAGES_PER_SUBSECTION + 7,
    ] {
        // SAFETY: host test; nothing is mapped.
        let p = unsafe { Pfn::ram_checked(first) };
        for pages in 1..=2 * PAGES_PER_SUBSECTION + 1 {
            assert_eq!(
                p.is_checked_for(pages),
                p.add(pages - 1).is_checked(),
                "{first} {pages}"
            );
        }
        // SAFETY: host test; nothing is mapped.
        assert!(!unsafe { Pfn::ram(first) }.is_checked_for(1));
    }
}

// ---- RangeTable ----------------------------------------------------------

fn r(start: u64, n: u64) -> DevRange {
    DevRange {
        start_pfn: start,
        nr_pages: n,
        base: (start.wrapping_add(1) as usize) << 12,
    }
}

fn table(ranges: &[DevRange]) -> Box<RangeTable> {
    let mut t = Box::new(RangeTable::new());
    for &x in ranges {
        let mut n = Box::new(RangeTable::new());
        t.with(x, &mut n).unwrap();
        t = n;
    }
    t
}

#[test]
fn range_lookup_hits_and_misses() {
    let t = table(&[r(100, 10), r(0, 50), r(200, 1)]);
    assert_eq!(t.len(), 3);
    let starts: Vec<u64> = t.ranges().iter().map(|x| x.start_pfn).collect();
    assert_eq!(starts, [0, 100, 200]);
    for (pfn, want) in [
        (0, Some(0)),
        (49, Some(0)),
        (50, None),
        (99, None),
        (100, Some(100)),
        (109, Some(100)),
        (110, None),
        (200, Some(200)),
        (201, None),
    ] {
        assert_eq!(t.lookup(pfn).map(|x| x.start_pfn), want, "pfn {pfn}");
    }
    assert!(RangeTable::new().lookup(0).is_none());
}

#[test]
fn range_insert_refuses_overlap_empty_full() {
    let t = table(&[r(100, 10)]);
    let mut out = Box::new(RangeTable::new());
    assert_eq!(t.with(r(95, 6), &mut out), Err(RangeError::Overlap));
    assert_eq!(t.with(r(109, 5), &mut out), Err(RangeError::Overlap));
    assert_eq!(t.with(r(90, 30), &mut out), Err(RangeError::Overlap));
    assert_eq!(t.with(r(0, 0), &mut out), Err(RangeError::Empty));
    assert_eq!(t.with(r(u64::MAX, 2), &mut out), Err(RangeError::Empty));
    assert!(t.with(r(110, 5), &mut out).is_ok());
    assert!(t.with(r(90, 10), &mut out).is_ok());
    let full = table(
        &(0..MAX_RANGES as u64)
            .map(|i| r(i * 10, 5))
            .collect::<Vec<_>>(),
    );
    assert_eq!(full.len(), MAX_RANGES);
    assert_eq!(full.with(r(10_000, 1), &mut out), Err(RangeError::Full));
}

#[test]
fn range_remove() {
    let t = table(&[r(0, 5), r(10, 5), r(20, 5)]);
    let mut out = Box::new(RangeTable::new());
    assert_eq!(t.without(10, &mut out), Ok(r(10, 5)));
    assert_eq!(out.len(), 2);
    assert!(out.lookup(12).is_none());
    assert!(out.lookup(22).is_some());
    assert_eq!(t.without(11, &mut out), Err(RangeError::NotFound));
}

#[test]
fn range_lookup_matches_linear_scan_on_many_ranges() {
    let ranges: Vec<DevRange> = (0..64).map(|i| r(i * 1000 + (i % 7), 1 + i * 3)).collect();
    let t = table(&ranges);
    for pfn in 0..70_000u64 {
        let linear = ranges.iter().find(|x| x.contains(pfn)).map(|x| x.start_pfn);
        assert_eq!(t.lookup(pfn).map(|x| x.start_pfn), linear);
    }
}

// ---- Segments (bio_for_each_segment / bio_for_each_bvec) -----------------

struct Vecs(Vec<RawBvec>);
impl BvecTable for &Vecs {
    unsafe fn bvec(&mut self, idx: u32) -> RawBvec {
        self.0[idx as usize]
    }
}

fn bv(pfn: u64, offset: u32, len: u32) -> RawBvec {
    RawBvec {
        // SAFETY: host test; nothing is mapped.
        pfn: unsafe { Pfn::ram(pfn) },
        len,
        offset,
    }
}

fn walk(v: &Vecs, it: BvecIter) -> Vec<(u64, u32, u32, u64)> {
    // SAFETY: host test: the table is a bounds-checked Vec.
    unsafe { Segments::<_, true>::new(v, it) }
        .map(|s| (s.pfn.number(), s.offset, s.len, s.sector))
        .collect()
}

fn walk_bvecs(v: &Vecs, it: BvecIter) -> Vec<(u64, u32, u32, u64)> {
    // SAFETY: host test: the table is a bounds-checked Vec.
    unsafe { Segments::<_, false>::new(v, it) }
        .map(|s| (s.pfn.number(), s.offset, s.len, s.sector))
        .collect()
}

fn whole(v: &Vecs, sector: u64) -> BvecIter {
    BvecIter {
        sector,
        size: v.0.iter().map(|b| b.len).sum(),
        idx: 0,
        done: 0,
    }
}

#[test]
fn segments_single_pages() {
    let v = Vecs(vec![bv(7, 0, 4096), bv(3, 512, 1024)]);
    assert_eq!(
        walk(&v, whole(&v, 8)),
        [(7, 0, 4096, 8), (3, 512, 1024, 16)]
    );
}

#[test]
fn segments_split_multipage_bvec_per_page() {
    // 3 pages from offset 512 of the first: 3584 + 4096 + 4096 + 512 bytes.
    let v = Vecs(vec![bv(100, 512, 12288)]);
    assert_eq!(
        walk(&v, whole(&v, 0)),
        [
            (100, 512, 3584, 0),
            (101, 0, 4096, 7),
            (102, 0, 4096, 15),
            (103, 0, 512, 23)
        ]
    );
}

#[test]
fn bvecs_keep_multipage_vectors_whole() {
    let v = Vecs(vec![bv(100, 512, 12288), bv(7, 0, 4096)]);
    assert_eq!(
        walk_bvecs(&v, whole(&v, 0)),
        [(100, 512, 12288, 0), (7, 0, 4096, 24)]
    );
}

#[test]
fn bvecs_normalise_offset_and_start_mid_vector() {
    // Offset past the first page moves the frame on; a split bio starts
    // 5 KiB into vector 1 and stops after 6 KiB.
    let v = Vecs(vec![bv(1, 0, 4096), bv(50, 4096 + 1024, 16384)]);
    let it = BvecIter {
        sector: 1000,
        size: 6144,
        idx: 1,
        done: 5120,
    };
    assert_eq!(walk_bvecs(&v, it), [(52, 2048, 6144, 1000)]);
}

#[test]
fn segments_offset_beyond_first_page() {
    // Folio-style bvec whose offset is past the first page.
    let v = Vecs(vec![bv(100, 4096 + 1024, 4096)]);
    assert_eq!(
        walk(&v, whole(&v, 0)),
        [(101, 1024, 3072, 0), (102, 0, 1024, 6)]
    );
}

#[test]
fn segments_start_mid_vector_and_stop_at_size() {
    // A split/cloned bio: starts 1024 bytes into vector 1 and covers 6 KiB.
    let v = Vecs(vec![bv(1, 0, 4096), bv(50, 0, 8192), bv(60, 0, 4096)]);
    let it = BvecIter {
        sector: 1000,
        size: 6144,
        idx: 1,
        done: 1024,
    };
    assert_eq!(walk(&v, it), [(50, 1024, 3072, 1000), (51, 0, 3072, 1006)]);
}

#[test]
fn segments_skip_empty_vectors_and_total_equals_size() {
    let v = Vecs(vec![
        bv(1, 0, 0),
        bv(2, 0, 2048),
        bv(3, 0, 0),
        bv(4, 2048, 6144),
    ]);
    let it = whole(&v, 0);
    let segs = walk(&v, it);
    assert_eq!(segs, [(2, 0, 2048, 0), (4, 2048, 2048, 4), (5, 0, 4096, 8)]);
    assert_eq!(segs.iter().map(|s| s.2).sum::<u32>(), it.size);
}

#[test]
fn segments_empty_bio_yields_nothing() {
    let v = Vecs(vec![]);
    assert!(walk(&v, BvecIter::default()).is_empty());
}

#[test]
fn segments_device_flags_survive_split() {
    let v = Vecs(vec![RawBvec {
        pfn: Pfn::device(0x100000),
        len: 8192,
        offset: 0,
    }]);
    let segs: Vec<Segment> = unsafe { Segments::<_, true>::new(&v, whole(&v, 0)) }.collect();
    assert!(segs.iter().all(|s| s.pfn.is_device() && !s.pfn.has_page()));
    assert_eq!(segs[1].pfn.number(), 0x100001);
}

/// Random tables against a byte-by-byte reference model.
#[test]
fn segments_match_reference_model() {
    let mut seed = 0x9e3779b97f4a7c15u64;
    let mut rnd = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for _ in 0..2000 {
        let n = 1 + rnd(6) as usize;
        let vecs: Vec<RawBvec> = (0..n)
            .map(|i| {
                bv(
                    1000 * i as u64,
                    (rnd(16) * 512) as u32,
                    (rnd(40) * 512) as u32,
                )
            })
            .collect();
        let total: u32 = vecs.iter().map(|b| b.len).sum();
        // Reference: every 512-byte chunk's (pfn, offset) in order.
        let mut chunks = vec![];
        for b in &vecs {
            for k in (0..b.len).step_by(512) {
                let o = (b.offset + k) as u64;
                chunks.push((b.pfn.number() + o / 4096, (o % 4096) as u32));
            }
        }
        let skip = rnd(total as u64 / 512 + 1) as u32 * 512;
        // Start position after `skip` bytes, as bvec_iter_advance would.
        let (mut idx, mut left) = (0u32, skip);
        while idx < n as u32
            && left >= vecs[idx as usize].len
            && (left > 0 || vecs[idx as usize].len == 0)
        {
            left -= vecs[idx as usize].len;
            idx += 1;
        }
        let it = BvecIter {
            sector: 0,
            size: total - skip,
            idx,
            done: left,
        };
        let v = Vecs(vecs);
        let mut got = vec![];
        for s in unsafe { Segments::<_, true>::new(&v, it) } {
            assert!(s.offset as usize + s.len as usize <= PAGE_SIZE);
            for k in (0..s.len).step_by(512) {
                got.push((s.pfn.number(), s.offset + k));
            }
        }
        assert_eq!(got, chunks[(skip / 512) as usize..]);
        // Whole vectors: same bytes, at most one segment per vector, each
        // starting inside its first page.
        let mut got = vec![];
        let mut segs = 0;
        for s in unsafe { Segments::<_, false>::new(&v, it) } {
            assert!((s.offset as usize) < PAGE_SIZE);
            segs += 1;
            for k in (0..s.len).step_by(512) {
                let o = (s.offset + k) as u64;
                got.push((s.pfn.number() + o / 4096, (o % 4096) as u32));
            }
        }
        assert!(segs <= n);
        assert_eq!(got, chunks[(skip / 512) as usize..]);
    }
}

// ---- Namespace geometry -------------------------------------------------

#[test]
fn geometry_accepts_page_multiples_and_refuses_the_rest() {
    use crate::geometry::{check_namespace, GeometryError::*};
    assert_eq!(check_namespace(0x1_0000_0000, 0x1_3fff_ffff), Ok(1 << 30));
    assert_eq!(check_namespace(0x1000, 0x1fff), Ok(4096));
    assert_eq!(check_namespace(0x1000, 0x17ff), Err(TooSmall));
    assert_eq!(check_namespace(0x1000, 0x0fff), Err(TooSmall));
    assert_eq!(check_namespace(0x2000, 0x1000), Err(TooSmall));
    assert_eq!(check_namespace(0x1800, 0x37ff), Err(Misaligned));
    assert_eq!(check_namespace(0x1000, 0x2fff + 0x800), Err(Misaligned));
    assert_eq!(check_namespace(0, u64::MAX), Err(Misaligned));
}

// ---- RangeTable index ------------------------------------------------------

fn linear_lookup(t: &RangeTable, pfn: u64) -> Option<u64> {
    t.ranges()
        .iter()
        .find(|x| x.contains(pfn))
        .map(|x| x.start_pfn)
}

#[test]
fn indexed_lookup_agrees_with_a_linear_scan() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..40 {
        // Mixed layouts: dense small ranges, huge ranges far apart, a
        // cluster next to one distant range (a worst case for the index).
        let mut ranges = Vec::new();
        let mut at = rng.next() % 1000;
        let count = 1 + (rng.next() % 300) as usize;
        for i in 0..count {
            let len = match round % 3 {
                0 => 1 + rng.next() % 4,
                1 => 1 + rng.next() % (1 << 20),
                _ => {
                    if i + 1 == count {
                        1 << 30
                    } else {
                        1 + rng.next() % 8
                    }
                }
            };
            let gap = if round % 3 == 2 && i + 2 == count {
                1 << 40
            } else {
                rng.next() % 16
            };
            ranges.push(r(at, len));
            at += len + gap;
        }
        let t = table(&ranges);
        let end = at + 10;
        for _ in 0..2000 {
            let pfn = rng.next() % end;
            assert_eq!(
                t.lookup(pfn).map(|x| x.start_pfn),
                linear_lookup(&t, pfn),
                "round {round} pfn {pfn}"
            );
        }
        for x in &ranges {
            for pfn in [x.start_pfn, x.end_pfn() - 1] {
                assert_eq!(t.lookup(pfn).map(|y| y.start_pfn), Some(x.start_pfn));
            }
            assert_eq!(
                t.lookup(x.end_pfn()).map(|y| y.start_pfn),
                linear_lookup(&t, x.end_pfn())
            );
        }
        // Removing ranges keeps the index right.
        let mut t = t;
        for x in ranges.iter().step_by(3) {
            let mut n = Box::new(RangeTable::new());
            t.without(x.start_pfn, &mut n).unwrap();
            t = n;
            assert!(t.lookup(x.start_pfn).is_none());
        }
        for _ in 0..500 {
            let pfn = rng.next() % end;
            assert_eq!(t.lookup(pfn).map(|x| x.start_pfn), linear_lookup(&t, pfn));
        }
    }
}

#[test]
fn the_unchecked_candidate_is_right_when_it_holds_the_frame() {
    // kmap's fast path trusts the candidate whenever it holds the frame,
    // for any frame at all (past a cluster's slots, below its start, far
    // above every range), and falls back to lookup otherwise.
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let far = [r(10, 3), r(1 << 20, 5), r(1 << 40, 1), r((1 << 40) + 9, 2)];
    let dense: Vec<_> = (0..1024).map(|i| r(0x1000 + 2 * i, 1)).collect();
    for ranges in [&far[..], &dense[..]] {
        let t = table(ranges);
        let mut pfns: Vec<u64> = (0..20000).map(|_| rng.next() % (1 << 41)).collect();
        pfns.extend((0..2000).map(|_| rng.next() >> 4));
        pfns.extend(
            ranges
                .iter()
                .flat_map(|x| [x.start_pfn, x.end_pfn() - 1, x.end_pfn()]),
        );
        for pfn in pfns {
            let c = t.candidate(pfn);
            if c.contains(pfn) {
                assert_eq!(Some(c.start_pfn), linear_lookup(&t, pfn), "pfn {pfn}");
            }
            assert_eq!(t.lookup(pfn).map(|x| x.start_pfn), linear_lookup(&t, pfn));
        }
        // Every frame of the dense layout is found on the fast path.
        if ranges.len() == dense.len() {
            for x in ranges {
                assert!(t.candidate(x.start_pfn).contains(x.start_pfn));
            }
        }
    }
}

#[test]
fn holds_span_agrees_with_checked_arithmetic() {
    // kmap's one-comparison bounds check against the obvious one.
    fn address_of(x: &DevRange, pfn: u64, offset: usize, len: usize) -> Option<usize> {
        x.holds_span(pfn, offset, len)
            .then(|| x.address_at(pfn, offset))
    }
    fn reference(x: &DevRange, pfn: u64, offset: usize, len: usize) -> Option<usize> {
        if !x.contains(pfn) {
            return None;
        }
        let first = ((pfn - x.start_pfn) << 12).checked_add(offset as u64)?;
        (first.checked_add(len as u64)? <= x.nr_pages << 12).then(|| x.base + first as usize)
    }
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let high = DevRange {
        start_pfn: PFN_LIMIT - 3,
        nr_pages: 3,
        base: 0x1000,
    };
    let ranges = [r(100, 10), r(0, 1), r(1 << 40, 1 << 20), high];
    let edges = [
        0,
        1,
        63,
        64,
        4095,
        4096,
        4097,
        8192,
        usize::MAX - 4095,
        usize::MAX,
    ];
    for x in &ranges {
        let pfns = [
            x.start_pfn.wrapping_sub(1),
            x.start_pfn,
            x.start_pfn + 1,
            x.end_pfn() - 1,
            x.end_pfn(),
            x.end_pfn() + 1,
            u64::MAX,
            0,
        ];
        for pfn in pfns {
            for offset in edges {
                for len in edges {
                    assert_eq!(
                        address_of(x, pfn, offset, len),
                        reference(x, pfn, offset, len),
                        "{x:?} pfn {pfn} offset {offset} len {len}"
                    );
                }
            }
        }
        for _ in 0..100_000 {
            let pfn = x
                .start_pfn
                .wrapping_add(rng.next() % (x.nr_pages + 4))
                .wrapping_sub(2);
            let offset = (rng.next() % (8 * 4096)) as usize;
            let len = (rng.next() % (8 * 4096)) as usize;
            assert_eq!(
                address_of(x, pfn, offset, len),
                reference(x, pfn, offset, len)
            );
        }
    }
}

#[test]
fn a_full_table_of_one_page_ranges_is_indexed() {
    let ranges: Vec<_> = (0..MAX_RANGES as u64)
        .map(|i| r(0x100000 + 2 * i, 1))
        .collect();
    let t = table(&ranges);
    assert_eq!(t.len(), MAX_RANGES);
    for i in 0..MAX_RANGES as u64 {
        assert_eq!(
            t.lookup(0x100000 + 2 * i).map(|x| x.start_pfn),
            Some(0x100000 + 2 * i)
        );
        assert!(t.lookup(0x100000 + 2 * i + 1).is_none());
    }
}

#[test]
fn a_short_span_is_one_cluster() {
    // The micro-benchmark's fake ranges alone (nd_pmem holds the
    // namespaces): 8 or 64 one-page ranges every other frame. Cutting at
    // every one-frame gap would make a lookup walk eight clusters.
    for n in [2u64, 8, 64, 1024] {
        let ranges: Vec<_> = (0..n).map(|i| r((1 << 36) + 2 * i, 1)).collect();
        let t = table(&ranges);
        assert_eq!(t.last_cluster(), 0, "{n} ranges");
        for x in &ranges {
            assert_eq!(
                t.lookup(x.start_pfn).map(|y| y.start_pfn),
                Some(x.start_pfn)
            );
            assert!(t.lookup(x.start_pfn + 1).is_none());
        }
    }
}

#[test]
fn the_kmap_bench_layout_is_indexed() {
    // Three 1 GiB namespaces at 4 GiB, then 1024 one-page fake ranges at
    // 2^36 (the micro-benchmark's layout: two clusters far apart).
    let mut ranges: Vec<_> = (0..3u64)
        .map(|i| r(0x100000 + i * 0x40000, 0x40000))
        .collect();
    ranges.extend((0..1024u64).map(|i| r((1 << 36) + 2 * i, 1)));
    let t = table(&ranges);
    for x in &ranges {
        assert_eq!(
            t.lookup(x.start_pfn).map(|y| y.start_pfn),
            Some(x.start_pfn)
        );
        assert_eq!(
            t.lookup(x.end_pfn() - 1).map(|y| y.start_pfn),
            Some(x.start_pfn)
        );
    }
    for pfn in [
        0,
        0xfffff,
        0x1c0000,
        (1 << 36) - 1,
        (1 << 36) + 1,
        (1 << 36) + 2048,
        u64::MAX,
    ] {
        assert!(t.lookup(pfn).is_none(), "pfn {pfn:#x}");
    }
}

#[test]
fn ranges_whose_bytes_overflow_are_refused() {
    use crate::range_table::PFN_LIMIT;
    let t = table(&[r(100, 10)]);
    let mut out = Box::new(RangeTable::new());
    assert_eq!(
        t.with(r(PFN_LIMIT - 1, 2), &mut out),
        Err(RangeError::TooHigh)
    );
    assert!(t.with(r(PFN_LIMIT - 2, 2), &mut out).is_err()); // base wraps
    let high = DevRange {
        start_pfn: 1 << 30,
        nr_pages: 16,
        base: usize::MAX - 4096,
    };
    assert_eq!(t.with(high, &mut out), Err(RangeError::TooHigh));
    let ok = DevRange {
        start_pfn: PFN_LIMIT - 1,
        nr_pages: 1,
        base: 0x1000,
    };
    assert!(t.with(ok, &mut out).is_ok());
    assert_eq!(out.lookup(PFN_LIMIT - 1).map(|x| x.base), Some(0x1000));
    let at_zero = DevRange { base: 0, ..ok };
    assert_eq!(t.with(at_zero, &mut out), Err(RangeError::TooHigh));
}

#[test]
fn a_reused_table_keeps_no_stale_range() {
    // A table that held many ranges is reused for a smaller one: ranges
    // past the new length must never be found (the fast path reads the
    // range an index entry names without checking the length).
    let big: Vec<_> = (0..600u64).map(|i| r(1000 + 3 * i, 2)).collect();
    let mut out = table(&big);
    let small = table(&[r(1000, 2), r(5000, 2)]);
    small.without(5000, &mut out).unwrap();
    assert_eq!(out.len(), 1);
    for pfn in 0..4000u64 {
        let want = (1000..1002).contains(&pfn).then_some(1000);
        assert_eq!(out.lookup(pfn).map(|x| x.start_pfn), want, "pfn {pfn}");
    }
    let mut again = table(&big);
    RangeTable::new().with(r(7, 1), &mut again).unwrap();
    assert_eq!(again.len(), 1);
    for x in &big {
        assert!(again.lookup(x.start_pfn).is_none());
    }
}

#[test]
fn every_frame_of_the_kmap_bench_windows_is_answered_right() {
    // The benchmark's layout at 1, 64 and 1024 ranges, beside three disks:
    // every frame of the window, ranges and gaps, against a linear scan.
    for n in [1u64, 64, 1024] {
        let mut ranges: Vec<_> = (0..3u64)
            .map(|i| r(0x100000 + i * 0x40000, 0x40000))
            .collect();
        ranges.extend((0..n).map(|i| r((1 << 36) + 2 * i, 1)));
        let t = table(&ranges);
        for pfn in (1u64 << 36) - 4..(1 << 36) + 2 * n + 4 {
            assert_eq!(t.lookup(pfn).map(|x| x.start_pfn), linear_lookup(&t, pfn));
        }
    }
}
