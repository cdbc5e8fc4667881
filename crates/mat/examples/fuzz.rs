//! A mutation fuzzer for `zukan_mat::read`, on stable Rust (cargo-fuzz needs nightly).
//!
//! Seeds are the real `.mat` files in `shared/real/` plus the doc example, each also in an
//! uncompressed form (every miCOMPRESSED variable inflated in place) so that mutations hit
//! the miMATRIX parser directly, and each of those also byte-swapped to big-endian (every
//! element re-encoded, compressed ones inflated, swapped and recompressed; each must read
//! to the same values as its little-endian original). Each iteration applies 1-4 mutations: bit flips, byte sets,
//! truncations, insertions, deletions, splices, corrupted size/type fields at 8-aligned
//! offsets (where tags are), and, for compressed seeds, mutations of one element's
//! *decompressed* payload which is then recompressed, so they reach inside miCOMPRESSED.
//! Every input, the seeds first, runs under `catch_unwind`, with a counting allocator that
//! flags any input whose peak allocation is out of proportion to its size.
//!
//! ```text
//! cargo run --release -p zukan-mat --example fuzz -- SECONDS [SEED] [OUT_DIR] [EXTRA_SEED...]
//! ```
//! Panicking or over-allocating inputs are saved to OUT_DIR (default /tmp/zukan-mat-fuzz).
//! EXTRA_SEED files (e.g. a saved failing input, to replay it) join the seeds as they are.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a command-line tool

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Counts live bytes and their peak, so a fuzz input that makes the reader allocate far
/// more than its size is caught even when it does not crash.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const INTERESTING_U32: [u32; 12] = [
    0,
    1,
    4,
    5,
    7,
    8,
    9,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x0004_0005,
    0x0008_0001,
];

/// A seed file, with its compressed top-level elements located: (tag offset, data range).
struct Seed {
    name: String,
    bytes: Vec<u8>,
    /// Big-endian (`MI`): tags are read and written in that order.
    big: bool,
    compressed: Vec<(usize, std::ops::Range<usize>)>,
}

/// A u32 of a file in the given byte order.
fn u32_of(big: bool, b: &[u8]) -> u32 {
    let b = [b[0], b[1], b[2], b[3]];
    if big {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    }
}

fn u32_bytes(big: bool, v: u32) -> [u8; 4] {
    if big {
        v.to_be_bytes()
    } else {
        v.to_le_bytes()
    }
}

fn top_level_elements(bytes: &[u8], big: bool) -> Vec<(usize, u32, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut pos = 128;
    while let Some(tag) = bytes.get(pos..pos + 8) {
        let ty = u32_of(big, &tag[..4]);
        let size = u32_of(big, &tag[4..]) as usize;
        let data = pos + 8..pos + 8 + size;
        if data.end > bytes.len() {
            break;
        }
        out.push((pos, ty, data.clone()));
        pos = if ty == 15 {
            data.end
        } else {
            pos + 8 + size.next_multiple_of(8)
        };
    }
    out
}

fn inflate(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("writing to a Vec");
    e.finish().expect("writing to a Vec")
}

/// The same (little-endian) file with every compressed variable stored uncompressed.
fn uncompressed_form(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = bytes.get(..128)?.to_vec();
    for (_, ty, data) in top_level_elements(bytes, false) {
        if ty == 15 {
            let mut inner = inflate(&bytes[data])?;
            inner.resize(inner.len().next_multiple_of(8), 0);
            out.extend_from_slice(&inner);
        } else {
            let start = data.start - 8;
            out.extend_from_slice(&bytes[start..data.end]);
            out.resize(out.len().next_multiple_of(8), 0);
        }
    }
    Some(out)
}

