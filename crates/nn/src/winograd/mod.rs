//! Winograd minimal filtering F(2×2, 3×3) (Lavin & Gray 2016, "Fast Algorithms for
//! Convolutional Neural Networks") for 3×3, stride-1, pad-1 convolutions.
//!
//! A 2×2 block of outputs (a *tile*) of a 3×3 convolution of one channel pair is
//! `Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A`, with `g` the filter and `d` the tile's 4×4 input patch: 16
//! multiplications instead of 36. Summed over input channels, the element-wise products
//! become 16 independent matrix products, one per transformed position ξ:
//! `M[ξ] = U[ξ] · V[ξ]`, where `U[ξ]` (`c_out × c_in`) holds the transformed filters and
//! `V[ξ]` (`c_in × tiles`) the transformed input patches of every tile of the batch. These
//! run on the same GEMM as im2col, with 2.25× fewer multiply-adds (1.94× on a 13×13 map,
//! whose last tile row and column hang over the edge).
//!
//! Backward:
//! * `dIn` is itself such a convolution, of `dOut` with every kernel rotated by 180° and the
//!   in/out channels swapped (`W'[ci][co][y][x] = W[co][ci][2−y][2−x]`, pad 1 again), so it
//!   reuses the forward code, and its output tiles, like the forward's, never overlap.
//! * `dW` is computed in the transformed domain: `dM = A dY Aᵀ` per tile (the adjoint of the
//!   output transform), `dU[ξ] = dM[ξ] · V[ξ]ᵀ` summed over every tile of the batch, then
//!   `dW = Gᵀ dU G` per filter (the adjoint of the filter transform).
//!
//! The transforms (the `transform` module) are O(channels · tiles) additions. The forward
//! filters `U` are kept with the layer until its weights change ([`Filters`]); the rotated
//! filters and `dU` of a backward pass are made per call (in training the weights change
//! every step). `V`, `M` and `U` are laid out `[ξ][channel][column]`, so each ξ's matrix is
//! contiguous; tiles are numbered image by image, row by row. How a batch is cut into
//! products is a [`Split`].
//!
//! F(2×2) keeps fp32 error at the level of the direct product (the transforms' coefficients
//! are 0, ±½ and ±1; the tests measure about 1e-6 of the largest value against im2col).
//! F(4×4, 3×3) would cut multiplications by another 1.4× to 1.8×, but its transforms
//! amplify rounding by about an order of magnitude; F(2×2) reached the speed wanted.

use crate::conv::{Conv2d, with_scratch};
use crate::matmul::{Layout, matmul_serial};
use crate::tensor::Tensor;
use rayon::prelude::*;
use std::cell::RefCell;
use transform::{
    filters_adjoint, input_tiles, output_tiles, output_tiles_adjoint, transform_filters,
};

#[cfg(test)]
mod tests;
mod transform;

/// Transformed values per tile (4×4).
const XI: usize = 16;

/// Convolutions with fewer input channels stay on im2col: with 3 channels (YOLOv2's first
/// layer) the products are too thin for the transforms to pay. Measured on this crate's
/// 2-core Zen bench machine, the azFace layout's 3→16 layer at 416×416 ran its forward in
/// 10.2 ms as Winograd and 6.4 ms on im2col at batch 1, and both alike at batch 8; its
/// 16→32 layer at 208×208 gains (5.5 ms against 10.7 ms on im2col at batch 1).
pub(crate) const MIN_C_IN: usize = 16;

/// Tiles a block aims for: enough columns that its products run at full speed, few enough
/// that `V` and `M` of a small layer stay in cache (16·(16+32)·256 values, 768 KiB, for the
/// 16→32 layer at 208×208).
const BLOCK_TILES: usize = 256;
/// Transformed filters of at most this many values (512 KiB; 64→128 channels) are re-read
/// by every block from cache; larger ones are better streamed once per chunk of images.
const BLOCK_MAX_FILTERS: usize = 1 << 17;
/// Largest `V` or `M` of one chunk (2^23 values, 32 MiB; the 13×13 layers with 1024
/// channels fit 10 images).
const CHUNK_MAX_VALUES: usize = 1 << 23;

