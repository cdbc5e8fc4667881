//! 2-D convolution as matrix products, by one of two paths:
//!
//! * **im2col + GEMM** for every shape: `Out = W · cols(In)`, `dW += dOut · colsᵀ`,
//!   `dIn = col2im(Wᵀ · dOut)` (a 1×1 stride-1 layer uses its input as `cols`).
//! * **Winograd F(2×2, 3×3)** (the `winograd` module) for 3×3, stride-1, pad-1 layers with
//!   at least 16 input channels: every 3×3 layer of YOLOv2 and tiny YOLOv2 but the first.
//!   Forward, input gradient and weight gradient are 16 products each, over the tiles of
//!   the whole batch, with 2.25× fewer multiply-adds than the direct convolution (1.94× on
//!   13×13 maps). The first layer (3 channels) stays on im2col: its products are too thin
//!   for the transforms to pay (its forward at 416×416 took 10.2 ms as Winograd, 6.4 ms as
//!   im2col). The transformed filters are kept until the weights change, which is why the
//!   weights are behind [`Conv2d::weight`] and [`Conv2d::weight_mut`].
//!
//! Both paths give the same values to fp32 rounding (the tests hold them to 1e-5 of the
//! largest value; measured about 1e-6).

use crate::error::{Error, Result};
use crate::im2col::{ConvGeom, col2im_add, col2im_add_strided, im2col, im2col_strided};
use crate::matmul::{Layout, matmul, matmul_serial};
use crate::network::{LAYER_CAP, MAX_LAYER_VALUES, product};
use crate::tensor::Tensor;
use crate::winograd;
use rayon::prelude::*;
use std::cell::RefCell;

/// A convolution layer's parameters, gradients and scratch space.
///
/// The weights are `[out][in][k][k]` (Darknet's and PyTorch's order), i.e. the GEMM's
/// `out × (in·k·k)` matrix. They are read with [`Conv2d::weight`] and changed only through
/// [`Conv2d::weight_mut`], so that the Winograd-transformed copy a 3×3 layer keeps between
/// passes is dropped whenever they change.
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
    weight: Vec<f32>,
    /// Per-output-channel bias, if the layer has one.
    pub bias: Option<Vec<f32>>,
    /// Gradient of the loss w.r.t. `weight`, accumulated by [`Conv2d::backward`].
    pub grad_weight: Vec<f32>,
    /// Gradient w.r.t. `bias`.
    pub grad_bias: Option<Vec<f32>>,
    /// The weights transformed for Winograd, valid until they change.
    pub(crate) transformed: winograd::Filters,
}

/// A convolution's parameters and gradients, borrowed together ([`Conv2d::parts_mut`]).
pub(crate) struct ConvPartsMut<'a> {
    pub weight: &'a mut [f32],
    pub grad_weight: &'a mut [f32],
    pub bias: Option<&'a mut [f32]>,
    pub grad_bias: Option<&'a mut [f32]>,
}

