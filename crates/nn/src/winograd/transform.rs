//! The F(2×2, 3×3) transforms of one tile row, one channel plane or one filter at a time,
//! and their adjoints (Lavin & Gray 2016, §4.1): `B` for the input patches, `G` for the
//! filters, `A` for the products. Every loop runs along a row of tiles, so it vectorises.

use super::{Geom, XI, split_by_row};
use rayon::prelude::*;
use std::ops::Range;

/// `u[ξ][r][s] = (G g Gᵀ)[ξ]` for every filter, with G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]].
/// `weight` is `[c_out][c_in][3][3]`; the rows `r` are the output channels, or, if
/// `rotated`, the input channels with each kernel turned by 180° (the input gradient's
/// convolution).
pub(super) fn transform_filters(
    weight: &[f32],
    c_out: usize,
    c_in: usize,
    rotated: bool,
    u: &mut [f32],
) {
    let (rows, cols) = if rotated {
        (c_in, c_out)
    } else {
        (c_out, c_in)
    };
    split_by_row(u, rows, cols)
        .into_par_iter()
        .enumerate()
        .for_each(|(r, mut dst)| {
            // A run of filters at a time, then each ξ's run copied out whole: the 16
            // destinations lie `rows·cols` values apart, often a power of two, and single
            // stores to all of them evict each other from the cache.
            let mut run = [[0f32; FILTER_RUN]; XI];
            for s0 in (0..cols).step_by(FILTER_RUN) {
                let len = FILTER_RUN.min(cols - s0);
                for k in 0..len {
                    let (o, i) = if rotated { (s0 + k, r) } else { (r, s0 + k) };
                    let mut g: [f32; 9] = std::array::from_fn(|t| weight[(o * c_in + i) * 9 + t]);
                    if rotated {
                        g.reverse();
                    }
                    for (dst, v) in run.iter_mut().zip(filter_tile(&g)) {
                        dst[k] = v;
                    }
                }
                for (d, src) in dst.iter_mut().zip(&run) {
                    d[s0..s0 + len].copy_from_slice(&src[..len]);
                }
            }
        });
}

/// Filters transformed (or back) per run of [`transform_filters`] and [`filters_adjoint`].
const FILTER_RUN: usize = 64;

/// `grad_weight[co][ci] += Gᵀ du[·][co][ci] G`, the adjoint of [`transform_filters`].
pub(super) fn filters_adjoint(du: &[f32], c_out: usize, c_in: usize, grad_weight: &mut [f32]) {
    grad_weight[..c_out * c_in * 9]
        .par_chunks_mut(c_in * 9)
        .enumerate()
        .for_each(|(co, gw)| {
            let mut run = [[0f32; FILTER_RUN]; XI];
            for ci0 in (0..c_in).step_by(FILTER_RUN) {
                let len = FILTER_RUN.min(c_in - ci0);
                for (xi, dst) in run.iter_mut().enumerate() {
                    dst[..len].copy_from_slice(&du[(xi * c_out + co) * c_in + ci0..][..len]);
                }
                for (k, acc) in gw[ci0 * 9..(ci0 + len) * 9].chunks_exact_mut(9).enumerate() {
                    let t: [f32; XI] = std::array::from_fn(|xi| run[xi][k]);
                    for (a, v) in acc.iter_mut().zip(filter_tile_adjoint(&t)) {
                        *a += v;
                    }
                }
            }
        });
}

/// `G g Gᵀ` of one 3×3 filter (row-major), G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]].
pub(super) fn filter_tile(g: &[f32; 9]) -> [f32; XI] {
    let spread = |a: f32, b: f32, c: f32| [a, 0.5 * (a + b + c), 0.5 * (a - b + c), c];
    // G g: 4×3, column by column.
    let cols: [[f32; 4]; 3] = std::array::from_fn(|c| spread(g[c], g[3 + c], g[6 + c]));
    let mut u = [0.0; XI];
    for i in 0..4 {
        u[4 * i..4 * i + 4].copy_from_slice(&spread(cols[0][i], cols[1][i], cols[2][i]));
    }
    u
}

