//! From a parsed cfg to a [`Network`]: `[net]` options, layers with shape inference, and the
//! `[region]` head's settings.

use super::cfg::{Cfg, Section};
use crate::activation::Activation;
use crate::conv::Conv2d;
use crate::error::{Error, Result};
use crate::layer::{ConvBlock, LayerKind};
use crate::maxpool::MaxPool;
use crate::network::Network;
use crate::region::{Anchor, RegionConfig};
use crate::reorg::Reorg;

/// The `[net]` options (Darknet's defaults where a key is absent).
#[derive(Clone, Debug, PartialEq)]
pub struct NetConfig {
    /// Images per optimizer step (Darknet's `batch`).
    pub batch: usize,
    /// Forward/backward passes per step; each pass sees `batch / subdivisions` images.
    pub subdivisions: usize,
    /// Input width.
    pub width: usize,
    /// Input height.
    pub height: usize,
    /// Input channels.
    pub channels: usize,
    /// Base learning rate.
    pub learning_rate: f32,
    /// SGD momentum.
    pub momentum: f32,
    /// Weight decay.
    pub decay: f32,
    /// Learning-rate policy name (`constant`, `steps`, `poly`, …).
    pub policy: String,
    /// `steps=` (batch numbers).
    pub steps: Vec<i64>,
    /// `scales=` (factors for `steps`).
    pub scales: Vec<f32>,
    /// Burn-in batches.
    pub burn_in: usize,
    /// Exponent of burn-in and of the `poly` policy.
    pub power: f32,
    /// Batches to train for.
    pub max_batches: usize,
    /// Augmentation: rotation in degrees.
    pub angle: f32,
    /// Augmentation: saturation factor range.
    pub saturation: f32,
    /// Augmentation: exposure factor range.
    pub exposure: f32,
    /// Augmentation: hue shift range.
    pub hue: f32,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            batch: 1,
            subdivisions: 1,
            width: 0,
            height: 0,
            channels: 0,
            learning_rate: 0.001,
            momentum: 0.9,
            decay: 0.0001,
            policy: "constant".into(),
            steps: Vec::new(),
            scales: Vec::new(),
            burn_in: 0,
            power: 4.0,
            max_batches: 0,
            angle: 0.0,
            saturation: 1.0,
            exposure: 1.0,
            hue: 0.0,
        }
    }
}

impl NetConfig {
    fn parse(s: &Section) -> Result<Self> {
        let d = NetConfig::default();
        Ok(NetConfig {
            batch: s.usize("batch", d.batch)?,
            subdivisions: s.usize("subdivisions", d.subdivisions)?,
            width: s.usize("width", d.width)?,
            height: s.usize("height", d.height)?,
            channels: s.usize("channels", d.channels)?,
            learning_rate: s.float("learning_rate", d.learning_rate)?,
            momentum: s.float("momentum", d.momentum)?,
            decay: s.float("decay", d.decay)?,
            policy: s.string("policy", &d.policy),
            steps: s.ints("steps")?,
            scales: s.floats("scales")?,
            burn_in: s.usize("burn_in", d.burn_in)?,
            power: s.float("power", d.power)?,
            max_batches: s.usize("max_batches", d.max_batches)?,
            angle: s.float("angle", d.angle)?,
            saturation: s.float("saturation", d.saturation)?,
            exposure: s.float("exposure", d.exposure)?,
            hue: s.float("hue", d.hue)?,
        })
    }
}

/// A `[region]` section: the settings the region layer reads ([`RegionConfig`]) and the
/// training-pipeline keys around them.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionSettings {
    /// What the region forward pass and loss read.
    pub config: RegionConfig,
    /// Crop jitter for augmentation (`jitter=`, default .2).
    pub jitter: f32,
    /// Multi-scale training (`random=`).
    pub random: bool,
    /// Truths per image (`max=`, default 30 as pjreddie's loops).
    pub max_boxes: usize,
}

impl RegionSettings {
    fn parse(s: &Section, index: usize) -> Result<Self> {
        let err = |msg: String| layer_err(index, "region", msg);
        let num = s.usize("num", 1)?;
        let anchors = s.floats("anchors")?;
        if anchors.len() / 2 < num {
            return Err(err(format!(
                "num={num} needs {} anchor values, {} given",
                2 * num as u128,
                anchors.len()
            )));
        }
        if s.usize("coords", 4)? != 4 {
            return Err(err("only coords=4 is supported".into()));
        }
        // Darknet reads the first 2·num values and ignores the rest.
        let anchors = anchors
            .chunks_exact(2)
            .take(num)
            .map(|p| Anchor::new(p[0], p[1]))
            .collect();
        let config = RegionConfig {
            classes: s.usize("classes", 20)?,
            anchors,
            object_scale: s.float("object_scale", 1.0)?,
            noobject_scale: s.float("noobject_scale", 1.0)?,
            class_scale: s.float("class_scale", 1.0)?,
            coord_scale: s.float("coord_scale", 1.0)?,
            thresh: s.float("thresh", 0.5)?,
            rescore: s.int("rescore", 0)? != 0,
            bias_match: s.int("bias_match", 0)? != 0,
            softmax: s.int("softmax", 0)? != 0,
            scale_coords_by_size: false,
        };
        config.validate().map_err(|e| err(e.to_string()))?;
        Ok(RegionSettings {
            config,
            jitter: s.float("jitter", 0.2)?,
            random: s.int("random", 0)? != 0,
            max_boxes: s.usize("max", 30)?,
        })
    }
}

fn layer_err(index: usize, kind: &str, msg: String) -> Error {
    Error::Layer {
        index,
        kind: kind.into(),
        msg,
    }
}

