//! Darknet's `[reorg]` (space-to-depth), with Darknet's exact element order.
//!
//! YOLOv2 applies `reorg_cpu(input, w, h, c, batch, stride, forward = 0, output)` with the
//! *input* dimensions. That routine walks the input-shaped index `(k, j, i)` of a
//! `c × h × w` block and reads the value at `(k mod c', j·s + (k / c') / s, i·s + (k / c') mod s)`
//! of the same memory viewed as `c' × h·s × w·s`, with `c' = c / s²`. It is a fixed
//! permutation of each image's values; the output is then read as `c·s² × h/s × w/s`.
//! (This is not the "natural" space-to-depth; pretrained YOLOv2 weights depend on it.)

use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// A reorg layer with stride `s`.
#[derive(Clone, Debug)]
pub struct Reorg {
    /// Side of the square gathered into channels.
    pub stride: usize,
}

impl Reorg {
    /// Output `(c, h, w)` for an input, or `None` if the sides or channels do not divide
    /// (or `c·s²` overflows).
    pub fn out_chw(&self, c: usize, h: usize, w: usize) -> Option<(usize, usize, usize)> {
        let s = self.stride;
        let s2 = s.checked_mul(s)?;
        if s == 0
            || !h.is_multiple_of(s)
            || !w.is_multiple_of(s)
            || !c.is_multiple_of(s2)
            || h == 0
            || w == 0
        {
            return None;
        }
        Some((c.checked_mul(s2)?, h / s, w / s))
    }

    /// Calls `f(dst, src)` for every element of one image: output index, input index.
    fn for_each_pair(&self, c: usize, h: usize, w: usize, mut f: impl FnMut(usize, usize)) {
        let s = self.stride;
        let out_c = c / (s * s);
        for k in 0..c {
            let (c2, offset) = (k % out_c, k / out_c);
            for j in 0..h {
                let h2 = j * s + offset / s;
                for i in 0..w {
                    let w2 = i * s + offset % s;
                    let dst = i + w * (j + h * k);
                    let src = w2 + w * s * (h2 + h * s * c2);
                    f(dst, src);
                }
            }
        }
    }

    /// Forward.
    pub fn forward(&self, x: &Tensor, y: &mut Tensor) -> Result<()> {
        let (oc, oh, ow) = self.out_chw(x.c(), x.h(), x.w()).ok_or_else(|| {
            Error::Shape(format!(
                "reorg stride {} does not divide {:?}",
                self.stride,
                x.shape()
            ))
        })?;
        y.reshape_for_write([x.n(), oc, oh, ow]);
        for b in 0..x.n() {
            let (src, dst) = (x.image(b), y.image_mut(b));
            self.for_each_pair(x.c(), x.h(), x.w(), |d, s| dst[d] = src[s]);
        }
        Ok(())
    }

    /// Backward: adds each `dy` value onto its source in `dx` (shaped like the input).
    pub fn backward(&self, dy: &Tensor, dx: &mut Tensor) -> Result<()> {
        let x_shape = dx.shape();
        let [n, c, h, w] = x_shape;
        if self.out_chw(c, h, w).map(|(oc, oh, ow)| [n, oc, oh, ow]) != Some(dy.shape()) {
            return Err(Error::Shape(format!(
                "reorg backward: dy {:?} for input {x_shape:?}",
                dy.shape()
            )));
        }
        for b in 0..n {
            let (g, d) = (dy.image(b), dx.image_mut(b));
            self.for_each_pair(c, h, w, |o, i| d[i] += g[o]);
        }
        Ok(())
    }
}
