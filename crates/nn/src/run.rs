//! Running a Darknet model end to end: cfg text + weights bytes + input → raw output.

use crate::darknet::cfg::parse_cfg;
use crate::darknet::model::build_network;
use crate::darknet::weights::load_weights;
use crate::error::Result;
use crate::layer::Mode;
use crate::network::Network;
use crate::tensor::Tensor;

/// Builds the network of `cfg_text` for inputs of `input_hw` (the cfg's own size if `None`)
/// and loads `weights`. Returns it with the cfg's warnings (unknown keys).
pub fn load_darknet(
    cfg_text: &str,
    weights: &[u8],
    input_hw: Option<(usize, usize)>,
) -> Result<(Network, Vec<String>)> {
    let cfg = parse_cfg(cfg_text)?;
    let mut net = build_network(&cfg, input_hw)?;
    load_weights(&mut net, weights)?;
    Ok((net, cfg.warnings))
}

/// Runs a Darknet model on `input` (NCHW) in inference mode and returns the output of the
/// last layer before `[region]` — the raw network output Darknet's region layer reads.
pub fn run_darknet(cfg_text: &str, weights: &[u8], input: &Tensor) -> Result<Tensor> {
    // Before the network is built for its size, so the error names the tensor, not the cfg.
    input.require_values("input")?;
    let (mut net, _warnings) = load_darknet(cfg_text, weights, Some((input.h(), input.w())))?;
    Ok(net.forward(input, Mode::Infer)?.clone())
}