/// `Gᵀ dU G`, the adjoint of [`filter_tile`].
pub(super) fn filter_tile_adjoint(du: &[f32; XI]) -> [f32; 9] {
    // Gᵀ's rows are (1, ½, ½, 0), (0, ½, −½, 0), (0, ½, ½, 1).
    let gather =
        |a: f32, b: f32, c: f32, d: f32| [a + 0.5 * (b + c), 0.5 * (b - c), 0.5 * (b + c) + d];
    // Gᵀ dU: 3×4, column by column.
    let cols: [[f32; 3]; 4] =
        std::array::from_fn(|j| gather(du[j], du[4 + j], du[8 + j], du[12 + j]));
    let mut g = [0.0; 9];
    for a in 0..3 {
        g[3 * a..3 * a + 3]
            .copy_from_slice(&gather(cols[0][a], cols[1][a], cols[2][a], cols[3][a]));
    }
    g
}

/// `Bᵀ d B` of the 4×4 input patch of every tile in tile rows `tys` of one channel plane `x`
/// (`h × w`, zero outside), with Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,1,0,−1]]. Value ξ
/// of tile `(ty, tx)` goes to `v[ξ][col0 + (ty − tys.start)·tw + tx]`. The patch of tile
/// `(ty, tx)` covers input rows `2ty−1 … 2ty+2` and columns `2tx−1 … 2tx+2`.
pub(super) fn input_tiles(
    x: &[f32],
    g: &Geom,
    tys: Range<usize>,
    v: &mut [&mut [f32]; XI],
    col0: usize,
    tmp: &mut [f32],
) {
    let (h, w, tw) = (g.h, g.w, g.tw);
    // Each patch row as its even and odd padded columns (padded column q = column + 1), so
    // tile tx reads even[tx], odd[tx], even[tx+1], odd[tx+1]: contiguous in tx.
    let n = tw + 1;
    let (d, z) = tmp[..16 * n].split_at_mut(8 * n);
    for (r, ty) in tys.enumerate() {
        for (i, di) in d.chunks_exact_mut(2 * n).enumerate() {
            let (even, odd) = di.split_at_mut(n);
            even.fill(0.0);
            odd.fill(0.0);
            if let Some(y) = (2 * ty + i).checked_sub(1).filter(|&y| y < h) {
                for (u, pair) in x[y * w..][..w].chunks(2).enumerate() {
                    odd[u] = pair[0];
                    if let [_, b] = pair {
                        even[u + 1] = *b;
                    }
                }
            }
        }
        vertical_input(d, z, 2 * n);
        let col = col0 + r * tw;
        for (zi, [v0, v1, v2, v3]) in z.chunks_exact(2 * n).zip(v.as_chunks_mut::<4>().0) {
            let (even, odd) = zi.split_at(n);
            horizontal_input(
                even,
                odd,
                &mut v0[col..col + tw],
                &mut v1[col..col + tw],
                &mut v2[col..col + tw],
                &mut v3[col..col + tw],
            );
        }
    }
}

/// `z = Bᵀ d` over four rows of `len` values: (d0 − d2, d1 + d2, d2 − d1, d1 − d3).
pub(super) fn vertical_input(d: &[f32], z: &mut [f32], len: usize) {
    let (d0, d1, d2, d3) = (
        &d[..len],
        &d[len..2 * len],
        &d[2 * len..3 * len],
        &d[3 * len..4 * len],
    );
    let (z0, rest) = z[..4 * len].split_at_mut(len);
    let (z1, rest) = rest.split_at_mut(len);
    let (z2, z3) = rest.split_at_mut(len);
    for k in 0..len {
        z0[k] = d0[k] - d2[k];
        z1[k] = d1[k] + d2[k];
        z2[k] = d2[k] - d1[k];
        z3[k] = d1[k] - d3[k];
    }
}

