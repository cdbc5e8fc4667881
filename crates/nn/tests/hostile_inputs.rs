//! Small hostile inputs — absurd cfg numbers, odd weights headers, empty or huge tensors —
//! give typed errors instead of overflowing, panicking or aborting on allocation. Each test
//! is named after the fault it pins (found by an audit of `zukan nn run`).

mod common;

use zukan_nn::checkpoint::{read_tensor, write_tensors};
use zukan_nn::darknet::cfg::parse_cfg;
use zukan_nn::darknet::model::build_network;
use zukan_nn::darknet::weights::{read_header, save_weights};
use zukan_nn::network::{MAX_LAYER_VALUES, MAX_NETWORK_VALUES};
use zukan_nn::{Error, Mode, Network, Tensor, run_darknet};

const NET64: &str = "[net]\nwidth=64\nheight=64\nchannels=3\n";
const CONV: &str =
    "[convolutional]\nbatch_normalize=1\nfilters=4\nsize=3\nstride=1\npad=1\nactivation=leaky\n";

fn build(cfg: &str) -> Result<Network, Error> {
    build_network(&parse_cfg(cfg)?, None)
}

/// The error a cfg gives, as text; panics (failing the test) if it builds.
fn build_err(cfg: &str) -> String {
    match build(cfg) {
        Ok(net) => panic!("built, output {:?}", net.output_shape()),
        Err(e) => e.to_string(),
    }
}

fn assert_contains(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "`{msg}` lacks `{p}`");
    }
}

/// `h + padding` overflowed in `MaxPool::out_hw` (maxpool.rs:44).
#[test]
fn maxpool_padding_near_usize_max_is_an_error_not_an_overflow() {
    let cfg = format!("{NET64}{CONV}[maxpool]\nsize=2\nstride=2\npadding=18446744073709551615\n");
    let msg = build_err(&cfg);
    assert_contains(&msg, &["layer 1 (maxpool)", "too large"]);
}

/// The default padding `size − 1` plus the side overflowed for a huge `size`.
#[test]
fn maxpool_size_near_usize_max_is_an_error_not_an_overflow() {
    let cfg = format!("{NET64}{CONV}[maxpool]\nsize=18446744073709551615\nstride=1\n");
    let msg = build_err(&cfg);
    assert_contains(&msg, &["layer 1 (maxpool)", "too large"]);
}

/// `channels · s · s` overflowed while tracking the reorg's channels (model.rs:298).
#[test]
fn reorg_stride_whose_square_overflows_is_an_error() {
    let cfg = format!("{NET64}{CONV}[reorg]\nstride=4294967296\n");
    let msg = build_err(&cfg);
    assert_contains(&msg, &["layer 1 (reorg)", "stride 4294967296", "too large"]);
}

/// `h + 2·pad` overflowed in `Conv2d::out_hw` (conv.rs:106).
#[test]
fn conv_padding_near_isize_max_is_an_error_not_an_overflow() {
    let cfg = format!(
        "{NET64}[convolutional]\nfilters=4\nsize=1\nstride=1\n\
         padding=9223372036854775807\nactivation=leaky\n"
    );
    let msg = build_err(&cfg);
    assert_contains(
        &msg,
        &["layer 0 (convolutional)", "padding 9223372036854775807"],
    );
}

/// `2 · num` overflowed while counting the anchor values a region needs (model.rs:125).
#[test]
fn region_num_near_usize_max_is_an_error_not_an_overflow() {
    let cfg = format!("{NET64}{CONV}[region]\nanchors=1,1\nnum=18446744073709551615\nclasses=1\n");
    let msg = build_err(&cfg);
    assert_contains(
        &msg,
        &["layer 1 (region)", "num=18446744073709551615", "2 given"],
    );
}

/// `5 + classes` overflowed in `RegionConfig::entries_per_anchor` (region.rs:134).
#[test]
fn region_classes_near_usize_max_is_an_error_not_an_overflow() {
    for (num, classes, anchors) in [
        (1, "18446744073709551615", "1,1"),
        (2, "9223372036854775807", "1,1,2,2"),
    ] {
        let cfg =
            format!("{NET64}{CONV}[region]\nanchors={anchors}\nnum={num}\nclasses={classes}\n");
        let msg = build_err(&cfg);
        assert_contains(&msg, &["layer 1 (region)", "too many channels"]);
    }
}

fn header(major: i32, minor: i32, rest: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    for v in [major, minor, 0] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(rest);
    b
}

