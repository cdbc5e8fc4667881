//! A feed-forward network of [`Layer`]s with Darknet's wiring (each layer reads the previous
//! one's output; `route` reads any earlier ones), shape inference, forward and backward.
//!
//! Shape inference also bounds memory: a cfg of a few hostile numbers (a million filters
//! at 416×416) describes terabytes, and Darknet would simply try to allocate them. Here
//! every layer's output and im2col workspace must stay within [`MAX_LAYER_VALUES`] and all
//! outputs together within [`MAX_NETWORK_VALUES`], per image when the shapes are inferred
//! and for the whole batch before a forward pass allocates — a clear error instead of an
//! abort. YOLOv2 at 608×608 needs about 44.6 million output values per image, so a batch
//! of 64 fits.

use crate::darknet::model::{NetConfig, RegionSettings};
use crate::error::{Error, Result};
use crate::layer::{Layer, LayerKind, Mode};
use crate::optim::ParamKind;
use crate::route::{route_backward_add, route_forward};
use crate::tensor::Tensor;

/// Most `f32` values one layer's output, or its im2col workspace, may hold for a batch:
/// 2^30 (4 GiB), the same bound as a layer's weights.
pub const MAX_LAYER_VALUES: usize = 1 << 30;
/// Most `f32` values the outputs of all layers together may hold for a batch: 2^32
/// (16 GiB). Training keeps about as much again (pre-batch-norm copies, gradients).
pub const MAX_NETWORK_VALUES: usize = 1 << 32;
/// [`MAX_LAYER_VALUES`] in words, for errors.
pub(crate) const LAYER_CAP: &str = "2^30 values (4 GiB) per layer";
/// [`MAX_NETWORK_VALUES`] in words, for errors.
const NETWORK_CAP: &str = "2^32 values (16 GiB) for the whole network";

/// The product of `dims`, or `None` on overflow.
pub(crate) fn product(dims: &[usize]) -> Option<usize> {
    dims.iter().try_fold(1usize, |p, &d| p.checked_mul(d))
}

/// A trainable parameter with its gradient, under a stable name such as `layers.3.weight`.
#[derive(Debug)]
pub struct Param<'a> {
    /// Stable name: `layers.{i}.weight`, `layers.{i}.bias` or `layers.{i}.scale`.
    pub name: String,
    /// What it is.
    pub kind: ParamKind,
    /// Values.
    pub value: &'a mut [f32],
    /// Accumulated `∂L/∂value`.
    pub grad: &'a mut [f32],
}

/// A network: layers, their shapes for the current input size, and training state.
#[derive(Clone, Debug)]
pub struct Network {
    /// Input `[c, h, w]`.
    pub input_shape: [usize; 3],
    /// The layers, in order; the last one's output is the network output.
    pub layers: Vec<Layer>,
    /// `[net]` options (batch, learning rate, …) when built from a cfg.
    pub config: NetConfig,
    /// The `[region]` head that follows the last layer, if any.
    pub region: Option<RegionSettings>,
    /// Images seen in training (Darknet's `seen`; the region prior term reads it).
    pub seen: u64,
    /// A copy of the last training input (the first convolution's backward needs it).
    train_input: Tensor,
    /// Whether the last forward ran in training mode (backward requires it).
    trained: bool,
    /// Gradient buffers kept between backward passes.
    spare: Vec<Tensor>,
}

impl Network {
    /// Builds a network for inputs of `input_shape = [c, h, w]`, inferring every layer's shape.
    /// Errors if `kinds` is empty or a layer does not fit (or passes the memory caps).
    pub fn new(input_shape: [usize; 3], kinds: Vec<LayerKind>) -> Result<Self> {
        if kinds.is_empty() {
            return Err(Error::Shape("a network needs at least one layer".into()));
        }
        let layers = kinds
            .into_iter()
            .map(|kind| Layer {
                kind,
                in_shape: [0; 3],
                out_shape: [0; 3],
                output: Tensor::default(),
            })
            .collect();
        let mut net = Network {
            input_shape,
            layers,
            config: NetConfig::default(),
            region: None,
            seen: 0,
            train_input: Tensor::default(),
            trained: false,
            spare: Vec::new(),
        };
        net.infer_shapes(input_shape)?;
        Ok(net)
    }

