//! Region layer on small hand-computed cases: activations, anchor choice, the delta rules,
//! edge truths, decoding and input validation.

use zukan_nn::region::{
    Anchor, GridShape, ImageSize, RegionBox, RegionConfig, RegionError, Truth, decode_detections,
    region_forward, region_loss,
};

const GRID: usize = 13;
const SHAPE: GridShape = GridShape {
    batch: 1,
    height: GRID,
    width: GRID,
};
/// Logistic derivative at 0: σ(0)(1 − σ(0)).
const DSIG0: f32 = 0.25;

/// Three anchors of clearly different shapes (grid cells), one class, no rescore, so the
/// objectness target is 1.
fn config() -> RegionConfig {
    let anchors = vec![
        Anchor::new(1.0, 1.0),
        Anchor::new(3.0, 3.0),
        Anchor::new(6.0, 2.0),
    ];
    RegionConfig {
        rescore: false,
        ..RegionConfig::tiny_yolo(1, anchors)
    }
}

/// Index of `entry` of `anchor` at (`row`, `col`) of image `image` in the NCHW buffer.
fn at(
    cfg: &RegionConfig,
    shape: GridShape,
    image: usize,
    anchor: usize,
    entry: usize,
    row: usize,
    col: usize,
) -> usize {
    let cells = shape.cells();
    ((image * cfg.num_anchors() + anchor) * cfg.entries_per_anchor() + entry) * cells
        + row * shape.width
        + col
}

fn deltas(
    cfg: &RegionConfig,
    shape: GridShape,
    input: &[f32],
    truths: &[Vec<Truth>],
    seen: u64,
) -> Vec<f32> {
    let output = region_forward(cfg, shape, input).unwrap();
    let mut delta = vec![f32::NAN; output.len()];
    region_loss(cfg, shape, &output, truths, seen, &mut delta).unwrap();
    assert!(
        delta.iter().all(|d| d.is_finite()),
        "every delta is written and finite"
    );
    delta
}

/// A 2.8 × 3.1-cell truth a quarter into cell (row 7, column 4).
fn truth_in_cell_4_7() -> Truth {
    Truth {
        x: 4.25 / 13.0,
        y: 7.5 / 13.0,
        w: 2.8 / 13.0,
        h: 3.1 / 13.0,
        class: 0,
    }
}

#[test]
fn forward_applies_logistic_softmax_and_leaves_tw_th_linear() {
    let cfg = RegionConfig::tiny_yolo(2, vec![Anchor::new(1.0, 1.0)]);
    let shape = GridShape {
        batch: 1,
        height: 1,
        width: 1,
    };
    // tx, ty, tw, th, objectness, class 0, class 1
    let input = [0.0, 2.0, -0.7, 1.3, -1.0, 0.0, 3f32.ln()];
    let out = region_forward(&cfg, shape, &input).unwrap();
    let want = [0.5, 0.880797, -0.7, 1.3, 0.268941, 0.25, 0.75];
    for (g, w) in out.iter().zip(want) {
        assert!((g - w).abs() < 1e-6, "{out:?}");
    }
}

#[test]
fn iou_of_hand_computed_boxes() {
    let a = RegionBox {
        x: 0.5,
        y: 0.5,
        w: 0.4,
        h: 0.4,
    };
    let b = RegionBox {
        x: 0.6,
        y: 0.5,
        w: 0.4,
        h: 0.4,
    };
    // overlap .3 × .4 = .12, union .16 + .16 − .12 = .2
    assert!((a.iou(&b) - 0.6).abs() < 1e-6);
    let far = RegionBox {
        x: 0.95,
        y: 0.5,
        w: 0.1,
        h: 0.1,
    };
    assert_eq!(a.iou(&far), 0.0);
    let empty = RegionBox {
        x: 0.5,
        y: 0.5,
        w: 0.0,
        h: 0.0,
    };
    assert_eq!(empty.iou(&empty), 0.0, "0/0 is 0, not NaN");
}

