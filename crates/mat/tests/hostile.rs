//! Hostile and broken input: truncations at every length, lying sizes, zlib bombs. Each
//! must be a typed error, never a panic, and never an allocation out of proportion to the
//! input (measured with a per-thread counting allocator).

mod writer;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;

use writer::*;
use zukan_mat::{Corruption, Location, MatError, ReadOptions};

struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.try_with(|live| {
            live.set(live.get() + layout.size());
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
        });
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(layout.size())));
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the peak number of bytes it had allocated at once.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    (out, PEAK.with(Cell::get) - base)
}

fn real(rel: &str) -> Vec<u8> {
    let path = format!("{}/../../../shared/real/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Reads every prefix of `bytes`: it must be `Ok` exactly at the element boundaries listed
/// (a shorter, still valid file), and otherwise an error located inside the prefix.
fn every_prefix(bytes: &[u8], boundaries: &[usize]) {
    for len in 0..bytes.len() {
        let names = std::panic::catch_unwind(|| zukan_mat::variable_names(&bytes[..len]));
        assert!(
            names.is_ok(),
            "variable_names panicked at prefix length {len}"
        );
        let result = std::panic::catch_unwind(|| zukan_mat::read(&bytes[..len]));
        let result = result.unwrap_or_else(|_| panic!("panic at prefix length {len}"));
        match result {
            Ok(_) => assert!(
                boundaries.contains(&len),
                "prefix {len} read as a whole file"
            ),
            Err(e) => {
                assert!(!boundaries.contains(&len), "prefix {len}: {e}");
                if let Some(Location::File(at)) = e.location() {
                    assert!(at <= len, "prefix {len}: error located at {at}");
                }
            }
        }
    }
}

#[test]
fn truncated_at_every_length_is_an_error_never_a_panic() {
    // A real scipy file (one compressed struct, 1044 bytes).
    every_prefix(&real("imdb-wiki/wiki_sample.mat"), &[128]);
    // A hand-made uncompressed file with a struct, cells, text and numbers, both orders.
    for enc in [LE, BE] {
        let st = enc.structure(
            &[1, 2],
            "s",
            &["name", "box"],
            &[
                enc.text("", "Jauhojärvi"),
                enc.numeric(DOUBLE, &[1, 4], "", MI_UINT16, &[1u16, 2, 300, 400]),
                enc.cell(
                    &[1, 1],
                    "",
                    &[enc.matrix(
                        CHAR,
                        0,
                        &[1, 2],
                        "",
                        &[enc.element(MI_UINT16, &enc.utf16("ab"))],
                    )],
                ),
                enc.numeric(INT64, &[1, 1], "", MI_INT64, &[-1i64]),
            ],
        );
        let n = enc.numeric(INT32, &[1, 1], "n", MI_INT32, &[7i32]);
        let boundaries = [128, 128 + st.len(), 128 + st.len() + n.len()];
        every_prefix(&file(enc, &[st, n]), &boundaries[..2]);
    }
}

#[test]
fn lying_sizes_fail_without_allocating() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        // A top-level element declaring 2^31 bytes in a tiny file.
        ("element of 2^31 bytes", {
            let mut e = LE.num(MI_MATRIX);
            e.extend(LE.num(1u32 << 31));
            e.extend([0u8; 16]);
            file(LE, &[e])
        }),
        // A cell claiming 2^30 x 2^30 elements.
        (
            "huge cell",
            file(LE, &[LE.cell(&[1 << 30, 1 << 30], "c", &[])]),
        ),
        // A cell claiming 65536 x 65536 elements (no overflow, just not there).
        ("big cell", file(LE, &[LE.cell(&[65536, 65536], "c", &[])])),
        // A double array claiming 2^31 x 2^31 elements with 8 bytes of data.
        (
            "huge numeric",
            file(
                LE,
                &[LE.numeric(DOUBLE, &[i32::MAX, i32::MAX], "d", MI_DOUBLE, &[1.0f64])],
            ),
        ),
        // A struct array whose elements x fields overflows.
        (
            "huge struct",
            file(
                LE,
                &[LE.structure(&[i32::MAX, i32::MAX], "s", &["a", "b", "c"], &[])],
            ),
        ),
        // A 64-dimension array of 1024s.
        ("many dims", file(LE, &[LE.cell(&[1024; 64], "c", &[])])),
        // A compressed element whose inner tag declares 2^31 bytes.
        ("compressed inner 2^31", {
            let mut inner = LE.num(MI_MATRIX);
            inner.extend(LE.num(1u32 << 31));
            inner.extend([0u8; 64]);
            file(LE, &[compressed(LE, &inner)])
        }),
    ];
    for (what, bytes) in cases {
        let (result, peak) = peak_during(|| zukan_mat::read(&bytes));
        let err = result.expect_err(what);
        assert!(
            peak < (2 << 20) + 64 * bytes.len(),
            "{what}: {peak} bytes allocated ({err})"
        );
        assert!(err.location().is_some(), "{what}: {err}");
    }
}

