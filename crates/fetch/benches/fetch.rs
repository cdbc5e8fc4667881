//! Benchmark (not a test) of verification and download, side by side with the reference
//! tools, in one run:
//!
//! - sha256 of a large file: our streaming verifier vs `openssl dgst -sha256` and `sha256sum`;
//! - a whole download from the loopback server: `Fetcher` (stream, hash, verify, rename) vs
//!   `curl -s -o`;
//! - the peak memory (VmHWM) of the process doing each of ours, which must stay under 64 MiB.
//!
//! Each measured operation of ours runs in a child process (this program re-executed with
//! `--child …`), so its peak memory is its own; it and the reference tools are all timed the
//! same way, from spawn to exit (our start-up, runtime and HTTP client included), and the
//! peak memory and CPU time (user + system) come from `/usr/bin/time` when it exists (the
//! CPU time is what a busy shared machine does not distort). The operations of a section
//! run round-robin three times after a warm-up (files come from the page cache) and each
//! one's best time counts.
//!
//! `cargo bench -p zukan-fetch --bench fetch`; `ZUKAN_BENCH_MB` sets the file size (default
//! 1024 MiB), `ZUKAN_BENCH_DIR` the scratch directory (default: the system temp dir).

// A benchmark is a program whose output is its result.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use zukan_fetch::loopback::LoopbackServer;
use zukan_fetch::{DataDir, FetchOptions, Fetcher, NoProgress};
use zukan_schema::{ArchiveKind, Resource};

const RUNS: usize = 3;
const MEMORY_TARGET_KIB: u64 = 64 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        child(&args[2..]);
        return;
    }
    // `cargo bench` passes `--bench`; nothing else is expected.
    if let Err(e) = run() {
        eprintln!("benchmark failed: {e}");
        std::process::exit(1);
    }
}