#[test]
fn truth_goes_to_its_cell_and_the_anchor_of_best_shape_iou() {
    // Shape IoUs with the 2.8 × 3.1 truth: 1×1 → 1/8.68 = .115; 3×3 → 8.4/9.28 = .905;
    // 6×2 → 5.6/15.08 = .371. Anchor 1 is responsible.
    let cfg = config();
    let input = vec![0.0; SHAPE.len(&cfg)];
    let d = deltas(&cfg, SHAPE, &input, &[vec![truth_in_cell_4_7()]], 20_000);
    let r = |e| d[at(&cfg, SHAPE, 0, 1, e, 7, 4)];
    // tx* = .25, σ = .5: (.25 − .5)·.25. ty* = .5: 0. tw* = ln(2.8/3), th* = ln(3.1/3).
    assert!((r(0) - (0.25 - 0.5) * DSIG0).abs() < 1e-6);
    assert!(r(1).abs() < 1e-6);
    assert!((r(2) - (2.8f32 / 3.0).ln()).abs() < 1e-5);
    assert!((r(3) - (3.1f32 / 3.0).ln()).abs() < 1e-5);
    // objectness toward 1 with object_scale 5; the single class's delta is 1 − 1 = 0.
    assert!((r(4) - 5.0 * 0.5 * DSIG0).abs() < 1e-6);
    assert_eq!(r(5), 0.0);
    // The other anchors of the cell get only the no-object delta (their IoU ≤ .6).
    for anchor in [0, 2] {
        assert_eq!(d[at(&cfg, SHAPE, 0, anchor, 4, 7, 4)], -0.5 * DSIG0);
        assert_eq!(d[at(&cfg, SHAPE, 0, anchor, 2, 7, 4)], 0.0);
    }
    assert_eq!(d[at(&cfg, SHAPE, 0, 1, 4, 0, 0)], -0.5 * DSIG0);
}

#[test]
fn equal_shape_ious_go_to_the_lowest_anchor() {
    let anchors = vec![Anchor::new(2.0, 2.0), Anchor::new(2.0, 2.0)];
    let cfg = RegionConfig {
        rescore: false,
        ..RegionConfig::tiny_yolo(1, anchors)
    };
    let input = vec![0.0; SHAPE.len(&cfg)];
    let d = deltas(&cfg, SHAPE, &input, &[vec![truth_in_cell_4_7()]], 20_000);
    assert!(d[at(&cfg, SHAPE, 0, 0, 4, 7, 4)] > 0.0);
    assert!(d[at(&cfg, SHAPE, 0, 1, 4, 7, 4)] < 0.0);
}

#[test]
fn rescore_targets_the_iou_of_the_decoded_box() {
    // Anchor 1 decodes (all-zero input) to a 3×3-cell box centred in cell (4, 7): x 3..6,
    // y 6..9 cells. Truth x 2.85..5.65, y 5.95..9.05: overlap 2.65 × 3 = 7.95, union
    // 9 + 8.68 − 7.95 = 9.73, IoU .817061.
    let cfg = RegionConfig {
        rescore: true,
        ..config()
    };
    let input = vec![0.0; SHAPE.len(&cfg)];
    let d = deltas(&cfg, SHAPE, &input, &[vec![truth_in_cell_4_7()]], 20_000);
    let want = 5.0 * (7.95 / 9.73 - 0.5) * DSIG0;
    assert!((d[at(&cfg, SHAPE, 0, 1, 4, 7, 4)] - want).abs() < 1e-5);
}

#[test]
fn a_prediction_matching_a_truth_above_thresh_gets_no_noobject_delta() {
    // Make anchor 2 (6×2) of cell (4, 7) decode to the truth itself.
    let cfg = config();
    let mut input = vec![0.0; SHAPE.len(&cfg)];
    input[at(&cfg, SHAPE, 0, 2, 0, 7, 4)] = -(3f32.ln()); // σ = .25
    input[at(&cfg, SHAPE, 0, 2, 2, 7, 4)] = (2.8f32 / 6.0).ln();
    input[at(&cfg, SHAPE, 0, 2, 3, 7, 4)] = (3.1f32 / 2.0).ln();
    let d = deltas(&cfg, SHAPE, &input, &[vec![truth_in_cell_4_7()]], 20_000);
    assert_eq!(d[at(&cfg, SHAPE, 0, 2, 4, 7, 4)], 0.0);
    assert_eq!(d[at(&cfg, SHAPE, 0, 0, 4, 7, 4)], -0.5 * DSIG0);
}

