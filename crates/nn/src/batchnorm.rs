//! Batch normalisation over `N·H·W` per channel, with a learned scale γ and shift β.
//!
//! Training normalises with the batch mean and the *biased* variance and moves the running
//! estimates by `r = 0.99·r + 0.01·batch`, using the *unbiased* variance (PyTorch with
//! momentum 0.01; Darknet's rolling statistics). Inference uses the running estimates.

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use rayon::prelude::*;

/// Normalisation epsilon (AlexeyAB's Darknet and PyTorch).
pub const BN_EPS: f32 = 1e-5;
/// Weight of the new batch statistic in the running estimates.
pub const BN_MOMENTUM: f32 = 0.01;

/// Batch-norm parameters, running statistics and gradients for `c` channels.
#[derive(Clone, Debug)]
pub struct BatchNorm {
    /// γ (Darknet's `scales`).
    pub gamma: Vec<f32>,
    /// β (Darknet's `biases` of a BN conv).
    pub beta: Vec<f32>,
    /// Running mean (Darknet's `rolling_mean`).
    pub running_mean: Vec<f32>,
    /// Running variance (Darknet's `rolling_variance`).
    pub running_var: Vec<f32>,
    /// ∂L/∂γ, accumulated.
    pub grad_gamma: Vec<f32>,
    /// ∂L/∂β, accumulated.
    pub grad_beta: Vec<f32>,
    /// Batch mean and 1/sqrt(var+eps) of the last training forward, for backward.
    saved: Vec<(f32, f32)>,
}

/// Independent accumulators of [`lane_sum`]: one f64 chain per lane, so the sum vectorises
/// (a single chain waits on every addition) and stays as exact as one f64 sum.
const LANES: usize = 8;

/// `Σ f(v)` over the values of `planes`, in f64.
fn lane_sum<'a>(planes: impl Iterator<Item = &'a [f32]>, f: impl Fn(f32) -> f64) -> f64 {
    let (mut tail, mut lanes) = (0f64, [0f64; LANES]);
    for p in planes {
        let (chunks, rest) = p.as_chunks::<LANES>();
        for chunk in chunks {
            for k in 0..LANES {
                lanes[k] += f(chunk[k]);
            }
        }
        tail += rest.iter().map(|&v| f(v)).sum::<f64>();
    }
    tail + lanes.iter().sum::<f64>()
}

/// Per-channel sums over every image's plane of channel `ch`.
fn channel_planes(t: &[f32], c: usize, plane: usize, ch: usize) -> impl Iterator<Item = &[f32]> {
    t.chunks(plane).skip(ch).step_by(c)
}

impl BatchNorm {
    /// γ = 1, β = 0, running mean 0 and variance 1.
    pub fn new(c: usize) -> Self {
        BatchNorm {
            gamma: vec![1.0; c],
            beta: vec![0.0; c],
            running_mean: vec![0.0; c],
            running_var: vec![1.0; c],
            grad_gamma: vec![0.0; c],
            grad_beta: vec![0.0; c],
            saved: Vec::new(),
        }
    }

    /// Number of channels.
    pub fn channels(&self) -> usize {
        self.gamma.len()
    }

    fn check(&self, x: &Tensor) -> Result<()> {
        if x.c() != self.channels() {
            return Err(Error::Shape(format!(
                "batch norm has {} channels, input {}",
                self.channels(),
                x.c()
            )));
        }
        Ok(())
    }

    /// Training forward: normalise `x` with batch statistics into `y`, update the running
    /// estimates, remember the statistics for [`BatchNorm::backward`].
    pub fn forward_train(&mut self, x: &Tensor, y: &mut Tensor) -> Result<()> {
        self.forward_train_then(x, y, Activation::Linear)
    }

    /// [`BatchNorm::forward_train`] followed by `act`, in one pass over the output.
    pub(crate) fn forward_train_then(
        &mut self,
        x: &Tensor,
        y: &mut Tensor,
        act: Activation,
    ) -> Result<()> {
        self.check(x)?;
        let (c, plane) = (x.c(), x.h() * x.w());
        let count = x.n() * plane;
        if count < 2 {
            return Err(Error::Shape(
                "batch norm in training needs at least 2 values per channel".into(),
            ));
        }
        let xs = x.as_slice();
        let stats: Vec<(f64, f64)> = (0..c)
            .into_par_iter()
            .map(|ch| {
                let sum = lane_sum(channel_planes(xs, c, plane, ch), |v| v as f64);
                let mean = sum / count as f64;
                let ss = lane_sum(channel_planes(xs, c, plane, ch), |v| {
                    (v as f64 - mean).powi(2)
                });
                (mean, ss / count as f64)
            })
            .collect();
        self.saved.clear();
        for (ch, &(mean, var)) in stats.iter().enumerate() {
            let unbiased = var * count as f64 / (count - 1) as f64;
            self.running_mean[ch] =
                (1.0 - BN_MOMENTUM) * self.running_mean[ch] + BN_MOMENTUM * mean as f32;
            self.running_var[ch] =
                (1.0 - BN_MOMENTUM) * self.running_var[ch] + BN_MOMENTUM * unbiased as f32;
            self.saved
                .push((mean as f32, 1.0 / (var as f32 + BN_EPS).sqrt()));
        }
        let affine: Vec<(f32, f32)> = self
            .saved
            .iter()
            .zip(self.gamma.iter().zip(&self.beta))
            .map(|(&(mean, inv), (&g, &b))| (g * inv, b - g * inv * mean))
            .collect();
        apply_affine(x, y, &affine, act);
        Ok(())
    }

