//! 2-D convolution as im2col + GEMM: `Out = W · cols(In)`, `dW += dOut · colsᵀ`,
//! `dIn = col2im(Wᵀ · dOut)`.

use crate::error::{Error, Result};
use crate::im2col::{ConvGeom, col2im_add, im2col};
use crate::matmul::{Layout, matmul, matmul_serial};
use crate::tensor::Tensor;
use rayon::prelude::*;
use std::cell::RefCell;

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
}

thread_local! {
    /// im2col buffer of this thread, shared by every layer (one per thread, sized to the
    /// largest layer seen), so activations are the only per-layer memory.
    static COLS: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's im2col buffer grown to `len`. If the buffer is already in use
/// on this thread (rayon can run another job here while `f` waits on its own parallel
/// work), `f` gets a fresh buffer instead.
fn with_cols<R>(len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    COLS.with(|c| match c.try_borrow_mut() {
        Ok(mut c) => {
            if c.len() < len {
                c.resize(len, 0.0);
            }
            f(&mut c[..len])
        }
        Err(_) => f(&mut vec![0.0; len]),
    })
}

/// Weight matrices up to this many values get their gradient with one partial sum per
/// thread over a share of the images (their dW product is too skinny to split well);
/// larger ones run each image's product on all threads.
const BATCH_PARALLEL_MAX_WEIGHTS: usize = 1 << 20;

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
        let w = &self.weight;
        for b in 0..x.n() {
            let (xb, yb) = (x.image(b), y.image_mut(b));
            if self.is_pointwise() {
                matmul(m, n, k, w, Layout::Normal, xb, Layout::Normal, yb, false);
            } else {
                with_cols(k * n, |cols| {
                    im2col(&g, xb, cols, true);
                    matmul(m, n, k, w, Layout::Normal, cols, Layout::Normal, yb, false);
                });
            }
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
        let mut dx = dx;
        if dx.as_deref().is_some_and(|d| d.shape() != x.shape()) {
            return Err(Error::Shape(
                "conv backward: dx is not shaped like x".into(),
            ));
        }
        let images = x.n();
        let threads = rayon::current_num_threads().clamp(1, images.max(1));
        let img_in = x.c() * x.h() * x.w();
        if images >= 2 && threads >= 2 && self.weight.len() <= BATCH_PARALLEL_MAX_WEIGHTS {
            // One partial dW (and db) per thread, each over a contiguous share of the images.
            let per = images.div_ceil(threads);
            let mut dx_parts: Vec<Option<&mut [f32]>> = match dx {
                Some(d) => d
                    .as_mut_slice()
                    .chunks_mut(per * img_in)
                    .map(Some)
                    .collect(),
                None => Vec::new(),
            };
            dx_parts.resize_with(images.div_ceil(per), || None);
            let this = &*self;
            let partials: Vec<(Vec<f32>, Vec<f32>)> = dx_parts
                .into_par_iter()
                .enumerate()
                .map(|(part, mut dxp)| {
                    let mut dw = vec![0.0; this.weight.len()];
                    let mut db = vec![0.0; if this.bias.is_some() { this.c_out } else { 0 }];
                    for b in part * per..((part + 1) * per).min(images) {
                        let dxb = dxp
                            .as_deref_mut()
                            .map(|d| &mut d[(b - part * per) * img_in..][..img_in]);
                        this.backward_image(
                            &g,
                            x.image(b),
                            dy.image(b),
                            &mut dw,
                            &mut db,
                            dxb,
                            false,
                        );
                    }
                    (dw, db)
                })
                .collect();
            for (dw, db) in partials {
                self.grad_weight
                    .iter_mut()
                    .zip(&dw)
                    .for_each(|(g, v)| *g += v);
                if let Some(gb) = &mut self.grad_bias {
                    gb.iter_mut().zip(&db).for_each(|(g, v)| *g += v);
                }
            }
        } else {
            let mut gw = std::mem::take(&mut self.grad_weight);
            let mut gb = self.grad_bias.take().unwrap_or_default();
            for b in 0..images {
                let dxb = dx.as_deref_mut().map(|d| d.image_mut(b));
                self.backward_image(&g, x.image(b), dy.image(b), &mut gw, &mut gb, dxb, true);
            }
            self.grad_weight = gw;
            self.grad_bias = self.bias.as_ref().map(|_| gb);
        }
        Ok(())
    }

    /// One image's backward: `dw += dy · colsᵀ`, `db += Σ dy`, `dx += col2im(Wᵀ · dy)`.
    /// `parallel` lets the products use every thread.
    #[allow(clippy::too_many_arguments)]
    fn backward_image(
        &self,
        g: &ConvGeom,
        x: &[f32],
        dy: &[f32],
        dw: &mut [f32],
        db: &mut [f32],
        dx: Option<&mut [f32]>,
        parallel: bool,
    ) {
        let (m, n, k) = (self.c_out, g.cols(), g.rows());
        let mm = if parallel { matmul } else { matmul_serial };
        for (acc, plane) in db.iter_mut().zip(dy.chunks(n)) {
            *acc += plane.iter().sum::<f32>();
        }
        if self.is_pointwise() {
            mm(m, k, n, dy, Layout::Normal, x, Layout::Transposed, dw, true);
            if let Some(dx) = dx {
                mm(
                    k,
                    n,
                    m,
                    &self.weight,
                    Layout::Transposed,
                    dy,
                    Layout::Normal,
                    dx,
                    true,
                );
            }
            return;
        }
        with_cols(k * n, |cols| {
            im2col(g, x, cols, parallel);
            mm(
                m,
                k,
                n,
                dy,
                Layout::Normal,
                cols,
                Layout::Transposed,
                dw,
                true,
            );
            if let Some(dx) = dx {
                // dcols = Wᵀ · dy, then scattered back onto the input.
                mm(
                    k,
                    n,
                    m,
                    &self.weight,
                    Layout::Transposed,
                    dy,
                    Layout::Normal,
                    cols,
                    false,
                );
                col2im_add(g, cols, dx, parallel);
            }
        });
    }

    /// Sets the parameter gradients to zero.
    pub fn zero_grad(&mut self) {
        self.grad_weight.fill(0.0);
        if let Some(g) = &mut self.grad_bias {
            g.fill(0.0);
        }
    }

    /// Releases the calling thread's im2col buffer (it is re-grown on the next pass).
    pub fn release_scratch() {
        COLS.with(|c| *c.borrow_mut() = Vec::new());
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