thread_local! {
    /// im2col buffer of this thread, shared by every layer (one per thread, sized to the
    /// largest layer seen), so activations are the only per-layer memory.
    static COLS: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's im2col buffer grown to `len`.
fn with_cols<R>(len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    with_scratch(&COLS, len, f)
}

/// Runs `f` with the thread-local buffer `key` grown to `len` (its values are stale, not
/// zeroed). If the buffer is already in use on this thread (rayon can run another job here
/// while `f` waits on its own parallel work), `f` gets a fresh buffer instead.
pub(crate) fn with_scratch<R>(
    key: &'static std::thread::LocalKey<RefCell<Vec<f32>>>,
    len: usize,
    f: impl FnOnce(&mut [f32]) -> R,
) -> R {
    key.with(|c| match c.try_borrow_mut() {
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

/// Small feature maps (the 13×13 and 26×26 layers at 416) make thin products per image;
/// below this many output positions per image, and while the batch's column matrix stays
/// under [`BATCHED_MAX_COLS`] values, the whole batch is one product with the images'
/// columns side by side.
const BATCHED_MAX_POSITIONS: usize = 1024;
/// Largest batched column matrix (64 MiB of f32).
const BATCHED_MAX_COLS: usize = 1 << 24;

/// How a batch is split into matrix products.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strategy {
    /// One product for the whole batch, the images' columns side by side.
    Batched,
    /// Weight gradients summed per thread over a share of the images.
    PerThread,
    /// One product per image, each on every thread.
    PerImage,
}

#[cfg(test)]
thread_local! {
    static FORCED: std::cell::Cell<Option<Strategy>> = const { std::cell::Cell::new(None) };
    /// `Some(false)`: im2col whatever the shape; `Some(true)`: Winograd for every shape it
    /// computes, whatever the channels.
    pub(crate) static FORCED_WINOGRAD: std::cell::Cell<Option<bool>> =
        const { std::cell::Cell::new(None) };
}

impl Conv2d {
    /// A convolution with zero weights (and zero bias if `bias`). A `stride` of 0 fits no
    /// input (shape inference says so); `c_out · c_in · k · k` must fit in memory.
    pub fn new(c_in: usize, c_out: usize, k: usize, stride: usize, pad: usize, bias: bool) -> Self {
        let nw = c_out * c_in * k * k;
        Conv2d {
            c_in,
            c_out,
            k,
            stride,
            pad,
            weight: vec![0.0; nw],
            bias: bias.then(|| vec![0.0; c_out]),
            grad_weight: vec![0.0; nw],
            grad_bias: bias.then(|| vec![0.0; c_out]),
            transformed: winograd::Filters::default(),
        }
    }

    /// The `c_out · c_in · k · k` weights, `[out][in][k][k]`.
    pub fn weight(&self) -> &[f32] {
        &self.weight
    }

    /// The weights, to change them (this drops their Winograd-transformed copy).
    pub fn weight_mut(&mut self) -> &mut [f32] {
        self.parts_mut().weight
    }

    /// The weights with the other parameters and gradients, borrowed at once (this drops
    /// the weights' Winograd-transformed copy).
    pub(crate) fn parts_mut(&mut self) -> ConvPartsMut<'_> {
        self.transformed.invalidate();
        ConvPartsMut {
            weight: &mut self.weight,
            grad_weight: &mut self.grad_weight,
            bias: self.bias.as_deref_mut(),
            grad_bias: self.grad_bias.as_deref_mut(),
        }
    }

    /// Output `(h, w)` for an input of `(h, w)`, or `None` if the kernel does not fit (or
    /// the padded side overflows, or the stride is 0).
    pub fn out_hw(&self, h: usize, w: usize) -> Option<(usize, usize)> {
        let pad2 = self.pad.checked_mul(2)?;
        let (hp, wp) = (h.checked_add(pad2)?, w.checked_add(pad2)?);
        if self.k == 0 || self.stride == 0 || hp < self.k || wp < self.k {
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
        // Sizes a tensor of this shape could not have (a batch of empty images with absurd
        // sides): refused here, once per call, so nothing below can overflow.
        let out = [x.n(), self.c_out, oh, ow];
        if product(&out).is_none_or(|v| v > MAX_LAYER_VALUES) {
            return Err(Error::Shape(format!(
                "conv output {out:?} is over the cap of {LAYER_CAP}"
            )));
        }
        if self
            .cols_values(oh, ow)
            .is_none_or(|v| v > MAX_LAYER_VALUES)
        {
            return Err(Error::Shape(format!(
                "conv im2col workspace of {} x {oh}x{ow} is over the cap of {LAYER_CAP}",
                self.c_in * self.k * self.k
            )));
        }
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

    /// Whether this convolution of `x` runs as Winograd F(2×2, 3×3) (see the module doc).
    fn uses_winograd(&self, x: &Tensor) -> bool {
        self.is_winograd() && !x.is_empty()
    }

    /// Whether this layer's convolutions run as Winograd F(2×2, 3×3): 3×3, stride 1, pad 1,
    /// and at least [`winograd::MIN_C_IN`] input channels.
    fn is_winograd(&self) -> bool {
        #[cfg(test)]
        if let Some(forced) = FORCED_WINOGRAD.with(|f| f.get()) {
            return forced && self.winograd_shape();
        }
        self.winograd_shape() && self.c_in >= winograd::MIN_C_IN
    }

    /// Multiply-adds of the matrix products a forward pass runs for one `h × w` image
    /// (`None` if the kernel does not fit): the direct count `c_out·c_in·k²·oh·ow` on the
    /// im2col path, `16·c_in·c_out` per 2×2 output tile on the Winograd path. Each gradient
    /// (weights, input) runs as many again. Transforms and im2col are not counted.
    pub fn multiply_adds(&self, h: usize, w: usize) -> Option<usize> {
        let (oh, ow) = self.out_hw(h, w)?;
        if self.is_winograd() {
            product(&[16, self.c_in, self.c_out, oh.div_ceil(2), ow.div_ceil(2)])
        } else {
            product(&[self.c_out, self.c_in, self.k, self.k, oh, ow])
        }
    }

    /// A 3×3 stride-1 pad-1 kernel with some output channels: the shape Winograd computes.
    fn winograd_shape(&self) -> bool {
        self.k == 3 && self.stride == 1 && self.pad == 1 && self.c_out > 0
    }

    /// A 1×1 stride-1 unpadded convolution reads its input as the column matrix directly.
    fn is_pointwise(&self) -> bool {
        self.k == 1 && self.stride == 1 && self.pad == 0
    }

    /// Values of one image's im2col matrix (`c_in·k·k × oh·ow`; 0 for a pointwise
    /// convolution, which needs none), or `None` on overflow.
    pub(crate) fn cols_values(&self, oh: usize, ow: usize) -> Option<usize> {
        if self.is_pointwise() {
            return Some(0);
        }
        product(&[self.c_in, self.k, self.k, oh, ow])
    }

    /// `y = conv(x) (+ bias)`. `y` is reshaped to `[n, c_out, oh, ow]`.
    pub fn forward(&mut self, x: &Tensor, y: &mut Tensor) -> Result<()> {
        let g = self.geom(x)?;
        y.reshape_for_write([x.n(), self.c_out, g.oh, g.ow]);
        if self.uses_winograd(x) {
            let channels = (self.c_in, self.c_out);
            let bias = self.bias.as_deref();
            winograd::forward(&self.weight, bias, &mut self.transformed, channels, x, y);
            return Ok(());
        }
        let (m, n, k) = (self.c_out, g.cols(), g.rows());
        if self.strategy(&g, x.n()) == Strategy::Batched {
            let np = n * x.n();
            let mut out = vec![0.0; m * np];
            with_cols(k * np, |cols| {
                for b in 0..x.n() {
                    im2col_strided(&g, x.image(b), cols, np, b * n, true);
                }
                matmul(
                    m,
                    np,
                    k,
                    &self.weight,
                    Layout::Normal,
                    cols,
                    Layout::Normal,
                    &mut out,
                    false,
                );
            });
            // out is [c_out][image][position]; y is [image][c_out][position].
            for b in 0..x.n() {
                for (co, dst) in y.image_mut(b).chunks_mut(n).enumerate() {
                    dst.copy_from_slice(&out[co * np + b * n..][..n]);
                }
            }
            if let Some(bias) = &self.bias {
                add_channel_bias(y, bias);
            }
            return Ok(());
        }
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
        if self.uses_winograd(x) {
            winograd::backward(self, x, dy, dx);
            return Ok(());
        }
        let images = x.n();
        let threads = rayon::current_num_threads().clamp(1, images.max(1));
        let img_in = x.c() * x.h() * x.w();
        let strategy = self.strategy(&g, images);
        if strategy == Strategy::Batched {
            self.backward_batched(&g, x, dy, dx);
        } else if strategy == Strategy::PerThread {
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
                    let mut dw = vec![0.0; this.weight().len()];
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

    /// How a batch is split into products.
    fn strategy(&self, g: &ConvGeom, images: usize) -> Strategy {
        #[cfg(test)]
        if let Some(forced) = FORCED.with(|f| f.get()) {
            return forced;
        }
        let threads = rayon::current_num_threads();
        if images >= 2
            && g.cols() < BATCHED_MAX_POSITIONS
            && g.rows() * g.cols() * images <= BATCHED_MAX_COLS
        {
            Strategy::Batched
        } else if images >= 2 && threads >= 2 && self.weight().len() <= BATCH_PARALLEL_MAX_WEIGHTS {
            Strategy::PerThread
        } else {
            Strategy::PerImage
        }
    }

    /// The whole batch's backward as single products over side-by-side columns.
    fn backward_batched(&mut self, g: &ConvGeom, x: &Tensor, dy: &Tensor, dx: Option<&mut Tensor>) {
        let (m, n, k) = (self.c_out, g.cols(), g.rows());
        let images = x.n();
        let np = n * images;
        // dy as [c_out][image][position].
        let mut dyc = vec![0.0; m * np];
        for b in 0..images {
            for (co, src) in dy.image(b).chunks(n).enumerate() {
                dyc[co * np + b * n..][..n].copy_from_slice(src);
            }
        }
        if let Some(gb) = &mut self.grad_bias {
            gb.par_iter_mut()
                .zip(dyc.par_chunks(np))
                .for_each(|(g, row)| *g += row.iter().sum::<f32>());
        }
        let (weight, grad_weight) = (&self.weight, &mut self.grad_weight);
        with_cols(k * np, |cols| {
            for b in 0..images {
                im2col_strided(g, x.image(b), cols, np, b * n, true);
            }
            matmul(
                m,
                k,
                np,
                &dyc,
                Layout::Normal,
                cols,
                Layout::Transposed,
                grad_weight,
                true,
            );
            if let Some(dx) = dx {
                matmul(
                    k,
                    np,
                    m,
                    weight,
                    Layout::Transposed,
                    &dyc,
                    Layout::Normal,
                    cols,
                    false,
                );
                for b in 0..images {
                    col2im_add_strided(g, cols, dx.image_mut(b), np, b * n, true);
                }
            }
        });
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

    /// Releases the calling thread's im2col and Winograd buffers (they are re-grown on the
    /// next pass).
    pub fn release_scratch() {
        COLS.with(|c| *c.borrow_mut() = Vec::new());
        winograd::release_scratch();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| {
                ((i as u32).wrapping_mul(2_654_435_761).wrapping_add(seed) % 1000) as f32 / 500.0
                    - 1.0
            })
            .collect()
    }

    /// Forward output, dx, dW and db with every way of splitting the batch agree.
    #[test]
    fn every_strategy_computes_the_same_gradients() {
        for (k, stride, pad, bias) in [(3, 1, 1, true), (3, 2, 1, false), (1, 1, 0, true)] {
            let x = Tensor::from_vec([3, 4, 7, 6], values(3 * 4 * 7 * 6, 1)).unwrap();
            let mut base = Conv2d::new(4, 5, k, stride, pad, bias);
            let w = values(base.weight().len(), 2);
            base.weight_mut().copy_from_slice(&w);
            if let Some(b) = &mut base.bias {
                *b = values(5, 3);
            }
            let mut results = Vec::new();
            for s in [Strategy::Batched, Strategy::PerThread, Strategy::PerImage] {
                FORCED.with(|f| f.set(Some(s)));
                let mut conv = base.clone();
                let mut y = Tensor::default();
                conv.forward(&x, &mut y).unwrap();
                let dy = Tensor::from_vec(y.shape(), values(y.len(), 4)).unwrap();
                let mut dx = Tensor::zeros(x.shape());
                conv.backward(&x, &dy, Some(&mut dx)).unwrap();
                results.push((y, dx, conv.grad_weight, conv.grad_bias));
            }
            FORCED.with(|f| f.set(None));
            for r in &results[1..] {
                assert!(r.0.max_abs_diff(&results[0].0).unwrap() < 1e-4);
                assert!(r.1.max_abs_diff(&results[0].1).unwrap() < 1e-4);
                for (a, b) in r.2.iter().zip(&results[0].2) {
                    assert!((a - b).abs() < 1e-3, "dW {a} {b}");
                }
                assert_eq!(r.3.is_some(), bias);
                for (a, b) in r.3.iter().flatten().zip(results[0].3.iter().flatten()) {
                    assert!((a - b).abs() < 1e-3, "db {a} {b}");
                }
            }
        }
    }
}
