//! Darknet `.cfg`/`.weights` and safetensors checkpoints: round trips, and a clear error for
//! each kind of bad input.

mod common;

use common::{reference_dir, values};
use zukan_nn::checkpoint::{load_checkpoint, read_tensor, save_checkpoint, write_tensors};
use zukan_nn::darknet::cfg::parse_cfg;
use zukan_nn::darknet::model::build_network;
use zukan_nn::darknet::weights::{load_weights, read_header, save_weights};
use zukan_nn::{Error, Mode, Tensor, load_darknet};

fn reference(name: &str) -> (String, Vec<u8>) {
    let dir = reference_dir();
    (
        std::fs::read_to_string(dir.join(format!("{name}.cfg"))).unwrap(),
        std::fs::read(dir.join(format!("{name}.weights"))).unwrap(),
    )
}

#[test]
fn both_header_versions_are_read() {
    let (_, w64) = reference("tiny_face_64");
    let h = read_header(&w64).unwrap();
    assert_eq!(
        (h.major, h.minor, h.revision, h.seen, h.len()),
        (0, 2, 0, 12345, 20)
    );
    let (_, w32) = reference("tiny_face_32_v1");
    let h = read_header(&w32).unwrap();
    assert_eq!(
        (h.major, h.minor, h.revision, h.seen, h.len()),
        (0, 1, 0, 12345, 16)
    );
}

#[test]
fn region_settings_come_from_the_cfg() {
    let (cfg, weights) = reference("tiny_face_32_v1");
    let (net, warnings) = load_darknet(&cfg, &weights, None).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let region = net.region.as_ref().unwrap();
    // num=3 with five anchor pairs listed: Darknet reads the first 2·num values.
    assert_eq!(region.config.anchors.len(), 3);
    assert_eq!(region.config.anchors[2].width, 6.63);
    assert_eq!(
        (
            region.config.classes,
            region.config.rescore,
            region.config.thresh
        ),
        (2, true, 0.6)
    );
    assert_eq!(net.output_shape(), [21, 1, 1]);
    assert_eq!(net.seen, 12345);
}

#[test]
fn weights_round_trip_through_the_writer() {
    let (cfg, weights) = reference("tiny_face_64");
    let (mut net, _) = load_darknet(&cfg, &weights, None).unwrap();
    let written = save_weights(&mut net);
    // The file has the 20-byte header we write, so the bytes come back unchanged.
    assert_eq!(written, weights);
}

#[test]
fn checkpoint_round_trip_keeps_parameters_and_running_statistics() {
    let (cfg, weights) = reference("tiny_face_32_v1");
    let (mut net, _) = load_darknet(&cfg, &weights, None).unwrap();
    let bytes = save_checkpoint(&mut net).unwrap();
    let mut fresh = build_network(&parse_cfg(&cfg).unwrap(), None).unwrap();
    load_checkpoint(&mut fresh, &bytes).unwrap();
    assert_eq!(save_weights(&mut fresh), save_weights(&mut net));
    assert_eq!(fresh.seen, 12345);
    let x = Tensor::from_vec([1, 3, 32, 32], values(3 * 32 * 32, 3)).unwrap();
    let a = net.forward(&x, Mode::Infer).unwrap().clone();
    assert_eq!(fresh.forward(&x, Mode::Infer).unwrap(), &a);
}

#[test]
fn checkpoint_for_another_layout_is_refused() {
    let (cfg64, w64) = reference("tiny_face_64");
    let (mut net64, _) = load_darknet(&cfg64, &w64, None).unwrap();
    let bytes = save_checkpoint(&mut net64).unwrap();
    let (cfg32, _) = reference("tiny_face_32_v1");
    let mut net32 = build_network(&parse_cfg(&cfg32).unwrap(), None).unwrap();
    let err = load_checkpoint(&mut net32, &bytes).unwrap_err().to_string();
    assert!(
        err.contains("`layers.2.weight` has shape [8, 4, 3, 3], the network needs [4, 4, 3, 3]"),
        "{err}"
    );
}

#[test]
fn tensors_round_trip_through_safetensors() {
    let t = Tensor::from_vec([1, 2, 2, 3], values(12, 5)).unwrap();
    let bytes = write_tensors(&[("output", &t)]).unwrap();
    assert_eq!(read_tensor(&bytes, "output").unwrap(), t);
    let err = read_tensor(&bytes, "input").unwrap_err().to_string();
    assert!(err.contains("no tensor named `input`"), "{err}");
}

#[test]
fn truncated_weights_say_how_many_bytes_were_expected() {
    let (cfg, weights) = reference("tiny_face_64");
    let err = load_darknet(&cfg, &weights[..weights.len() - 4], None).unwrap_err();
    assert!(matches!(err, Error::Weights(_)));
    let msg = err.to_string();
    let (want, found) = (weights.len(), weights.len() - 4);
    assert!(
        msg.contains(&format!("expected {want} bytes")) && msg.contains(&format!("found {found}")),
        "{msg}"
    );
}