/// `major · 10` overflowed in `WeightsHeader::wide_seen` (weights.rs:30). The rule is
/// AlexeyAB's `major·10 + minor >= 2`, computed without overflow: huge versions are wide.
#[test]
fn weights_header_with_huge_major_reads_a_wide_seen_without_overflow() {
    let seen = 0x0102_0304_0506_0708u64.to_le_bytes();
    let h = read_header(&header(i32::MAX, 0, &seen)).unwrap();
    assert_eq!((h.seen, h.len()), (0x0102_0304_0506_0708, 20));
    let h = read_header(&header(i32::MAX, i32::MAX, &seen)).unwrap();
    assert_eq!(h.len(), 20);
    // pjreddie's extra `major < 1000 && minor < 1000` would make these 16-byte headers;
    // AlexeyAB (and the research note) read 8 bytes of `seen`.
    assert_eq!(read_header(&header(1000, 0, &seen)).unwrap().len(), 20);
    assert_eq!(read_header(&header(0, 1000, &seen)).unwrap().len(), 20);
    // Real files: 0.1.0 is 16 bytes, 0.2.0 and 0.2.5 are 20.
    assert_eq!(read_header(&header(0, 1, &seen)).unwrap().len(), 16);
    assert_eq!(read_header(&header(0, 2, &seen)).unwrap().len(), 20);
    // Negative versions (nonsense, but no overflow either way): narrow.
    assert_eq!(
        read_header(&header(i32::MIN, i32::MIN, &seen))
            .unwrap()
            .len(),
        16
    );
}

/// A tiny net and weights for it, for the run-level cases.
fn tiny_model() -> (String, Vec<u8>) {
    let cfg = format!("{NET64}{CONV}[maxpool]\nsize=2\nstride=2\n");
    let mut net = build(&cfg).unwrap();
    (cfg, save_weights(&mut net))
}

/// A 100-byte safetensors file declaring `[0, 3, 2^40, 2^40]` with no data reached im2col,
/// where `oh · ow` overflowed (im2col.rs:29).
#[test]
fn an_empty_input_declaring_huge_sides_is_an_error_not_an_overflow() {
    let t = Tensor::from_vec([0, 3, 1 << 40, 1 << 40], Vec::new()).unwrap();
    let bytes = write_tensors(&[("input", &t)]).unwrap();
    assert!(bytes.len() <= 100, "{} bytes", bytes.len());
    let input = read_tensor(&bytes, "input").unwrap();
    let (cfg, weights) = tiny_model();
    let msg = run_darknet(&cfg, &weights, &input).unwrap_err().to_string();
    assert_contains(
        &msg,
        &[
            "input tensor is empty",
            "[0, 3, 1099511627776, 1099511627776]",
        ],
    );
}

/// Shape products overflowed in `Tensor::from_vec` for absurd shapes.
#[test]
fn a_tensor_shape_whose_product_overflows_is_an_error() {
    let msg = Tensor::from_vec([1, 3, 1 << 40, 1 << 40], Vec::new())
        .unwrap_err()
        .to_string();
    assert_contains(&msg, &["overflows"]);
}

/// 416×416 with a 1048576-filter 1×1 conv: the weights (3·2^20) passed the weights cap and
/// the forward pass aborted with "memory allocation of 725849473024 bytes failed".
#[test]
fn an_activation_over_the_layer_cap_is_refused_at_build_time() {
    let cfg = "[net]\nwidth=416\nheight=416\nchannels=3\n\
               [convolutional]\nfilters=1048576\nsize=1\nstride=1\nactivation=linear\n";
    let msg = build_err(cfg);
    assert_contains(
        &msg,
        &[
            "layer 0 (convolutional)",
            "1048576x416x416",
            "2^30 values (4 GiB)",
        ],
    );
}

/// The im2col workspace of one image (`c·k·k × oh·ow`) can be absurd while the input and
/// output pass the cap: 1024 channels and a 9×9 kernel into a single filter.
#[test]
fn an_im2col_workspace_over_the_layer_cap_is_refused_at_build_time() {
    let cfg = "[net]\nwidth=256\nheight=256\nchannels=1024\n\
               [convolutional]\nfilters=1\nsize=9\nstride=1\npad=1\nactivation=linear\n";
    // 1024·81 rows × 256·256 columns = 5.4e9 values; the output is 65,536.
    let msg = build_err(cfg);
    assert_contains(
        &msg,
        &["layer 0 (convolutional)", "im2col", "2^30 values (4 GiB)"],
    );
}

/// Every layer under the per-layer cap, but together over the network's.
#[test]
fn activations_over_the_network_cap_are_refused_at_build_time() {
    let conv = "[convolutional]\nfilters=64\nsize=1\nstride=1\nactivation=linear\n";
    // Each output is 64 · 4096 · 4096 = 2^30 values, exactly the per-layer cap; five are 5·2^30.
    let cfg = format!(
        "[net]\nwidth=4096\nheight=4096\nchannels=1\n{}",
        conv.repeat(5)
    );
    let msg = build_err(&cfg);
    assert_contains(&msg, &["layer 4 (convolutional)", "2^32 values (16 GiB)"]);
    assert_eq!(MAX_NETWORK_VALUES, 1 << 32);
}

