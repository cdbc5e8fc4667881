//! Every layer's backward agrees with central finite differences of `L = Σ f(x)·g` for a
//! fixed random `g`. The loss is summed in f64; sizes are small so the checks stay fast in
//! debug builds.

mod common;

use common::values;
use zukan_nn::batchnorm::BatchNorm;
use zukan_nn::conv::Conv2d;
use zukan_nn::darknet::{cfg::parse_cfg, model::build_network};
use zukan_nn::maxpool::MaxPool;
use zukan_nn::reorg::Reorg;
use zukan_nn::route::{route_backward_add, route_forward};
use zukan_nn::{Activation, Mode, Tensor};

const EPS: f32 = 1e-2;

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum()
}

/// Compares `analytic` with central differences of `loss` over every entry of `param`.
fn check(what: &str, param: &mut [f32], analytic: &[f32], loss: impl FnMut(&[f32]) -> f64) {
    check_with(EPS, what, param, analytic, loss)
}

fn check_with(
    eps: f32,
    what: &str,
    param: &mut [f32],
    analytic: &[f32],
    mut loss: impl FnMut(&[f32]) -> f64,
) {
    let scale = analytic.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-3);
    for i in 0..param.len() {
        let keep = param[i];
        param[i] = keep + eps;
        let up = loss(param);
        param[i] = keep - eps;
        let down = loss(param);
        param[i] = keep;
        let numeric = ((up - down) / (2.0 * eps as f64)) as f32;
        let err = (numeric - analytic[i]).abs();
        assert!(
            err <= 2e-3 * scale + 2e-3,
            "{what}[{i}]: numeric {numeric} vs analytic {} (scale {scale})",
            analytic[i]
        );
    }
}

fn tensor(shape: [usize; 4], seed: u64) -> Tensor {
    Tensor::from_vec(shape, values(shape.iter().product(), seed)).unwrap()
}

#[test]
fn convolution_stride_2_padding_1_with_bias() {
    let x = tensor([2, 3, 7, 6], 1);
    let mut conv = Conv2d::new(3, 4, 3, 2, 1, true);
    let w = values(conv.weight().len(), 2);
    conv.weight_mut().copy_from_slice(&w);
    conv.bias = Some(values(4, 3));
    let mut y = Tensor::default();
    conv.forward(&x, &mut y).unwrap();
    let g = tensor(y.shape(), 4);
    let mut gx = Tensor::zeros(x.shape());
    conv.backward(&x, &g, Some(&mut gx)).unwrap();
    let base = conv.clone();
    let run = |c: &mut Conv2d, x: &Tensor| {
        let mut y = Tensor::default();
        c.forward(x, &mut y).unwrap();
        dot(y.as_slice(), g.as_slice())
    };
    let mut xs = x.as_slice().to_vec();
    check("conv dx", &mut xs, gx.as_slice(), |v| {
        run(
            &mut base.clone(),
            &Tensor::from_vec(x.shape(), v.to_vec()).unwrap(),
        )
    });
    let mut w = base.weight().to_vec();
    check("conv dw", &mut w, &conv.grad_weight, |v| {
        let mut c = base.clone();
        c.weight_mut().copy_from_slice(v);
        run(&mut c, &x)
    });
    let mut b = base.bias.clone().unwrap();
    check("conv db", &mut b, conv.grad_bias.as_ref().unwrap(), |v| {
        let mut c = base.clone();
        c.bias = Some(v.to_vec());
        run(&mut c, &x)
    });
}

/// A 3×3 stride-1 pad-1 convolution with 16 input channels runs as Winograd F(2×2, 3×3);
/// odd sides leave the last tile row and column hanging over the edge.
#[test]
fn convolution_on_the_winograd_path() {
    let x = tensor([2, 16, 5, 4], 21);
    let mut conv = Conv2d::new(16, 3, 3, 1, 1, true);
    let w = values(conv.weight().len(), 22);
    conv.weight_mut().copy_from_slice(&w);
    conv.bias = Some(values(3, 23));
    let mut y = Tensor::default();
    conv.forward(&x, &mut y).unwrap();
    let g = tensor(y.shape(), 24);
    let mut gx = Tensor::zeros(x.shape());
    conv.backward(&x, &g, Some(&mut gx)).unwrap();
    let base = conv.clone();
    let run = |c: &mut Conv2d, x: &Tensor| {
        let mut y = Tensor::default();
        c.forward(x, &mut y).unwrap();
        dot(y.as_slice(), g.as_slice())
    };
    let mut xs = x.as_slice().to_vec();
    check("winograd dx", &mut xs, gx.as_slice(), |v| {
        run(
            &mut base.clone(),
            &Tensor::from_vec(x.shape(), v.to_vec()).unwrap(),
        )
    });
    let mut w = base.weight().to_vec();
    check("winograd dw", &mut w, &conv.grad_weight, |v| {
        let mut c = base.clone();
        c.weight_mut().copy_from_slice(v);
        run(&mut c, &x)
    });
    let mut b = base.bias.clone().unwrap();
    check(
        "winograd db",
        &mut b,
        conv.grad_bias.as_ref().unwrap(),
        |v| {
            let mut c = base.clone();
            c.bias = Some(v.to_vec());
            run(&mut c, &x)
        },
    );
}