#[test]
fn prior_term_pulls_coordinates_toward_the_anchor_until_12800_images() {
    let cfg = config();
    let mut input = vec![0.0; SHAPE.len(&cfg)];
    let tw = at(&cfg, SHAPE, 0, 2, 2, 3, 9);
    let tx = at(&cfg, SHAPE, 0, 2, 0, 3, 9);
    input[tw] = 1.0;
    input[tx] = 2.0;
    let on = deltas(&cfg, SHAPE, &input, &[vec![truth_in_cell_4_7()]], 12_799);
    let s = 1.0 / (1.0 + (-2.0f32).exp());
    assert!((on[tw] - 0.01 * (0.0 - 1.0)).abs() < 1e-6);
    assert!((on[tx] - 0.01 * (0.5 - s) * s * (1.0 - s)).abs() < 1e-7);
    let off = deltas(&cfg, SHAPE, &input, &[vec![truth_in_cell_4_7()]], 12_800);
    assert_eq!((off[tw], off[tx]), (0.0, 0.0));
}

#[test]
fn pjreddie_2018_size_scale_multiplies_coordinate_deltas_by_two_minus_area() {
    let truth = truth_in_cell_4_7();
    let cfg = config();
    let scaled = RegionConfig {
        scale_coords_by_size: true,
        ..config()
    };
    let input = vec![0.0; SHAPE.len(&cfg)];
    let plain = deltas(&cfg, SHAPE, &input, &[vec![truth]], 20_000);
    let by_size = deltas(&scaled, SHAPE, &input, &[vec![truth]], 20_000);
    let k = at(&cfg, SHAPE, 0, 1, 2, 7, 4);
    assert!((by_size[k] - plain[k] * (2.0 - truth.w * truth.h)).abs() < 1e-6);
}

#[test]
fn two_truths_on_one_anchor_the_later_one_wins() {
    let cfg = config();
    let input = vec![0.0; SHAPE.len(&cfg)];
    let first = truth_in_cell_4_7();
    let second = Truth {
        x: 4.75 / 13.0,
        ..first
    };
    let d = deltas(&cfg, SHAPE, &input, &[vec![first, second]], 20_000);
    assert!((d[at(&cfg, SHAPE, 0, 1, 0, 7, 4)] - (0.75 - 0.5) * DSIG0).abs() < 1e-6);
    assert_eq!(d, deltas(&cfg, SHAPE, &input, &[vec![second]], 20_000));
}

#[test]
fn truths_at_x_or_y_one_use_the_last_cell_and_stay_in_bounds() {
    // Darknet would compute column W (aliasing the next row, or past the buffer on the
    // last row); the index is clamped to W − 1 and the offset target becomes 1.
    let cfg = config();
    let shape = GridShape { batch: 2, ..SHAPE };
    let input = vec![0.0; shape.len(&cfg)];
    let corner = Truth {
        x: 1.0,
        y: 1.0,
        w: 2.8 / 13.0,
        h: 3.1 / 13.0,
        class: 0,
    };
    let d = deltas(&cfg, shape, &input, &[vec![], vec![corner]], 20_000);
    let k = |e| at(&cfg, shape, 1, 1, e, 12, 12);
    assert!((d[k(0)] - 0.5 * DSIG0).abs() < 1e-6);
    assert!((d[k(1)] - 0.5 * DSIG0).abs() < 1e-6);
    assert!(d[k(4)] > 0.0);
    // Image 0 and the first cell of image 1 saw no truth.
    assert_eq!(d[at(&cfg, shape, 1, 1, 4, 0, 0)], -0.5 * DSIG0);
    assert!((0..shape.len(&cfg) / 2).all(|i| d[i] == 0.0 || d[i] == -0.5 * DSIG0));
}

#[test]
fn truths_of_zero_width_or_height_are_skipped_not_written_at_cell_zero() {
    let cfg = config();
    let input = vec![0.0; SHAPE.len(&cfg)];
    let good = truth_in_cell_4_7();
    let flat = Truth { w: 0.0, ..good };
    let thin = Truth {
        h: 0.0,
        x: 0.1,
        ..good
    };
    let output = region_forward(&cfg, SHAPE, &input).unwrap();
    let mut d = vec![0.0; output.len()];
    let loss = region_loss(
        &cfg,
        SHAPE,
        &output,
        &[vec![flat, good, thin]],
        20_000,
        &mut d,
    )
    .unwrap();
    assert_eq!((loss.truths, loss.skipped_empty_truths), (1, 2));
    assert!(loss.cost.is_finite());
    assert_eq!(d, deltas(&cfg, SHAPE, &input, &[vec![good]], 20_000));
}