/// `z B` for one row of every tile: (z0 − z2, z1 + z2, z2 − z1, z1 − z3) of the tile's
/// padded columns `even[t], odd[t], even[t+1], odd[t+1]`.
pub(super) fn horizontal_input(
    even: &[f32],
    odd: &[f32],
    v0: &mut [f32],
    v1: &mut [f32],
    v2: &mut [f32],
    v3: &mut [f32],
) {
    let tw = v0.len();
    let (even, odd) = (&even[..tw + 1], &odd[..tw + 1]);
    let (v1, v2, v3) = (&mut v1[..tw], &mut v2[..tw], &mut v3[..tw]);
    for t in 0..tw {
        let (e0, o0, e1, o1) = (even[t], odd[t], even[t + 1], odd[t + 1]);
        v0[t] = e0 - e1;
        v1[t] = o0 + e1;
        v2[t] = e1 - o0;
        v3[t] = o0 - o1;
    }
}

/// `Aᵀ M A` of every tile of `rows` tile rows, Aᵀ = [[1,1,1,0],[0,1,−1,−1]]: value ξ of
/// the r-th row's tile tx is `m[ξ][r·tw + tx]`. The 2×2 results, plus `bias`, go to `out`
/// (row-major, `w` wide, starting at the first tile row's top output row), or are added to
/// it if `accumulate`; rows past its end and columns past `w` are dropped.
pub(super) fn output_tiles(
    m: &[&[f32]; XI],
    g: &Geom,
    rows: usize,
    out: &mut [f32],
    bias: f32,
    accumulate: bool,
) {
    let (w, tw) = (g.w, g.tw);
    let mut y = vec![0.0; 2 * tw];
    let (y0, y1) = y.split_at_mut(tw);
    for r in 0..rows {
        let cols = r * tw..(r + 1) * tw;
        let part =
            |k: usize| -> [&[f32]; 4] { std::array::from_fn(|j| &m[4 * k + j][cols.clone()]) };
        for a in 0..2 {
            let Some(line) = out.get_mut((2 * r + a) * w..(2 * r + a + 1) * w) else {
                break;
            };
            if a == 0 {
                collapse::<false>(part(0), part(1), part(2), y0, y1);
            } else {
                collapse::<true>(part(1), part(2), part(3), y0, y1);
            }
            let (pairs, last) = line.as_chunks_mut::<2>();
            let tail = y0.get(pairs.len()).copied().unwrap_or(0.0);
            if accumulate {
                for (o, (a, b)) in pairs.iter_mut().zip(y0.iter().zip(y1.iter())) {
                    o[0] += a + bias;
                    o[1] += b + bias;
                }
                if let [l] = last {
                    *l += tail + bias;
                }
            } else {
                for (o, (a, b)) in pairs.iter_mut().zip(y0.iter().zip(y1.iter())) {
                    o[0] = a + bias;
                    o[1] = b + bias;
                }
                if let [l] = last {
                    *l = tail + bias;
                }
            }
        }
    }
}

/// One output row of every tile: `s_j = p_j + q_j + r_j` (or `p_j − q_j − r_j` if `MINUS`)
/// over the tile's four columns j, then `y0 = s0 + s1 + s2`, `y1 = s1 − s2 − s3`.
pub(super) fn collapse<const MINUS: bool>(
    p: [&[f32]; 4],
    q: [&[f32]; 4],
    r: [&[f32]; 4],
    y0: &mut [f32],
    y1: &mut [f32],
) {
    let tw = y0.len();
    let y1 = &mut y1[..tw];
    let (p, q, r) = (
        p.map(|s| &s[..tw]),
        q.map(|s| &s[..tw]),
        r.map(|s| &s[..tw]),
    );
    for t in 0..tw {
        let s = |j: usize| {
            if MINUS {
                p[j][t] - q[j][t] - r[j][t]
            } else {
                p[j][t] + q[j][t] + r[j][t]
            }
        };
        let (s0, s1, s2, s3) = (s(0), s(1), s(2), s(3));
        y0[t] = s0 + s1 + s2;
        y1[t] = s1 - s2 - s3;
    }
}