/// Bytes per value of a MAT data type, for byte-swapping (miUTF8 and the int8 of names
/// are single bytes); `None` for miMATRIX, miCOMPRESSED and types the format does not define.
fn value_width(ty: u32) -> Option<usize> {
    match ty {
        1 | 2 | 16 => Some(1),
        3 | 4 | 17 => Some(2),
        5 | 6 | 7 | 18 => Some(4),
        9 | 12 | 13 => Some(8),
        _ => None,
    }
}

/// A little-endian sequence of data elements re-encoded big-endian: tags (small ones too),
/// every value by its width, miMATRIX contents recursively, miCOMPRESSED inflated, swapped
/// and recompressed. `None` if `le` is not a well-formed element sequence.
fn elements_to_big_endian(le: &[u8]) -> Option<Vec<u8>> {
    let swap = |ty: u32, data: &[u8]| -> Option<Vec<u8>> {
        let w = value_width(ty)?;
        data.len().is_multiple_of(w).then(|| {
            data.chunks(w)
                .flat_map(|c| c.iter().rev().copied())
                .collect()
        })
    };
    let mut out = Vec::with_capacity(le.len());
    let mut pos = 0;
    while pos < le.len() {
        let tag = le.get(pos..pos + 8)?;
        let first = u32_of(false, &tag[..4]);
        if first >> 16 != 0 {
            // Small element: (size << 16) | type as one u32, then up to 4 data bytes.
            let size = (first >> 16) as usize;
            out.extend(first.to_be_bytes());
            out.extend(swap(first & 0xffff, tag.get(4..4 + size)?)?);
            out.resize(out.len() + 4 - size, 0);
            pos += 8;
            continue;
        }
        let size = u32_of(false, &tag[4..]) as usize;
        let data = le.get(pos + 8..pos + 8 + size)?;
        let body = match first {
            14 => elements_to_big_endian(data)?,
            15 => deflate(&elements_to_big_endian(&inflate(data)?)?),
            ty => swap(ty, data)?,
        };
        out.extend(first.to_be_bytes());
        out.extend((body.len() as u32).to_be_bytes());
        out.extend(&body);
        if first == 15 {
            // miCOMPRESSED elements are not padded.
            pos += 8 + size;
        } else {
            out.resize(out.len() + (8 - body.len() % 8) % 8, 0);
            pos += 8 + size.next_multiple_of(8);
        }
    }
    Some(out)
}

/// A little-endian MAT file as MATLAB would write it on a big-endian machine.
fn big_endian_form(le: &[u8]) -> Option<Vec<u8>> {
    let mut out = le.get(..124)?.to_vec();
    out.extend(0x0100u16.to_be_bytes());
    out.extend(b"MI");
    out.extend(elements_to_big_endian(le.get(128..)?)?);
    Some(out)
}

fn load_seeds(extra: &[String]) -> Vec<Seed> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/real/");
    let files = [
        "widerface/wider_face_split/wider_face_val.mat",
        "widerface/wider_face_split/wider_face_test.mat",
        "widerface/eval_tools_ground_truth/wider_easy_val.mat",
        "widerface/eval_tools_ground_truth/wider_medium_val.mat",
        "widerface/eval_tools_ground_truth/wider_hard_val.mat",
        "flowers102/imagelabels.mat",
        "flowers102/setid.mat",
        "imdb-wiki/wiki_sample.mat",
    ];
    let mut seeds = Vec::new();
    let mut add = |name: String, bytes: Vec<u8>| {
        let big = bytes.get(126..128) == Some(b"MI");
        let compressed = top_level_elements(&bytes, big)
            .into_iter()
            .filter(|(_, ty, _)| *ty == 15)
            .map(|(at, _, r)| (at, r))
            .collect();
        seeds.push(Seed {
            name,
            bytes,
            big,
            compressed,
        });
    };
    let example = include_bytes!("../tests/data/example.mat").to_vec();
    let mut all: Vec<(String, Vec<u8>)> = vec![("example.mat".into(), example)];
    for f in files {
        match std::fs::read(format!("{root}{f}")) {
            Ok(b) => all.push((f.to_string(), b)),
            Err(e) => eprintln!("skipping seed {f}: {e}"),
        }
    }
    for (name, bytes) in all {
        let plain = uncompressed_form(&bytes);
        for (form, le) in [("", Some(bytes)), (" (uncompressed)", plain)] {
            let Some(le) = le else { continue };
            match big_endian_form(&le) {
                Some(be) => {
                    // Compared through Debug, where NaN (IMDB-WIKI's gender) equals NaN.
                    let values =
                        |b: &[u8]| format!("{:?}", zukan_mat::read(b).map(|f| f.variables));
                    let same = values(&le) == values(&be);
                    let note = if same { "" } else { ", READS DIFFERENTLY" };
                    add(format!("{name}{form} (big-endian{note})"), be);
                }
                None => eprintln!("no big-endian form of {name}{form}"),
            }
            add(format!("{name}{form}"), le);
        }
    }
    for path in extra {
        match std::fs::read(path) {
            Ok(b) => add(format!("{path} (extra)"), b),
            Err(e) => eprintln!("skipping extra seed {path}: {e}"),
        }
    }
    seeds
}

