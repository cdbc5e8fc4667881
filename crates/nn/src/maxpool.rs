//! Max pooling with Darknet's geometry.
//!
//! Darknet (pjreddie since 2018, AlexeyAB) uses `padding = size − 1` by default,
//! `out = (in + padding − size) / stride + 1` and starts window `o` at `o·stride − padding/2`;
//! cells outside the input never win (they count as −∞). So size 2 stride 2 rounds odd sides
//! up, and size 2 stride 1 keeps the side, its last row/column seeing only valid cells.

use crate::error::{Error, Result};
use crate::network::{LAYER_CAP, MAX_LAYER_VALUES, product};
use crate::tensor::Tensor;
use rayon::prelude::*;

/// A max pool layer; remembers the winning input of every output for backward.
#[derive(Clone, Debug)]
pub struct MaxPool {
    /// Window side.
    pub size: usize,
    /// Step between windows.
    pub stride: usize,
    /// Total padding (Darknet's `padding`, default `size − 1`), half of it before the input.
    pub padding: usize,
    /// Per output value, the index inside its input plane of the maximum.
    argmax: Vec<u32>,
}

impl MaxPool {
    /// Darknet's pool with the default padding `size − 1`.
    pub fn darknet(size: usize, stride: usize) -> Self {
        Self::with_padding(size, stride, size.saturating_sub(1))
    }

    /// A pool with explicit total padding. A `size` or `stride` of 0 fits no input (shape
    /// inference says so).
    pub fn with_padding(size: usize, stride: usize, padding: usize) -> Self {
        MaxPool {
            size,
            stride,
            padding,
            argmax: Vec::new(),
        }
    }

    /// Output `(h, w)`, or `None` if the window does not fit. Also `None` when a padded side
    /// or the stride exceeds `isize::MAX` (see [`MaxPool::fits_isize`]).
    pub fn out_hw(&self, h: usize, w: usize) -> Option<(usize, usize)> {
        let (hp, wp) = (h.checked_add(self.padding)?, w.checked_add(self.padding)?);
        if self.size == 0
            || self.stride == 0
            || !self.fits_isize(h, w)
            || hp < self.size
            || wp < self.size
            || h == 0
            || w == 0
        {
            return None;
        }
        Some((
            (hp - self.size) / self.stride + 1,
            (wp - self.size) / self.stride + 1,
        ))
    }

    /// Whether the padded sides and the stride fit in an `isize`, as the window arithmetic
    /// of [`MaxPool::forward`] (signed, for windows starting in the padding) needs.
    pub fn fits_isize(&self, h: usize, w: usize) -> bool {
        let limit = isize::MAX as usize;
        let fits = |side: usize| side.checked_add(self.padding).is_some_and(|p| p <= limit);
        fits(h) && fits(w) && self.stride <= limit
    }

