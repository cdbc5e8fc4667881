//! Speed and memory of the model core on the tiny YOLOv2 layout with 30 outputs (azFace's
//! layout, 6.94 GFLOP per 416×416 image; `shared/research/model-core.md` §2.4 and §4).
//!
//! `cargo bench -p zukan-nn --bench nn` runs every configuration in its own child process
//! (this program re-executed with `--child NAME`) so that each peak RSS (VmHWM) is its own.
//! Reported: inference at batch 1 and a training step (forward, region loss, backward with
//! parameter gradients; no optimizer step, as the PyTorch script) at batch 8, at 416 and
//! 224, raw GEMM GFLOP/s on conv shapes, and, if `/work/venv-torch` has torch, PyTorch's
//! figures from `shared/tools/torch_conv_bench.py` side by side. Options: `--quick` (fewer
//! repetitions), `--no-torch`.
//!
//! GFLOP/s count the direct convolution's multiply-adds (`c_out·c_in·k²·oh·ow` per layer),
//! whatever the layer runs, so they compare with PyTorch's figures; the Winograd layers run
//! fewer, so this rate can pass the machine's peak. Each rate is also given as a share of
//! the fp32 FMA peak measured first (AVX2+FMA), next to the rate of the matrix products the
//! layers really run (`Conv2d::multiply_adds`): how close to the hardware the products are.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::Command;
use std::time::Instant;
use zukan_nn::darknet::{cfg::parse_cfg, model::build_network};
use zukan_nn::head::region_gradient;
use zukan_nn::region::Truth;
use zukan_nn::{LayerKind, Mode, Network, Tensor};

/// azFace's `net_cfg/tiny-yolo-azface-fddb.cfg` layout (tiny-yolo-voc with 30 outputs and
/// azFace's anchors), with the training keys trimmed.
const AZFACE_CFG: &str = "[net]\nbatch=8\nsubdivisions=1\nwidth=416\nheight=416\nchannels=3\n
[convolutional]\nbatch_normalize=1\nfilters=16\nsize=3\nstride=1\npad=1\nactivation=leaky\n[maxpool]\nsize=2\nstride=2\n
[convolutional]\nbatch_normalize=1\nfilters=32\nsize=3\nstride=1\npad=1\nactivation=leaky\n[maxpool]\nsize=2\nstride=2\n
[convolutional]\nbatch_normalize=1\nfilters=64\nsize=3\nstride=1\npad=1\nactivation=leaky\n[maxpool]\nsize=2\nstride=2\n
[convolutional]\nbatch_normalize=1\nfilters=128\nsize=3\nstride=1\npad=1\nactivation=leaky\n[maxpool]\nsize=2\nstride=2\n
[convolutional]\nbatch_normalize=1\nfilters=256\nsize=3\nstride=1\npad=1\nactivation=leaky\n[maxpool]\nsize=2\nstride=2\n
[convolutional]\nbatch_normalize=1\nfilters=512\nsize=3\nstride=1\npad=1\nactivation=leaky\n[maxpool]\nsize=2\nstride=1\n
[convolutional]\nbatch_normalize=1\nfilters=1024\nsize=3\nstride=1\npad=1\nactivation=leaky\n
[convolutional]\nbatch_normalize=1\nfilters=1024\nsize=3\nstride=1\npad=1\nactivation=leaky\n
[convolutional]\nsize=1\nstride=1\npad=1\nfilters=30\nactivation=linear\n
[region]\nanchors = 0.738768,0.874946, 2.42204,2.65704, 4.30971,7.04493, 10.246,4.59428, 12.6868,11.8741
bias_match=1\nclasses=1\ncoords=4\nnum=5\nsoftmax=1\njitter=.2\nrescore=1\nobject_scale=5\nnoobject_scale=1
class_scale=1\ncoord_scale=1\nabsolute=1\nthresh=.6\nrandom=1\n";

/// PyTorch 2.15 figures from the issue / model-core.md §4.2 (2 threads, quiet machine).
const TORCH_ISSUE: &[(&str, f64)] = &[
    ("infer:416:1", 9.6),
    ("infer:224:1", 21.9),
    ("train:416:8", 2.96),
    ("train:224:8", 10.74),
];

fn values(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0) * scale
        })
        .collect()
}