fn mutate_bytes(rng: &mut Rng, buf: &mut Vec<u8>, donor: &[u8], big: bool) {
    if buf.is_empty() {
        buf.extend_from_slice(&donor[..donor.len().min(64)]);
        return;
    }
    let len = buf.len();
    match rng.below(9) {
        0 => {
            let i = rng.below(len);
            buf[i] ^= 1 << rng.below(8);
        }
        1 => {
            let i = rng.below(len);
            buf[i] = [0, 0xff, 0x7f, 0x80, 1, 8, 15, 14][rng.below(8)];
        }
        2 => buf.truncate(rng.below(len)),
        3 => {
            let i = rng.below(len);
            let n = 1 + rng.below(16);
            let end = (i + n).min(len);
            buf.drain(i..end);
        }
        4 => {
            let i = rng.below(len + 1);
            let n = 1 + rng.below(16);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            buf.splice(i..i, bytes);
        }
        5 | 6 => {
            // A tag's size or type at an 8-aligned offset.
            let tag = rng.below(len / 8 + 1) * 8 + if rng.below(2) == 0 { 4 } else { 0 };
            let v = if rng.below(3) == 0 {
                let old = buf.get(tag..tag + 4).map_or(0, |b| u32_of(big, b));
                old.wrapping_add(rng.below(33) as u32).wrapping_sub(16)
            } else {
                INTERESTING_U32[rng.below(INTERESTING_U32.len())]
            };
            for (k, b) in u32_bytes(big, v).into_iter().enumerate() {
                if let Some(slot) = buf.get_mut(tag + k) {
                    *slot = b;
                }
            }
        }
        7 => {
            // Splice a chunk of the donor in place.
            if donor.is_empty() {
                return;
            }
            let from = rng.below(donor.len());
            let n = (1 + rng.below(256)).min(donor.len() - from);
            let to = rng.below(len);
            let end = (to + n).min(len);
            buf.splice(to..end, donor[from..from + n].iter().copied());
        }
        _ => {
            // Duplicate a chunk (repeats elements, shifts alignment).
            let from = rng.below(len);
            let n = (1 + rng.below(64)).min(len - from);
            let chunk = buf[from..from + n].to_vec();
            let to = rng.below(len + 1);
            buf.splice(to..to, chunk);
        }
    }
}