#[test]
fn zlib_bomb_is_capped() {
    // 256 MiB of zeros after a valid tag, compressed to ~250 KB.
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let mut head = LE.num(MI_MATRIX);
    head.extend(LE.num(256u32 << 20));
    z.write_all(&head).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..256 {
        z.write_all(&zeros).unwrap();
    }
    let packed = z.finish().unwrap();
    drop(zeros);
    let mut element = LE.num(MI_COMPRESSED);
    element.extend(LE.num(packed.len() as u32));
    element.extend(&packed);
    let bytes = file(LE, &[element]);
    let limit = bytes.len() * 64 + (1 << 20);
    let (result, peak) = peak_during(|| zukan_mat::read(&bytes));
    assert_eq!(
        result,
        Err(MatError::DecompressionLimit {
            element: 128,
            limit
        })
    );
    assert!(
        peak <= limit + (1 << 20),
        "{peak} bytes allocated for a limit of {limit}"
    );
    // With the bound lifted, the same bytes inflate (and then fail as a bogus matrix).
    let options = ReadOptions {
        max_inflate_ratio: 1100,
        ..ReadOptions::default()
    };
    let err = zukan_mat::read_with(&bytes, &options).unwrap_err();
    assert!(matches!(err, MatError::Corrupt { .. }), "{err}");
}

