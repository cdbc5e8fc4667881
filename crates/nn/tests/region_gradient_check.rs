//! `−delta` is the gradient of [`RegionLoss::objective`], checked by central finite
//! differences on every input entry.
//!
//! Exact gradients: the no-object term, the prior-matching term, the coordinate terms, the
//! objectness term without rescore, and the class term (softmax cross-entropy). Not exact,
//! by Darknet's design: with `rescore` the objectness target is the IoU of the predicted box,
//! which moves with tx..th but is treated as a constant, so the responsible anchor's
//! coordinate deltas miss that path; the ignore mask is a step function
//! of the same IoU (constant almost everywhere, so the check holds away from its edge).

#![allow(clippy::print_stderr)] // reports the measured errors under --nocapture

use zukan_nn::region::{Anchor, GridShape, RegionConfig, Truth, region_forward, region_loss};

const SHAPE: GridShape = GridShape {
    batch: 2,
    height: 3,
    width: 4,
};

/// Deterministic N(0, σ²)-ish values: xorshift, sum of four uniforms.
fn noise(len: usize, sigma: f32, mut state: u64) -> Vec<f32> {
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32
    };
    (0..len)
        .map(|_| ((0..4).map(|_| uniform()).sum::<f32>() - 2.0) * sigma * 1.7)
        .collect()
}

fn config(rescore: bool) -> RegionConfig {
    let anchors = vec![
        Anchor::new(0.8, 1.0),
        Anchor::new(1.5, 2.0),
        Anchor::new(3.0, 1.2),
    ];
    RegionConfig {
        rescore,
        ..RegionConfig::tiny_yolo(3, anchors)
    }
}

fn truths() -> Vec<Vec<Truth>> {
    vec![
        vec![
            Truth {
                x: 0.3,
                y: 0.4,
                w: 0.3,
                h: 0.5,
                class: 2,
            },
            Truth {
                x: 0.8,
                y: 0.75,
                w: 0.6,
                h: 0.3,
                class: 0,
            },
        ],
        vec![Truth {
            x: 0.55,
            y: 0.2,
            w: 0.2,
            h: 0.25,
            class: 1,
        }],
    ]
}

fn objective_and_delta(cfg: &RegionConfig, input: &[f32], seen: u64) -> (f64, Vec<f32>) {
    let output = region_forward(cfg, SHAPE, input).unwrap();
    let mut delta = vec![0.0; output.len()];
    let loss = region_loss(cfg, SHAPE, &output, &truths(), seen, &mut delta).unwrap();
    (loss.objective, delta)
}

/// Central differences of the objective at every entry of `input`.
fn finite_differences(cfg: &RegionConfig, input: &[f32], seen: u64) -> Vec<f64> {
    let h = 1e-2f32;
    (0..input.len())
        .map(|k| {
            let mut probe = input.to_vec();
            let (up, down) = (input[k] + h, input[k] - h);
            probe[k] = up;
            let (plus, _) = objective_and_delta(cfg, &probe, seen);
            probe[k] = down;
            let (minus, _) = objective_and_delta(cfg, &probe, seen);
            (plus - minus) / f64::from(up - down)
        })
        .collect()
}

/// Largest |fd − (−delta)| over `entries`, with its index.
fn worst(fd: &[f64], delta: &[f32], entries: impl Iterator<Item = usize>) -> (f64, usize) {
    entries
        .map(|k| ((fd[k] + f64::from(delta[k])).abs(), k))
        .fold((0.0, 0), |a, b| if b.0 > a.0 { b } else { a })
}

#[test]
fn minus_delta_is_the_gradient_with_prior_term_on_and_off() {
    for seen in [0, 20_000] {
        let cfg = config(false);
        let input = noise(SHAPE.len(&cfg), 0.7, 0x5eed_1234 + seen);
        let (_, delta) = objective_and_delta(&cfg, &input, seen);
        let fd = finite_differences(&cfg, &input, seen);
        let (err, k) = worst(&fd, &delta, 0..input.len());
        assert!(
            err < 2e-4,
            "seen {seen}: entry {k}: fd {} vs −delta {}",
            fd[k],
            -delta[k]
        );
        eprintln!("seen {seen}: max |fd + delta| = {err:.2e}");
    }
}

#[test]
fn with_rescore_the_responsible_coordinates_are_not_exact_gradients() {
    let input = noise(SHAPE.len(&config(true)), 0.7, 0xfeed_0042);
    let (_, rescored) = objective_and_delta(&config(true), &input, 0);
    let (_, plain) = objective_and_delta(&config(false), &input, 0);
    let differing: Vec<usize> = (0..input.len())
        .filter(|&k| rescored[k] != plain[k])
        .collect();
    // One responsible anchor per truth, and only its objectness entry (entry 4) changes.
    let cells = SHAPE.cells();
    let entries = config(true).entries_per_anchor();
    assert_eq!(differing.len(), 3, "{differing:?}");
    assert!(differing.iter().all(|k| (k / cells) % entries == 4));

    // The objective's objectness term there, ½λ(σ − IoU)², also depends on tx..th through
    // the IoU; Darknet's coordinate deltas leave that path out. Everything else is exact.
    let inexact: Vec<usize> = differing
        .iter()
        .flat_map(|&obj| (1..=4).map(move |e| obj - e * cells))
        .collect();
    let fd = finite_differences(&config(true), &input, 0);
    let exact = (0..input.len()).filter(|k| !inexact.contains(k));
    let (err, k) = worst(&fd, &rescored, exact);
    assert!(
        err < 2e-4,
        "entry {k}: fd {} vs −delta {}",
        fd[k],
        -rescored[k]
    );
    let (err, _) = worst(&fd, &rescored, inexact.iter().copied());
    assert!(
        err > 1e-3,
        "the IoU path should show up at the responsible coordinates"
    );
}
