//! Every single-layer case in `shared/reference/nn` (PyTorch, float64) agrees with our
//! layers to `max|got − want| ≤ 1e-4 · max|want|`.

mod common;

use common::{Case, assert_close};
use zukan_nn::batchnorm::BatchNorm;
use zukan_nn::conv::Conv2d;
use zukan_nn::maxpool::MaxPool;
use zukan_nn::{Activation, Tensor};

#[test]
fn convolutions_forward_and_gradients() {
    for i in 0..4 {
        let case = Case::open(&format!("conv{i}.safetensors"));
        let m = case.meta("meta_n_c_h_w_out_k_stride_pad");
        let (c, o, k, s, p) = (m[1], m[4], m[5], m[6], m[7]);
        let mut conv = Conv2d::new(c, o, k, s, p, true);
        conv.weight_mut().copy_from_slice(&case.vec("w"));
        conv.bias = Some(case.vec("b"));
        let x = case.tensor("x");
        let mut y = Tensor::default();
        conv.forward(&x, &mut y).unwrap();
        assert_close(y.as_slice(), &case.vec("y"), &format!("conv{i} y"));
        let gy = case.tensor("gy");
        let mut gx = Tensor::zeros(x.shape());
        conv.backward(&x, &gy, Some(&mut gx)).unwrap();
        assert_close(gx.as_slice(), &case.vec("gx"), &format!("conv{i} gx"));
        assert_close(&conv.grad_weight, &case.vec("gw"), &format!("conv{i} gw"));
        assert_close(
            conv.grad_bias.as_ref().unwrap(),
            &case.vec("gb"),
            &format!("conv{i} gb"),
        );
    }
}

#[test]
fn batch_norm_training_step_and_running_statistics() {
    let case = Case::open("batchnorm_train.safetensors");
    let x = case.tensor("x");
    let mut bn = BatchNorm::new(x.c());
    bn.gamma = case.vec("gamma");
    bn.beta = case.vec("beta");
    let mut y = Tensor::default();
    bn.forward_train(&x, &mut y).unwrap();
    assert_close(y.as_slice(), &case.vec("y"), "bn y");
    assert_close(
        &bn.running_mean,
        &case.vec("running_mean_after"),
        "bn running mean",
    );
    assert_close(
        &bn.running_var,
        &case.vec("running_var_after"),
        "bn running var",
    );
    let mut g = case.tensor("gy");
    bn.backward(&x, &mut g).unwrap();
    assert_close(g.as_slice(), &case.vec("gx"), "bn gx");
    assert_close(&bn.grad_gamma, &case.vec("ggamma"), "bn ggamma");
    assert_close(&bn.grad_beta, &case.vec("gbeta"), "bn gbeta");
}

#[test]
fn batch_norm_inference_uses_running_statistics() {
    let case = Case::open("batchnorm_eval.safetensors");
    let x = case.tensor("x");
    let mut bn = BatchNorm::new(x.c());
    bn.gamma = case.vec("gamma");
    bn.beta = case.vec("beta");
    bn.running_mean = case.vec("mean");
    bn.running_var = case.vec("var");
    let mut y = Tensor::default();
    bn.forward_infer(&x, &mut y).unwrap();
    assert_close(y.as_slice(), &case.vec("y"), "bn eval y");
}

#[test]
fn leaky_relu_forward_and_gradient() {
    let case = Case::open("leaky.safetensors");
    let mut y = case.vec("x");
    Activation::Leaky.forward_in_place(&mut y);
    assert_close(&y, &case.vec("y"), "leaky y");
    let mut g = case.vec("gy");
    Activation::Leaky.backward_in_place(&y, &mut g);
    assert_close(&g, &case.vec("gx"), "leaky gx");
}

#[test]
fn darknet_max_pools_forward_and_gradients() {
    for name in ["maxpool_s2_even", "maxpool_s2_odd", "maxpool_s1"] {
        let case = Case::open(&format!("{name}.safetensors"));
        let m = case.meta("meta_size_stride");
        let mut pool = MaxPool::darknet(m[0], m[1]);
        let x = case.tensor("x");
        let mut y = Tensor::default();
        pool.forward(&x, &mut y).unwrap();
        assert_close(y.as_slice(), &case.vec("y"), &format!("{name} y"));
        let mut gx = Tensor::zeros(x.shape());
        pool.backward(&case.tensor("gy"), &mut gx).unwrap();
        assert_close(gx.as_slice(), &case.vec("gx"), &format!("{name} gx"));
    }
}
