//! Parse speed of the real val ground truth (1.2 MB, 3,226 images, 39,708 rows), read into
//! memory once and parsed N times, beside the same parse in Python written the way the
//! Hugging Face loader writes it (`readline`, `int()` per field, one dict per face).
//! Reports the best of N for each (least disturbed by other work on the machine).
//!
//! Run: `cargo bench -p zukan-widerface --bench parse` (N from `PARSE_BENCH_RUNS`, default 20).
#![allow(clippy::print_stdout, missing_docs)]

use std::process::Command;
use std::time::{Duration, Instant};

use zukan_schema::Split;
use zukan_widerface::parse_bbx_gt;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../../shared/real/widerface/wider_face_split/wider_face_val_bbx_gt.txt"
);

/// Parses like huggingface/datasets `datasets/wider_face/wider_face.py` `_generate_examples`,
/// from a string in memory, and prints the best seconds per parse and the image count.
const PYTHON: &str = r#"
import io, sys, time
text = open(sys.argv[1], encoding="utf-8").read()
def parse(f):
    out = []
    while True:
        line = f.readline().rstrip()
        if not line.endswith(".jpg"):
            return out
        faces = []
        n = int(f.readline())
        if n == 0:
            f.readline()
        for _ in range(n):
            v = [int(x) for x in f.readline().split()]
            assert len(v) == 10
            x, y, w, h, blur, expr, illum, invalid, occl, pose = v
            faces.append({"bbox": [x, y, w, h], "blur": blur, "expression": expr,
                          "illumination": illum, "occlusion": occl, "pose": pose, "invalid": invalid})
        out.append({"image_file_path": line, "faces": faces})
best = float("inf")
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    images = len(parse(io.StringIO(text)))
    best = min(best, time.perf_counter() - t)
print(best, images)
"#;

fn main() {
    let runs: u32 = std::env::var("PARSE_BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let text = std::fs::read(FILE).unwrap_or_else(|e| panic!("{FILE}: {e}"));
    let megabytes = text.len() as f64 / 1e6;

    let mut best = Duration::MAX;
    let mut images = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let parsed = parse_bbx_gt(text.as_slice(), "wider_face_val_bbx_gt.txt", Split::Val)
            .expect("the real file parses");
        best = best.min(start.elapsed());
        images = parsed.images.len();
    }
    let rust = best.as_secs_f64();
    println!(
        "zukan parse_bbx_gt  {:8.2} ms  {:10.0} images/s  {:7.1} MB/s  ({images} images, best of {runs})",
        rust * 1e3,
        images as f64 / rust,
        megabytes / rust
    );

    let python = Command::new("python3")
        .args(["-c", PYTHON, FILE, &runs.to_string()])
        .output();
    match python {
        Ok(out) if out.status.success() => {
            let stdout = String::from_utf8_lossy(&out.stdout);
            let mut fields = stdout.split_whitespace();
            let secs: f64 = fields
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(f64::NAN);
            let py_images: usize = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            assert_eq!(py_images, images, "both parsers read the same images");
            println!(
                "python (HF loader)  {:8.2} ms  {:10.0} images/s  {:7.1} MB/s",
                secs * 1e3,
                images as f64 / secs,
                megabytes / secs
            );
            println!("zukan / python      {:8.1}x", secs / rust);
        }
        Ok(out) => println!("python3 failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => println!("python3 not run ({e}); no comparison"),
    }
}