fn mutate(rng: &mut Rng, seeds: &[Seed]) -> Vec<u8> {
    let seed = &seeds[rng.below(seeds.len())];
    let donor = &seeds[rng.below(seeds.len())].bytes;
    let mut buf = seed.bytes.clone();
    if !seed.compressed.is_empty() && rng.below(2) == 0 {
        // Mutate inside one compressed element, then recompress and rewrite its tag.
        let (at, range) = &seed.compressed[rng.below(seed.compressed.len())];
        if let Some(mut inner) = inflate(&seed.bytes[range.clone()]) {
            for _ in 0..1 + rng.below(4) {
                mutate_bytes(rng, &mut inner, donor, seed.big);
            }
            let packed = deflate(&inner);
            let mut tag = u32_bytes(seed.big, 15).to_vec();
            tag.extend_from_slice(&u32_bytes(seed.big, packed.len() as u32));
            tag.extend_from_slice(&packed);
            buf.splice(*at..range.end, tag);
            return buf;
        }
    }
    for _ in 0..1 + rng.below(4) {
        mutate_bytes(rng, &mut buf, donor, seed.big);
    }
    buf
}

/// What reading one input did: `None` if it panicked, else whether it read; and the peak
/// bytes allocated meanwhile.
fn run_one(input: &[u8]) -> (Option<bool>, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let result = catch_unwind(AssertUnwindSafe(|| {
        let _ = zukan_mat::variable_names(input);
        zukan_mat::read(input).is_ok()
    }));
    (
        result.ok(),
        PEAK.load(Ordering::Relaxed).saturating_sub(base),
    )
}

/// The most an input may make the reader allocate. Values cost at most ~9 bytes per input
/// (or inflated) byte, field names are charged to the inflation budget (64x + 1 MiB), plus
/// the inflated buffer's parse: anything beyond this is a bug. The H4 bomb (1.06 MB read at
/// 3.3 GB through one-byte field names) is 15 times over it.
fn allowed(input: &[u8]) -> usize {
    input.len().saturating_mul(200) + (4 << 20)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_abcd_0001);
    let out_dir = args
        .get(3)
        .cloned()
        .unwrap_or_else(|| "/tmp/zukan-mat-fuzz".to_string());
    std::fs::create_dir_all(&out_dir).expect("creating the output directory");
    let seeds = load_seeds(args.get(4..).unwrap_or(&[]));
    std::panic::set_hook(Box::new(|_| {}));
    let (mut iterations, mut oks, mut panics, mut blowups) = (0u64, 0u64, 0u64, 0u64);
    for s in &seeds {
        let (result, used) = run_one(&s.bytes);
        let verdict = match result {
            None => {
                panics += 1;
                "PANICS"
            }
            Some(_) if used > allowed(&s.bytes) => {
                blowups += 1;
                "OVER-ALLOCATES"
            }
            Some(true) => "reads",
            Some(false) => "ERROR",
        };
        println!(
            "seed {} ({} bytes): {verdict}, peak {used} bytes allocated",
            s.name,
            s.bytes.len()
        );
    }
    let mut rng = Rng(seed | 1);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut worst_ratio = 0.0f64;
    while Instant::now() < deadline {
        for _ in 0..64 {
            let input = mutate(&mut rng, &seeds);
            let (result, used) = run_one(&input);
            iterations += 1;
            if input.len() >= 64 << 10 {
                // Small inputs are dominated by the fixed 1 MiB inflate slack.
                worst_ratio = worst_ratio.max(used as f64 / input.len() as f64);
            }
            let verdict = match result {
                Some(true) => {
                    oks += 1;
                    None
                }
                Some(false) => None,
                None => {
                    panics += 1;
                    Some("panic")
                }
            };
            let verdict = verdict.or((used > allowed(&input)).then(|| {
                blowups += 1;
                "alloc"
            }));
            if let Some(kind) = verdict {
                let path = format!("{out_dir}/{kind}-{iterations}.mat");
                std::fs::write(&path, &input).expect("saving the failing input");
                eprintln!("{kind}: input saved to {path} ({used} bytes allocated)");
            }
        }
    }
    println!(
        "{iterations} iterations in {seconds} s (seed {seed}): {oks} read fine, {panics} panics, \
         {blowups} over-allocations; worst peak allocation {worst_ratio:.1} bytes per input byte (inputs of 64 KiB or more)"
    );
    if panics + blowups > 0 {
        std::process::exit(1);
    }
}
