//! The layers a network is made of, Darknet style: a convolutional block is
//! convolution → (batch norm) → activation, and each layer runs its own forward and backward.

use crate::activation::Activation;
use crate::batchnorm::{BatchNorm, affine_in_place};
use crate::conv::Conv2d;
use crate::error::Result;
use crate::maxpool::MaxPool;
use crate::reorg::Reorg;
use crate::tensor::Tensor;

/// Training (batch statistics, keep what backward needs) or inference (running statistics,
/// BN folded into the convolution's epilogue).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Batch-norm uses batch statistics and updates its running estimates.
    Train,
    /// Batch-norm uses its running estimates.
    Infer,
}

/// Darknet's `[convolutional]`: a convolution (with a bias only when there is no batch norm),
/// optional batch norm, then an activation.
#[derive(Clone, Debug)]
pub struct ConvBlock {
    /// The convolution.
    pub conv: Conv2d,
    /// Batch norm, if `batch_normalize=1`.
    pub bn: Option<BatchNorm>,
    /// Activation after it.
    pub activation: Activation,
    /// Convolution output before batch norm (kept in training for BN's backward).
    pre_bn: Tensor,
}

impl ConvBlock {
    /// A block; the convolution has a bias exactly when `batch_norm` is false.
    pub fn new(conv: Conv2d, batch_norm: bool, activation: Activation) -> Self {
        let bn = batch_norm.then(|| BatchNorm::new(conv.c_out));
        ConvBlock {
            conv,
            bn,
            activation,
            pre_bn: Tensor::default(),
        }
    }

    /// Forward from `x` into `y`.
    pub fn forward(&mut self, x: &Tensor, y: &mut Tensor, mode: Mode) -> Result<()> {
        match (&mut self.bn, mode) {
            (Some(bn), Mode::Train) => {
                self.conv.forward(x, &mut self.pre_bn)?;
                bn.forward_train_then(&self.pre_bn, y, self.activation)
            }
            (Some(bn), Mode::Infer) => {
                self.pre_bn = Tensor::default();
                self.conv.forward(x, y)?;
                affine_in_place(y, &bn.inference_affine(), self.activation);
                Ok(())
            }
            (None, _) => {
                self.conv.forward(x, y)?;
                self.activation.forward_in_place(y.as_mut_slice());
                Ok(())
            }
        }
    }

    /// Backward after a training forward: `grad` holds `∂L/∂y` on entry and is used as
    /// scratch; `∂L/∂x` is added into `dx` if given.
    pub fn backward(
        &mut self,
        x: &Tensor,
        y: &Tensor,
        grad: &mut Tensor,
        dx: Option<&mut Tensor>,
    ) -> Result<()> {
        self.activation
            .backward_in_place(y.as_slice(), grad.as_mut_slice());
        if let Some(bn) = &mut self.bn {
            bn.backward(&self.pre_bn, grad)?;
        }
        self.conv.backward(x, grad, dx)
    }

    /// Zeroes all parameter gradients.
    pub fn zero_grad(&mut self) {
        self.conv.zero_grad();
        if let Some(bn) = &mut self.bn {
            bn.zero_grad();
        }
    }
}

/// What a layer does.
#[derive(Clone, Debug)]
pub enum LayerKind {
    /// `[convolutional]`.
    Conv(Box<ConvBlock>),
    /// `[maxpool]`.
    MaxPool(MaxPool),
    /// `[route]`: concatenation of the outputs of the listed layers (absolute indices).
    Route(Vec<usize>),
    /// `[reorg]`.
    Reorg(Reorg),
}

impl LayerKind {
    /// The Darknet section name.
    pub fn name(&self) -> &'static str {
        match self {
            LayerKind::Conv(_) => "convolutional",
            LayerKind::MaxPool(_) => "maxpool",
            LayerKind::Route(_) => "route",
            LayerKind::Reorg(_) => "reorg",
        }
    }

    /// Output `[c, h, w]` for the given input(s), or a message saying why it does not fit.
    /// `outputs` are the output shapes of the earlier layers (for route).
    pub(crate) fn out_shape(
        &self,
        input: [usize; 3],
        outputs: &[[usize; 3]],
    ) -> std::result::Result<[usize; 3], String> {
        let [c, h, w] = input;
        match self {
            LayerKind::Conv(b) => {
                if c != b.conv.c_in {
                    return Err(format!("expects {} input channels, gets {c}", b.conv.c_in));
                }
                if b.conv.stride == 0 {
                    return Err("stride must be at least 1".into());
                }
                let padded = |side: usize| b.conv.pad.checked_mul(2)?.checked_add(side);
                if padded(h).is_none() || padded(w).is_none() {
                    return Err(format!(
                        "padding {} is too large for a {h}x{w} input",
                        b.conv.pad
                    ));
                }
                let (oh, ow) = b.conv.out_hw(h, w).ok_or_else(|| {
                    format!(
                        "{0}x{0} kernel (pad {1}) does not fit a {h}x{w} input",
                        b.conv.k, b.conv.pad
                    )
                })?;
                Ok([b.conv.c_out, oh, ow])
            }
            LayerKind::MaxPool(p) => {
                if p.size == 0 || p.stride == 0 {
                    return Err("size and stride must be at least 1".into());
                }
                if !p.fits_isize(h, w) {
                    return Err(format!(
                        "{0}x{0} pool window with stride {1} and padding {2} is too large",
                        p.size, p.stride, p.padding
                    ));
                }
                let (oh, ow) = p.out_hw(h, w).ok_or_else(|| {
                    format!("{0}x{0} pool window does not fit a {h}x{w} input", p.size)
                })?;
                Ok([c, oh, ow])
            }
            LayerKind::Route(src) => {
                let mut out = [0, 0, 0];
                for (i, &s) in src.iter().enumerate() {
                    let [sc, sh, sw] = outputs[s];
                    if i > 0 && (sh, sw) != (out[1], out[2]) {
                        return Err(format!(
                            "layer {s} is {sh}x{sw} but layer {} is {}x{}; route needs equal sides",
                            src[0], out[1], out[2]
                        ));
                    }
                    let channels = out[0]
                        .checked_add(sc)
                        .ok_or_else(|| "too many channels".to_string())?;
                    out = [channels, sh, sw];
                }
                Ok(out)
            }
            LayerKind::Reorg(r) => r
                .out_chw(c, h, w)
                .map(|(c, h, w)| [c, h, w])
                .ok_or_else(|| format!("stride {} does not divide {c}x{h}x{w}", r.stride)),
        }
    }
}

/// A layer: what it does, its shapes for the current input size, and its last output.
#[derive(Clone, Debug)]
pub struct Layer {
    /// What it does.
    pub kind: LayerKind,
    /// Input `[c, h, w]` (for route, that of the previous layer; unused).
    pub in_shape: [usize; 3],
    /// Output `[c, h, w]`.
    pub out_shape: [usize; 3],
    /// The output of the last forward pass.
    pub(crate) output: Tensor,
}

impl Layer {
    /// The output of the last forward pass.
    pub fn output(&self) -> &Tensor {
        &self.output
    }
}
