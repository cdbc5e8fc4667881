//! The F(2×2, 3×3) transforms of one tile row, one channel plane or one filter at a time,
//! and their adjoints (Lavin & Gray 2016, §4.1): `B` for the input patches, `G` for the
//! filters, `A` for the products. Every loop runs along a row of tiles, so it vectorises.

use super::{Geom, XI, split_by_row};
use rayon::prelude::*;
use std::ops::Range;

/// `u[ξ][co][ci] = (G g Gᵀ)[ξ]` for every filter `g = weight[co][ci]` (`[c_out][c_in][3][3]`),
/// with G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]].
pub(super) fn transform_filters(weight: &[f32], c_out: usize, c_in: usize, u: &mut [f32]) {
    split_by_row(u, c_out, c_in)
        .into_par_iter()
        .enumerate()
        .for_each(|(co, mut dst)| {
            // A run of filters at a time, each tap and each intermediate as a row over the
            // run (so the arithmetic vectorises), each ξ's run then stored whole.
            let filters = &weight[co * c_in * 9..][..c_in * 9];
            let mut taps = [[0f32; FILTER_RUN]; 9];
            let mut gg = [[[0f32; FILTER_RUN]; 3]; 4];
            for ci0 in (0..c_in).step_by(FILTER_RUN) {
                let len = FILTER_RUN.min(c_in - ci0);
                for (k, g) in filters[ci0 * 9..(ci0 + len) * 9]
                    .chunks_exact(9)
                    .enumerate()
                {
                    for (tap, &v) in taps.iter_mut().zip(g) {
                        tap[k] = v;
                    }
                }
                // G g, column by column.
                let [g0, g1, g2, g3] = &mut gg;
                for c in 0..3 {
                    let (a, b, d) = (&taps[c], &taps[3 + c], &taps[6 + c]);
                    spread_g(
                        a,
                        b,
                        d,
                        [&mut g0[c], &mut g1[c], &mut g2[c], &mut g3[c]],
                        len,
                    );
                }
                // (G g) Gᵀ, row by row.
                for (row, [u0, u1, u2, u3]) in gg.iter().zip(dst.as_chunks_mut::<4>().0) {
                    let out = [
                        &mut u0[ci0..ci0 + len],
                        &mut u1[ci0..ci0 + len],
                        &mut u2[ci0..ci0 + len],
                        &mut u3[ci0..ci0 + len],
                    ];
                    spread_g(&row[0], &row[1], &row[2], out, len);
                }
            }
        });
}

/// One product with G over a run of `len` filters: `(a, ½(a+b+c), ½(a−b+c), c)`.
fn spread_g(a: &[f32], b: &[f32], c: &[f32], out: [&mut [f32]; 4], len: usize) {
    let [o0, o1, o2, o3] = out;
    let (a, b, c) = (&a[..len], &b[..len], &c[..len]);
    let (o0, o1, o2, o3) = (
        &mut o0[..len],
        &mut o1[..len],
        &mut o2[..len],
        &mut o3[..len],
    );
    for k in 0..len {
        o0[k] = a[k];
        o1[k] = 0.5 * (a[k] + b[k] + c[k]);
        o2[k] = 0.5 * (a[k] - b[k] + c[k]);
        o3[k] = c[k];
    }
}

/// One product with Gᵀ over a run of `len` filters: `(a + ½(b+c), ½(b−c), ½(b+c) + d)`.
fn gather_g(a: &[f32], b: &[f32], c: &[f32], d: &[f32], out: [&mut [f32]; 3], len: usize) {
    let [o0, o1, o2] = out;
    let (a, b, c, d) = (&a[..len], &b[..len], &c[..len], &d[..len]);
    let (o0, o1, o2) = (&mut o0[..len], &mut o1[..len], &mut o2[..len]);
    for k in 0..len {
        let half = 0.5 * (b[k] + c[k]);
        o0[k] = a[k] + half;
        o1[k] = 0.5 * (b[k] - c[k]);
        o2[k] = half + d[k];
    }
}

/// Filters transformed (or back) per run of [`transform_filters`] and [`filters_adjoint`].
const FILTER_RUN: usize = 64;

