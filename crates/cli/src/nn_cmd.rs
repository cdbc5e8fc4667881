//! `zukan nn run`: run a Darknet model on a tensor, for checking against other tools.

use anyhow::Context;
use std::path::PathBuf;
use zukan_nn::checkpoint::{read_tensor, write_tensors};
use zukan_nn::{Mode, load_darknet};

/// Arguments of `zukan nn run`.
#[derive(Debug, clap::Args)]
pub struct NnRunArgs {
    /// Darknet network description (`.cfg`).
    #[arg(long)]
    pub cfg: PathBuf,
    /// Darknet weights (`.weights`, 16- or 20-byte header).
    #[arg(long)]
    pub weights: PathBuf,
    /// Safetensors file holding the tensor `input` (NCHW, f32).
    #[arg(long)]
    pub input: PathBuf,
    /// Where to write the raw output of the last layer before `[region]`, as tensor `output`.
    #[arg(long)]
    pub out: PathBuf,
}

/// Reads the model and the input, runs the forward pass in inference mode, writes `output`.
pub fn run(args: &NnRunArgs) -> anyhow::Result<()> {
    let read = |p: &PathBuf| std::fs::read(p).with_context(|| format!("reading {}", p.display()));
    let cfg = std::fs::read_to_string(&args.cfg)
        .with_context(|| format!("reading {}", args.cfg.display()))?;
    let weights = read(&args.weights)?;
    let input = read_tensor(&read(&args.input)?, "input")
        .and_then(|t| t.require_values("input").map(|()| t))
        .with_context(|| format!("{}", args.input.display()))?;
    let (mut net, warnings) = load_darknet(&cfg, &weights, Some((input.h(), input.w())))
        .with_context(|| {
            format!(
                "loading {} with {}",
                args.cfg.display(),
                args.weights.display()
            )
        })?;
    for w in warnings {
        eprintln!("warning: {}: {w}", args.cfg.display());
    }
    let cfg_hw = (net.config.height, net.config.width);
    let output = net
        .forward(&input, Mode::Infer)
        .context("running the network")?;
    // Darknet resizes to the input too; but a size other than the cfg's is worth a word.
    if cfg_hw != (input.h(), input.w()) {
        eprintln!(
            "note: ran the network at {}x{} (HxW, the input's size) instead of the cfg's {}x{}",
            input.h(),
            input.w(),
            cfg_hw.0,
            cfg_hw.1
        );
    }
    let bytes = write_tensors(&[("output", output)])?;
    std::fs::write(&args.out, bytes).with_context(|| format!("writing {}", args.out.display()))?;
    Ok(())
}
