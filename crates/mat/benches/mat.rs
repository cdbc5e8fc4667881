//! Reads `wider_face_val.mat` and an IMDB-sized struct with zukan-mat and with
//! `scipy.io.loadmat`, side by side: seconds, speed ratio, and zukan-mat's peak memory
//! (VmHWM of a child process that only reads the file) against the decompressed size.
//!
//! ```text
//! cargo bench -p zukan-mat --bench mat
//! ```
//! - `ZUKAN_MAT_PYTHON`: a python with numpy and scipy (default `/work/venv-scipy/bin/python`,
//!   then `python3`); made with `python3 -m venv /work/venv-scipy &&
//!   /work/venv-scipy/bin/pip install scipy numpy`.
//! - `ZUKAN_MAT_BENCH_IMDB`: the IMDB-sized file. Default
//!   `/tmp/zukan-mat-bench/imdb_sized.mat`, generated on first use by
//!   `benches/make_imdb_sized.py` (460,723 entries; about 35 MB; never committed). Without
//!   scipy, make it elsewhere with `python3 benches/make_imdb_sized.py OUT.mat` and point
//!   the variable at it.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a command-line report

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 3;

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(rel)
}

fn python() -> String {
    std::env::var("ZUKAN_MAT_PYTHON").unwrap_or_else(|_| {
        let venv = "/work/venv-scipy/bin/python";
        if Path::new(venv).exists() {
            venv.into()
        } else {
            "python3".into()
        }
    })
}

fn imdb_sized() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("ZUKAN_MAT_BENCH_IMDB") {
        return Some(p.into());
    }
    let path = PathBuf::from("/tmp/zukan-mat-bench/imdb_sized.mat");
    if path.exists() {
        return Some(path);
    }
    std::fs::create_dir_all("/tmp/zukan-mat-bench").ok()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/make_imdb_sized.py");
    eprintln!(
        "generating {} with {} ...",
        path.display(),
        script.display()
    );
    let ok = Command::new(python())
        .arg(&script)
        .arg(&path)
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(path)
    } else {
        eprintln!(
            "could not generate it (needs numpy and scipy); run `python3 {} OUT.mat` where \
             scipy is installed and set ZUKAN_MAT_BENCH_IMDB=OUT.mat",
            script.display()
        );
        None
    }
}

/// Bytes of the file once every miCOMPRESSED variable is inflated (little-endian files).
fn decompressed_size(bytes: &[u8]) -> usize {
    let mut total = 128;
    let mut pos = 128;
    while let Some(tag) = bytes.get(pos..pos + 8) {
        let ty = u32::from_le_bytes([tag[0], tag[1], tag[2], tag[3]]);
        let size = u32::from_le_bytes([tag[4], tag[5], tag[6], tag[7]]) as usize;
        let Some(data) = bytes.get(pos + 8..pos + 8 + size) else {
            break;
        };
        if ty == 15 {
            let mut n = Vec::new();
            flate2::read::ZlibDecoder::new(data)
                .read_to_end(&mut n)
                .expect("zlib");
            total += n.len();
            pos += 8 + size;
        } else {
            total += 8 + size;
            pos += 8 + size.next_multiple_of(8);
        }
    }
    total
}

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The child: read one file, report seconds and peak memory, nothing else.
fn child(path: &str) {
    let t = Instant::now();
    let bytes = std::fs::read(path).expect("reading the file");
    let file = zukan_mat::read(&bytes).expect("parsing the file");
    let seconds = t.elapsed().as_secs_f64();
    let peak = vm_hwm_kib();
    drop(file);
    println!("{seconds} {peak}");
}

fn run_child(path: &Path) -> (f64, u64) {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .arg("--child")
        .arg(path)
        .output()
        .expect("running the child");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text.split_whitespace();
    let seconds = it
        .next()
        .and_then(|s| s.parse().ok())
        .expect("child seconds");
    let peak = it.next().and_then(|s| s.parse().ok()).expect("child peak");
    (seconds, peak)
}

fn scipy_seconds(path: &Path) -> Option<f64> {
    let code = "import sys, time, scipy.io\nt = time.perf_counter()\n\
                scipy.io.loadmat(sys.argv[1])\nprint(time.perf_counter() - t)";
    let out = Command::new(python())
        .arg("-c")
        .arg(code)
        .arg(path)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(k) = args.iter().position(|a| a == "--child") {
        child(args.get(k + 1).expect("--child PATH"));
        return;
    }
    let mut files = vec![shared("real/widerface/wider_face_split/wider_face_val.mat")];
    files.extend(imdb_sized());
    println!(
        "{:<22} {:>9} {:>13} {:>9} {:>8} {:>16} {:>14} {:>6}",
        "file",
        "MiB",
        "inflated MiB",
        "scipy s",
        "rust s",
        "rust/scipy speed",
        "rust peak MiB",
        "peak/inflated"
    );
    for path in files {
        let bytes = std::fs::read(&path).expect("reading the file");
        let inflated = decompressed_size(&bytes);
        let mib = |b: usize| b as f64 / (1 << 20) as f64;
        let runs: Vec<(f64, u64)> = (0..RUNS).map(|_| run_child(&path)).collect();
        let rust = runs.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
        let peak_kib = runs.iter().map(|r| r.1).max().unwrap_or(0);
        let scipy = scipy_seconds(&path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!(
            "{:<22} {:>9.1} {:>13.1} {:>9} {:>8.3} {:>16} {:>14.1} {:>6.2}",
            name,
            mib(bytes.len()),
            mib(inflated),
            scipy.map_or("n/a".into(), |s| format!("{s:.3}")),
            rust,
            scipy.map_or("n/a".into(), |s| format!("{:.1}x", s / rust)),
            peak_kib as f64 / 1024.0,
            peak_kib as f64 * 1024.0 / inflated as f64,
        );
    }
    println!(
        "rust s: best of {RUNS} child processes (read file + parse); peak: VmHWM of that child"
    );
}
