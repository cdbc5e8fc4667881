//! The region layer's training deltas and cost against the values Darknet itself computed
//! (`shared/reference/nn/region/`, AlexeyAB/darknet 59596d78 CPU; see its README).

#![allow(clippy::print_stderr)] // reports the measured errors under --nocapture

use safetensors::SafeTensors;
use zukan_nn::region::{
    Anchor, GridShape, RegionConfig, Truth, region_backward, region_forward, region_loss,
};

const REFERENCE_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/reference/nn/region"
);

fn tensor(file: &SafeTensors<'_>, name: &str) -> Vec<f32> {
    let view = file
        .tensor(name)
        .unwrap_or_else(|e| panic!("tensor {name}: {e}"));
    view.data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

struct Case {
    cfg: RegionConfig,
    shape: GridShape,
    seen: u64,
    input: Vec<f32>,
    truths: Vec<Vec<Truth>>,
    delta: Vec<f32>,
    cost: f32,
}

fn load(name: &str) -> Case {
    let bytes = std::fs::read(format!("{REFERENCE_DIR}/{name}"))
        .unwrap_or_else(|e| panic!("{REFERENCE_DIR}/{name}: {e}"));
    let file = SafeTensors::deserialize(&bytes).expect("safetensors header");
    // meta = [seen, classes, num, w, h, batch] (README "Tensors").
    let meta: Vec<usize> = tensor(&file, "meta").iter().map(|&v| v as usize).collect();
    let [seen, classes, num, width, height, batch] = meta[..] else {
        panic!("meta {meta:?}")
    };
    let anchors: Vec<Anchor> = tensor(&file, "anchors")
        .chunks_exact(2)
        .map(|a| Anchor::new(a[0], a[1]))
        .collect();
    assert_eq!(anchors.len(), num);
    // README "Region settings used": the yolov2-tiny-voc region section.
    let cfg = RegionConfig::tiny_yolo(classes, anchors);
    let rows = tensor(&file, "truth");
    let truths = rows
        .chunks_exact(30 * 5)
        .map(|image| {
            image
                .chunks_exact(5)
                .map(|r| Truth {
                    x: r[0],
                    y: r[1],
                    w: r[2],
                    h: r[3],
                    class: r[4] as usize,
                })
                .collect()
        })
        .collect();
    Case {
        cfg,
        shape: GridShape {
            batch,
            height,
            width,
        },
        seen: seen as u64,
        input: tensor(&file, "input"),
        truths,
        delta: tensor(&file, "delta"),
        cost: tensor(&file, "cost")[0],
    }
}

/// Checks one case and returns (max |got − want| / max |want|, relative cost error).
fn check(name: &str) -> (f32, f32) {
    let case = load(name);
    let output = region_forward(&case.cfg, case.shape, &case.input).unwrap();
    let mut delta = vec![f32::NAN; output.len()];
    let loss = region_loss(
        &case.cfg,
        case.shape,
        &output,
        &case.truths,
        case.seen,
        &mut delta,
    )
    .unwrap();
    let max_want = case.delta.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let (mut worst, mut at) = (0.0f32, 0);
    for (k, (got, want)) in delta.iter().zip(&case.delta).enumerate() {
        let err = (got - want).abs();
        if err > worst || err.is_nan() {
            (worst, at) = (err, k);
        }
    }
    let rel = worst / max_want;
    assert!(
        rel <= 1e-4,
        "{name}: delta[{at}] = {} but Darknet has {} (max |want| {max_want})",
        delta[at],
        case.delta[at]
    );
    let cost_rel = (loss.cost - case.cost).abs() / case.cost;
    assert!(
        cost_rel <= 1e-5,
        "{name}: cost {} but Darknet has {}",
        loss.cost,
        case.cost
    );
    assert_eq!(loss.skipped_empty_truths, 0);

    // The gradient handed to the conv layer is exactly −delta.
    let mut grad = vec![0.0; delta.len()];
    region_backward(&delta, &mut grad).unwrap();
    assert!(grad.iter().zip(&delta).all(|(g, d)| *g == -d));
    (rel, cost_rel)
}

#[test]
fn darknet_13x13_five_anchors_one_class_prior_term_on() {
    let (rel, cost_rel) = check("region_13x13_a5_c1_b2_seen100.safetensors");
    eprintln!("13x13: max delta error {rel:.2e} of max |want|, cost error {cost_rel:.2e}");
}

#[test]
fn darknet_7x7_three_anchors_two_classes_prior_term_off() {
    let (rel, cost_rel) = check("region_7x7_a3_c2_b2_seen20000.safetensors");
    eprintln!("7x7: max delta error {rel:.2e} of max |want|, cost error {cost_rel:.2e}");
}

/// The 13x13 case, image 1: the first and the fourth truth share cell (6, 5) and anchor 2,
/// so the fourth truth's targets are the ones left there (README "What the cases contain").
#[test]
fn later_truth_on_the_same_anchor_wins_in_the_darknet_case() {
    let case = load("region_13x13_a5_c1_b2_seen100.safetensors");
    let output = region_forward(&case.cfg, case.shape, &case.input).unwrap();
    let mut delta = vec![0.0; output.len()];
    region_loss(
        &case.cfg,
        case.shape,
        &output,
        &case.truths,
        case.seen,
        &mut delta,
    )
    .unwrap();
    let (cells, entries) = (13 * 13, 6);
    let (image, anchor, row, column) = (1, 2, 5, 6);
    let base = ((image * 5 + anchor) * entries) * cells + row * 13 + column;
    let fourth = case.truths[1][3];
    // tw target is ln(w·W / aw) of the fourth truth: delta_w = tw* − tw.
    let tw_target = (fourth.w * 13.0 / 6.63).ln();
    let got = delta[base + 2 * cells] + output[base + 2 * cells];
    assert!(
        (got - tw_target).abs() < 1e-5,
        "tw target {got}, want {tw_target}"
    );
}
