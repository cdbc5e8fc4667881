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
//! A convolution is matrix products, by one of two paths (see [`conv`]):
//!
//! * **im2col + GEMM**, any kernel, stride and padding. With `cols = im2col(In)` (a
//!   `(c_in·k·k) × (oh·ow)` matrix, see the `im2col` module) and the weights as a
//!   `c_out × (c_in·k·k)` matrix `W`: forward `Out = W · cols`, backward
//!   `dW += dOut · colsᵀ` and `dIn = col2im(Wᵀ · dOut)`. A 1×1 stride-1 convolution uses its
//!   input as `cols` directly.
//! * **Winograd F(2×2, 3×3)** (Lavin & Gray 2016) for 3×3 stride-1 pad-1 convolutions with at
//!   least 16 input channels: all of YOLOv2's 3×3 layers but the first. Each 2×2 output tile
//!   comes from its 4×4 input patch with 16 multiplications per channel pair instead of 36;
//!   over channels these are 16 independent products `M[ξ] = U[ξ] · V[ξ]` (transformed
//!   filters times the transformed input tiles of the whole batch). The input gradient is
//!   the same kind of convolution with the kernels rotated and the channels swapped, and the
//!   weight gradient is summed in the transformed domain, so backward gains as much as
//!   forward: 2.25× fewer multiply-adds (1.94× on 13×13 maps). The transforms are linear
//!   passes over the tiles; the transformed filters are kept between forward passes until
//!   the weights change (hence [`conv::Conv2d::weight_mut`]).
//!
//! The products run on the `gemm` crate. Parallelism (rayon's pool): on the im2col path each
//! image's products use every thread, except the weight gradients of small weight matrices
//! (the early, large-image layers, whose `dOut · colsᵀ` is too skinny to split), which are
//! summed per thread over a share of the batch and then added. The Winograd path cuts large
//! maps with small filters into blocks of tiles, one block per task, and runs the 16
//! products of small maps with many channels in parallel. Element-wise layers are parallel
//! over channel planes. Each thread keeps one im2col buffer and its Winograd tile buffers,
//! shared by all layers, so steady-state passes allocate little beyond the activations. In
//! inference, batch norm is folded into a per-channel scale and shift applied together with
//! the activation right after the product; training keeps, per convolution, its
//! pre-batch-norm output and its activated output (what backward needs).
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
mod winograd;

pub use activation::Activation;
pub use error::{Error, Result};
pub use layer::{ConvBlock, Layer, LayerKind, Mode};
pub use network::{Network, Param};
pub use optim::ParamKind;
pub use run::{load_darknet, run_darknet};
pub use tensor::Tensor;