thread_local! {
    /// Transformed inputs `V` of this thread's block or chunk.
    static TILES_IN: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// Products `M` (or `dM`) of this thread's block or chunk.
    static TILES_OUT: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// The transformed filters `U` (`[ξ][c_out][c_in]`) of a convolution, kept between forward
/// passes until its weights change ([`Conv2d::weight_mut`] marks them stale): a forward
/// pass at batch 1 would otherwise spend about a fifth of its time transforming the 13×13
/// layers' filters (2/3 of the weights, read from memory once per pass). A backward pass
/// uses them for the input gradient, then their buffer for `dU`, and leaves them stale.
#[derive(Clone, Debug, Default)]
pub(crate) struct Filters {
    values: Vec<f32>,
    valid: bool,
}

impl Filters {
    /// Marks the values stale (the allocation is kept for the next transform).
    pub(crate) fn invalidate(&mut self) {
        self.valid = false;
    }

    /// Transforms `weight` (`[c_out][c_in][3][3]`) unless the values are current.
    fn refresh(&mut self, weight: &[f32], c_in: usize, c_out: usize) {
        if !self.valid {
            self.values.resize(XI * c_in * c_out, 0.0);
            transform_filters(weight, c_out, c_in, &mut self.values);
            self.valid = true;
        }
    }
}

/// Releases the calling thread's buffers.
pub(crate) fn release_scratch() {
    for key in [&TILES_IN, &TILES_OUT] {
        key.with(|b| *b.borrow_mut() = Vec::new());
    }
}

/// How a batch is cut into products.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Split {
    /// Blocks of up to `rows` tile rows of one image; each block is transformed and
    /// multiplied on one thread with its own buffers, blocks in parallel. For the large
    /// maps with few channels: many blocks, small filters that stay in cache.
    Blocks { rows: usize },
    /// Chunks of up to `images` whole images, one after the other, each step (input
    /// transform, the 16 products, output transform) parallel. For the small maps with many
    /// channels, whose filters are read once per chunk and whose products need every tile
    /// of the batch to be wide.
    Chunks { images: usize },
}

#[cfg(test)]
thread_local! {
    static FORCED: std::cell::Cell<Option<Split>> = const { std::cell::Cell::new(None) };
}

/// Sides of the map (input and output alike) and its tiles.
#[derive(Clone, Copy, Debug)]
struct Geom {
    n: usize,
    h: usize,
    w: usize,
    /// Tile rows and columns: `⌈h/2⌉ × ⌈w/2⌉`.
    th: usize,
    tw: usize,
}

impl Geom {
    fn of(x: &Tensor) -> Geom {
        Geom {
            n: x.n(),
            h: x.h(),
            w: x.w(),
            th: x.h().div_ceil(2),
            tw: x.w().div_ceil(2),
        }
    }
    fn plane(&self) -> usize {
        self.h * self.w
    }
    fn tiles(&self) -> usize {
        self.th * self.tw
    }
    /// Values of the per-row scratch of the transforms.
    fn tmp(&self) -> usize {
        16 * (self.tw + 1)
    }
}

