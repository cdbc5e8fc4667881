//! Reads `wider_face_val.mat` and an IMDB-sized struct with zukan-mat and with
//! `scipy.io.loadmat`, side by side: seconds, speed ratio, and zukan-mat's peak memory
//! (VmHWM of a child process that only reads the file) against the decompressed size.
//!
//! ```text
//! cargo bench -p zukan-mat --bench mat
//! ```
//! - `ZUKAN_MAT_PYTHON`: a python with numpy and scipy. Without it, the first of
//!   `/work/venv-torch/bin/python` (scipy 1.17 and numpy, the oracle of this crate's tests),
//!   `/work/venv-scipy/bin/python` (an older setup's venv) and `python3` that exists. The
//!   report's first line names the python used and its scipy version.
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

/// Reads per timing: small files take milliseconds (noisy, and below the 10 ms CPU clock),
/// so they are read many times per timing and the time divided; the IMDB-sized one once.
fn reps_for(bytes: usize) -> usize {
    if bytes < 4 << 20 { 50 } else { 1 }
}

/// Timings per file; the best is reported.
const RUNS: usize = 3;

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(rel)
}

/// Pythons tried in order when `ZUKAN_MAT_PYTHON` is not set (the last is looked up on PATH).
const PYTHONS: [&str; 3] = [
    "/work/venv-torch/bin/python",
    "/work/venv-scipy/bin/python",
    "python3",
];

fn python() -> String {
    std::env::var("ZUKAN_MAT_PYTHON").unwrap_or_else(|_| {
        let found = PYTHONS.iter().find(|p| Path::new(p).exists());
        found.unwrap_or(&"python3").to_string()
    })
}

/// `scipy.__version__` of `python`, or why there is none.
fn scipy_version(python: &str) -> String {
    let out = Command::new(python)
        .args(["-c", "import scipy; print(scipy.__version__)"])
        .output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        Ok(_) => "no scipy".into(),
        Err(e) => format!("not runnable: {e}"),
    }
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

/// CPU seconds (user + system) this process has used, from /proc/self/stat (Linux; the
/// kernel reports clock ticks, 100 per second on every common configuration).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |k: usize| f.get(k).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Wall and CPU seconds of one run.
#[derive(Clone, Copy)]
struct Timing {
    wall: f64,
    cpu: f64,
}

/// The child: read one file `reps` times (the file read each time too), report seconds per
/// read and peak memory, nothing else.
fn child(path: &str, reps: usize) {
    let (t, cpu) = (Instant::now(), cpu_seconds());
    for _ in 0..reps {
        let bytes = std::fs::read(path).expect("reading the file");
        let file = zukan_mat::read(&bytes).expect("parsing the file");
        drop(std::hint::black_box(file));
    }
    let (wall, cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let n = reps as f64;
    println!("{} {} {}", wall / n, cpu / n, vm_hwm_kib());
}

fn run_child(path: &Path, reps: usize) -> (Timing, u64) {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .arg("--child")
        .arg(path)
        .arg(reps.to_string())
        .output()
        .expect("running the child");
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<f64> = text
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    let [wall, cpu, peak] = v[..] else {
        panic!("child said {text:?}")
    };
    (Timing { wall, cpu }, peak as u64)
}

/// The best of `runs` `loadmat` calls in one python process.
fn scipy_timing(path: &Path, runs: usize) -> Option<Timing> {
    let code = "import sys, time, scipy.io\nw, c = [], []\n\
                for _ in range(int(sys.argv[2])):\n\
                \x20   t0, c0 = time.perf_counter(), time.process_time()\n\
                \x20   scipy.io.loadmat(sys.argv[1])\n\
                \x20   w.append(time.perf_counter() - t0); c.append(time.process_time() - c0)\n\
                print(min(w), min(c))";
    let out = Command::new(python())
        .arg("-c")
        .arg(code)
        .arg(path)
        .arg(runs.to_string())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<f64> = text
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    let [wall, cpu] = v[..] else { return None };
    Some(Timing { wall, cpu })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(k) = args.iter().position(|a| a == "--child") {
        let reps = args.get(k + 2).and_then(|r| r.parse().ok()).unwrap_or(1);
        child(args.get(k + 1).expect("--child PATH REPS"), reps);
        return;
    }
    let py = python();
    let source = if std::env::var_os("ZUKAN_MAT_PYTHON").is_some() {
        "ZUKAN_MAT_PYTHON"
    } else {
        "default"
    };
    println!(
        "scipy oracle: {py} ({source}; scipy {})",
        scipy_version(&py)
    );
    let mut files = vec![shared("real/widerface/wider_face_split/wider_face_val.mat")];
    files.extend(imdb_sized());
    // The child process with nothing read: what any peak includes (binary, libc, stacks).
    let baseline_kib = files.first().map_or(0, |path| run_child(path, 0).1);
    println!(
        "{:<18} {:>6} {:>9} {:>16} {:>16} {:>15} {:>9} {:>9} {:>9}",
        "file",
        "MiB",
        "inflated",
        "scipy s wall/cpu",
        "rust s wall/cpu",
        "speedup",
        "peak MiB",
        "/inflated",
        "net /infl"
    );
    let mib = |b: usize| b as f64 / (1 << 20) as f64;
    for path in files {
        let bytes = std::fs::read(&path).expect("reading the file");
        let inflated = decompressed_size(&bytes);
        let reps = reps_for(bytes.len());
        let runs: Vec<(Timing, u64)> = (0..RUNS).map(|_| run_child(&path, reps)).collect();
        let best =
            |f: fn(&Timing) -> f64| runs.iter().map(|r| f(&r.0)).fold(f64::INFINITY, f64::min);
        let rust = Timing {
            wall: best(|t| t.wall),
            cpu: best(|t| t.cpu),
        };
        let peak_kib = runs.iter().map(|r| r.1).max().unwrap_or(0);
        let scipy = scipy_timing(&path, reps);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let pair = |t: Timing| format!("{:.3}/{:.3}", t.wall, t.cpu);
        let speedup = |s: Timing| {
            format!(
                "{:.1}x/{:.1}x",
                s.wall / rust.wall,
                s.cpu / rust.cpu.max(0.01)
            )
        };
        println!(
            "{:<18} {:>6.1} {:>9.1} {:>16} {:>16} {:>15} {:>9.1} {:>9.2} {:>9.2}",
            name,
            mib(bytes.len()),
            mib(inflated),
            scipy.map_or("n/a".into(), pair),
            pair(rust),
            scipy.map_or("n/a".into(), speedup),
            peak_kib as f64 / 1024.0,
            peak_kib as f64 * 1024.0 / inflated as f64,
            peak_kib.saturating_sub(baseline_kib) as f64 * 1024.0 / inflated as f64,
        );
    }
    println!(
        "baseline: the child reading nothing peaks at {:.1} MiB; `net /infl` is the peak above it \
         over the inflated size.",
        baseline_kib as f64 / 1024.0
    );
    println!(
        "times per read (file read + parse): rust the best of {RUNS} child processes, each \
         reading the file 50 times (under 4 MiB) or once; scipy the best of as many loadmat \
         calls in one python process. Peak: the rust child's VmHWM, which includes the file's \
         own bytes. Wall times stretch on a loaded machine, CPU times much less."
    );
}