#[test]
fn corrupt_zlib_and_truncated_zlib() {
    let inner = LE.text("t", "hello hello hello");
    let good = compressed(LE, &inner);
    // Flip a byte in the deflate data.
    let mut flipped = good.clone();
    flipped[12] ^= 0xff;
    let err = zukan_mat::read(&file(LE, &[flipped])).unwrap_err();
    assert!(
        matches!(
            err,
            MatError::Corrupt {
                at: Location::File(128),
                what: Corruption::Zlib(_)
            } | MatError::Truncated { .. }
        ),
        "{err}"
    );
    // Cut the stream but fix the element size so the element itself is complete.
    let mut cut = good[..good.len() - 6].to_vec();
    let size = (cut.len() - 8) as u32;
    cut[4..8].copy_from_slice(&size.to_le_bytes());
    let err = zukan_mat::read(&file(LE, &[cut])).unwrap_err();
    assert!(
        matches!(
            err,
            MatError::Truncated {
                at: Location::File(128),
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn malformed_subelements() {
    fn check(element: Vec<u8>, expected: &str) {
        let err = zukan_mat::read(&file(LE, &[element])).unwrap_err();
        assert!(
            err.to_string().contains(expected),
            "{err} does not contain {expected}"
        );
    }
    // Flags as miDOUBLE.
    let mut e = LE.text("t", "x");
    e[8] = MI_DOUBLE as u8;
    check(e, "array flags: unexpected data type 9");
    // One dimension.
    check(
        LE.matrix(DOUBLE, 0, &[3], "d", &[]),
        "1 dimensions (at least 2 required)",
    );
    // A negative dimension.
    check(
        LE.matrix(DOUBLE, 0, &[-1, 2], "d", &[]),
        "negative dimension -1",
    );
    // A small element declaring 5 bytes.
    let mut e = LE.text("t", "x");
    e[40..44].copy_from_slice(&((5u32 << 16) | MI_INT8).to_le_bytes());
    check(e, "small data element declares 5 bytes");
    // A cell element that is not a miMATRIX.
    check(
        LE.cell(&[1, 1], "c", &[LE.element(MI_DOUBLE, &LE.num(1.0f64))]),
        "expected a miMATRIX element (14), found data type 9",
    );
    // Invalid UTF-8 text.
    check(
        LE.matrix(CHAR, 0, &[1, 2], "s", &[LE.element(MI_UTF8, b"\xff\xfe")]),
        "not valid UTF-8",
    );
    // Char stored as double.
    check(
        LE.matrix(
            CHAR,
            0,
            &[1, 1],
            "s",
            &[LE.element(MI_DOUBLE, &LE.num(65.0f64))],
        ),
        "char data: unexpected data type 9",
    );
    // Struct field names with a zero slot length.
    let mut parts = vec![
        LE.small(MI_INT32, &LE.num(0i32)),
        LE.element(MI_INT8, b"abcd"),
    ];
    parts.push(LE.text("", "x"));
    check(
        LE.matrix(STRUCT, 0, &[1, 1], "s", &parts),
        "struct field names are malformed",
    );
    // Trailing garbage shorter than a tag.
    let mut bytes = file(LE, &[LE.text("t", "x")]);
    bytes.extend([1, 2, 3]);
    let err = zukan_mat::read(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            MatError::Truncated {
                at: Location::File(192),
                ..
            }
        ),
        "{err}"
    );
}

/// Fault pinned: the inflate bound was per element (64x its size + 1 MiB), so in a file of
/// many small compressed cells of empty elements each could claim the 1 MiB slack, and each
/// inflated byte became ~9 bytes of `Value`: 20 such 4 KB elements (800 KB inflated each)
/// held ~150 MB. With one budget for the file (64 x 87 KB + 1 MiB, about 6.6 MB inflated)
/// the values stay near 60 MB and the read stops.
#[test]
fn many_small_bombs_share_one_inflation_budget() {
    let empties = vec![LE.element(MI_MATRIX, &[]); 100_000];
    let cell = compressed(LE, &LE.cell(&[1, 100_000], "c", &empties));
    assert!(cell.len() < 8192, "{}", cell.len());
    let bytes = file(LE, &vec![cell; 20]);
    let (result, peak) = peak_during(|| zukan_mat::read(&bytes));
    assert!(
        matches!(result, Err(MatError::DecompressionLimit { .. })),
        "{result:?}"
    );
    assert!(peak < 100 << 20, "{peak} bytes allocated");
}

/// Fault pinned: struct field names were allocated before anything bounded their count, so
/// a field-name slot (FieldNameLength) of 1 byte made every inflated byte a 24-byte
/// `String` (about 56 bytes of RSS): `python3 /tmp/audit3/bomb.py 60000000 a y.mat 1000000`
/// wrote a 1.06 MB file whose 60 MB of names inflated within the budget and read at 3.3 GB.
/// Here 4 Mi names behind 64 KiB of uncompressed padding, so they too inflate within the
/// budget: as a 1x1 struct (its values could not fit) and as a 0x0 struct array (no values).
#[test]
fn one_byte_field_name_slots_cannot_multiply_memory() {
    const NAMES: usize = 4 << 20;
    let names = [
        LE.small(MI_INT32, &LE.num(1i32)),
        LE.element(MI_INT8, &vec![b'a'; NAMES]),
    ];
    let padding = LE.numeric(UINT8, &[1, 64 << 10], "p", MI_UINT8, &vec![7u8; 64 << 10]);
    let one_by_one = compressed(LE, &LE.matrix(STRUCT, 0, &[1, 1], "s", &names));
    let empty = compressed(LE, &LE.matrix(STRUCT, 0, &[0, 0], "s", &names));
    for (what, element) in [("1x1", one_by_one), ("0x0", empty)] {
        let bytes = file(LE, &[padding.clone(), element]);
        let budget = 64 * bytes.len() + (1 << 20);
        assert!(
            NAMES + 1024 < budget,
            "{what}: the names must inflate within the budget"
        );
        let (result, peak) = peak_during(|| zukan_mat::read(&bytes));
        let err = result.expect_err(what);
        assert!(peak < budget, "{what}: {peak} bytes allocated ({err})");
        let padded = 128 + padding.len();
        let at = Location::Compressed {
            element: padded,
            offset: 56,
        };
        let expected = if what == "1x1" {
            // The field names of a struct with elements are bounded by their values' tags.
            MatError::Corrupt {
                at,
                what: Corruption::TooManyElements {
                    count: NAMES,
                    bytes_left: 0,
                },
            }
        } else {
            // The names of an empty struct array are charged to the file's budget.
            MatError::FieldNamesLimit {
                at,
                count: NAMES,
                limit: budget - (NAMES + 64),
            }
        };
        assert_eq!(err, expected, "{what}");
    }
}