    /// Per-channel `(scale, shift)` such that inference is `y = scale·x + shift`.
    pub fn inference_affine(&self) -> Vec<(f32, f32)> {
        (0..self.channels())
            .map(|ch| {
                let s = self.gamma[ch] / (self.running_var[ch] + BN_EPS).sqrt();
                (s, self.beta[ch] - s * self.running_mean[ch])
            })
            .collect()
    }

    /// Inference forward with the running estimates.
    pub fn forward_infer(&self, x: &Tensor, y: &mut Tensor) -> Result<()> {
        self.check(x)?;
        apply_affine(x, y, &self.inference_affine(), Activation::Linear);
        Ok(())
    }

    /// Backward of the last [`BatchNorm::forward_train`] on input `x`: on entry `grad` holds
    /// `∂L/∂y`, on return `∂L/∂x`. Adds to `grad_gamma` and `grad_beta`.
    pub fn backward(&mut self, x: &Tensor, grad: &mut Tensor) -> Result<()> {
        self.check(x)?;
        if grad.shape() != x.shape() || self.saved.len() != x.c() {
            return Err(Error::Shape(
                "batch norm backward without a matching training forward".into(),
            ));
        }
        let (c, plane) = (x.c(), x.h() * x.w());
        let count = (x.n() * plane) as f32;
        let (xs, gs) = (x.as_slice(), grad.as_slice());
        let saved = &self.saved;
        // Σ dy and Σ dy·x̂ per channel.
        let sums: Vec<(f32, f32)> = (0..c)
            .into_par_iter()
            .map(|ch| {
                let (mean, inv) = saved[ch];
                let sdy = lane_sum(channel_planes(gs, c, plane, ch), |g| g as f64);
                let (mut sdyx, mut lanes) = (0f64, [0f64; LANES]);
                for (xp, gp) in
                    channel_planes(xs, c, plane, ch).zip(channel_planes(gs, c, plane, ch))
                {
                    let (xc, xr) = xp.as_chunks::<LANES>();
                    let (gc, gr) = gp.as_chunks::<LANES>();
                    for (xv, gv) in xc.iter().zip(gc) {
                        for k in 0..LANES {
                            lanes[k] += (gv[k] * (xv[k] - mean) * inv) as f64;
                        }
                    }
                    for (&xv, &gv) in xr.iter().zip(gr) {
                        sdyx += (gv * (xv - mean) * inv) as f64;
                    }
                }
                (sdy as f32, (sdyx + lanes.iter().sum::<f64>()) as f32)
            })
            .collect();
        for (ch, &(sdy, sdyx)) in sums.iter().enumerate() {
            self.grad_beta[ch] += sdy;
            self.grad_gamma[ch] += sdyx;
        }
        let gamma = &self.gamma;
        grad.as_mut_slice()
            .par_chunks_mut(plane)
            .zip(xs.par_chunks(plane))
            .enumerate()
            .for_each(|(i, (gp, xp))| {
                let ch = i % c;
                let (mean, inv) = saved[ch];
                let (sdy, sdyx) = sums[ch];
                let k = gamma[ch] * inv;
                let (mdy, mdyx) = (sdy / count, sdyx / count);
                for (g, &xv) in gp.iter_mut().zip(xp) {
                    *g = k * (*g - mdy - (xv - mean) * inv * mdyx);
                }
            });
        Ok(())
    }

    /// Sets γ and β gradients to zero.
    pub fn zero_grad(&mut self) {
        self.grad_gamma.fill(0.0);
        self.grad_beta.fill(0.0);
    }
}

/// `y[b][c] = act(s[c]·x[b][c] + t[c])`.
fn apply_affine(x: &Tensor, y: &mut Tensor, affine: &[(f32, f32)], act: Activation) {
    y.reshape_for_write(x.shape());
    let (c, plane) = (x.c(), x.h() * x.w());
    if plane == 0 {
        return;
    }
    y.as_mut_slice()
        .par_chunks_mut(plane)
        .zip(x.as_slice().par_chunks(plane))
        .enumerate()
        .for_each(|(i, (yp, xp))| {
            let (s, t) = affine[i % c];
            act.map_into(xp, yp, |v| s * v + t);
        });
}

/// In place `y[b][c] = act(s[c]·y[b][c] + t[c])`: the fused inference epilogue of a
/// BN convolution.
pub(crate) fn affine_in_place(y: &mut Tensor, affine: &[(f32, f32)], act: Activation) {
    let (c, plane) = (y.c(), y.h() * y.w());
    if plane == 0 {
        return;
    }
    y.as_mut_slice()
        .par_chunks_mut(plane)
        .enumerate()
        .for_each(|(i, p)| {
            let (s, t) = affine[i % c];
            act.map_in_place(p, |v| s * v + t);
        });
}