#[test]
fn weights_with_extra_bytes_are_refused() {
    let (cfg, mut weights) = reference("tiny_face_32_v1");
    let want = weights.len();
    weights.extend_from_slice(&[0; 8]);
    let msg = load_darknet(&cfg, &weights, None).unwrap_err().to_string();
    assert!(
        msg.contains(&format!("expected {want} bytes"))
            && msg.contains(&format!("found {}", want + 8)),
        "{msg}"
    );
}

#[test]
fn a_file_shorter_than_the_header_is_refused() {
    let (cfg, _) = reference("tiny_face_32_v1");
    let msg = load_darknet(&cfg, &[0, 0, 0, 0, 2, 0], None)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("too short for the header"), "{msg}");
}

#[test]
fn a_section_name_typo_names_the_section_and_line() {
    let (cfg, weights) = reference("tiny_face_32_v1");
    let bad = cfg.replacen("[maxpool]", "[maxpoool]", 1);
    let err = load_darknet(&bad, &weights, None).unwrap_err();
    let line = bad.lines().position(|l| l == "[maxpoool]").unwrap() + 1;
    assert!(
        matches!(&err, Error::UnknownSection { name, line: l } if name == "maxpoool" && *l == line),
        "{err}"
    );
    assert!(err.to_string().contains("unknown section [maxpoool]"));
}

#[test]
fn unknown_keys_are_warnings_not_errors() {
    let (cfg, weights) = reference("tiny_face_32_v1");
    let noisy = cfg.replacen("filters=4", "filters=4\nflavour=mint", 1);
    let (_, warnings) = load_darknet(&noisy, &weights, None).unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains("unknown key `flavour` in [convolutional]"),
        "{warnings:?}"
    );
}

/// A YOLOv2-style passthrough: layer 5 routes back to the 2nd conv's output, layer 6
/// reorgs it to half its side, layer 7 joins it with the main path.
const PASSTHROUGH: &str = "[net]\nwidth=24\nheight=24\nchannels=3\n\
    [convolutional]\nfilters=4\nsize=3\npad=1\nactivation=leaky\n\
    [maxpool]\nsize=2\nstride=2\n\
    [convolutional]\nfilters=8\nsize=3\npad=1\nactivation=leaky\n\
    [maxpool]\nsize=2\nstride=2\n\
    [convolutional]\nfilters=8\nsize=3\npad=1\nactivation=leaky\n\
    [route]\nlayers=-3\n\
    [reorg]\nstride=2\n\
    [route]\nlayers=-1,-3\n\
    [convolutional]\nfilters=5\nsize=1\nactivation=linear\n";

fn try_build(cfg: &str) -> Result<[usize; 3], Error> {
    build_network(&parse_cfg(cfg).unwrap(), None).map(|n| n.output_shape())
}

#[test]
fn layers_that_do_not_fit_the_input_name_the_layer() {
    assert_eq!(try_build(PASSTHROUGH).unwrap(), [5, 6, 6]);
    // At 26×26 the routed map is 13×13, which a stride-2 reorg cannot halve.
    let odd = PASSTHROUGH.replace("width=24\nheight=24", "width=26\nheight=26");
    let msg = try_build(&odd).unwrap_err().to_string();
    assert_eq!(
        msg,
        "layer 6 (reorg): stride 2 does not divide 8x13x13 (network input 3x26x26)"
    );
}

#[test]
fn a_route_joining_different_sides_names_the_layers() {
    let bad = PASSTHROUGH.replace("layers=-1,-3", "layers=-1,-5");
    let msg = try_build(&bad).unwrap_err().to_string();
    assert!(
        msg.starts_with("layer 7 (route): layer 2 is 12x12 but layer 6 is 6x6"),
        "{msg}"
    );
}

#[test]
fn a_route_to_a_later_layer_is_refused() {
    let bad = PASSTHROUGH.replace("layers=-3", "layers=9");
    let msg = try_build(&bad).unwrap_err().to_string();
    assert!(
        msg.contains("layer 5 (route)") && msg.contains("layers=9 does not name an earlier layer"),
        "{msg}"
    );
}

#[test]
fn a_kernel_larger_than_the_input_names_the_conv_layer() {
    let cfg = "[net]\nwidth=4\nheight=4\nchannels=1\n[convolutional]\nfilters=2\nsize=7\nstride=1\nactivation=linear\n";
    let msg = try_build(cfg).unwrap_err().to_string();
    assert_eq!(
        msg,
        "layer 0 (convolutional): 7x7 kernel (pad 0) does not fit a 4x4 input (network input 1x4x4)"
    );
}

