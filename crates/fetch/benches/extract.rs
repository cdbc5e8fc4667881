//! Extraction speed against the standard tools, side by side in one run: a zip of many small
//! files (WIDER Face's zips hold ~30 KB JPEGs) against `unzip -q`, and a tar.gz of the same
//! files against `tar xzf`. Targets (issue 2): at least 1.5x each.
//!
//! `cargo bench -p zukan-fetch --bench extract`. `ZUKAN_BENCH_MB` sets the content size
//! (default 500), `ZUKAN_BENCH_DIR` the scratch directory (default the system temp dir).
//! The page cache cannot be dropped without root, so every tool runs twice on an archive
//! just written (in cache) and the best time counts; `sync` runs before each timing so one
//! run's dirty pages do not slow the next.

#![allow(clippy::print_stdout, reason = "a benchmark's report is its output")]

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::GzEncoder;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};
use zukan_fetch::extract::extract_archive;
use zukan_schema::ArchiveKind;

fn main() {
    let megabytes: u64 = std::env::var("ZUKAN_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let base = std::env::var_os("ZUKAN_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let work = tempfile::Builder::new()
        .prefix("zukan-bench-extract-")
        .tempdir_in(&base)
        .expect("scratch directory");
    let zip_path = work.path().join("images.zip");
    let tgz_path = work.path().join("images.tar.gz");

    let started = Instant::now();
    let (files, bytes) = write_archives(megabytes * 1_000_000, &zip_path, &tgz_path);
    println!(
        "content: {files} files, {:.0} MB (4-64 KiB each, half random like JPEG, half text); \
         zip {:.0} MB, tar.gz {:.0} MB; made in {:.1} s; scratch {}",
        bytes as f64 / 1e6,
        size_mb(&zip_path),
        size_mb(&tgz_path),
        started.elapsed().as_secs_f64(),
        work.path().display()
    );
    println!("threads for zip: {}", rayon::current_num_threads());
    println!();
    println!("{:<28} {:>8} {:>9} {:>7}", "", "best s", "MB/s", "zukan");

    let out = work.path().join("out");
    let ours = best_of_two(&out, |dest| {
        let summary = extract_archive(&zip_path, ArchiveKind::Zip, dest).expect("extract zip");
        assert_eq!(summary.files, files, "files extracted");
    });
    report("zip: zukan extract_archive", ours, bytes, None);
    match tool("unzip", &["-v"]) {
        true => {
            let reference = best_of_two(&out, |dest| {
                run(Command::new("unzip")
                    .arg("-q")
                    .arg(&zip_path)
                    .arg("-d")
                    .arg(dest))
            });
            report("zip: unzip -q", reference, bytes, Some(ours));
        }
        false => println!("zip: unzip not installed, skipped (apt-get install unzip)"),
    }

    let ours = best_of_two(&out, |dest| {
        let summary = extract_archive(&tgz_path, ArchiveKind::TarGz, dest).expect("extract tar.gz");
        assert_eq!(summary.files, files, "files extracted");
    });
    report("tar.gz: zukan extract_archive", ours, bytes, None);
    match tool("tar", &["--version"]) {
        true => {
            let reference = best_of_two(&out, |dest| {
                fs::create_dir_all(dest).expect("create dest");
                run(Command::new("tar")
                    .arg("xzf")
                    .arg(&tgz_path)
                    .arg("-C")
                    .arg(dest))
            });
            report("tar.gz: tar xzf", reference, bytes, Some(ours));
        }
        false => println!("tar.gz: tar not installed, skipped"),
    }
}

/// Writes the same files into a zip (deflated) and a tar.gz; returns (files, bytes).
fn write_archives(target: u64, zip_path: &Path, tgz_path: &Path) -> (u64, u64) {
    let mut zip = ZipWriter::new(BufWriter::new(File::create(zip_path).expect("zip file")));
    let gz = GzEncoder::new(
        BufWriter::new(File::create(tgz_path).expect("tar.gz file")),
        Compression::new(6),
    );
    let mut tar = tar::Builder::new(gz);
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let (mut files, mut bytes) = (0u64, 0u64);
    while bytes < target {
        let len = 4096 + (rng.next() % (60 * 1024)) as usize;
        let random = rng.next().is_multiple_of(2);
        let data = if random {
            rng.bytes(len)
        } else {
            text(&mut rng, len)
        };
        // 61 event directories, as in WIDER Face.
        let name = format!("images/{}--Event/{files:06}.jpg", files % 61);
        // Random data barely compresses; level 1 keeps generation fast, as level changes
        // little in inflate speed.
        let level = if random { 1 } else { 6 };
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(level));
        zip.start_file(name.as_str(), options).expect("zip entry");
        zip.write_all(&data).expect("zip data");
        let mut header = tar::Header::new_gnu();
        header.set_size(len as u64);
        header.set_mode(0o644);
        header.set_mtime(1_700_000_000);
        tar.append_data(&mut header, &name, data.as_slice())
            .expect("tar entry");
        files += 1;
        bytes += len as u64;
    }
    zip.finish()
        .expect("zip finish")
        .flush()
        .expect("zip flush");
    tar.into_inner()
        .and_then(|gz| gz.finish())
        .and_then(|mut file| file.flush())
        .expect("tar.gz finish");
    (files, bytes)
}

/// Text-like compressible bytes (~3:1 with deflate).
fn text(rng: &mut XorShift, len: usize) -> Vec<u8> {
    const WORDS: [&str; 8] = [
        "face ",
        "box ",
        "blur ",
        "pose ",
        "0 ",
        "1 ",
        "\n",
        "occlusion ",
    ];
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        let n = rng.next();
        out.extend_from_slice(WORDS[(n % 8) as usize].as_bytes());
        out.extend_from_slice(format!("{} ", n % 1000).as_bytes());
    }
    out.truncate(len);
    out
}

/// Runs `extract` twice into a fresh `dest` and returns the faster time.
fn best_of_two(dest: &Path, mut extract: impl FnMut(&Path)) -> Duration {
    (0..2)
        .map(|_| {
            if dest.exists() {
                fs::remove_dir_all(dest).expect("clear dest");
            }
            run(&mut Command::new("sync"));
            let started = Instant::now();
            extract(dest);
            started.elapsed()
        })
        .min()
        .expect("two runs")
}

fn report(label: &str, time: Duration, bytes: u64, ours: Option<Duration>) {
    let secs = time.as_secs_f64();
    let rate = bytes as f64 / 1e6 / secs;
    match ours {
        Some(ours) => println!(
            "{label:<28} {secs:>8.2} {rate:>9.0} {:>6.2}x  (zukan's speed over this tool)",
            secs / ours.as_secs_f64()
        ),
        None => println!("{label:<28} {secs:>8.2} {rate:>9.0}"),
    }
}

fn tool(name: &str, version_arg: &[&str]) -> bool {
    Command::new(name)
        .args(version_arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run(command: &mut Command) {
    let status = command.status().expect("start command");
    assert!(status.success(), "{command:?} failed: {status}");
}

fn size_mb(path: &Path) -> f64 {
    fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1e6)
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            out.extend_from_slice(&self.next().to_le_bytes());
        }
        out.truncate(len);
        out
    }
}