    /// Infers every layer's output shape for `input_shape` and checks the memory caps for
    /// one image; the network is changed only if every layer fits, so a failed resize
    /// leaves it as it was.
    fn infer_shapes(&mut self, input_shape: [usize; 3]) -> Result<()> {
        let [ic, ih, iw] = input_shape;
        let input_text = format!("network input {ic}x{ih}x{iw}");
        if product(&input_shape).is_none_or(|v| v > MAX_LAYER_VALUES) {
            return Err(Error::Shape(format!(
                "{input_text} is over the cap of {LAYER_CAP}"
            )));
        }
        let mut outs: Vec<[usize; 3]> = Vec::with_capacity(self.layers.len());
        let mut cur = input_shape;
        let mut total = 0usize;
        for (index, layer) in self.layers.iter().enumerate() {
            let err = |msg: String| Error::Layer {
                index,
                kind: layer.kind.name().into(),
                msg: format!("{msg} ({input_text})"),
            };
            if let LayerKind::Route(src) = &layer.kind
                && let Some(&bad) = src.iter().find(|&&s| s >= index)
            {
                return Err(Error::Layer {
                    index,
                    kind: "route".into(),
                    msg: format!("refers to layer {bad}, not an earlier one"),
                });
            }
            let out = layer.kind.out_shape(cur, &outs).map_err(err)?;
            let [c, h, w] = out;
            let values = product(&out).filter(|&v| v <= MAX_LAYER_VALUES);
            let Some(values) = values else {
                return Err(err(format!(
                    "output {c}x{h}x{w} is over the cap of {LAYER_CAP}"
                )));
            };
            if let LayerKind::Conv(b) = &layer.kind
                && b.conv
                    .cols_values(h, w)
                    .is_none_or(|v| v > MAX_LAYER_VALUES)
            {
                let rows = b.conv.c_in * b.conv.k * b.conv.k;
                return Err(err(format!(
                    "im2col workspace of {rows} x {h}x{w} values is over the cap of {LAYER_CAP}"
                )));
            }
            total = total
                .checked_add(values)
                .filter(|&t| t <= MAX_NETWORK_VALUES)
                .ok_or_else(|| {
                    err(format!(
                        "the outputs of layers 0 to {index} pass the cap of {NETWORK_CAP}"
                    ))
                })?;
            outs.push(out);
            cur = out;
        }
        let mut prev = input_shape;
        for (layer, out) in self.layers.iter_mut().zip(outs) {
            layer.in_shape = prev;
            layer.out_shape = out;
            prev = out;
        }
        self.input_shape = input_shape;
        Ok(())
    }

    /// Re-runs shape inference for a new input height and width (parameters are kept). On
    /// error the network keeps its previous size.
    pub fn set_input_size(&mut self, h: usize, w: usize) -> Result<()> {
        let c = self.input_shape[0];
        self.infer_shapes([c, h, w])
    }