/// The adjoint of [`output_tiles`] (without bias): `dM = A dY Aᵀ` of every tile in tile rows
/// `tys` of one output-gradient plane `dy` (`h × w`, zero past the edges), written to
/// `dm[ξ][col0 + (ty − tys.start)·tw + tx]`.
pub(super) fn output_tiles_adjoint(
    dy: &[f32],
    g: &Geom,
    tys: Range<usize>,
    dm: &mut [&mut [f32]; XI],
    col0: usize,
    tmp: &mut [f32],
) {
    let (h, w, tw) = (g.h, g.w, g.tw);
    // e_a, o_a: even and odd columns of the tile's row a; t[a][j] = Σ_b dY[a][b]·A[j][b]
    // with A = [[1,0],[1,1],[1,−1],[0,−1]].
    let (eo, t) = tmp[..12 * tw].split_at_mut(4 * tw);
    for (r, ty) in tys.enumerate() {
        for (a, ea) in eo.chunks_exact_mut(2 * tw).enumerate() {
            let (even, odd) = ea.split_at_mut(tw);
            even.fill(0.0);
            odd.fill(0.0);
            let y = 2 * ty + a;
            if y < h {
                for (u, pair) in dy[y * w..][..w].chunks(2).enumerate() {
                    even[u] = pair[0];
                    if let [_, b] = pair {
                        odd[u] = *b;
                    }
                }
            }
        }
        for (ea, ta) in eo.chunks_exact(2 * tw).zip(t.chunks_exact_mut(4 * tw)) {
            let (even, odd) = ea.split_at(tw);
            let (t0, rest) = ta.split_at_mut(tw);
            let (t1, rest) = rest.split_at_mut(tw);
            let (t2, t3) = rest.split_at_mut(tw);
            for k in 0..tw {
                t0[k] = even[k];
                t1[k] = even[k] + odd[k];
                t2[k] = even[k] - odd[k];
                t3[k] = -odd[k];
            }
        }
        let col = col0 + r * tw;
        let (top, bottom) = t.split_at(4 * tw);
        for j in 0..4 {
            let [d0, d1, d2, d3] = dm
                .get_disjoint_mut([j, 4 + j, 8 + j, 12 + j])
                .expect("four distinct ξ");
            spread_output(
                &top[j * tw..][..tw],
                &bottom[j * tw..][..tw],
                &mut d0[col..col + tw],
                &mut d1[col..col + tw],
                &mut d2[col..col + tw],
                &mut d3[col..col + tw],
            );
        }
    }
}

/// Column j of `A t` over the two tile rows `t0`, `t1`: (t0, t0 + t1, t0 − t1, −t1).
pub(super) fn spread_output(
    t0: &[f32],
    t1: &[f32],
    d0: &mut [f32],
    d1: &mut [f32],
    d2: &mut [f32],
    d3: &mut [f32],
) {
    let tw = d0.len();
    let (t0, t1) = (&t0[..tw], &t1[..tw]);
    let (d1, d2, d3) = (&mut d1[..tw], &mut d2[..tw], &mut d3[..tw]);
    for k in 0..tw {
        d0[k] = t0[k];
        d1[k] = t0[k] + t1[k];
        d2[k] = t0[k] - t1[k];
        d3[k] = -t1[k];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(n: usize) -> Vec<f32> {
        (0..n).map(|i| (i as f32 * 0.77).sin()).collect()
    }

    /// The filter transforms and their adjoints: `<G g Gᵀ, dU> = <g, Gᵀ dU G>`.
    #[test]
    fn filter_transform_adjoint() {
        let g: [f32; 9] = values(9).try_into().unwrap();
        let du: [f32; XI] = values(XI).try_into().unwrap();
        let lhs: f32 = filter_tile(&g).iter().zip(&du).map(|(a, b)| a * b).sum();
        let rhs: f32 = g
            .iter()
            .zip(filter_tile_adjoint(&du))
            .map(|(a, b)| a * b)
            .sum();
        assert!((lhs - rhs).abs() < 1e-5, "{lhs} {rhs}");
    }
}