/// The split of a layer with `c_in` and `c_out` channels (the same for its forward and
/// both gradients, whose buffers have the same sizes). Measured on the azFace layers (2-core
/// Zen, forward + backward), the rule picks the faster split or one within 2% of it: blocks
/// win by 1.5× for 16→32 at 208×208 (batch 1 and 8), chunks by 1.8× for 128→256 at 26×26
/// (batch 1) and by 1.1× to 2.2× on the 14×14, 13×13 and 7×7 maps at batch 8.
fn split(g: &Geom, c_in: usize, c_out: usize) -> Split {
    #[cfg(test)]
    if let Some(forced) = FORCED.with(|f| f.get()) {
        return forced;
    }
    let per_tile = XI * c_in.max(c_out);
    let per_image = per_tile.saturating_mul(g.tiles());
    let max_rows = (CHUNK_MAX_VALUES / (per_tile * g.tw)).max(1);
    let rows = BLOCK_TILES.div_ceil(g.tw).min(g.th).min(max_rows);
    let blocks = g.n * g.th.div_ceil(rows);
    let threads = rayon::current_num_threads();
    let small_filters = XI * c_in * c_out <= BLOCK_MAX_FILTERS;
    // Four blocks per thread keep the threads evenly loaded; an image too large for one
    // chunk is cut into blocks whatever its filters.
    if per_image > CHUNK_MAX_VALUES || (small_filters && blocks >= 4 * threads) {
        Split::Blocks { rows }
    } else {
        Split::Chunks {
            images: (CHUNK_MAX_VALUES / per_image).clamp(1, g.n),
        }
    }
}

/// `y = conv(x) (+ bias)` for a 3×3 stride-1 pad-1 convolution with weights `weight` and
/// transformed filters `filters` (refreshed here if stale); `y` is shaped `[n, c_out, h, w]`.
pub(crate) fn forward(
    weight: &[f32],
    bias: Option<&[f32]>,
    filters: &mut Filters,
    (c_in, c_out): (usize, usize),
    x: &Tensor,
    y: &mut Tensor,
) {
    let g = Geom::of(x);
    filters.refresh(weight, c_in, c_out);
    let op = Conv {
        g,
        split: split(&g, c_in, c_out),
        c_a: c_in,
        c_b: c_out,
        filters: Taps::Forward(&filters.values),
        bias,
        accumulate: false,
    };
    op.run(x.as_slice(), y.as_mut_slice());
}

/// Adds `∂L/∂W` (and `∂L/∂b`) to `conv`'s gradients and, if `dx` is given, `∂L/∂x` to it.
/// The input gradient uses the forward's transformed filters (transformed again if stale);
/// then, as the weights are about to change, their buffer holds `dU` and is left stale.
pub(crate) fn backward(conv: &mut Conv2d, x: &Tensor, dy: &Tensor, dx: Option<&mut Tensor>) {
    let g = Geom::of(x);
    let (ci, co) = (conv.c_in, conv.c_out);
    let split = split(&g, ci, co);
    let mut filters = std::mem::take(&mut conv.transformed);
    let parts = conv.parts_mut();
    if let Some(gb) = parts.grad_bias {
        let hw = g.plane();
        gb.par_iter_mut().enumerate().for_each(|(c, acc)| {
            *acc += (0..g.n)
                .map(|b| dy.image(b)[c * hw..][..hw].iter().sum::<f32>())
                .sum::<f32>();
        });
    }
    if let Some(dx) = dx {
        filters.refresh(parts.weight, ci, co);
        let op = Conv {
            g,
            split,
            c_a: co,
            c_b: ci,
            filters: Taps::Rotated(&filters.values),
            bias: None,
            accumulate: true,
        };
        op.run(dy.as_slice(), dx.as_mut_slice());
    }
    filters.valid = false;
    let du = &mut filters.values;
    du.resize(XI * ci * co, 0.0);
    weight_grad(&g, split, x.as_slice(), ci, dy.as_slice(), co, du);
    filters_adjoint(du, co, ci, parts.grad_weight);
    conv.transformed = filters;
}

