//! The crate's error type: every failure names what was wrong and where.

/// Everything that can go wrong in `zukan-nn`. Inputs (cfg text, weights bytes, safetensors
/// files, tensors of the wrong shape) produce these, never a panic.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tensor's shape does not fit what an operation needs.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// A `.cfg` line could not be understood.
    #[error("cfg line {line}: {msg}")]
    Cfg {
        /// 1-based line number in the cfg text.
        line: usize,
        /// What is wrong.
        msg: String,
    },
    /// A `.cfg` section that this crate does not know (often a typo).
    #[error("cfg line {line}: unknown section [{name}]")]
    UnknownSection {
        /// The section name as written, without brackets.
        name: String,
        /// 1-based line number of the section header.
        line: usize,
    },
    /// The network described by a cfg cannot be built (a layer does not fit its input).
    #[error("layer {index} ({kind}): {msg}")]
    Layer {
        /// Index of the layer, counting every section after `[net]` from 0 as Darknet does.
        index: usize,
        /// The section name, e.g. `convolutional`.
        kind: String,
        /// What is wrong.
        msg: String,
    },
    /// A `.weights` file does not hold what the network needs.
    #[error("weights: {0}")]
    Weights(String),
    /// The region layer refused its input.
    #[error(transparent)]
    Region(#[from] crate::region::RegionError),
    /// A safetensors file could not be read, or lacks a tensor.
    #[error("safetensors: {0}")]
    Safetensors(String),
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, Error>;

impl From<safetensors::SafeTensorError> for Error {
    fn from(e: safetensors::SafeTensorError) -> Self {
        Error::Safetensors(e.to_string())
    }
}