#[test]
fn pointwise_convolution() {
    let x = tensor([2, 5, 3, 4], 5);
    let mut conv = Conv2d::new(5, 3, 1, 1, 0, false);
    let w = values(conv.weight().len(), 6);
    conv.weight_mut().copy_from_slice(&w);
    let mut y = Tensor::default();
    conv.forward(&x, &mut y).unwrap();
    let g = tensor(y.shape(), 7);
    let mut gx = Tensor::zeros(x.shape());
    conv.backward(&x, &g, Some(&mut gx)).unwrap();
    let base = conv.clone();
    let mut xs = x.as_slice().to_vec();
    check("1x1 dx", &mut xs, gx.as_slice(), |v| {
        let mut y = Tensor::default();
        base.clone()
            .forward(&Tensor::from_vec(x.shape(), v.to_vec()).unwrap(), &mut y)
            .unwrap();
        dot(y.as_slice(), g.as_slice())
    });
}

#[test]
fn batch_norm_in_training_mode() {
    let x = tensor([3, 2, 3, 3], 8);
    let mut bn = BatchNorm::new(2);
    bn.gamma = vec![1.3, -0.7];
    bn.beta = vec![0.2, 0.5];
    let mut y = Tensor::default();
    bn.forward_train(&x, &mut y).unwrap();
    let g = tensor(y.shape(), 9);
    let mut gx = g.clone();
    bn.backward(&x, &mut gx).unwrap();
    let base = bn.clone();
    let run = |b: &mut BatchNorm, x: &Tensor| {
        let mut y = Tensor::default();
        b.forward_train(x, &mut y).unwrap();
        dot(y.as_slice(), g.as_slice())
    };
    let mut xs = x.as_slice().to_vec();
    check("bn dx", &mut xs, gx.as_slice(), |v| {
        run(
            &mut base.clone(),
            &Tensor::from_vec(x.shape(), v.to_vec()).unwrap(),
        )
    });
    let mut gamma = base.gamma.clone();
    check("bn dgamma", &mut gamma, &bn.grad_gamma, |v| {
        let mut b = base.clone();
        b.gamma = v.to_vec();
        run(&mut b, &x)
    });
    let mut beta = base.beta.clone();
    check("bn dbeta", &mut beta, &bn.grad_beta, |v| {
        let mut b = base.clone();
        b.beta = v.to_vec();
        run(&mut b, &x)
    });
}

fn check_pool(size: usize, stride: usize, shape: [usize; 4], seed: u64) {
    // Distinct values 0.1 apart, so a finite-difference step never changes a window's winner.
    let n: usize = shape.iter().product();
    let x = Tensor::from_vec(
        shape,
        (0..n).map(|i| ((i * 7919) % n) as f32 * 0.1).collect(),
    )
    .unwrap();
    let mut pool = MaxPool::darknet(size, stride);
    let mut y = Tensor::default();
    pool.forward(&x, &mut y).unwrap();
    let g = tensor(y.shape(), seed + 1);
    let mut gx = Tensor::zeros(x.shape());
    pool.backward(&g, &mut gx).unwrap();
    let mut xs = x.as_slice().to_vec();
    check(
        &format!("maxpool {size}/{stride} dx"),
        &mut xs,
        gx.as_slice(),
        |v| {
            let mut y = Tensor::default();
            MaxPool::darknet(size, stride)
                .forward(&Tensor::from_vec(x.shape(), v.to_vec()).unwrap(), &mut y)
                .unwrap();
            dot(y.as_slice(), g.as_slice())
        },
    );
}

#[test]
fn max_pools_stride_2_odd_and_stride_1() {
    check_pool(2, 2, [1, 2, 5, 7], 10);
    check_pool(2, 1, [2, 2, 4, 5], 12);
}

#[test]
fn activations_leaky_and_logistic() {
    let x: Vec<f32> = values(40, 14)
        .into_iter()
        .map(|v| if v.abs() < 0.05 { v + 0.1 } else { v })
        .collect();
    let g = values(40, 15);
    for act in [Activation::Leaky, Activation::Logistic] {
        let mut y = x.clone();
        act.forward_in_place(&mut y);
        let mut gx = g.clone();
        act.backward_in_place(&y, &mut gx);
        let mut xs = x.clone();
        check(act.darknet_name(), &mut xs, &gx, |v| {
            let mut y = v.to_vec();
            act.forward_in_place(&mut y);
            dot(&y, &g)
        });
    }
}