#[test]
fn region_channels_must_match_the_last_conv() {
    let (cfg, _) = reference("tiny_face_32_v1");
    let bad = cfg.replacen("filters=21", "filters=20", 1);
    let msg = try_build(&bad).unwrap_err().to_string();
    assert!(
        msg.contains("(region)") && msg.contains("expects 21 input channels"),
        "{msg}"
    );
}

#[test]
fn a_weights_file_for_another_network_is_refused() {
    let (cfg64, _) = reference("tiny_face_64");
    let (_, w32) = reference("tiny_face_32_v1");
    let mut net = build_network(&parse_cfg(&cfg64).unwrap(), None).unwrap();
    let msg = load_weights(&mut net, &w32).unwrap_err().to_string();
    assert!(
        msg.contains("expected") && msg.contains(&format!("found {}", w32.len())),
        "{msg}"
    );
}

#[test]
fn absurd_layer_sizes_are_refused_before_allocating() {
    let cfg = "[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=4000000000\nsize=3\n";
    let msg = try_build(cfg).unwrap_err().to_string();
    assert!(
        msg.starts_with("layer 0 (convolutional): 4000000000 filters of 3x3x3 is too large"),
        "{msg}"
    );
}

/// A 5×5 kernel with padding 2 on a 1×1 input: every tap of some rows lies in the padding.
/// im2col used to compute a negative start column there and panic.
#[test]
fn kernel_taps_entirely_in_the_padding_do_not_panic() {
    let cfg = "[net]\nwidth=1\nheight=1\nchannels=2\n[convolutional]\nfilters=3\nsize=5\npad=1\nactivation=linear\n";
    let mut net = build_network(&parse_cfg(cfg).unwrap(), None).unwrap();
    let x = Tensor::from_vec([2, 2, 1, 1], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    net.forward(&x, Mode::Train).unwrap();
    net.backward(&Tensor::zeros([2, 3, 1, 1])).unwrap();
}

/// A resize that failed at the reorg left the earlier layers at 26×26 but `input_shape` at
/// 24×24, so the next 24×24 forward skipped shape inference and backward failed with
/// "route backward: [2, 40, 6, 6] into [2, 8, 7, 7]".
#[test]
fn a_failed_resize_leaves_the_network_trainable_at_its_old_size() {
    let mut net = build_network(&parse_cfg(PASSTHROUGH).unwrap(), None).unwrap();
    let x24 = Tensor::from_vec([2, 3, 24, 24], values(2 * 3 * 24 * 24, 7)).unwrap();
    let y = net.forward(&x24, Mode::Train).unwrap().clone();
    net.backward(&y).unwrap();
    let shapes: Vec<_> = net.layers.iter().map(|l| l.out_shape).collect();

    let x26 = Tensor::zeros([2, 3, 26, 26]);
    let msg = net.forward(&x26, Mode::Train).unwrap_err().to_string();
    assert!(msg.starts_with("layer 6 (reorg)"), "{msg}");
    assert_eq!(net.input_shape, [3, 24, 24]);
    let after: Vec<_> = net.layers.iter().map(|l| l.out_shape).collect();
    assert_eq!(after, shapes);
    // The failed forward is not a training forward to backpropagate through.
    assert!(net.backward(&y).is_err());

    let y2 = net.forward(&x24, Mode::Train).unwrap().clone();
    net.backward(&y2).unwrap();
}

/// `load_checkpoint` wrote every expected tensor before it found an unexpected one, so the
/// error left the network half-loaded.
#[test]
fn a_refused_checkpoint_leaves_the_network_unchanged() {
    let (cfg, weights) = reference("tiny_face_32_v1");
    let (mut net, _) = load_darknet(&cfg, &weights, None).unwrap();
    let before = save_weights(&mut net);

    let mut other = build_network(&parse_cfg(&cfg).unwrap(), None).unwrap();
    for p in other.params_mut() {
        p.value.fill(0.25);
    }
    let state = zukan_nn::checkpoint::save_checkpoint(&mut other).unwrap();
    let st = safetensors::SafeTensors::deserialize(&state).unwrap();
    let mut arrays: Vec<(String, Vec<usize>, Vec<f32>)> = st
        .names()
        .into_iter()
        .map(|n| {
            let (shape, data) = zukan_nn::checkpoint::read_f32(&st, n).unwrap();
            (n.to_string(), shape, data)
        })
        .collect();
    // `zzz` sorts after every real name, so it is met last.
    arrays.push(("zzz.extra".into(), vec![1], vec![1.0]));
    let views: Vec<(String, Vec<usize>, &[f32])> = arrays
        .iter()
        .map(|(n, s, d)| (n.clone(), s.clone(), d.as_slice()))
        .collect();
    let bytes = zukan_nn::checkpoint::serialize_f32(&views, None).unwrap();

    let msg = load_checkpoint(&mut net, &bytes).unwrap_err().to_string();
    assert!(msg.contains("unexpected tensor `zzz.extra`"), "{msg}");
    assert_eq!(save_weights(&mut net), before);
}