fn network(side: usize) -> Network {
    let mut net = build_network(&parse_cfg(AZFACE_CFG).unwrap(), Some((side, side))).unwrap();
    for (i, l) in net.layers.iter_mut().enumerate() {
        if let LayerKind::Conv(b) = &mut l.kind {
            let fan_in = (b.conv.c_in * b.conv.k * b.conv.k) as f32;
            let w = values(b.conv.weight().len(), i as u64 + 1, (6.0 / fan_in).sqrt());
            b.conv.weight_mut().copy_from_slice(&w);
        }
    }
    net.seen = 100_000;
    net
}

/// Multiply-adds of every convolution for one image, `(all, first layer)`: the direct
/// count if `direct`, else those of the products each layer runs.
fn conv_macs(net: &Network, direct: bool) -> (f64, f64) {
    let per: Vec<f64> = net
        .layers
        .iter()
        .filter_map(|l| match &l.kind {
            LayerKind::Conv(b) => {
                let [_, oh, ow] = l.out_shape;
                let [_, h, w] = l.in_shape;
                let c = &b.conv;
                Some(if direct {
                    (c.c_out * c.c_in * c.k * c.k * oh * ow) as f64
                } else {
                    c.multiply_adds(h, w).unwrap() as f64
                })
            }
            _ => None,
        })
        .collect();
    (per.iter().sum(), per[0])
}

/// This machine's fp32 FMA peak over `threads` threads, in GFLOP/s: ten independent
/// 256-bit FMA chains per thread (enough to cover the FMA latency on Zen and Intel cores).
/// `None` without AVX2 and FMA.
fn fma_peak(threads: usize) -> Option<f64> {
    #[cfg(target_arch = "x86_64")]
    {
        if !(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")) {
            return None;
        }
        let iters = 40_000_000u64;
        let flop = threads as f64 * iters as f64 * 10.0 * 8.0 * 2.0;
        // The best of three: the first run also wakes the cores to full clock.
        let best = (0..3)
            .map(|_| {
                let start = Instant::now();
                let handles: Vec<_> = (0..threads)
                    // SAFETY: AVX2 and FMA were detected above.
                    .map(|_| std::thread::spawn(move || unsafe { fma_chains(iters) }))
                    .collect();
                let sink: f32 = handles.into_iter().map(|h| h.join().unwrap()).sum();
                std::hint::black_box(sink);
                start.elapsed().as_secs_f64()
            })
            .fold(f64::MAX, f64::min);
        Some(flop / best / 1e9)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = threads;
        None
    }
}

/// `iters` rounds of ten independent `a = a·b + c` on eight lanes each.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn fma_chains(iters: u64) -> f32 {
    use std::arch::x86_64::*;
    let mut acc = [_mm256_set1_ps(1.0); 10];
    let (b, c) = (_mm256_set1_ps(1.000_001), _mm256_set1_ps(0.999_999));
    for _ in 0..iters {
        for a in &mut acc {
            *a = _mm256_fmadd_ps(*a, b, c);
        }
    }
    acc.iter().map(|&a| _mm256_cvtss_f32(a)).sum()
}

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    t[t.len() / 2]
}

