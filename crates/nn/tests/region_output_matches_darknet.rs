//! The `region_output` Darknet itself computed for the two reference networks
//! (`*.darknet.safetensors`, AlexeyAB/darknet CPU) against our region forward pass and box
//! decoding.
//!
//! Darknet's CPU `l.output` keeps `tx`, `ty` raw (its `get_region_box` applies σ when
//! decoding); ours holds σ(tx), σ(ty) already. So the reference is compared after σ on
//! those two entries; objectness (σ) and the class softmax are compared as stored.

#![allow(clippy::print_stderr)] // reports the measured errors under --nocapture

mod common;

use common::{Case, assert_close, reference_dir};
use zukan_nn::region::{GridShape, ImageSize, decode_detections, region_forward};
use zukan_nn::{Mode, load_darknet};

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[test]
fn region_output_of_both_networks_matches_darknet_forward_and_decode() {
    for name in ["tiny_face_64", "tiny_face_32_v1"] {
        let dir = reference_dir();
        let cfg = std::fs::read_to_string(dir.join(format!("{name}.cfg"))).unwrap();
        let weights = std::fs::read(dir.join(format!("{name}.weights"))).unwrap();
        let darknet = Case::open(&format!("{name}.darknet.safetensors"));
        let io = Case::open(&format!("{name}.io.safetensors"));
        let (mut net, _) = load_darknet(&cfg, &weights, None).unwrap();
        let raw = net
            .forward(&io.tensor("input"), Mode::Infer)
            .unwrap()
            .clone();
        let region = net.region.clone().unwrap().config;
        let shape = GridShape {
            batch: raw.n(),
            height: raw.h(),
            width: raw.w(),
        };
        let (entries, cells) = (region.entries_per_anchor(), shape.cells());

        // Darknet's region_output with σ applied to tx and ty.
        let mut want = darknet.vec("region_output");
        for (i, v) in want.iter_mut().enumerate() {
            if (i / cells) % entries < 2 {
                *v = sigmoid(*v);
            }
        }
        // From Darknet's own last-conv output, and from ours.
        let from_darknet = region_forward(&region, shape, &darknet.vec("output")).unwrap();
        let ours = region_forward(&region, shape, raw.as_slice()).unwrap();
        let err = |got: &[f32]| {
            got.iter()
                .zip(&want)
                .fold(0f32, |m, (g, w)| m.max((g - w).abs()))
        };
        eprintln!(
            "{name}: max |Δ| {:e} from Darknet's conv output, {:e} from ours",
            err(&from_darknet),
            err(&ours)
        );
        assert_close(&from_darknet, &want, &format!("{name} region forward"));
        assert_close(&ours, &want, &format!("{name} region forward (our conv)"));

        // Decoding: Darknet's get_region_box on its stored values, by hand.
        let size = ImageSize {
            width: 640.0,
            height: 480.0,
        };
        let found = decode_detections(&region, shape, &ours, size, 0.0).unwrap();
        let stored = darknet.vec("region_output");
        let at = |anchor: usize, entry: usize, cell: usize| {
            stored[(anchor * entries + entry) * cells + cell]
        };
        let (w, h) = (shape.width as f32, shape.height as f32);
        assert_eq!(found[0].len(), cells * region.num_anchors());
        for d in &found[0] {
            let cell = d.row * shape.width + d.column;
            let a = d.anchor;
            let prior = region.anchors[a];
            let want_box = [
                (d.column as f32 + sigmoid(at(a, 0, cell))) / w,
                (d.row as f32 + sigmoid(at(a, 1, cell))) / h,
                at(a, 2, cell).exp() * prior.width / w,
                at(a, 3, cell).exp() * prior.height / h,
            ];
            let b = d.region_box;
            let got_box = [b.x, b.y, b.w, b.h];
            assert_close(&got_box, &want_box, &format!("{name} box {cell}/{a}"));
            let probs: Vec<f32> = (0..region.classes).map(|c| at(a, 5 + c, cell)).collect();
            assert_close(
                &d.class_probs,
                &probs,
                &format!("{name} classes {cell}/{a}"),
            );
            let objectness = at(a, 4, cell);
            assert!((d.objectness - objectness).abs() <= 1e-6, "{name} {d:?}");
        }
    }
}
