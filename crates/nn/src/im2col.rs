//! im2col and its adjoint col2im: turn a convolution into one matrix product.
//!
//! For one image `x[c][h][w]`, `cols` is a `(c·k·k) × (oh·ow)` matrix whose row
//! `(ci·k + ky)·k + kx` holds, for every output position, the input value that kernel tap
//! `(ci, ky, kx)` sees there (0 outside the padded border). Then `Out = W · cols`.

use rayon::prelude::*;

/// The geometry of one convolution over one image.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConvGeom {
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub k: usize,
    pub stride: usize,
    pub pad: usize,
    pub oh: usize,
    pub ow: usize,
}

impl ConvGeom {
    /// Rows of the column matrix.
    pub fn rows(&self) -> usize {
        self.c * self.k * self.k
    }
    /// Columns of the column matrix (output positions).
    pub fn cols(&self) -> usize {
        self.oh * self.ow
    }
    /// Input row/column for output index `o` and tap `t`, if inside the image.
    #[inline]
    fn src(&self, o: usize, t: usize, limit: usize) -> Option<usize> {
        let i = (o * self.stride + t).checked_sub(self.pad)?;
        (i < limit).then_some(i)
    }
}

/// Fills `cols` (`rows × cols` of `g`) from one image `x` (`c·h·w`), over rayon's pool
/// (one channel per task) if `parallel`.
pub(crate) fn im2col(g: &ConvGeom, x: &[f32], cols: &mut [f32], parallel: bool) {
    im2col_strided(g, x, cols, g.cols(), 0, parallel)
}

/// [`im2col`] into columns `off .. off + oh·ow` of a wider matrix whose rows are `ld` long
/// (several images side by side, so one product covers a whole batch).
pub(crate) fn im2col_strided(
    g: &ConvGeom,
    x: &[f32],
    cols: &mut [f32],
    ld: usize,
    off: usize,
    parallel: bool,
) {
    let plane = g.cols();
    let per_channel = g.k * g.k * ld;
    let channel = |(dst, src): (&mut [f32], &[f32])| {
        for ky in 0..g.k {
            for kx in 0..g.k {
                let row = &mut dst[(ky * g.k + kx) * ld + off..][..plane];
                fill_row(g, src, ky, kx, row);
            }
        }
    };
    let dst = &mut cols[..g.c * per_channel];
    if parallel {
        dst.par_chunks_mut(per_channel)
            .zip(x.par_chunks(g.h * g.w))
            .for_each(channel);
    } else {
        dst.chunks_mut(per_channel)
            .zip(x.chunks(g.h * g.w))
            .for_each(channel);
    }
}

/// One row of the column matrix: tap `(ky, kx)` of one channel plane `src`.
fn fill_row(g: &ConvGeom, src: &[f32], ky: usize, kx: usize, row: &mut [f32]) {
    // The valid output columns for this tap form one contiguous range [lo, hi).
    let lo = (g.pad.saturating_sub(kx)).div_ceil(g.stride).min(g.ow);
    let hi = if g.w + g.pad > kx {
        ((g.w + g.pad - kx - 1) / g.stride + 1).min(g.ow)
    } else {
        0
    };
    let hi = hi.max(lo);
    for oy in 0..g.oh {
        let out = &mut row[oy * g.ow..(oy + 1) * g.ow];
        match g.src(oy, ky, g.h) {
            None => out.fill(0.0),
            Some(iy) => {
                let line = &src[iy * g.w..(iy + 1) * g.w];
                out[..lo].fill(0.0);
                out[hi..].fill(0.0);
                if hi == lo {
                    // Every tap of this row falls in the padding (a kernel wider than the
                    // padded input's valid part); `x0` below would not exist.
                    continue;
                }
                let x0 = lo * g.stride + kx - g.pad;
                if g.stride == 1 {
                    out[lo..hi].copy_from_slice(&line[x0..x0 + (hi - lo)]);
                } else {
                    for (o, v) in out[lo..hi]
                        .iter_mut()
                        .zip(line[x0..].iter().step_by(g.stride))
                    {
                        *o = *v;
                    }
                }
            }
        }
    }
}

/// The adjoint of [`im2col`]: adds every entry of `cols` back onto the input position it
/// came from. `dx` (`c·h·w`) is accumulated into, not overwritten.
pub(crate) fn col2im_add(g: &ConvGeom, cols: &[f32], dx: &mut [f32], parallel: bool) {
    col2im_add_strided(g, cols, dx, g.cols(), 0, parallel)
}