/// The filters of a [`Conv`].
#[derive(Clone, Copy)]
enum Taps<'a> {
    /// The forward's `U` (`[ξ][c_b][c_a]`).
    Forward(&'a [f32]),
    /// The input gradient's: the forward's `U` (`[ξ][c_a][c_b]`, its `c_out` now the
    /// convolution's input) for the kernels rotated by 180° with the channels swapped.
    /// Rotating `g` turns `G g Gᵀ` into `P (G g Gᵀ) Pᵀ`, with `P` swapping the first and
    /// last of the four transformed rows (`G J = P G` for the 3×3 reversal `J`), so the
    /// rotated filters are `U[rotated(ξ)]ᵀ` and need no transform of their own.
    Rotated(&'a [f32]),
}

/// The ξ whose forward filters, transposed, are the rotated kernels' filters at ξ (see
/// [`Taps::Rotated`]).
fn rotated(xi: usize) -> usize {
    let p = |i: usize| if i == 0 || i == 3 { 3 - i } else { i };
    4 * p(xi / 4) + p(xi % 4)
}

/// One Winograd convolution from `c_a` to `c_b` channels: the forward pass, or the input
/// gradient with the rotated filters.
struct Conv<'a> {
    g: Geom,
    split: Split,
    c_a: usize,
    c_b: usize,
    filters: Taps<'a>,
    bias: Option<&'a [f32]>,
    /// Add into the output instead of overwriting it.
    accumulate: bool,
}

impl Conv<'_> {
    fn bias(&self, c: usize) -> f32 {
        self.bias.map_or(0.0, |b| b[c])
    }

    /// `out (+)= conv(input)`, both `[n][channels][h][w]`.
    fn run(&self, input: &[f32], out: &mut [f32]) {
        let Conv { g, c_a, c_b, .. } = *self;
        let hw = g.plane();
        match self.split {
            Split::Blocks { rows } => {
                let per_image = g.th.div_ceil(rows);
                // Block (b, j) writes output rows 2·j·rows … of every channel plane of image b.
                let mut views: Vec<Vec<&mut [f32]>> = (0..g.n * per_image)
                    .map(|_| Vec::with_capacity(c_b))
                    .collect();
                for (p, plane) in out[..g.n * c_b * hw].chunks_mut(hw).enumerate() {
                    for (j, piece) in plane.chunks_mut(2 * rows * g.w).enumerate() {
                        views[p / c_b * per_image + j].push(piece);
                    }
                }
                views
                    .into_par_iter()
                    .enumerate()
                    .for_each(|(i, mut pieces)| {
                        let (b, j) = (i / per_image, i % per_image);
                        let tys = j * rows..((j + 1) * rows).min(g.th);
                        let cols = tys.len() * g.tw;
                        with_scratch(&TILES_IN, XI * c_a * cols, |v| {
                            with_scratch(&TILES_OUT, XI * c_b * cols, |m| {
                                let mut tmp = vec![0.0; g.tmp()];
                                for (c, mut dst) in
                                    split_by_row(v, c_a, cols).into_iter().enumerate()
                                {
                                    let plane = &input[(b * c_a + c) * hw..][..hw];
                                    input_tiles(plane, &g, tys.clone(), &mut dst, 0, &mut tmp);
                                }
                                self.products(v, m, cols, false);
                                for (c, piece) in pieces.iter_mut().enumerate() {
                                    let rows = row_slices(m, c_b, cols, c, 0, cols);
                                    let bias = self.bias(c);
                                    output_tiles(
                                        &rows,
                                        &g,
                                        tys.len(),
                                        piece,
                                        bias,
                                        self.accumulate,
                                    );
                                }
                            })
                        });
                    });
            }
            Split::Chunks { images } => {
                for b0 in (0..g.n).step_by(images) {
                    let b1 = (b0 + images).min(g.n);
                    let cols = (b1 - b0) * g.tiles();
                    with_scratch(&TILES_IN, XI * c_a * cols, |v| {
                        with_scratch(&TILES_OUT, XI * c_b * cols, |m| {
                            split_by_row(v, c_a, cols)
                                .into_par_iter()
                                .enumerate()
                                .for_each(|(c, mut dst)| {
                                    let mut tmp = vec![0.0; g.tmp()];
                                    for b in b0..b1 {
                                        let plane = &input[(b * c_a + c) * hw..][..hw];
                                        let col0 = (b - b0) * g.tiles();
                                        input_tiles(plane, &g, 0..g.th, &mut dst, col0, &mut tmp);
                                    }
                                });
                            self.products(v, m, cols, true);
                            out[b0 * c_b * hw..b1 * c_b * hw]
                                .par_chunks_mut(hw)
                                .enumerate()
                                .for_each(|(p, plane)| {
                                    let (b, c) = (p / c_b, p % c_b);
                                    let rows =
                                        row_slices(m, c_b, cols, c, b * g.tiles(), g.tiles());
                                    let bias = self.bias(c);
                                    output_tiles(&rows, &g, g.th, plane, bias, self.accumulate);
                                });
                        })
                    });
                }
            }
        }
    }

    /// `M[ξ] = U[ξ] · V[ξ]` for the 16 ξ, over `cols` tiles; in parallel over ξ if `parallel`.
    fn products(&self, v: &[f32], m: &mut [f32], cols: usize, parallel: bool) {
        let (c_a, c_b) = (self.c_a, self.c_b);
        let filters = c_a * c_b;
        let product = |((xi, v), m): ((usize, &[f32]), &mut [f32])| {
            let (u, layout) = match self.filters {
                Taps::Forward(u) => (&u[xi * filters..][..filters], Layout::Normal),
                Taps::Rotated(u) => (&u[rotated(xi) * filters..][..filters], Layout::Transposed),
            };
            matmul_serial(c_b, cols, c_a, u, layout, v, Layout::Normal, m, false);
        };
        let (v, m) = (&v[..XI * c_a * cols], &mut m[..XI * c_b * cols]);
        if parallel {
            (0..XI)
                .into_par_iter()
                .zip(v.par_chunks(c_a * cols))
                .zip(m.par_chunks_mut(c_b * cols))
                .for_each(product);
        } else {
            (0..XI)
                .zip(v.chunks(c_a * cols))
                .zip(m.chunks_mut(c_b * cols))
                .for_each(product);
        }
    }
}

