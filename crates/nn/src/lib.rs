//! The zukan conv/YOLO model core: layers with explicit forward and backward passes, Darknet
//! model files, and the YOLOv2 region head.
//!
//! # Design
//!
//! Darknet's design in Rust: every layer owns its forward and its backward, and a
//! [`Network`] runs them in order (forward) and in reverse (backward). There is no autograd
//! graph; each backward is written by hand and checked against finite differences and
//! PyTorch.
//!
//! A convolution is one matrix product per image. With `cols = im2col(In)` (a
//! `(c_in·k·k) × (oh·ow)` matrix, see the `im2col` module) and the weights as a
//! `c_out × (c_in·k·k)` matrix `W`:
//!
//! * forward: `Out = W · cols`
//! * backward: `dW += dOut · colsᵀ` and `dIn = col2im(Wᵀ · dOut)`
//!
//! A 1×1 stride-1 convolution uses its input as `cols` directly. The products run on the
//! `gemm` crate. Parallelism (rayon's pool): each image's products use every thread, except
//! the weight gradients of small weight matrices (the early, large-image layers, whose
//! `dOut · colsᵀ` is too skinny to split), which are summed per thread over a share of the
//! batch and then added. Element-wise layers are parallel over channel planes. Each thread
//! keeps one im2col buffer shared by all layers, so steady-state passes allocate little
//! beyond the activations. In inference, batch norm is folded into a per-channel scale and
//! shift applied together with the activation right after the product; training keeps, per
//! convolution, its pre-batch-norm output and its activated output (what backward needs).
//!
//! Modules: [`tensor`], the layers ([`conv`], [`batchnorm`], [`activation`], [`maxpool`],
//! [`route`], [`reorg`], [`region`]), [`layer`] and [`network`] (wiring, shape inference,
//! forward/backward), [`head`] (region loss → gradient), [`optim`], the Darknet formats
//! ([`darknet`]), [`checkpoint`] (safetensors) and [`run`] (cfg + weights + input → output).
//!
//! Gradients are true gradients `∂L/∂x` (Darknet's `delta` is their negative).
//!
//! # Example
//!
//! ```
//! use zukan_nn::{Mode, Tensor, darknet};
//!
//! let cfg = "[net]\nwidth=8\nheight=8\nchannels=3\n\
//!            [convolutional]\nbatch_normalize=1\nfilters=4\nsize=3\nstride=1\npad=1\nactivation=leaky\n\
//!            [maxpool]\nsize=2\nstride=2\n";
//! let cfg = darknet::cfg::parse_cfg(cfg)?;
//! let mut net = darknet::model::build_network(&cfg, None)?;
//! assert_eq!(net.output_shape(), [4, 4, 4]);
//!
//! let x = Tensor::zeros([2, 3, 8, 8]);
//! let y = net.forward(&x, Mode::Train)?.clone();
//! net.zero_grad();
//! net.backward(&y)?; // gradient of ½·Σ y²
//! assert_eq!(net.params_mut().len(), 3); // weight, β, γ
//! # Ok::<(), zukan_nn::Error>(())
//! ```
#![deny(missing_docs)]

pub mod activation;
pub mod batchnorm;
pub mod checkpoint;
pub mod conv;
pub mod darknet;
mod error;
pub mod head;
mod im2col;
pub mod layer;
mod matmul;
pub mod maxpool;
pub mod network;
pub mod optim;
pub mod region;
pub mod reorg;
pub mod route;
pub mod run;
pub mod tensor;

pub use activation::Activation;
pub use error::{Error, Result};
pub use layer::{ConvBlock, Layer, LayerKind, Mode};
pub use network::{Network, Param};
pub use optim::ParamKind;
pub use run::{load_darknet, run_darknet};
pub use tensor::Tensor;
