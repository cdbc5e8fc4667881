//! Darknet's own yolov2, yolov2-tiny and yolov2-tiny-voc cfgs (`tests/data/`, verbatim from
//! pjreddie/darknet) parse without warnings, build at their `[net]` size, and ask a
//! `.weights` file for exactly the floats (and bytes) the real files hold.

use zukan_nn::darknet::cfg::parse_cfg;
use zukan_nn::darknet::model::build_network;
use zukan_nn::darknet::weights::{load_weights, payload_floats};
use zukan_nn::{LayerKind, Network};

fn load(name: &str) -> Network {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cfg = parse_cfg(&text).unwrap();
    assert!(cfg.warnings.is_empty(), "{name}: {:?}", cfg.warnings);
    build_network(&cfg, None).unwrap()
}

/// A header alone (`major.minor.0`, seen 0): too short for any of these networks, so the
/// error states the size the real file must have.
fn expected_size_message(net: &mut Network, major: i32, minor: i32) -> String {
    let mut bytes = Vec::new();
    for v in [major, minor, 0] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes.extend_from_slice(&[0; 8]);
    load_weights(net, &bytes).unwrap_err().to_string()
}

fn kinds(net: &Network) -> String {
    net.layers
        .iter()
        .map(|l| match &l.kind {
            LayerKind::Conv(_) => 'c',
            LayerKind::MaxPool(_) => 'm',
            LayerKind::Route(_) => 'r',
            LayerKind::Reorg(_) => 'o',
        })
        .collect()
}

#[test]
fn yolov2_needs_50_983_561_floats() {
    let mut net = load("yolov2.cfg");
    assert_eq!(net.input_shape, [3, 608, 608]);
    assert_eq!(kinds(&net), "cmcmcccmcccmcccccmcccccccrcorcc");
    assert_eq!(net.output_shape(), [425, 19, 19]);
    // python3 shared/tools/darknet_weights_check.py crates/nn/tests/data/yolov2.cfg
    // → "total float32 values consumed by conv layers: 50983561"
    assert_eq!(payload_floats(&mut net), 50_983_561);
    // 20-byte header (0.2.0) + 4 · 50,983,561.
    let msg = expected_size_message(&mut net, 0, 2);
    assert!(msg.contains("expected 203934264 bytes"), "{msg}");
    let region = net.region.as_ref().unwrap();
    assert_eq!(
        (region.config.classes, region.config.num_anchors()),
        (80, 5)
    );
    assert!(region.config.rescore && region.config.bias_match && region.config.softmax);
    assert_eq!((region.jitter, region.random), (0.3, true));
}

#[test]
fn yolov2_tiny_needs_11_237_145_floats_in_a_44_948_600_byte_file() {
    let mut net = load("yolov2-tiny.cfg");
    assert_eq!(net.input_shape, [3, 416, 416]);
    assert_eq!(kinds(&net), "cmcmcmcmcmcmccc");
    // The 2×2 stride-1 pool keeps 13×13.
    assert_eq!(net.layers[11].out_shape, [512, 13, 13]);
    assert_eq!(net.output_shape(), [425, 13, 13]);
    // python3 shared/tools/darknet_weights_check.py crates/nn/tests/data/yolov2-tiny.cfg
    // → "total float32 values consumed by conv layers: 11237145"
    assert_eq!(payload_floats(&mut net), 11_237_145);
    // The real yolov2-tiny.weights is 44,948,600 bytes (research/model-core.md §2.1, from a
    // darkflow error message): 20-byte header + 4 · 11,237,145.
    let msg = expected_size_message(&mut net, 0, 2);
    assert!(msg.contains("expected 44948600 bytes"), "{msg}");
    assert!(!net.region.as_ref().unwrap().config.rescore);
}

#[test]
fn yolov2_tiny_voc_needs_15_867_885_floats_in_a_63_471_556_byte_file() {
    let mut net = load("yolov2-tiny-voc.cfg");
    assert_eq!(net.input_shape, [3, 416, 416]);
    assert_eq!(kinds(&net), "cmcmcmcmcmcmccc");
    assert_eq!(net.output_shape(), [125, 13, 13]);
    // python3 shared/tools/darknet_weights_check.py crates/nn/tests/data/yolov2-tiny-voc.cfg
    // → "total float32 values consumed by conv layers: 15867885"
    assert_eq!(payload_floats(&mut net), 15_867_885);
    // The real yolov2-tiny-voc.weights is 63,471,556 bytes (research/model-core.md §2.1,
    // darkflow's "Successfully identified 63471556 bytes"): the 16-byte header (0.1.0).
    let msg = expected_size_message(&mut net, 0, 1);
    assert!(msg.contains("expected 63471556 bytes"), "{msg}");
    assert!(msg.contains("16-byte header + 15867885 floats"), "{msg}");
    let region = net.region.as_ref().unwrap();
    assert_eq!(region.config.classes, 20);
    assert_eq!(region.config.anchors[4].width, 16.62);
    assert!(region.config.rescore);
}