fn vm_hwm_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn time_it(reps: usize, warmup: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..warmup {
        f();
    }
    median(
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

/// One configuration, in this (child) process; prints one `RESULT` line.
fn child(name: &str, quick: bool) {
    let parts: Vec<&str> = name.split(':').collect();
    if parts[0] == "gemm" {
        return gemm_child(quick);
    }
    let (mode, side, batch) = (
        parts[0],
        parts[1].parse::<usize>().unwrap(),
        parts[2].parse::<usize>().unwrap(),
    );
    let mut net = network(side);
    let (macs, first) = conv_macs(&net, true);
    let (run_macs, run_first) = conv_macs(&net, false);
    let x = Tensor::from_vec(
        [batch, 3, side, side],
        values(batch * 3 * side * side, 99, 1.0),
    )
    .unwrap();
    let (secs, flop, run_flop) = if mode == "infer" {
        let reps = if quick {
            3
        } else if side > 300 {
            11
        } else {
            21
        };
        (
            time_it(reps, 2, || {
                net.forward(&x, Mode::Infer).unwrap();
            }),
            2.0 * macs * batch as f64,
            2.0 * run_macs * batch as f64,
        )
    } else {
        let truths: Vec<Vec<Truth>> = (0..batch)
            .map(|b| {
                vec![Truth {
                    x: 0.3 + 0.05 * b as f32,
                    y: 0.5,
                    w: 0.2,
                    h: 0.3,
                    class: 0,
                }]
            })
            .collect();
        let mut grad = Tensor::default();
        let reps = if quick {
            2
        } else if side > 300 {
            5
        } else {
            7
        };
        let secs = time_it(reps, 1, || {
            net.zero_grad();
            net.forward(&x, Mode::Train).unwrap();
            region_gradient(&net, &truths, &mut grad).unwrap();
            net.backward(&grad).unwrap();
        });
        // Forward, weight gradient and input gradient, except the first layer's input
        // gradient.
        let train = |all: f64, first: f64| 2.0 * (3.0 * all - first) * batch as f64;
        (secs, train(macs, first), train(run_macs, run_first))
    };
    println!(
        "RESULT {name} secs={secs:.5} img_s={:.3} gflops={:.2} run_gflops={:.2} vmhwm_mib={:.1}",
        batch as f64 / secs,
        flop / secs / 1e9,
        run_flop / secs / 1e9,
        vm_hwm_mib()
    );
}

fn gemm_child(quick: bool) {
    // (M, N, K) of conv GEMMs at 416: first layer, 16→32 at 208, 128→256 at 26, 512→1024 and
    // 1024→1024 at 13, and the dW product of the latter (M=1024, N=9216, K=169).
    // The last two are Winograd's products of the 13×13 1024→1024 layer at batch 1 and 8.
    for (m, n, k) in [
        (16, 173_056, 27),
        (32, 43_264, 144),
        (256, 676, 1152),
        (1024, 169, 4608),
        (1024, 169, 9216),
        (1024, 9216, 169),
        (1024, 49, 1024),
        (1024, 392, 1024),
    ] {
        let a = values(m * k, 1, 1.0);
        let b = values(k * n, 2, 1.0);
        let mut c = vec![0f32; m * n];
        let secs = time_it(if quick { 3 } else { 9 }, 2, || {
            // SAFETY: the slices hold exactly m×k, k×n and m×n row-major values.
            unsafe {
                gemm::gemm(
                    m,
                    n,
                    k,
                    c.as_mut_ptr(),
                    1,
                    n as isize,
                    false,
                    a.as_ptr(),
                    1,
                    k as isize,
                    b.as_ptr(),
                    1,
                    n as isize,
                    0.0,
                    1.0,
                    false,
                    false,
                    false,
                    gemm::Parallelism::Rayon(0),
                );
            }
        });
        println!(
            "RESULT gemm:{m}x{n}x{k} secs={secs:.6} gflops={:.1}",
            2.0 * (m * n * k) as f64 / secs / 1e9
        );
    }
}

fn field(line: &str, key: &str) -> Option<f64> {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
}

/// Runs the PyTorch script; returns `(config, img/s)` for the azface rows, and the peak RSS
/// of a PyTorch training step at 416 batch 8 (measured in its own process).
fn torch_side(python: &str, quick: bool) -> Option<(Vec<(String, f64)>, f64)> {
    let tools = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/tools");
    let reps = if quick { "3" } else { "11" };
    let out = Command::new(python)
        .args([
            &format!("{tools}/torch_conv_bench.py"),
            "--only",
            "nets",
            "--reps",
            reps,
            "--warmup",
            "3",
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("[net] azface")) {
        // "[net] azface 416x416 b1: fwd ... (min ...; 9.6 img/s, ...) | fwd+bwd ... (min ...; 2.96 img/s, ...)"
        let side: String = line[13..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let batch: String = line
            .split(" b")
            .nth(1)?
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let rates: Vec<f64> = line
            .split(" img/s")
            .filter_map(|s| s.rsplit([';', ' ']).find(|t| !t.is_empty())?.parse().ok())
            .collect();
        if rates.len() == 2 {
            rows.push((format!("infer:{side}:{batch}"), rates[0]));
            rows.push((format!("train:{side}:{batch}"), rates[1]));
        }
    }
    let probe = format!(
        "import sys, torch\nsys.path.insert(0, '{tools}')\nimport torch_conv_bench as b\ntorch.set_num_threads(2)\n\
         m = b.build('azface'); m.train(); x = torch.randn(8, 3, 416, 416)\n\
         for _ in range(2):\n    [setattr(p, 'grad', None) for p in m.parameters()]\n    y = m(x); (y * y).sum().backward()\n\
         print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])\n"
    );
    let mem = Command::new(python).args(["-c", &probe]).output().ok()?;
    let kib: f64 = String::from_utf8_lossy(&mem.stdout).trim().parse().ok()?;
    Some((rows, kib / 1024.0))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    if let Some(i) = args.iter().position(|a| a == "--child") {
        return child(&args[i + 1], quick);
    }
    let exe = std::env::current_exe().unwrap();
    let threads = rayon::current_num_threads();
    println!("zukan-nn bench: azFace layout (tiny YOLOv2, 30 outputs), {threads} rayon threads");
    let peak = fma_peak(threads);
    match peak {
        Some(p) => println!(
            "  fp32 FMA peak (AVX2+FMA loop, {threads} threads): {p:.1} GFLOP/s ({:.1} per thread)",
            p / threads as f64
        ),
        None => println!("  fp32 FMA peak: not measured (no AVX2+FMA)"),
    }
    let share = |gflops: f64| {
        peak.map_or(String::new(), |p| {
            format!(" ({:3.0}% of peak)", 100.0 * gflops / p)
        })
    };
    println!("  GFLOP/s: the direct convolution's FLOPs per second; `products`: the FLOPs run");
    let mut ours = Vec::new();
    for name in [
        "gemm",
        "infer:416:1",
        "infer:224:1",
        "train:416:8",
        "train:224:8",
    ] {
        let mut cmd = Command::new(&exe);
        cmd.args(["--child", name]);
        if quick {
            cmd.arg("--quick");
        }
        let out = cmd.output().expect("re-running the bench as a child");
        for line in String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("RESULT "))
        {
            let key = line.split_whitespace().nth(1).unwrap_or("").to_string();
            if let Some(shape) = key.strip_prefix("gemm:") {
                let gf = field(line, "gflops").unwrap_or(f64::NAN);
                println!("  GEMM {shape:>22}: {gf:7.1} GFLOP/s{}", share(gf));
            } else {
                let (secs, ips, gf, run_gf, mib) = (
                    field(line, "secs"),
                    field(line, "img_s"),
                    field(line, "gflops").unwrap_or(f64::NAN),
                    field(line, "run_gflops").unwrap_or(f64::NAN),
                    field(line, "vmhwm_mib"),
                );
                println!(
                    "  {key:12}: {:8.1} ms/step  {:7.2} img/s  {gf:6.1} GFLOP/s{}  products {run_gf:5.1} GFLOP/s{}  peak RSS {:7.1} MiB",
                    secs.unwrap_or(f64::NAN) * 1e3,
                    ips.unwrap_or(f64::NAN),
                    share(gf),
                    share(run_gf),
                    mib.unwrap_or(f64::NAN)
                );
                ours.push((key, ips.unwrap_or(f64::NAN), mib.unwrap_or(f64::NAN)));
            }
        }
        if !out.status.success() {
            eprintln!(
                "child {name} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let python = "/work/venv-torch/bin/python";
    let torch = if args.iter().any(|a| a == "--no-torch") || !std::path::Path::new(python).exists()
    {
        None
    } else {
        torch_side(python, quick)
    };
    let (reference, source): (Vec<(String, f64)>, &str) = match &torch {
        Some((rows, _)) if !rows.is_empty() => (
            rows.clone(),
            "PyTorch measured now, same machine (torch_conv_bench.py)",
        ),
        _ => (
            TORCH_ISSUE
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            "PyTorch figures from the issue (torch not run)",
        ),
    };
    println!("side by side — {source}:");
    for (key, ips, mib) in &ours {
        if let Some((_, t)) = reference.iter().find(|(k, _)| k == key) {
            println!(
                "  {key:12}: ours {ips:7.2} img/s, PyTorch {t:7.2} img/s, ratio {:5.2}x",
                ips / t
            );
        }
        if key == "train:416:8"
            && let Some((_, torch_mib)) = &torch
        {
            println!(
                "  peak RSS of a training step at 416 b8: ours {mib:.0} MiB, PyTorch {torch_mib:.0} MiB"
            );
        }
    }
}