#[test]
fn the_truth_list_ends_at_the_first_box_with_x_zero() {
    let cfg = config();
    let input = vec![0.0; SHAPE.len(&cfg)];
    let good = truth_in_cell_4_7();
    let end = Truth {
        x: 0.0,
        y: 0.0,
        w: 0.0,
        h: 0.0,
        class: 0,
    };
    // The box after the terminator would be invalid (class 7) and is never read.
    let unread = Truth {
        x: 0.9,
        class: 7,
        ..good
    };
    let d = deltas(&cfg, SHAPE, &input, &[vec![good, end, unread]], 20_000);
    assert_eq!(d, deltas(&cfg, SHAPE, &input, &[vec![good]], 20_000));
}

#[test]
fn invalid_inputs_are_typed_errors() {
    let cfg = config();
    let output = vec![0.5; SHAPE.len(&cfg)];
    let mut delta = vec![0.0; output.len()];
    let good = truth_in_cell_4_7();
    let mut run = |truths: &[Vec<Truth>], out: &[f32]| {
        region_loss(&cfg, SHAPE, out, truths, 0, &mut delta).unwrap_err()
    };
    assert!(matches!(
        run(&[vec![Truth { x: 1.5, ..good }]], &output),
        RegionError::TruthOutOfRange { field: "x", .. }
    ));
    assert!(matches!(
        run(
            &[vec![
                good,
                Truth {
                    y: f32::NAN,
                    ..good
                }
            ]],
            &output
        ),
        RegionError::TruthOutOfRange {
            index: 1,
            field: "y",
            ..
        }
    ));
    assert!(matches!(
        run(&[vec![Truth { w: -0.1, ..good }]], &output),
        RegionError::TruthOutOfRange { field: "w", .. }
    ));
    assert_eq!(
        run(&[vec![Truth { class: 1, ..good }]], &output),
        RegionError::TruthClass {
            image: 0,
            index: 0,
            class: 1,
            classes: 1
        }
    );
    assert_eq!(
        run(&[vec![], vec![]], &output),
        RegionError::TruthImages {
            expected: 1,
            found: 2
        }
    );
    assert!(matches!(
        run(&[vec![]], &output[1..]),
        RegionError::Length {
            buffer: "output",
            ..
        }
    ));
    let empty = GridShape {
        batch: 1,
        height: 0,
        width: 4,
    };
    assert_eq!(
        region_loss(&cfg, empty, &[], &[vec![good]], 0, &mut []).unwrap_err(),
        RegionError::EmptyGrid {
            height: 0,
            width: 4
        }
    );
    let bad_anchor = RegionConfig {
        anchors: vec![Anchor::new(0.0, 1.0)],
        ..config()
    };
    assert!(matches!(
        region_forward(&bad_anchor, SHAPE, &[]),
        Err(RegionError::BadAnchor { .. })
    ));
}

#[test]
fn decode_gives_the_known_pixel_box() {
    // Cell (row 7, column 4) of a 13×13 grid on a 416×416 image: 32 px cells. Anchor 1
    // (3×3 cells) with tx = ty = 0, tw = ln 2, th = 0: centre (144, 240), 192 × 96 px,
    // top-left (48, 192).
    let cfg = RegionConfig::tiny_yolo(2, config().anchors);
    let mut input = vec![0.0; SHAPE.len(&cfg)];
    for anchor in 0..3 {
        for cell in 0..SHAPE.cells() {
            input[at(&cfg, SHAPE, 0, anchor, 4, cell / GRID, cell % GRID)] = -10.0;
        }
    }
    input[at(&cfg, SHAPE, 0, 1, 2, 7, 4)] = 2f32.ln();
    input[at(&cfg, SHAPE, 0, 1, 4, 7, 4)] = 2.0;
    input[at(&cfg, SHAPE, 0, 1, 6, 7, 4)] = 3f32.ln(); // class 1 has p = .75
    let output = region_forward(&cfg, SHAPE, &input).unwrap();
    let size = ImageSize {
        width: 416.0,
        height: 416.0,
    };
    let found = decode_detections(&cfg, SHAPE, &output, size, 0.5).unwrap();
    assert_eq!(found.len(), 1);
    let [det] = &found[0][..] else {
        panic!("one detection expected, got {:?}", found[0])
    };
    assert_eq!(
        (det.row, det.column, det.anchor, det.best_class),
        (7, 4, 1, 1)
    );
    let b = det.bbox;
    for (got, want) in [
        (b.left, 48.0),
        (b.top, 192.0),
        (b.width, 192.0),
        (b.height, 96.0),
    ] {
        assert!((got - want).abs() < 1e-3, "{b:?}");
    }
    let objectness = 1.0 / (1.0 + (-2.0f32).exp());
    assert!((det.score - objectness * 0.75).abs() < 1e-6);
}
