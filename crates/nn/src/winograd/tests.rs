//! Winograd against im2col + GEMM, the filter adjoint, the splits and the kept filters.

use super::*;
use crate::conv::FORCED_WINOGRAD;

fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// Output, dx, dW and db of one forward and backward, with Winograd on (in the given
/// split) or off; the gradients start non-zero, to check that they are added to.
fn run(
    conv: &Conv2d,
    x: &Tensor,
    winograd: bool,
    split: Option<Split>,
) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    FORCED_WINOGRAD.with(|f| f.set(Some(winograd)));
    FORCED.with(|f| f.set(split));
    let mut conv = conv.clone();
    conv.grad_weight = values(conv.grad_weight.len(), 7);
    conv.grad_bias = conv.bias.as_ref().map(|b| values(b.len(), 8));
    let mut y = Tensor::default();
    conv.forward(x, &mut y).unwrap();
    let dy = Tensor::from_vec(y.shape(), values(y.len(), 5)).unwrap();
    let mut dx = Tensor::from_vec(x.shape(), values(x.len(), 6)).unwrap();
    conv.backward(x, &dy, Some(&mut dx)).unwrap();
    FORCED_WINOGRAD.with(|f| f.set(None));
    FORCED.with(|f| f.set(None));
    (
        y.as_slice().to_vec(),
        dx.as_slice().to_vec(),
        conv.grad_weight,
        conv.grad_bias.unwrap_or_default(),
    )
}

/// `max|got − want| / max|want|`.
fn relative_error(got: &[f32], want: &[f32]) -> f32 {
    assert_eq!(got.len(), want.len());
    let scale = want.iter().fold(0f32, |m, v| m.max(v.abs()));
    let err = got
        .iter()
        .zip(want)
        .fold(0f32, |m, (g, w)| m.max((g - w).abs()));
    err / scale.max(f32::MIN_POSITIVE)
}

/// Winograd's forward, dx, dW and db agree with im2col + GEMM to 1e-5 of the largest
/// value, in every split, on odd and even sides, 1×1 to 26×26 maps (and 1×9, 9×1),
/// channel counts that divide nothing, batches of 1 to 3.
#[test]
fn forward_and_gradients_match_im2col() {
    for (n, c_in, c_out, h, w, bias) in [
        (1, 17, 5, 13, 13, true),
        (3, 19, 33, 26, 26, false),
        (1, 16, 7, 1, 1, true),
        (3, 5, 3, 7, 4, true),
        (1, 23, 29, 8, 9, false),
        (3, 21, 18, 2, 3, true),
        (1, 3, 16, 12, 11, false),
        (3, 33, 17, 13, 13, true),
        (1, 17, 6, 1, 9, true),
        (2, 16, 3, 9, 1, false),
    ] {
        let x = Tensor::from_vec([n, c_in, h, w], values(n * c_in * h * w, 1)).unwrap();
        let mut conv = Conv2d::new(c_in, c_out, 3, 1, 1, bias);
        let weights = values(conv.weight().len(), 2);
        conv.weight_mut().copy_from_slice(&weights);
        if let Some(b) = &mut conv.bias {
            *b = values(c_out, 3);
        }
        let want = run(&conv, &x, false, None);
        for split in [
            None,
            Some(Split::Blocks { rows: 1 }),
            Some(Split::Blocks { rows: 2 }),
            Some(Split::Blocks { rows: 100 }),
            Some(Split::Chunks { images: 1 }),
            Some(Split::Chunks { images: 2 }),
            Some(Split::Chunks { images: 8 }),
        ] {
            let got = run(&conv, &x, true, split);
            let case = format!("{n}x{c_in}x{h}x{w} -> {c_out}, {split:?}");
            for (what, g, w) in [
                ("y", &got.0, &want.0),
                ("dx", &got.1, &want.1),
                ("dW", &got.2, &want.2),
                ("db", &got.3, &want.3),
            ] {
                let err = relative_error(g, w);
                assert!(
                    err <= 1e-5,
                    "{case}: {what} off by {err:e} of its largest value"
                );
            }
        }
    }
}