/// Builds the network a cfg describes, for its `[net]` input size (or `input_hw` if given).
pub fn build_network(cfg: &Cfg, input_hw: Option<(usize, usize)>) -> Result<Network> {
    let net_section = &cfg.sections[0];
    let config = NetConfig::parse(net_section)?;
    let (h, w) = input_hw.unwrap_or((config.height, config.width));
    if input_hw.is_some() && (h == 0 || w == 0) {
        return Err(Error::Shape(format!("input size {h}x{w} is empty")));
    }
    if config.channels == 0 || h == 0 || w == 0 {
        return Err(Error::Cfg {
            line: net_section.line,
            msg: "[net] needs width, height and channels".into(),
        });
    }
    let mut kinds = Vec::new();
    let mut region = None;
    let mut channels = config.channels;
    let mut out_channels: Vec<usize> = Vec::new();
    let body = &cfg.sections[1..];
    for (index, s) in body.iter().enumerate() {
        if region.is_some() {
            return Err(layer_err(
                index,
                &s.name,
                "[region] must be the last layer".into(),
            ));
        }
        let kind = match s.name.as_str() {
            "convolutional" => {
                let size = s.positive("size", 1)?;
                let stride = s.positive("stride", 1)?;
                let padding = if s.int("pad", 0)? != 0 {
                    size / 2
                } else {
                    s.usize("padding", 0)?
                };
                let filters = s.positive("filters", 1)?;
                let bn = s.int("batch_normalize", 0)? != 0;
                if s.int("groups", 1)? != 1 {
                    return Err(layer_err(
                        index,
                        &s.name,
                        "grouped convolutions are not supported".into(),
                    ));
                }
                let act_name = s.string("activation", "logistic");
                let act = Activation::from_darknet(&act_name).ok_or_else(|| {
                    layer_err(
                        index,
                        &s.name,
                        format!("unsupported activation `{act_name}`"),
                    )
                })?;
                // Darknet would try to allocate whatever the cfg says; refuse absurd sizes
                // (over 2^30 weights, 4 GiB) instead of aborting on allocation.
                let weights = filters
                    .checked_mul(channels)
                    .and_then(|v| v.checked_mul(size.checked_mul(size)?));
                if weights.is_none_or(|w| w > 1 << 30) {
                    let msg = format!("{filters} filters of {size}x{size}x{channels} is too large");
                    return Err(layer_err(index, &s.name, msg));
                }
                let conv = Conv2d::new(channels, filters, size, stride, padding, !bn);
                LayerKind::Conv(Box::new(ConvBlock::new(conv, bn, act)))
            }
            "maxpool" => {
                let stride = s.positive("stride", 1)?;
                let size = s.positive("size", stride)?;
                let padding = s.usize("padding", size.saturating_sub(1))?;
                LayerKind::MaxPool(MaxPool::with_padding(size, stride, padding))
            }
            "reorg" => {
                if s.int("reverse", 0)? != 0 || s.int("flatten", 0)? != 0 || s.int("extra", 0)? != 0
                {
                    return Err(layer_err(
                        index,
                        &s.name,
                        "only the plain reorg is supported".into(),
                    ));
                }
                LayerKind::Reorg(Reorg {
                    stride: s.positive("stride", 1)?,
                })
            }
            "route" => {
                let refs = s.ints("layers")?;
                if refs.is_empty() {
                    return Err(layer_err(index, &s.name, "route needs `layers=`".into()));
                }
                let mut src = Vec::new();
                for r in refs {
                    let abs = if r < 0 { index as i64 + r } else { r };
                    if abs < 0 || abs >= index as i64 {
                        return Err(layer_err(
                            index,
                            &s.name,
                            format!("layers={r} does not name an earlier layer"),
                        ));
                    }
                    src.push(abs as usize);
                }
                LayerKind::Route(src)
            }
            "region" => {
                let r = RegionSettings::parse(s, index)?;
                if channels != r.config.channels() {
                    return Err(layer_err(
                        index,
                        &s.name,
                        format!(
                            "expects {} input channels (num·(5+classes)), gets {channels}",
                            r.config.channels()
                        ),
                    ));
                }
                region = Some(r);
                out_channels.push(channels);
                continue;
            }
            other => {
                return Err(Error::UnknownSection {
                    name: other.into(),
                    line: s.line,
                });
            }
        };
        // Channels only (sides come from shape inference); absurd counts overflow here first.
        let next = match &kind {
            LayerKind::Conv(b) => Some(b.conv.c_out),
            LayerKind::Route(src) => src
                .iter()
                .try_fold(0usize, |sum, &i| sum.checked_add(out_channels[i])),
            LayerKind::Reorg(r) => r
                .stride
                .checked_mul(r.stride)
                .and_then(|s2| channels.checked_mul(s2)),
            LayerKind::MaxPool(_) => Some(channels),
        };
        channels = next.ok_or_else(|| {
            let msg = match &kind {
                LayerKind::Reorg(r) => format!("stride {} is too large", r.stride),
                _ => "too many channels".into(),
            };
            layer_err(index, &s.name, msg)
        })?;
        out_channels.push(channels);
        kinds.push(kind);
    }
    if kinds.is_empty() {
        let msg = if region.is_some() {
            "the cfg has no layers between [net] and [region]"
        } else {
            "the cfg has no layers after [net]"
        };
        return Err(Error::Cfg {
            line: net_section.line,
            msg: msg.into(),
        });
    }
    let mut net = Network::new([config.channels, h, w], kinds)?;
    net.config = config;
    net.region = region;
    Ok(net)
}