    /// Checks that a batch of `images` at the current input size keeps every layer's output
    /// within [`MAX_LAYER_VALUES`] and all outputs within [`MAX_NETWORK_VALUES`].
    /// [`Network::forward`] calls this before it allocates.
    pub fn check_batch(&self, images: usize) -> Result<()> {
        let mut total = 0usize;
        for (index, layer) in self.layers.iter().enumerate() {
            let err = |msg: String| Error::Layer {
                index,
                kind: layer.kind.name().into(),
                msg,
            };
            let [c, h, w] = layer.out_shape;
            // Shape inference bounded the per-image product.
            let values = (c * h * w)
                .checked_mul(images)
                .filter(|&v| v <= MAX_LAYER_VALUES)
                .ok_or_else(|| {
                    err(format!(
                        "a batch of {images} makes its output {images}x{c}x{h}x{w}, \
                         over the cap of {LAYER_CAP}"
                    ))
                })?;
            total = total
                .checked_add(values)
                .filter(|&t| t <= MAX_NETWORK_VALUES)
                .ok_or_else(|| {
                    err(format!(
                        "a batch of {images} makes the outputs of layers 0 to {index} pass \
                         the cap of {NETWORK_CAP}"
                    ))
                })?;
        }
        Ok(())
    }

    /// Output `[c, h, w]` of the last layer.
    pub fn output_shape(&self) -> [usize; 3] {
        self.layers.last().map_or(self.input_shape, |l| l.out_shape)
    }

    /// The output of the last forward pass.
    pub fn output(&self) -> &Tensor {
        self.layers.last().map_or(&self.train_input, |l| &l.output)
    }

    /// Runs every layer on `x` (`[n, c, h, w]`; a new `h`, `w` re-runs shape inference) and
    /// returns the last layer's output. An empty `x` is an error, and so is a batch over
    /// the memory caps (see [`Network::check_batch`]).
    pub fn forward(&mut self, x: &Tensor, mode: Mode) -> Result<&Tensor> {
        // Until this pass succeeds there is no training forward to backpropagate through.
        self.trained = false;
        x.require_values("input")?;
        if x.c() != self.input_shape[0] {
            return Err(Error::Shape(format!(
                "network expects {} input channels, got {}",
                self.input_shape[0],
                x.c()
            )));
        }
        if [x.h(), x.w()] != [self.input_shape[1], self.input_shape[2]] {
            self.set_input_size(x.h(), x.w())?;
        }
        self.check_batch(x.n())?;
        if mode == Mode::Train {
            self.train_input.clone_from(x);
        } else {
            self.train_input = Tensor::default();
        }
        for i in 0..self.layers.len() {
            let (before, rest) = self.layers.split_at_mut(i);
            let layer = &mut rest[0];
            let input = if i == 0 { x } else { &before[i - 1].output };
            match &mut layer.kind {
                LayerKind::Conv(block) => block.forward(input, &mut layer.output, mode)?,
                LayerKind::MaxPool(pool) => pool.forward(input, &mut layer.output)?,
                LayerKind::Reorg(r) => r.forward(input, &mut layer.output)?,
                LayerKind::Route(src) => {
                    let inputs: Vec<&Tensor> = src.iter().map(|&s| &before[s].output).collect();
                    route_forward(&inputs, &mut layer.output)?;
                }
            }
        }
        self.trained = mode == Mode::Train;
        Ok(self.output())
    }