/// A forward pass after the weights change (through `weight_mut`, or `params_mut` as an
/// optimizer does) or after a backward pass (which reuses the kept filters' buffer)
/// sees the current weights, not the transformed copy of older ones.
#[test]
fn changed_weights_refresh_the_transformed_filters() {
    let x = Tensor::from_vec([2, 16, 6, 5], values(2 * 16 * 30, 1)).unwrap();
    let fresh_output = |weights: &[f32]| {
        let mut conv = Conv2d::new(16, 4, 3, 1, 1, false);
        conv.weight_mut().copy_from_slice(weights);
        let mut y = Tensor::default();
        conv.forward(&x, &mut y).unwrap();
        y
    };
    let mut conv = Conv2d::new(16, 4, 3, 1, 1, false);
    let weights = values(conv.weight().len(), 2);
    let scaled: Vec<f32> = weights.iter().map(|w| -0.5 * w).collect();
    let want = fresh_output(&scaled);
    conv.weight_mut().copy_from_slice(&weights);
    let mut y = Tensor::default();
    conv.forward(&x, &mut y).unwrap();
    conv.weight_mut().copy_from_slice(&scaled);
    conv.forward(&x, &mut y).unwrap();
    assert_eq!(y.as_slice(), want.as_slice(), "after weight_mut");
    let dy = Tensor::from_vec(y.shape(), values(y.len(), 3)).unwrap();
    let mut dx = Tensor::zeros(x.shape());
    conv.backward(&x, &dy, Some(&mut dx)).unwrap();
    conv.forward(&x, &mut y).unwrap();
    assert_eq!(y.as_slice(), want.as_slice(), "after backward");

    // The cfg's layer has a (zero) bias instead of batch norm.
    let cfg = "[net]\nwidth=5\nheight=6\nchannels=16\n\
               [convolutional]\nfilters=4\nsize=3\nstride=1\npad=1\nactivation=linear\n";
    let cfg = crate::darknet::cfg::parse_cfg(cfg).unwrap();
    let mut net = crate::darknet::model::build_network(&cfg, None).unwrap();
    net.params_mut()[0].value.copy_from_slice(&weights);
    net.forward(&x, crate::Mode::Infer).unwrap();
    net.params_mut()[0].value.copy_from_slice(&scaled);
    let got = net.forward(&x, crate::Mode::Infer).unwrap();
    assert_eq!(got.as_slice(), want.as_slice(), "after params_mut");
}

/// The input gradient's filters: transforming each kernel turned by 180° gives the forward
/// filters at `rotated(ξ)`.
#[test]
fn a_rotated_kernel_permutes_the_transformed_filter() {
    let g = values(9, 4);
    let mut turned = g.clone();
    turned.reverse();
    let (mut u, mut u_turned) = (vec![0.0; XI], vec![0.0; XI]);
    transform::transform_filters(&g, 1, 1, &mut u);
    transform::transform_filters(&turned, 1, 1, &mut u_turned);
    for xi in 0..XI {
        let (a, b) = (u_turned[xi], u[rotated(xi)]);
        assert!((a - b).abs() <= 1e-6 * a.abs().max(1.0), "ξ {xi}: {a} {b}");
    }
}

/// Layers of the azFace layout take the split the rule intends: blocks for the large
/// maps with small filters, chunks for the small maps with many channels.
#[test]
fn splits_of_the_azface_layers() {
    let geom = |n: usize, side: usize| Geom {
        n,
        h: side,
        w: side,
        th: side.div_ceil(2),
        tw: side.div_ceil(2),
    };
    let threads = rayon::current_num_threads();
    if threads > 4 {
        return; // the block counts below assume a small pool
    }
    assert!(matches!(
        split(&geom(1, 208), 16, 32),
        Split::Blocks { rows: 3 }
    ));
    assert!(matches!(
        split(&geom(8, 13), 1024, 1024),
        Split::Chunks { images: 8 }
    ));
    assert!(matches!(
        split(&geom(1, 13), 512, 1024),
        Split::Chunks { images: 1 }
    ));
}
