//! Element-wise activations. Each derivative is written in terms of the *output*, so a layer
//! only has to keep its output for backward.

use rayon::prelude::*;

/// Slope of leaky ReLU for negative inputs (Darknet's `leaky`).
pub const LEAKY_SLOPE: f32 = 0.1;

/// Below this many values the activation runs on one thread.
const PARALLEL_MIN: usize = 1 << 14;

/// A Darknet activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// Identity.
    Linear,
    /// `x` if positive, else `0.1·x`.
    Leaky,
    /// `1 / (1 + e^(−x))`.
    Logistic,
    /// `max(0, x)`.
    Relu,
}

impl Activation {
    /// Parses a Darknet activation name (`None` if this crate does not implement it).
    pub fn from_darknet(name: &str) -> Option<Self> {
        Some(match name {
            "linear" => Activation::Linear,
            "leaky" => Activation::Leaky,
            "logistic" => Activation::Logistic,
            "relu" => Activation::Relu,
            _ => return None,
        })
    }

    /// The Darknet name.
    pub fn darknet_name(self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Leaky => "leaky",
            Activation::Logistic => "logistic",
            Activation::Relu => "relu",
        }
    }

    /// `f(x)` for one value.
    #[inline]
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Linear => x,
            Activation::Leaky => {
                if x > 0.0 {
                    x
                } else {
                    LEAKY_SLOPE * x
                }
            }
            Activation::Logistic => 1.0 / (1.0 + (-x).exp()),
            Activation::Relu => x.max(0.0),
        }
    }

    /// `f'(x)` expressed through `y = f(x)`.
    #[inline]
    pub fn derivative_from_output(self, y: f32) -> f32 {
        match self {
            Activation::Linear => 1.0,
            Activation::Leaky => {
                if y > 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE
                }
            }
            Activation::Logistic => y * (1.0 - y),
            Activation::Relu => {
                if y > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// `out[i] = f(pre(x[i]))`. The activation is matched once, outside the loop, so each
    /// arm's loop is specialised and vectorises.
    #[inline]
    pub(crate) fn map_into(self, x: &[f32], out: &mut [f32], pre: impl Fn(f32) -> f32) {
        fn run(x: &[f32], out: &mut [f32], f: impl Fn(f32) -> f32) {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = f(v);
            }
        }
        match self {
            Activation::Linear => run(x, out, pre),
            Activation::Leaky => run(x, out, |v| Activation::Leaky.apply(pre(v))),
            Activation::Logistic => run(x, out, |v| Activation::Logistic.apply(pre(v))),
            Activation::Relu => run(x, out, |v| Activation::Relu.apply(pre(v))),
        }
    }

    /// `x[i] = f(pre(x[i]))`, specialised like [`Activation::map_into`].
    #[inline]
    pub(crate) fn map_in_place(self, x: &mut [f32], pre: impl Fn(f32) -> f32) {
        fn run(x: &mut [f32], f: impl Fn(f32) -> f32) {
            x.iter_mut().for_each(|v| *v = f(*v));
        }
        match self {
            Activation::Linear => run(x, pre),
            Activation::Leaky => run(x, |v| Activation::Leaky.apply(pre(v))),
            Activation::Logistic => run(x, |v| Activation::Logistic.apply(pre(v))),
            Activation::Relu => run(x, |v| Activation::Relu.apply(pre(v))),
        }
    }

    /// Applies the activation in place.
    pub fn forward_in_place(self, x: &mut [f32]) {
        if self == Activation::Linear {
            return;
        }
        if x.len() < PARALLEL_MIN {
            self.map_in_place(x, |v| v);
        } else {
            x.par_chunks_mut(PARALLEL_MIN)
                .for_each(|c| self.map_in_place(c, |v| v));
        }
    }

    /// Turns `∂L/∂y` into `∂L/∂x` in place, given the forward output `y`.
    pub fn backward_in_place(self, y: &[f32], grad: &mut [f32]) {
        if self == Activation::Linear {
            return;
        }
        grad.par_chunks_mut(PARALLEL_MIN)
            .zip(y.par_chunks(PARALLEL_MIN))
            .for_each(|(g, y)| {
                fn run(g: &mut [f32], y: &[f32], d: impl Fn(f32) -> f32) {
                    g.iter_mut().zip(y).for_each(|(g, &y)| *g *= d(y));
                }
                // Matched once per chunk, so each arm's loop is specialised.
                match self {
                    Activation::Linear => {}
                    Activation::Leaky => run(g, y, |y| Activation::Leaky.derivative_from_output(y)),
                    Activation::Logistic => {
                        run(g, y, |y| Activation::Logistic.derivative_from_output(y))
                    }
                    Activation::Relu => run(g, y, |y| Activation::Relu.derivative_from_output(y)),
                }
            });
    }
}