/// `grad_weight[co][ci] += Gᵀ du[·][co][ci] G`, the adjoint of [`transform_filters`].
pub(super) fn filters_adjoint(du: &[f32], c_out: usize, c_in: usize, grad_weight: &mut [f32]) {
    grad_weight[..c_out * c_in * 9]
        .par_chunks_mut(c_in * 9)
        .enumerate()
        .for_each_init(
            || vec![0f32; XI * c_in],
            |rows, (co, gw)| {
                // The 16 rows of this output channel, each read whole: they lie
                // `c_out·c_in` values apart, and short reads of all 16 at once miss.
                for (xi, row) in rows.chunks_exact_mut(c_in).enumerate() {
                    row.copy_from_slice(&du[(xi * c_out + co) * c_in..][..c_in]);
                }
                let mut gd = [[[0f32; FILTER_RUN]; 4]; 3];
                let mut taps = [[0f32; FILTER_RUN]; 9];
                for ci0 in (0..c_in).step_by(FILTER_RUN) {
                    let len = FILTER_RUN.min(c_in - ci0);
                    let d = |xi: usize| &rows[xi * c_in + ci0..][..len];
                    // Gᵀ dU, column by column.
                    let [t0, t1, t2] = &mut gd;
                    for j in 0..4 {
                        let (a, b, c, e) = (d(j), d(4 + j), d(8 + j), d(12 + j));
                        gather_g(a, b, c, e, [&mut t0[j], &mut t1[j], &mut t2[j]], len);
                    }
                    // (Gᵀ dU) G, row by row.
                    for (row, [k0, k1, k2]) in gd.iter().zip(taps.as_chunks_mut::<3>().0) {
                        gather_g(&row[0], &row[1], &row[2], &row[3], [k0, k1, k2], len);
                    }
                    for (k, acc) in gw[ci0 * 9..(ci0 + len) * 9].chunks_exact_mut(9).enumerate() {
                        for (a, tap) in acc.iter_mut().zip(&taps) {
                            *a += tap[k];
                        }
                    }
                }
            },
        );
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

    fn values(n: usize, seed: f32) -> Vec<f32> {
        (0..n).map(|i| (i as f32 * 0.77 + seed).sin()).collect()
    }

    /// `G g Gᵀ` of one filter from the matrices, in f64.
    fn naive(g: &[f32]) -> [f64; XI] {
        const G: [[f64; 3]; 4] = [
            [1.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [0.5, -0.5, 0.5],
            [0.0, 0.0, 1.0],
        ];
        std::array::from_fn(|xi| {
            let (i, j) = (xi / 4, xi % 4);
            (0..9)
                .map(|t| G[i][t / 3] * g[t] as f64 * G[j][t % 3])
                .sum()
        })
    }

    /// The filter transform is `G g Gᵀ` for every filter (70 input channels: more than one
    /// run), and `filters_adjoint` is its adjoint: `<T w, dU> = <w, T* dU>`.
    #[test]
    fn filter_transform_and_its_adjoint() {
        let (c_out, c_in) = (3, 70);
        let w = values(c_out * c_in * 9, 0.0);
        let mut u = vec![f32::NAN; XI * c_out * c_in];
        transform_filters(&w, c_out, c_in, &mut u);
        for (f, g) in w.chunks_exact(9).enumerate() {
            for (xi, want) in naive(g).into_iter().enumerate() {
                let got = u[xi * c_out * c_in + f];
                assert!(
                    (got as f64 - want).abs() < 1e-6,
                    "filter {f} ξ {xi}: {got} {want}"
                );
            }
        }
        let du = values(u.len(), 1.0);
        let mut gw = vec![0.0; w.len()];
        filters_adjoint(&du, c_out, c_in, &mut gw);
        let dot = |a: &[f32], b: &[f32]| -> f64 {
            a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum()
        };
        let (lhs, rhs) = (dot(&u, &du), dot(&w, &gw));
        assert!((lhs - rhs).abs() < 1e-4 * lhs.abs().max(1.0), "{lhs} {rhs}");
    }
}
