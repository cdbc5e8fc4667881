//! Training a tiny network on one synthetic image with the region loss and Darknet SGD
//! drives the cost down and recovers the box.
//!
//! The "network" is a 1×1 convolution (a linear map per cell) over a fixed random feature
//! map, written out by hand so this test needs nothing but the region layer and the
//! optimizer: `input[c, cell] = Σ_k W[c, k] · F[k, cell] + b[c]`.

#![allow(clippy::print_stderr)] // reports the measured errors under --nocapture

use zukan_nn::optim::{DarknetSgd, LrPolicy, LrSchedule, ParamKind, SgdState};
use zukan_nn::region::{
    Anchor, GridShape, ImageSize, RegionBox, RegionConfig, Truth, decode_detections,
    region_backward, region_forward, region_loss,
};

const SHAPE: GridShape = GridShape {
    batch: 1,
    height: 7,
    width: 7,
};
const FEATURES: usize = 64;

/// Deterministic uniform values in [−1, 1).
fn noise(len: usize, mut state: u64) -> Vec<f32> {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

struct TinyNet {
    features: Vec<f32>, // FEATURES × cells
    weights: Vec<f32>,  // channels × FEATURES
    bias: Vec<f32>,     // channels
    channels: usize,
}

impl TinyNet {
    fn forward(&self) -> Vec<f32> {
        let cells = SHAPE.cells();
        let mut out = vec![0.0; self.channels * cells];
        for c in 0..self.channels {
            for cell in 0..cells {
                let dot: f32 = (0..FEATURES)
                    .map(|k| self.weights[c * FEATURES + k] * self.features[k * cells + cell])
                    .sum();
                out[c * cells + cell] = dot + self.bias[c];
            }
        }
        out
    }

    /// Gradients of the weights and biases from the gradient of the region input.
    fn backward(&self, grad_input: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let cells = SHAPE.cells();
        let mut grad_w = vec![0.0; self.weights.len()];
        let mut grad_b = vec![0.0; self.channels];
        for c in 0..self.channels {
            let g = &grad_input[c * cells..(c + 1) * cells];
            grad_b[c] = g.iter().sum();
            for k in 0..FEATURES {
                let f = &self.features[k * cells..(k + 1) * cells];
                grad_w[c * FEATURES + k] = g.iter().zip(f).map(|(a, b)| a * b).sum();
            }
        }
        (grad_w, grad_b)
    }
}

#[test]
fn training_on_one_image_drives_the_cost_down_and_recovers_the_box() {
    let anchors = vec![
        Anchor::new(1.0, 1.0),
        Anchor::new(2.5, 3.0),
        Anchor::new(5.0, 4.0),
    ];
    let cfg = RegionConfig::tiny_yolo(2, anchors);
    let channels = cfg.channels();
    let truth = Truth {
        x: 0.46,
        y: 0.61,
        w: 0.3,
        h: 0.38,
        class: 1,
    };
    let mut net = TinyNet {
        features: noise(FEATURES * SHAPE.cells(), 0x0f00_d00d),
        weights: noise(channels * FEATURES, 0xbeef)
            .iter()
            .map(|w| w * 0.05)
            .collect(),
        bias: vec![0.0; channels],
        channels,
    };
    let sgd = DarknetSgd {
        momentum: 0.9,
        decay: 0.0005,
    };
    let schedule = LrSchedule {
        base_rate: 0.01,
        burn_in: 20,
        power: 4.0,
        policy: LrPolicy::Constant,
    };
    let (mut w_state, mut b_state) = (SgdState::new(net.weights.len()), SgdState::new(channels));
    let mut delta = vec![0.0; SHAPE.len(&cfg)];

    let mut first_cost = None;
    let mut last_cost = 0.0;
    for step in 0..400u64 {
        let output = region_forward(&cfg, SHAPE, &net.forward()).unwrap();
        // Darknet counts the images of this batch before the forward pass.
        let loss = region_loss(&cfg, SHAPE, &output, &[vec![truth]], step + 1, &mut delta).unwrap();
        first_cost.get_or_insert(loss.cost);
        last_cost = loss.cost;
        let mut grad_input = vec![0.0; delta.len()];
        region_backward(&delta, &mut grad_input).unwrap();
        let (grad_w, grad_b) = net.backward(&grad_input);
        let lr = schedule.rate(step);
        sgd.step(
            lr,
            1,
            ParamKind::Weights,
            &mut net.weights,
            &grad_w,
            &mut w_state,
        )
        .unwrap();
        sgd.step(
            lr,
            1,
            ParamKind::BiasOrScale,
            &mut net.bias,
            &grad_b,
            &mut b_state,
        )
        .unwrap();
    }
    let first_cost = first_cost.unwrap();
    assert!(
        last_cost * 10.0 < first_cost,
        "cost {first_cost} → {last_cost}"
    );

    let output = region_forward(&cfg, SHAPE, &net.forward()).unwrap();
    let size = ImageSize {
        width: 640.0,
        height: 480.0,
    };
    let found = decode_detections(&cfg, SHAPE, &output, size, 0.0).unwrap();
    let best = found[0]
        .iter()
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .unwrap();
    let want = RegionBox {
        x: truth.x,
        y: truth.y,
        w: truth.w,
        h: truth.h,
    };
    let iou = best.region_box.iou(&want);
    eprintln!(
        "cost {first_cost:.3} → {last_cost:.4}; best box IoU {iou:.3}, score {:.3}, class {}",
        best.score, best.best_class
    );
    assert!(iou > 0.8, "best detection {best:?} has IoU {iou}");
    assert_eq!(best.best_class, 1);
    assert_eq!(
        (best.row, best.column),
        (4, 3),
        "the truth's cell: ⌊.61·7⌋, ⌊.46·7⌋"
    );
}