/// A measured operation of ours, in this process: prints `<seconds> <VmHWM KiB> <sha256>`.
fn child(args: &[String]) {
    let started = Instant::now();
    let sha = match args {
        [op, path] if op == "sha256" => zukan_fetch::verify::sha256_file(Path::new(path))
            .map(|(s, _)| s.to_string())
            .map_err(|e| e.to_string()),
        [op, url, size, sha, data_dir] if op == "download" => {
            let resource = Resource {
                file_name: "big.bin".into(),
                urls: vec![url.clone()],
                size: size.parse().ok(),
                sha256: sha.parse().ok(),
                checksum_source: "the benchmark".into(),
                page: "https://example.invalid/".into(),
                archive: ArchiveKind::File,
                splits: vec![],
            };
            Fetcher::new(
                DataDir::new(data_dir),
                FetchOptions::default(),
                Arc::new(NoProgress),
            )
            .and_then(|f| f.fetch(&[resource]))
            .map(|d| d[0].sha256.to_string())
            .map_err(|e| e.to_string())
        }
        _ => Err(format!("unknown child arguments {args:?}")),
    };
    let secs = started.elapsed().as_secs_f64();
    match sha {
        Ok(sha) => println!("{secs} {} {sha}", vm_hwm_kib().unwrap_or(0)),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Measured {
    secs: f64,
    peak_kib: Option<u64>,
    cpu_secs: Option<f64>,
}

fn run() -> Result<(), String> {
    let mib: u64 = std::env::var("ZUKAN_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let base = std::env::var_os("ZUKAN_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let scratch = tempfile::Builder::new()
        .prefix("zukan-bench-fetch-")
        .tempdir_in(&base)
        .map_err(|e| e.to_string())?;
    let serve_dir = scratch.path().join("serve");
    std::fs::create_dir_all(&serve_dir).map_err(|e| e.to_string())?;
    let big = serve_dir.join("big.bin");
    let bytes = mib << 20;
    println!(
        "zukan-fetch benchmark: {mib} MiB file in {}",
        scratch.path().display()
    );
    write_file(&big, bytes).map_err(|e| format!("could not write {}: {e}", big.display()))?;
    warm(&big).map_err(|e| e.to_string())?;
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let big_s = big.display().to_string();

    // sha256 (a first run gives the reference hash and warms everything)
    let expected = ours(&me, &["sha256", &big_s])?.1;
    let mut sha_ops: [Op<'_>; 3] = [
        Box::new(|| ours(&me, &["sha256", &big_s])),
        Box::new(|| tool("openssl", &["dgst", "-sha256", &big_s])),
        Box::new(|| tool("sha256sum", &[&big_s])),
    ];
    let [hashed, openssl, sha256sum] = interleaved(&mut sha_ops)?;
    for (name, out) in [
        ("zukan", &hashed.1),
        ("openssl", &openssl.1),
        ("sha256sum", &sha256sum.1),
    ] {
        if !out.contains(&expected) {
            return Err(format!(
                "{name} disagrees on the sha256: {out} vs {expected}"
            ));
        }
    }

    // download
    let server = LoopbackServer::serve_dir(&serve_dir).map_err(|e| e.to_string())?;
    let url = server.url("big.bin");
    let downloads = scratch.path().join("data");
    let curl_out = scratch.path().join("curl.bin");
    let size = bytes.to_string();
    let data_dir = downloads.display().to_string();
    let curl_path = curl_out.display().to_string();
    let mut download_ops: [Op<'_>; 2] = [
        Box::new(|| {
            let _ = std::fs::remove_dir_all(&downloads);
            let m = ours(&me, &["download", &url, &size, &expected, &data_dir]);
            let _ = std::fs::remove_dir_all(&downloads);
            m
        }),
        Box::new(|| {
            let m = tool("curl", &["-s", "-o", &curl_path, &url]);
            let _ = std::fs::remove_file(&curl_out);
            m
        }),
    ];
    let [fetched, curl] = interleaved(&mut download_ops)?;
    if fetched.1 != expected {
        return Err(format!(
            "the download's sha256 {} is not {expected}",
            fetched.1
        ));
    }

    let mb = bytes as f64 / 1e6;
    println!();
    println!(
        "{:<34} {:>8} {:>10} {:>8} {:>8} {:>12}",
        "operation", "best s", "MB/s", "x ref", "CPU s", "peak RSS"
    );
    let row = |name: &str, m: &Measured, reference: Option<&Measured>| {
        let ratio = reference.map_or_else(String::new, |r| format!("{:.2}x", r.secs / m.secs));
        let peak = m.peak_kib.map_or_else(
            || "n/a".to_owned(),
            |k| format!("{:.1} MiB", k as f64 / 1024.0),
        );
        let cpu = m
            .cpu_secs
            .map_or_else(|| "n/a".to_owned(), |c| format!("{c:.2}"));
        println!(
            "{name:<34} {:>8.3} {:>10.0} {ratio:>8} {cpu:>8} {peak:>12}",
            m.secs,
            mb / m.secs
        );
    };
    row(
        "sha256: zukan verify::sha256_file",
        &hashed.0,
        Some(&openssl.0),
    );
    row("sha256: openssl dgst -sha256", &openssl.0, None);
    row("sha256: sha256sum", &sha256sum.0, None);
    println!(
        "  zukan vs openssl: {:.2}x (target >= 0.95x); vs sha256sum: {:.2}x",
        openssl.0.secs / hashed.0.secs,
        sha256sum.0.secs / hashed.0.secs
    );
    row(
        "download: zukan Fetcher (verified)",
        &fetched.0,
        Some(&curl.0),
    );
    row("download: curl -s -o", &curl.0, None);
    println!(
        "  zukan vs curl: {:.2}x (target >= 0.9x)",
        curl.0.secs / fetched.0.secs
    );
    for (name, m) in [("sha256", &hashed.0), ("download", &fetched.0)] {
        if let Some(k) = m.peak_kib {
            let verdict = if k < MEMORY_TARGET_KIB {
                "under"
            } else {
                "OVER"
            };
            println!(
                "  peak memory, {name}: {:.1} MiB ({verdict} the 64 MiB target)",
                k as f64 / 1024.0
            );
        }
    }
    Ok(())
}

/// One measured operation: its time and peak memory, and its output.
type Op<'a> = Box<dyn FnMut() -> Result<(Measured, String), String> + 'a>;

/// Runs the operations round-robin [`RUNS`] times (so a busy moment on a shared machine hits
/// all of them alike) and keeps each one's best (shortest) run.
fn interleaved<const N: usize>(ops: &mut [Op<'_>; N]) -> Result<[(Measured, String); N], String> {
    let mut best: [Option<(Measured, String)>; N] = std::array::from_fn(|_| None);
    for _ in 0..RUNS {
        for (op, best) in ops.iter_mut().zip(best.iter_mut()) {
            let m = op()?;
            if best.as_ref().is_none_or(|b| m.0.secs < b.0.secs) {
                *best = Some(m);
            }
        }
    }
    let mut out = Vec::with_capacity(N);
    for b in best {
        out.push(b.ok_or("no run")?);
    }
    out.try_into().map_err(|_| "wrong count".to_owned())
}

/// Runs a measured operation of ours in a child (this program with `--child`), exactly as
/// a reference tool is run; its stdout is `<secs> <VmHWM KiB> <sha256>`.
fn ours(me: &Path, args: &[&str]) -> Result<(Measured, String), String> {
    let mut all = vec!["--child"];
    all.extend_from_slice(args);
    let (mut measured, stdout) = tool(&me.display().to_string(), &all)?;
    let mut words = stdout.split_whitespace().skip(1);
    let hwm = words.next().and_then(|w| w.parse().ok()).filter(|&k| k > 0);
    measured.peak_kib = measured.peak_kib.or(hwm);
    Ok((measured, words.next().unwrap_or("").to_owned()))
}

/// Runs a program, timed from spawn to exit, under `/usr/bin/time` (when it exists) for its
/// peak RSS and CPU time (user + system).
fn tool(program: &str, args: &[&str]) -> Result<(Measured, String), String> {
    let has_time = Path::new("/usr/bin/time").exists();
    let started = Instant::now();
    let out = if has_time {
        Command::new("/usr/bin/time")
            .args(["-f", "%M %U %S"])
            .arg(program)
            .args(args)
            .output()
    } else {
        Command::new(program).args(args).output()
    }
    .map_err(|e| format!("could not run {program}: {e}"))?;
    let secs = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last: Vec<&str> = stderr
        .trim()
        .lines()
        .last()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let (peak_kib, cpu_secs) = match (has_time, last.as_slice()) {
        (true, [m, u, s]) => (
            m.parse().ok(),
            u.parse::<f64>()
                .ok()
                .zip(s.parse::<f64>().ok())
                .map(|(u, s)| u + s),
        ),
        _ => (None, None),
    };
    let measured = Measured {
        secs,
        peak_kib,
        cpu_secs,
    };
    Ok((measured, String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// Writes `len` bytes of xorshift noise (incompressible, so no layer can shortcut it).
fn write_file(path: &Path, len: u64) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut block = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for word in block.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        out.write_all(&block[..n])?;
        left -= n as u64;
    }
    out.flush()
}

/// Reads the file once so every tool starts from the page cache.
fn warm(path: &Path) -> std::io::Result<()> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    while file.read(&mut buf)? > 0 {}
    Ok(())
}
