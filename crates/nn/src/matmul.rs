//! The one GEMM entry point: a safe wrapper around the `gemm` crate with optional transposes.

/// How an operand is stored.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Layout {
    /// Row-major as the math names it (`rows × cols`).
    Normal,
    /// Stored as the transpose (`cols × rows`, row-major).
    Transposed,
}

/// Below this many multiply-adds a single thread is faster than waking the pool.
const PARALLEL_MIN_MACS: usize = 1 << 20;

/// `c[m×n] = (accumulate ? c : 0) + a[m×k] · b[k×n]`, all row-major, with `a`/`b` possibly
/// stored transposed. Parallel over rayon's pool when the product is big enough.
#[allow(clippy::too_many_arguments)]
pub(crate) fn matmul(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    a_layout: Layout,
    b: &[f32],
    b_layout: Layout,
    c: &mut [f32],
    accumulate: bool,
) {
    matmul_on(true, m, n, k, a, a_layout, b, b_layout, c, accumulate)
}

/// [`matmul`] on the calling thread only (for callers that already run one product per
/// thread).
#[allow(clippy::too_many_arguments)]
pub(crate) fn matmul_serial(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    a_layout: Layout,
    b: &[f32],
    b_layout: Layout,
    c: &mut [f32],
    accumulate: bool,
) {
    matmul_on(false, m, n, k, a, a_layout, b, b_layout, c, accumulate)
}

#[allow(clippy::too_many_arguments)]
fn matmul_on(
    parallel: bool,
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    a_layout: Layout,
    b: &[f32],
    b_layout: Layout,
    c: &mut [f32],
    accumulate: bool,
) {
    // Lengths are an internal invariant of the layers calling this; checking them here keeps
    // the unsafe call below sound.
    assert!(
        a.len() >= m * k && b.len() >= k * n && c.len() >= m * n,
        "matmul operand sizes"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c[..m * n].fill(0.0);
        }
        return;
    }
    let (a_cs, a_rs) = match a_layout {
        Layout::Normal => (1, k as isize),
        Layout::Transposed => (m as isize, 1),
    };
    let (b_cs, b_rs) = match b_layout {
        Layout::Normal => (1, n as isize),
        Layout::Transposed => (k as isize, 1),
    };
    let par = if parallel && m * n * k >= PARALLEL_MIN_MACS {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: the strides above address exactly m×k, k×n and m×n elements inside the slices,
    // whose lengths were checked; `c` is borrowed mutably and does not alias `a` or `b`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.as_ptr(),
            a_cs,
            a_rs,
            b.as_ptr(),
            b_cs,
            b_rs,
            1.0,
            1.0,
            false,
            false,
            false,
            par,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(m: usize, n: usize, k: usize, a: &[f32], b: &[f32]) -> Vec<f32> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    fn transpose(rows: usize, cols: usize, x: &[f32]) -> Vec<f32> {
        let mut t = vec![0.0; x.len()];
        for i in 0..rows {
            for j in 0..cols {
                t[j * rows + i] = x[i * cols + j];
            }
        }
        t
    }

    #[test]
    fn all_layouts_match_the_naive_product() {
        let (m, n, k) = (5, 7, 3);
        let a: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i as f32 * 0.91).cos()).collect();
        let want = naive(m, n, k, &a, &b);
        let at = transpose(m, k, &a);
        let bt = transpose(k, n, &b);
        for (aa, al) in [(&a, Layout::Normal), (&at, Layout::Transposed)] {
            for (bb, bl) in [(&b, Layout::Normal), (&bt, Layout::Transposed)] {
                let mut c = vec![1.0; m * n];
                matmul(m, n, k, aa, al, bb, bl, &mut c, true);
                for (g, w) in c.iter().zip(&want) {
                    assert!((g - (w + 1.0)).abs() < 1e-5);
                }
            }
        }
    }
}