/// The caps apply to the whole batch, checked before the forward pass allocates.
#[test]
fn a_batch_whose_activations_pass_the_cap_is_refused_before_allocating() {
    // Per image the output is 4096 · 64 · 64 = 2^24 values; 65 images are over 2^30.
    let cfg = "[net]\nwidth=64\nheight=64\nchannels=1\n\
               [convolutional]\nfilters=4096\nsize=1\nstride=1\nactivation=linear\n";
    let mut net = build(cfg).unwrap();
    let x = Tensor::zeros([65, 1, 64, 64]);
    let msg = net.forward(&x, Mode::Infer).unwrap_err().to_string();
    assert_contains(
        &msg,
        &[
            "layer 0 (convolutional)",
            "batch of 65",
            "2^30 values (4 GiB)",
        ],
    );
    assert_eq!(MAX_LAYER_VALUES, 1 << 30);
}

/// `stride=0` was silently read as 1 by conv and maxpool (Darknet divides by it).
#[test]
fn stride_zero_is_an_error_naming_the_cfg_line() {
    let conv =
        format!("{NET64}[convolutional]\nfilters=4\nsize=3\nstride=0\npad=1\nactivation=leaky\n");
    assert_eq!(
        build_err(&conv),
        "cfg line 8: [convolutional] stride=0: must be at least 1"
    );
    let pool = format!("{NET64}{CONV}[maxpool]\nsize=2\nstride=0\n");
    assert_eq!(
        build_err(&pool),
        "cfg line 14: [maxpool] stride=0: must be at least 1"
    );
    let reorg = format!("{NET64}{CONV}[reorg]\nstride=0\n");
    assert_eq!(
        build_err(&reorg),
        "cfg line 13: [reorg] stride=0: must be at least 1"
    );
}

/// `filters=0` built a layer with no output channels and ran; `size=0` gave a misleading
/// "kernel does not fit".
#[test]
fn zero_filters_or_zero_size_is_an_error_naming_the_cfg_line() {
    let filters =
        format!("{NET64}[convolutional]\nfilters=0\nsize=3\nstride=1\npad=1\nactivation=leaky\n");
    assert_eq!(
        build_err(&filters),
        "cfg line 6: [convolutional] filters=0: must be at least 1"
    );
    let size = format!("{NET64}[convolutional]\nfilters=4\nsize=0\nactivation=leaky\n");
    assert_eq!(
        build_err(&size),
        "cfg line 7: [convolutional] size=0: must be at least 1"
    );
    let pool = format!("{NET64}{CONV}[maxpool]\nsize=0\nstride=2\n");
    assert_eq!(
        build_err(&pool),
        "cfg line 13: [maxpool] size=0: must be at least 1"
    );
}

/// An input with no images ran and wrote an empty output.
#[test]
fn an_input_with_no_images_is_an_error() {
    let (cfg, weights) = tiny_model();
    let msg = run_darknet(&cfg, &weights, &Tensor::zeros([0, 3, 64, 64]))
        .unwrap_err()
        .to_string();
    assert_contains(&msg, &["input tensor is empty", "[0, 3, 64, 64]"]);
    let mut net = build(&cfg).unwrap();
    let msg = net
        .forward(&Tensor::zeros([0, 3, 64, 64]), Mode::Train)
        .unwrap_err()
        .to_string();
    assert_contains(&msg, &["input tensor is empty"]);
}

/// A cfg with only `[net]` built a network whose output was `[0, 0, 0, 0]`.
#[test]
fn a_cfg_without_layers_is_an_error() {
    assert_eq!(
        build_err(NET64),
        "cfg line 1: the cfg has no layers after [net]"
    );
    assert!(Network::new([3, 8, 8], Vec::new()).is_err());
}

/// An input of 0×0 was blamed on the cfg ("[net] needs width, height and channels").
#[test]
fn an_input_of_zero_sides_says_the_input_is_empty_not_the_cfg() {
    let (cfg, weights) = tiny_model();
    let msg = run_darknet(&cfg, &weights, &Tensor::zeros([1, 3, 0, 0]))
        .unwrap_err()
        .to_string();
    assert_contains(&msg, &["input tensor is empty", "[1, 3, 0, 0]"]);
    assert!(!msg.contains("[net]"), "{msg}");
    let parsed = parse_cfg(&cfg).unwrap();
    let msg = build_network(&parsed, Some((0, 0)))
        .unwrap_err()
        .to_string();
    assert_contains(&msg, &["input size 0x0 is empty"]);
}

/// A layer after `[region]` was reported as "only the last layer may follow [region]".
#[test]
fn a_layer_after_region_says_region_must_be_last() {
    let cfg = format!(
        "{NET64}[convolutional]\nfilters=6\nsize=1\nactivation=linear\n\
         [region]\nanchors=1,1\nnum=1\nclasses=1\n{CONV}"
    );
    assert_eq!(
        build_err(&cfg),
        "layer 2 (convolutional): [region] must be the last layer"
    );
}

/// The caps do not refuse the real thing: yolov2 at 608 runs a batch of 64 (its cfg's
/// training batch, which Darknet splits into 8 passes of 8).
#[test]
fn the_caps_leave_room_for_yolov2_at_608_batch_8() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/yolov2.cfg"
    ))
    .unwrap();
    let net = build(&text).unwrap();
    // About 44.6 million output values per image: 64 images are 2.85e9, under 2^32.
    net.check_batch(64).unwrap();
}
