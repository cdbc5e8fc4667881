//! 2-D convolution as im2col + GEMM: `Out = W · cols(In)`, `dW += dOut · colsᵀ`,
//! `dIn = col2im(Wᵀ · dOut)`.

use crate::error::{Error, Result};
use crate::im2col::{ConvGeom, col2im_add, im2col};
use crate::matmul::{Layout, matmul};
use crate::tensor::Tensor;
use rayon::prelude::*;

/// A convolution layer's parameters, gradients and scratch space.
///
/// `weight` is `[out][in][k][k]` (Darknet's and PyTorch's order), i.e. the GEMM's
/// `out × (in·k·k)` matrix.
#[derive(Clone, Debug)]
pub struct Conv2d {
    /// Input channels.
    pub c_in: usize,
    /// Output channels (filters).
    pub c_out: usize,
    /// Kernel side.
    pub k: usize,
    /// Stride.
    pub stride: usize,
    /// Zero padding on every side.
    pub pad: usize,
    /// `c_out · c_in · k · k` weights.
    pub weight: Vec<f32>,
    /// Per-output-channel bias, if the layer has one.
    pub bias: Option<Vec<f32>>,
    /// Gradient of the loss w.r.t. `weight`, accumulated by [`Conv2d::backward`].
    pub grad_weight: Vec<f32>,
    /// Gradient w.r.t. `bias`.
    pub grad_bias: Option<Vec<f32>>,
    /// im2col buffer, reused between calls.
    cols: Vec<f32>,
}

impl Conv2d {
    /// A convolution with zero weights (and zero bias if `bias`).
    pub fn new(c_in: usize, c_out: usize, k: usize, stride: usize, pad: usize, bias: bool) -> Self {
        let nw = c_out * c_in * k * k;
        Conv2d {
            c_in,
            c_out,
            k,
            stride: stride.max(1),
            pad,
            weight: vec![0.0; nw],
            bias: bias.then(|| vec![0.0; c_out]),
            grad_weight: vec![0.0; nw],
            grad_bias: bias.then(|| vec![0.0; c_out]),
            cols: Vec::new(),
        }
    }

    /// Output `(h, w)` for an input of `(h, w)`, or `None` if the kernel does not fit.
    pub fn out_hw(&self, h: usize, w: usize) -> Option<(usize, usize)> {
        let (hp, wp) = (h + 2 * self.pad, w + 2 * self.pad);
        if self.k == 0 || hp < self.k || wp < self.k {
            return None;
        }
        Some((
            (hp - self.k) / self.stride + 1,
            (wp - self.k) / self.stride + 1,
        ))
    }

    fn geom(&self, x: &Tensor) -> Result<ConvGeom> {
        if x.c() != self.c_in {
            return Err(Error::Shape(format!(
                "conv expects {} input channels, got {}",
                self.c_in,
                x.c()
            )));
        }
        let (oh, ow) = self.out_hw(x.h(), x.w()).ok_or_else(|| {
            Error::Shape(format!(
                "{}x{} kernel does not fit a {}x{} input",
                self.k,
                self.k,
                x.h(),
                x.w()
            ))
        })?;
        Ok(ConvGeom {
            c: self.c_in,
            h: x.h(),
            w: x.w(),
            k: self.k,
            stride: self.stride,
            pad: self.pad,
            oh,
            ow,
        })
    }

    /// A 1×1 stride-1 unpadded convolution reads its input as the column matrix directly.
    fn is_pointwise(&self) -> bool {
        self.k == 1 && self.stride == 1 && self.pad == 0
    }