    /// Backpropagates `grad = ∂L/∂output` through the last training forward, adding every
    /// parameter's gradient to its accumulator (see [`Network::zero_grad`]).
    pub fn backward(&mut self, grad: &Tensor) -> Result<()> {
        if !self.trained {
            return Err(Error::Shape(
                "backward needs a forward pass in training mode first".into(),
            ));
        }
        if grad.shape() != self.output().shape() {
            return Err(Error::Shape(format!(
                "gradient {:?} does not match the output {:?}",
                grad.shape(),
                self.output().shape()
            )));
        }
        let count = self.layers.len();
        let mut deltas: Vec<Option<Tensor>> = (0..count).map(|_| None).collect();
        if let Some(last) = deltas.last_mut() {
            let mut d = self.spare.pop().unwrap_or_default();
            d.clone_from(grad);
            *last = Some(d);
        }
        let n = grad.n();
        for i in (0..count).rev() {
            let Some(mut d) = deltas[i].take() else {
                continue;
            };
            let (before, rest) = self.layers.split_at_mut(i);
            let layer = &mut rest[0];
            let (head, _) = deltas.split_at_mut(i);
            let spare = &mut self.spare;
            let shape = |j: usize| {
                let [c, h, w] = before[j].out_shape;
                [n, c, h, w]
            };
            match &mut layer.kind {
                LayerKind::Conv(block) => {
                    let input = if i == 0 {
                        &self.train_input
                    } else {
                        &before[i - 1].output
                    };
                    let dx = if i > 0 {
                        Some(delta_slot(head, spare, i - 1, shape(i - 1)))
                    } else {
                        None
                    };
                    block.backward(input, &layer.output, &mut d, dx)?;
                }
                LayerKind::MaxPool(pool) if i > 0 => {
                    pool.backward(&d, delta_slot(head, spare, i - 1, shape(i - 1)))?;
                }
                LayerKind::Reorg(r) if i > 0 => {
                    r.backward(&d, delta_slot(head, spare, i - 1, shape(i - 1)))?;
                }
                LayerKind::Route(src) => {
                    let mut offset = 0;
                    for &s in src.iter() {
                        route_backward_add(&d, offset, delta_slot(head, spare, s, shape(s)))?;
                        offset += before[s].out_shape[0];
                    }
                }
                LayerKind::MaxPool(_) | LayerKind::Reorg(_) => {}
            }
            self.spare.push(d);
        }
        Ok(())
    }

    /// Sets every parameter gradient to zero.
    pub fn zero_grad(&mut self) {
        for l in &mut self.layers {
            if let LayerKind::Conv(b) = &mut l.kind {
                b.zero_grad();
            }
        }
    }

    /// Every trainable parameter with its gradient, in layer order.
    pub fn params_mut(&mut self) -> Vec<Param<'_>> {
        let mut out = Vec::new();
        for (i, l) in self.layers.iter_mut().enumerate() {
            let LayerKind::Conv(b) = &mut l.kind else {
                continue;
            };
            let name = |what: &str| format!("layers.{i}.{what}");
            let conv = b.conv.parts_mut();
            out.push(Param {
                name: name("weight"),
                kind: ParamKind::Weights,
                value: conv.weight,
                grad: conv.grad_weight,
            });
            if let (Some(v), Some(g)) = (conv.bias, conv.grad_bias) {
                out.push(Param {
                    name: name("bias"),
                    kind: ParamKind::BiasOrScale,
                    value: v,
                    grad: g,
                });
            }
            if let Some(bn) = &mut b.bn {
                out.push(Param {
                    name: name("bias"),
                    kind: ParamKind::BiasOrScale,
                    value: &mut bn.beta,
                    grad: &mut bn.grad_beta,
                });
                out.push(Param {
                    name: name("scale"),
                    kind: ParamKind::BiasOrScale,
                    value: &mut bn.gamma,
                    grad: &mut bn.grad_gamma,
                });
            }
        }
        out
    }

    /// Frees activations, gradient buffers and scratch space (they are re-grown on demand).
    pub fn release_memory(&mut self) {
        self.spare.clear();
        self.train_input = Tensor::default();
        self.trained = false;
        for l in &mut self.layers {
            l.output = Tensor::default();
            match &mut l.kind {
                LayerKind::Conv(_) => crate::conv::Conv2d::release_scratch(),
                LayerKind::MaxPool(p) => p.release_scratch(),
                _ => {}
            }
        }
    }
}

/// The gradient buffer of layer `j`'s output, taken zeroed from `spare` on first use.
fn delta_slot<'a>(
    deltas: &'a mut [Option<Tensor>],
    spare: &mut Vec<Tensor>,
    j: usize,
    shape: [usize; 4],
) -> &'a mut Tensor {
    deltas[j].get_or_insert_with(|| {
        let mut t = spare.pop().unwrap_or_default();
        t.reshape_zeroed(shape);
        t
    })
}