/// [`col2im_add`] from columns `off .. off + oh·ow` of rows `ld` long.
pub(crate) fn col2im_add_strided(
    g: &ConvGeom,
    cols: &[f32],
    dx: &mut [f32],
    ld: usize,
    off: usize,
    parallel: bool,
) {
    let plane = g.cols();
    let per_channel = g.k * g.k * ld;
    let channel = |(dst, src): (&mut [f32], &[f32])| {
        for ky in 0..g.k {
            for kx in 0..g.k {
                let row = &src[(ky * g.k + kx) * ld + off..][..plane];
                add_row(g, row, ky, kx, dst);
            }
        }
    };
    let dst = &mut dx[..g.c * g.h * g.w];
    if parallel {
        dst.par_chunks_mut(g.h * g.w)
            .zip(cols.par_chunks(per_channel))
            .for_each(channel);
    } else {
        dst.chunks_mut(g.h * g.w)
            .zip(cols.chunks(per_channel))
            .for_each(channel);
    }
}

fn add_row(g: &ConvGeom, row: &[f32], ky: usize, kx: usize, dst: &mut [f32]) {
    let lo = (g.pad.saturating_sub(kx)).div_ceil(g.stride).min(g.ow);
    let hi = if g.w + g.pad > kx {
        ((g.w + g.pad - kx - 1) / g.stride + 1).min(g.ow)
    } else {
        0
    };
    let hi = hi.max(lo);
    for oy in 0..g.oh {
        let Some(iy) = g.src(oy, ky, g.h) else {
            continue;
        };
        let line = &mut dst[iy * g.w..(iy + 1) * g.w];
        let src = &row[oy * g.ow + lo..oy * g.ow + hi];
        if hi == lo {
            continue;
        }
        let x0 = lo * g.stride + kx - g.pad;
        if g.stride == 1 {
            for (d, s) in line[x0..x0 + (hi - lo)].iter_mut().zip(src) {
                *d += *s;
            }
        } else {
            for (d, s) in line[x0..].iter_mut().step_by(g.stride).zip(src) {
                *d += *s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geom(c: usize, h: usize, w: usize, k: usize, stride: usize, pad: usize) -> ConvGeom {
        let oh = (h + 2 * pad - k) / stride + 1;
        let ow = (w + 2 * pad - k) / stride + 1;
        ConvGeom {
            c,
            h,
            w,
            k,
            stride,
            pad,
            oh,
            ow,
        }
    }

    fn naive(g: &ConvGeom, x: &[f32]) -> Vec<f32> {
        let mut cols = vec![0.0; g.rows() * g.cols()];
        for ci in 0..g.c {
            for ky in 0..g.k {
                for kx in 0..g.k {
                    let r = (ci * g.k + ky) * g.k + kx;
                    for oy in 0..g.oh {
                        for ox in 0..g.ow {
                            let iy = (oy * g.stride + ky) as isize - g.pad as isize;
                            let ix = (ox * g.stride + kx) as isize - g.pad as isize;
                            if iy >= 0 && ix >= 0 && (iy as usize) < g.h && (ix as usize) < g.w {
                                cols[r * g.cols() + oy * g.ow + ox] =
                                    x[ci * g.h * g.w + iy as usize * g.w + ix as usize];
                            }
                        }
                    }
                }
            }
        }
        cols
    }

    #[test]
    fn im2col_matches_naive_and_col2im_is_its_adjoint() {
        for &(c, h, w, k, s, p) in &[
            (2, 5, 7, 3, 1, 1),
            (3, 9, 8, 3, 2, 1),
            (1, 8, 8, 5, 1, 2),
            (2, 6, 5, 1, 1, 0),
            (1, 4, 4, 3, 3, 2),
            // Kernels wider than the valid part of the padded input (taps only in padding).
            (2, 1, 1, 5, 1, 2),
            (1, 2, 1, 5, 2, 2),
        ] {
            let g = geom(c, h, w, k, s, p);
            let x: Vec<f32> = (0..c * h * w).map(|i| (i as f32 * 0.7).sin()).collect();
            let mut cols = vec![f32::NAN; g.rows() * g.cols()];
            im2col(&g, &x, &mut cols, true);
            assert_eq!(cols, naive(&g, &x), "im2col {c} {h} {w} {k} {s} {p}");
            // <im2col(x), y> == <x, col2im(y)>
            let y: Vec<f32> = (0..cols.len()).map(|i| (i as f32 * 0.3).cos()).collect();
            let mut dx = vec![0.0; x.len()];
            col2im_add(&g, &y, &mut dx, false);
            let lhs: f64 = cols
                .iter()
                .zip(&y)
                .map(|(a, b)| (*a as f64) * (*b as f64))
                .sum();
            let rhs: f64 = x
                .iter()
                .zip(&dx)
                .map(|(a, b)| (*a as f64) * (*b as f64))
                .sum();
            assert!((lhs - rhs).abs() < 1e-3, "adjoint {lhs} {rhs}");
        }
    }
}