#[test]
fn route_concatenates_and_splits_gradients() {
    let a = tensor([2, 2, 3, 3], 16);
    let b = tensor([2, 3, 3, 3], 17);
    let mut y = Tensor::default();
    route_forward(&[&a, &b], &mut y).unwrap();
    assert_eq!(y.shape(), [2, 5, 3, 3]);
    let g = tensor(y.shape(), 18);
    let (mut ga, mut gb) = (Tensor::zeros(a.shape()), Tensor::zeros(b.shape()));
    route_backward_add(&g, 0, &mut ga).unwrap();
    route_backward_add(&g, 2, &mut gb).unwrap();
    let run = |a: &Tensor, b: &Tensor| {
        let mut y = Tensor::default();
        route_forward(&[a, b], &mut y).unwrap();
        dot(y.as_slice(), g.as_slice())
    };
    let mut av = a.as_slice().to_vec();
    check("route da", &mut av, ga.as_slice(), |v| {
        run(&Tensor::from_vec(a.shape(), v.to_vec()).unwrap(), &b)
    });
    let mut bv = b.as_slice().to_vec();
    check("route db", &mut bv, gb.as_slice(), |v| {
        run(&a, &Tensor::from_vec(b.shape(), v.to_vec()).unwrap())
    });
}

#[test]
fn reorg_is_a_permutation_and_its_backward_inverts_it() {
    let x = tensor([2, 8, 4, 6], 19);
    let r = Reorg { stride: 2 };
    let mut y = Tensor::default();
    r.forward(&x, &mut y).unwrap();
    assert_eq!(y.shape(), [2, 32, 2, 3]);
    let g = tensor(y.shape(), 20);
    let mut gx = Tensor::zeros(x.shape());
    r.backward(&g, &mut gx).unwrap();
    let mut xs = x.as_slice().to_vec();
    check("reorg dx", &mut xs, gx.as_slice(), |v| {
        let mut y = Tensor::default();
        r.forward(&Tensor::from_vec(x.shape(), v.to_vec()).unwrap(), &mut y)
            .unwrap();
        dot(y.as_slice(), g.as_slice())
    });
}

/// Darknet's reorg element order, written out for one small case: input viewed as
/// `c/4 × 2h × 2w`, output index `(k, j, i)` of `c × h × w` reads
/// `(k mod c/4, 2j + (k / (c/4)) / 2, 2i + (k / (c/4)) mod 2)`.
#[test]
fn reorg_follows_darknets_index_formula() {
    let x = Tensor::from_vec([1, 4, 2, 2], (0..16).map(|v| v as f32).collect()).unwrap();
    let mut y = Tensor::default();
    Reorg { stride: 2 }.forward(&x, &mut y).unwrap();
    // c' = 1: the input is one 4×4 plane; output k takes the offset (k/2, k mod 2).
    assert_eq!(
        y.as_slice(),
        &[
            0., 2., 8., 10., 1., 3., 9., 11., 4., 6., 12., 14., 5., 7., 13., 15.
        ]
    );
}

/// The whole network's backward (conv + BN + leaky, max pool, route, reorg, 1×1 conv with
/// bias) against finite differences of its parameters and of the plumbing between layers.
#[test]
fn whole_network_with_route_and_reorg() {
    let cfg = "[net]\nwidth=8\nheight=8\nchannels=2\n\
        [convolutional]\nbatch_normalize=1\nfilters=4\nsize=3\nstride=1\npad=1\nactivation=leaky\n\
        [maxpool]\nsize=2\nstride=2\n\
        [convolutional]\nbatch_normalize=1\nfilters=4\nsize=3\nstride=1\npad=1\nactivation=leaky\n\
        [route]\nlayers=-3\n\
        [reorg]\nstride=2\n\
        [route]\nlayers=-1,-3\n\
        [convolutional]\nfilters=3\nsize=1\nstride=1\npad=1\nactivation=linear\n";
    let mut net = build_network(&parse_cfg(cfg).unwrap(), None).unwrap();
    assert_eq!(net.output_shape(), [3, 4, 4]);
    for (seed, p) in (30..).zip(net.params_mut()) {
        p.value.copy_from_slice(&values(p.value.len(), seed));
    }
    let x = tensor([2, 2, 8, 8], 40);
    let g = tensor([2, 3, 4, 4], 41);
    net.forward(&x, Mode::Train).unwrap();
    net.zero_grad();
    net.backward(&g).unwrap();
    let base = net.clone();
    let grads: Vec<(String, Vec<f32>, Vec<f32>)> = net
        .params_mut()
        .into_iter()
        .map(|p| (p.name, p.value.to_vec(), p.grad.to_vec()))
        .collect();
    assert_eq!(grads.len(), 8); // 2 × (weight, β, γ) + weight, bias
    for (k, (name, value, grad)) in grads.into_iter().enumerate() {
        let mut v = value;
        // A smaller step: with leaky ReLUs and max pools in series, a step of 1e-2 can
        // cross a kink.
        check_with(1e-3, &name, &mut v, &grad, |v| {
            let mut n = base.clone();
            n.params_mut()[k].value.copy_from_slice(v);
            dot(n.forward(&x, Mode::Train).unwrap().as_slice(), g.as_slice())
        });
    }
}
