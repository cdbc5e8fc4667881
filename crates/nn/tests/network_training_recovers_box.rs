//! The path a trainer takes — a [`Network`] built from a cfg, [`region_gradient`],
//! [`Network::backward`], [`Network::params_mut`] and [`DarknetSgd`] — trains a tiny
//! conv + batch norm + max pool + region network on one synthetic image: the cost falls by
//! a large factor and the best decoded box is the truth.

#![allow(clippy::print_stderr)] // reports the measured numbers under --nocapture

mod common;

use common::values;
use zukan_nn::darknet::cfg::parse_cfg;
use zukan_nn::darknet::model::build_network;
use zukan_nn::head::region_gradient;
use zukan_nn::optim::{DarknetSgd, LrPolicy, LrSchedule, SgdState};
use zukan_nn::region::{GridShape, ImageSize, RegionBox, Truth, decode_detections, region_forward};
use zukan_nn::{LayerKind, Mode, Network, Tensor};

/// 32×32 input → 16×16 → 8×8 → 4×4 grid; two anchors, two classes.
const CFG: &str = "[net]\nbatch=1\nwidth=32\nheight=32\nchannels=3\n\
    momentum=0.9\ndecay=0.0005\nlearning_rate=0.02\nburn_in=10\n\
    [convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\nstride=1\npad=1\nactivation=leaky\n\
    [maxpool]\nsize=2\nstride=2\n\
    [convolutional]\nbatch_normalize=1\nfilters=16\nsize=3\nstride=1\npad=1\nactivation=leaky\n\
    [maxpool]\nsize=2\nstride=2\n\
    [convolutional]\nbatch_normalize=1\nfilters=16\nsize=3\nstride=1\npad=1\nactivation=leaky\n\
    [maxpool]\nsize=2\nstride=2\n\
    [convolutional]\nfilters=14\nsize=1\nstride=1\nactivation=linear\n\
    [region]\nanchors=1,1,2.5,2\nbias_match=1\nclasses=2\ncoords=4\nnum=2\nsoftmax=1\n\
    rescore=1\nobject_scale=5\nnoobject_scale=1\nclass_scale=1\ncoord_scale=1\nthresh=.6\n";

const TRUTH: Truth = Truth {
    x: 0.59,
    y: 0.34,
    w: 0.45,
    h: 0.3,
    class: 1,
};

/// A bright rectangle where the truth is, on a noisy dark background.
fn image() -> Tensor {
    let side = 32;
    let noise = values(3 * side * side, 11);
    let mut data = vec![0.0; 3 * side * side];
    for c in 0..3 {
        for y in 0..side {
            for x in 0..side {
                let (fx, fy) = ((x as f32 + 0.5) / 32.0, (y as f32 + 0.5) / 32.0);
                let inside =
                    (fx - TRUTH.x).abs() < TRUTH.w / 2.0 && (fy - TRUTH.y).abs() < TRUTH.h / 2.0;
                let i = (c * side + y) * side + x;
                data[i] = if inside { 0.8 } else { 0.1 } + 0.1 * noise[i];
            }
        }
    }
    Tensor::from_vec([1, 3, side, side], data).unwrap()
}

/// Weights from a fixed pseudo-random draw in `±1/sqrt(fan_in)`.
fn initialise(net: &mut Network) {
    for (i, layer) in net.layers.iter_mut().enumerate() {
        if let LayerKind::Conv(block) = &mut layer.kind {
            let conv = &mut block.conv;
            let scale = 1.0 / ((conv.c_in * conv.k * conv.k) as f32).sqrt();
            let draw = values(conv.weight().len(), 100 + i as u64);
            for (w, d) in conv.weight_mut().iter_mut().zip(draw) {
                *w = d * scale;
            }
        }
    }
}

#[test]
fn a_cfg_network_trained_with_region_gradient_and_darknet_sgd_recovers_the_box() {
    let mut net = build_network(&parse_cfg(CFG).unwrap(), None).unwrap();
    initialise(&mut net);
    let c = net.config.clone();
    let sgd = DarknetSgd {
        momentum: c.momentum,
        decay: c.decay,
    };
    let schedule = LrSchedule {
        base_rate: c.learning_rate,
        burn_in: c.burn_in as u64,
        power: c.power,
        policy: LrPolicy::Constant,
    };
    let mut states: Vec<SgdState> = net
        .params_mut()
        .iter()
        .map(|p| SgdState::new(p.value.len()))
        .collect();
    let x = image();
    let truths = [vec![TRUTH]];
    let mut grad = Tensor::default();
    let (mut first, mut last) = (None, 0.0);
    for step in 0..300u64 {
        net.seen += c.batch as u64; // Darknet counts the images before the forward pass
        net.forward(&x, Mode::Train).unwrap();
        let loss = region_gradient(&net, &truths, &mut grad).unwrap();
        first.get_or_insert(loss.cost);
        last = loss.cost;
        net.zero_grad();
        net.backward(&grad).unwrap();
        let rate = schedule.rate(step);
        for (p, state) in net.params_mut().into_iter().zip(&mut states) {
            sgd.step(rate, c.batch, p.kind, p.value, p.grad, state)
                .unwrap();
        }
    }
    let first = first.unwrap();

    // Decode from an inference pass (running batch-norm statistics), as a detector would.
    let region = net.region.clone().unwrap().config;
    let raw = net.forward(&x, Mode::Infer).unwrap().clone();
    let shape = GridShape {
        batch: 1,
        height: raw.h(),
        width: raw.w(),
    };
    let activated = region_forward(&region, shape, raw.as_slice()).unwrap();
    let size = ImageSize {
        width: 32.0,
        height: 32.0,
    };
    let found = decode_detections(&region, shape, &activated, size, 0.0).unwrap();
    let best = found[0]
        .iter()
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .unwrap();
    let want = RegionBox {
        x: TRUTH.x,
        y: TRUTH.y,
        w: TRUTH.w,
        h: TRUTH.h,
    };
    let iou = best.region_box.iou(&want);
    eprintln!(
        "cost {first:.3} → {last:.4}; best box IoU {iou:.3}, score {:.3}, class {}",
        best.score, best.best_class
    );
    assert!(last * 20.0 < first, "cost {first} → {last}");
    assert!(iou > 0.7, "best detection {best:?} has IoU {iou}");
    assert_eq!(best.best_class, 1);
    assert_eq!((best.row, best.column), (1, 2), "⌊.34·4⌋, ⌊.59·4⌋");
}