    /// `y = maxpool(x)`.
    pub fn forward(&mut self, x: &Tensor, y: &mut Tensor) -> Result<()> {
        let (h, w) = (x.h(), x.w());
        let (oh, ow) = self.out_hw(h, w).ok_or_else(|| {
            Error::Shape(format!(
                "{}x{} pool window does not fit a {h}x{w} input",
                self.size, self.size
            ))
        })?;
        if h.checked_mul(w).is_none_or(|p| p > u32::MAX as usize) {
            return Err(Error::Shape("pool input plane too large".into()));
        }
        let out = [x.n(), x.c(), oh, ow];
        if product(&out).is_none_or(|v| v > MAX_LAYER_VALUES) {
            return Err(Error::Shape(format!(
                "pool output {out:?} is over the cap of {LAYER_CAP}"
            )));
        }
        y.reshape_for_write([x.n(), x.c(), oh, ow]);
        self.argmax.resize(y.len(), 0);
        if self.size == 2 && self.stride == 2 && self.padding / 2 == 0 && h == 2 * oh && w == 2 * ow
        {
            pool_2x2_even(x.as_slice(), y.as_mut_slice(), &mut self.argmax, h, w);
            return Ok(());
        }
        let off = (self.padding / 2) as isize;
        let (size, stride) = (self.size as isize, self.stride as isize);
        y.as_mut_slice()
            .par_chunks_mut(oh * ow)
            .zip(self.argmax.par_chunks_mut(oh * ow))
            .zip(x.as_slice().par_chunks(h * w))
            .for_each(|((yp, ap), xp)| {
                for oy in 0..oh {
                    let y0 = oy as isize * stride - off;
                    let (ys, ye) = (
                        y0.max(0) as usize,
                        ((y0 + size).min(h as isize)).max(0) as usize,
                    );
                    for ox in 0..ow {
                        let x0 = ox as isize * stride - off;
                        let (xs, xe) = (
                            x0.max(0) as usize,
                            ((x0 + size).min(w as isize)).max(0) as usize,
                        );
                        let mut best = f32::NEG_INFINITY;
                        let mut arg = usize::MAX;
                        for iy in ys..ye {
                            for ix in xs..xe {
                                let v = xp[iy * w + ix];
                                if v > best || arg == usize::MAX {
                                    best = v;
                                    arg = iy * w + ix;
                                }
                            }
                        }
                        // A window entirely in the padding (only with unusual paddings) yields −∞.
                        yp[oy * ow + ox] = best;
                        ap[oy * ow + ox] = if arg == usize::MAX {
                            u32::MAX
                        } else {
                            arg as u32
                        };
                    }
                }
            });
        Ok(())
    }

    /// Adds each `∂L/∂y` value onto the input that won its window (`dx` shaped like the
    /// forward input).
    pub fn backward(&self, dy: &Tensor, dx: &mut Tensor) -> Result<()> {
        if dy.len() != self.argmax.len() || dy.n() * dy.c() != dx.n() * dx.c() {
            return Err(Error::Shape(
                "max pool backward without a matching forward".into(),
            ));
        }
        let plane_in = dx.h() * dx.w();
        let plane_out = dy.h() * dy.w();
        if plane_in == 0 || plane_out == 0 {
            return Ok(());
        }
        dx.as_mut_slice()
            .par_chunks_mut(plane_in)
            .zip(dy.as_slice().par_chunks(plane_out))
            .zip(self.argmax.par_chunks(plane_out))
            .for_each(|((dxp, dyp), ap)| {
                for (&g, &a) in dyp.iter().zip(ap) {
                    if let Some(d) = dxp.get_mut(a as usize) {
                        *d += g;
                    }
                }
            });
        Ok(())
    }

    /// Frees the argmax memory.
    pub fn release_scratch(&mut self) {
        self.argmax = Vec::new();
    }
}

/// The common case, 2×2 windows at stride 2 on even sides: no window touches the border.
fn pool_2x2_even(x: &[f32], y: &mut [f32], argmax: &mut [u32], h: usize, w: usize) {
    let (oh, ow) = (h / 2, w / 2);
    y.par_chunks_mut(oh * ow)
        .zip(argmax.par_chunks_mut(oh * ow))
        .zip(x.par_chunks(h * w))
        .for_each(|((yp, ap), xp)| {
            for oy in 0..oh {
                let (r0, r1) = (&xp[2 * oy * w..][..w], &xp[(2 * oy + 1) * w..][..w]);
                let (yr, ar) = (&mut yp[oy * ow..][..ow], &mut ap[oy * ow..][..ow]);
                for ox in 0..ow {
                    // Scan order and strict `>` as in the general loop: the first maximum wins.
                    let base = 2 * oy * w + 2 * ox;
                    let (mut best, mut arg) = (r0[2 * ox], base);
                    for (v, a) in [
                        (r0[2 * ox + 1], base + 1),
                        (r1[2 * ox], base + w),
                        (r1[2 * ox + 1], base + w + 1),
                    ] {
                        if v > best {
                            best = v;
                            arg = a;
                        }
                    }
                    yr[ox] = best;
                    ar[ox] = arg as u32;
                }
            }
        });
}