/// `du = Σ_tiles dM[ξ] · V[ξ]ᵀ` (`[ξ][c_out][c_in]`, overwritten) for the layer's input `x`
/// and output gradient `dy`.
fn weight_grad(
    g: &Geom,
    split: Split,
    x: &[f32],
    c_in: usize,
    dy: &[f32],
    c_out: usize,
    du: &mut [f32],
) {
    let hw = g.plane();
    let du = &mut du[..XI * c_out * c_in];
    du.fill(0.0);
    // dU[ξ] += dM[ξ] · V[ξ]ᵀ over `cols` tiles.
    let product = |((du, dm), v): ((&mut [f32], &[f32]), &[f32]), cols: usize| {
        matmul_serial(
            c_out,
            c_in,
            cols,
            dm,
            Layout::Normal,
            v,
            Layout::Transposed,
            du,
            true,
        );
    };
    match split {
        Split::Blocks { rows } => {
            let per_image = g.th.div_ceil(rows);
            let blocks = g.n * per_image;
            let parts = rayon::current_num_threads().clamp(1, blocks);
            let per_part = blocks.div_ceil(parts);
            // One partial dU per thread, each over a contiguous share of the blocks.
            let partials: Vec<Vec<f32>> = (0..blocks.div_ceil(per_part))
                .into_par_iter()
                .map(|part| {
                    let mut acc = vec![0.0; du.len()];
                    let mut tmp = vec![0.0; g.tmp()];
                    for i in part * per_part..((part + 1) * per_part).min(blocks) {
                        let (b, j) = (i / per_image, i % per_image);
                        let tys = j * rows..((j + 1) * rows).min(g.th);
                        let cols = tys.len() * g.tw;
                        with_scratch(&TILES_IN, XI * c_in * cols, |v| {
                            with_scratch(&TILES_OUT, XI * c_out * cols, |dm| {
                                for (c, mut dst) in
                                    split_by_row(v, c_in, cols).into_iter().enumerate()
                                {
                                    let plane = &x[(b * c_in + c) * hw..][..hw];
                                    input_tiles(plane, g, tys.clone(), &mut dst, 0, &mut tmp);
                                }
                                for (c, mut dst) in
                                    split_by_row(dm, c_out, cols).into_iter().enumerate()
                                {
                                    let plane = &dy[(b * c_out + c) * hw..][..hw];
                                    output_tiles_adjoint(
                                        plane,
                                        g,
                                        tys.clone(),
                                        &mut dst,
                                        0,
                                        &mut tmp,
                                    );
                                }
                                acc.chunks_mut(c_out * c_in)
                                    .zip(dm.chunks(c_out * cols))
                                    .zip(v.chunks(c_in * cols))
                                    .for_each(|t| product(t, cols));
                            })
                        });
                    }
                    acc
                })
                .collect();
            for p in partials {
                du.iter_mut().zip(&p).for_each(|(d, v)| *d += v);
            }
        }
        Split::Chunks { images } => {
            for b0 in (0..g.n).step_by(images) {
                let b1 = (b0 + images).min(g.n);
                let cols = (b1 - b0) * g.tiles();
                with_scratch(&TILES_IN, XI * c_in * cols, |v| {
                    with_scratch(&TILES_OUT, XI * c_out * cols, |dm| {
                        let transform =
                            |src: &[f32], channels: usize, buf: &mut [f32], adjoint: bool| {
                                split_by_row(buf, channels, cols)
                                    .into_par_iter()
                                    .enumerate()
                                    .for_each(|(c, mut dst)| {
                                        let mut tmp = vec![0.0; g.tmp()];
                                        for b in b0..b1 {
                                            let plane = &src[(b * channels + c) * hw..][..hw];
                                            let col0 = (b - b0) * g.tiles();
                                            if adjoint {
                                                output_tiles_adjoint(
                                                    plane,
                                                    g,
                                                    0..g.th,
                                                    &mut dst,
                                                    col0,
                                                    &mut tmp,
                                                );
                                            } else {
                                                input_tiles(
                                                    plane,
                                                    g,
                                                    0..g.th,
                                                    &mut dst,
                                                    col0,
                                                    &mut tmp,
                                                );
                                            }
                                        }
                                    });
                            };
                        transform(x, c_in, v, false);
                        transform(dy, c_out, dm, true);
                        du.par_chunks_mut(c_out * c_in)
                            .zip(dm.par_chunks(c_out * cols))
                            .zip(v.par_chunks(c_in * cols))
                            .for_each(|t| product(t, cols));
                    })
                });
            }
        }
    }
}

/// Splits `buf`, laid out `[ξ][row][len]`, into one array of 16 slices per row.
fn split_by_row(buf: &mut [f32], rows: usize, len: usize) -> Vec<[&mut [f32]; XI]> {
    let mut per_xi: Vec<_> = buf[..XI * rows * len]
        .chunks_exact_mut(rows * len)
        .map(|s| s.chunks_exact_mut(len))
        .collect();
    (0..rows)
        .map(|_| {
            std::array::from_fn(|xi| {
                per_xi[xi]
                    .next()
                    .expect("each ξ holds `rows` rows of `len` values")
            })
        })
        .collect()
}

/// Columns `off .. off + len` of row `row` of every ξ of `buf` (`[ξ][rows][cols]`).
fn row_slices(
    buf: &[f32],
    rows: usize,
    cols: usize,
    row: usize,
    off: usize,
    len: usize,
) -> [&[f32]; XI] {
    std::array::from_fn(|xi| &buf[(xi * rows + row) * cols + off..][..len])
}