    /// `y = conv(x) (+ bias)`. `y` is reshaped to `[n, c_out, oh, ow]`.
    pub fn forward(&mut self, x: &Tensor, y: &mut Tensor) -> Result<()> {
        let g = self.geom(x)?;
        y.reshape_for_write([x.n(), self.c_out, g.oh, g.ow]);
        let (m, n, k) = (self.c_out, g.cols(), g.rows());
        if !self.is_pointwise() {
            self.cols.resize(k * n, 0.0);
        }
        for b in 0..x.n() {
            let cols: &[f32] = if self.is_pointwise() {
                x.image(b)
            } else {
                im2col(&g, x.image(b), &mut self.cols);
                &self.cols
            };
            matmul(
                m,
                n,
                k,
                &self.weight,
                Layout::Normal,
                cols,
                Layout::Normal,
                y.image_mut(b),
                false,
            );
        }
        if let Some(bias) = &self.bias {
            add_channel_bias(y, bias);
        }
        Ok(())
    }

    /// Given the input `x` of the forward pass and `dy = ∂L/∂y`, adds `∂L/∂W` (and `∂L/∂b`)
    /// to the gradients and, if `dx` is given (shaped like `x`), adds `∂L/∂x` into it.
    pub fn backward(&mut self, x: &Tensor, dy: &Tensor, dx: Option<&mut Tensor>) -> Result<()> {
        let g = self.geom(x)?;
        if dy.shape() != [x.n(), self.c_out, g.oh, g.ow] {
            return Err(Error::Shape(format!(
                "conv backward: dy {:?} does not match the output",
                dy.shape()
            )));
        }
        let (m, n, k) = (self.c_out, g.cols(), g.rows());
        let pointwise = self.is_pointwise();
        if !pointwise {
            self.cols.resize(k * n, 0.0);
        }
        let mut dx = dx;
        if dx.as_deref().is_some_and(|d| d.shape() != x.shape()) {
            return Err(Error::Shape(
                "conv backward: dx is not shaped like x".into(),
            ));
        }
        for b in 0..x.n() {
            let dyb = dy.image(b);
            // dW += dy_b · cols_bᵀ
            {
                let cols: &[f32] = if pointwise {
                    x.image(b)
                } else {
                    im2col(&g, x.image(b), &mut self.cols);
                    &self.cols
                };
                matmul(
                    m,
                    k,
                    n,
                    dyb,
                    Layout::Normal,
                    cols,
                    Layout::Transposed,
                    &mut self.grad_weight,
                    true,
                );
            }
            if let Some(gb) = &mut self.grad_bias {
                gb.par_iter_mut()
                    .zip(dyb.par_chunks(n))
                    .for_each(|(g, plane)| *g += plane.iter().sum::<f32>());
            }
            if let Some(dx) = dx.as_deref_mut() {
                // dcols = Wᵀ · dy_b, then scattered back onto the input.
                if pointwise {
                    matmul(
                        k,
                        n,
                        m,
                        &self.weight,
                        Layout::Transposed,
                        dyb,
                        Layout::Normal,
                        dx.image_mut(b),
                        true,
                    );
                } else {
                    matmul(
                        k,
                        n,
                        m,
                        &self.weight,
                        Layout::Transposed,
                        dyb,
                        Layout::Normal,
                        &mut self.cols,
                        false,
                    );
                    col2im_add(&g, &self.cols, dx.image_mut(b));
                }
            }
        }
        Ok(())
    }

    /// Sets the parameter gradients to zero.
    pub fn zero_grad(&mut self) {
        self.grad_weight.fill(0.0);
        if let Some(g) = &mut self.grad_bias {
            g.fill(0.0);
        }
    }

    /// Releases the scratch buffer (it is re-grown on the next pass).
    pub fn release_scratch(&mut self) {
        self.cols = Vec::new();
    }
}

/// `y[b][c] += bias[c]` over every plane.
pub(crate) fn add_channel_bias(y: &mut Tensor, bias: &[f32]) {
    let (c, plane) = (y.c(), y.h() * y.w());
    if plane == 0 {
        return;
    }
    y.as_mut_slice()
        .par_chunks_mut(plane)
        .enumerate()
        .for_each(|(i, p)| {
            let b = bias[i % c];
            p.iter_mut().for_each(|v| *v += b);
        });
}
