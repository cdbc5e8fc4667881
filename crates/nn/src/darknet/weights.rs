//! Darknet `.weights`: a version header, `seen`, then every convolutional layer's floats.
//!
//! Header: `major, minor, revision` as int32, then `seen` as uint64 when
//! `major·10 + minor >= 2`, else as int32 — 20 or 16 bytes (see
//! [`WeightsHeader::wide_seen`]). Per `[convolutional]`, little-endian f32: biases (β when
//! batch-normalised), then with batch norm γ, rolling mean, rolling variance, then the
//! weights `[out][in][k][k]`. Darknet does not check the length; we require the payload to
//! end exactly at the end of the file.

use crate::error::{Error, Result};
use crate::layer::LayerKind;
use crate::network::Network;

/// The version and image counter at the start of a `.weights` file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeightsHeader {
    /// Major version.
    pub major: i32,
    /// Minor version.
    pub minor: i32,
    /// Revision.
    pub revision: i32,
    /// Images seen in training.
    pub seen: u64,
}

impl WeightsHeader {
    /// Whether `seen` is stored in 8 bytes: `major·10 + minor >= 2`, AlexeyAB's rule in
    /// `load_weights_upto` (research/model-core.md §2.1). pjreddie's reader also requires
    /// `major < 1000 && minor < 1000`; the real files (0.1.0 → 4 bytes; 0.2.0 and 0.2.5 →
    /// 8 bytes) read the same under both. Computed in 64 bits, where Darknet's `int` would
    /// overflow for `major` beyond 2^31/10.
    pub fn wide_seen(&self) -> bool {
        i64::from(self.major) * 10 + i64::from(self.minor) >= 2
    }

    /// Header size in bytes (16 or 20).
    pub fn len(&self) -> usize {
        if self.wide_seen() { 20 } else { 16 }
    }

    /// Never empty; present for symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        false
    }
}

fn i32_at(bytes: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Reads the header.
pub fn read_header(bytes: &[u8]) -> Result<WeightsHeader> {
    let short = || {
        Error::Weights(format!(
            "file of {} bytes is too short for the header",
            bytes.len()
        ))
    };
    let major = i32_at(bytes, 0).ok_or_else(short)?;
    let minor = i32_at(bytes, 4).ok_or_else(short)?;
    let revision = i32_at(bytes, 8).ok_or_else(short)?;
    let mut h = WeightsHeader {
        major,
        minor,
        revision,
        seen: 0,
    };
    h.seen = if h.wide_seen() {
        u64::from_le_bytes(
            bytes
                .get(12..20)
                .ok_or_else(short)?
                .try_into()
                .map_err(|_| short())?,
        )
    } else {
        i32_at(bytes, 12).ok_or_else(short)? as u32 as u64
    };
    Ok(h)
}

/// The slices a layer's payload fills, in file order.
fn payload_of(kind: &mut LayerKind) -> Vec<&mut [f32]> {
    let LayerKind::Conv(b) = kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let conv = b.conv.parts_mut();
    match &mut b.bn {
        Some(bn) => {
            out.push(&mut bn.beta[..]);
            out.push(&mut bn.gamma[..]);
            out.push(&mut bn.running_mean[..]);
            out.push(&mut bn.running_var[..]);
        }
        None => out.extend(conv.bias),
    }
    out.push(conv.weight);
    out
}

/// Number of floats the network's layers read from a `.weights` payload.
pub fn payload_floats(net: &mut Network) -> usize {
    net.layers
        .iter_mut()
        .map(|l| {
            payload_of(&mut l.kind)
                .iter()
                .map(|v| v.len())
                .sum::<usize>()
        })
        .sum()
}

/// Loads a `.weights` file into `net` and sets `net.seen`. Errors if the file is shorter or
/// longer than the header plus the payload the network needs.
pub fn load_weights(net: &mut Network, bytes: &[u8]) -> Result<WeightsHeader> {
    let header = read_header(bytes)?;
    let expected = header.len() + 4 * payload_floats(net);
    if bytes.len() != expected {
        return Err(Error::Weights(format!(
            "expected {expected} bytes ({}-byte header + {} floats for the network), found {}",
            header.len(),
            (expected - header.len()) / 4,
            bytes.len()
        )));
    }
    let mut at = header.len();
    for layer in &mut net.layers {
        for dst in payload_of(&mut layer.kind) {
            for (d, chunk) in dst.iter_mut().zip(bytes[at..].chunks_exact(4)) {
                *d = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            }
            at += 4 * dst.len();
        }
    }
    net.seen = header.seen;
    Ok(header)
}

/// Writes `net` as a `.weights` file with header `0.2.0` and an 8-byte `seen`.
pub fn save_weights(net: &mut Network) -> Vec<u8> {
    let mut out = Vec::with_capacity(20 + 4 * payload_floats(net));
    for v in [0i32, 2, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&net.seen.to_le_bytes());
    for layer in &mut net.layers {
        for src in payload_of(&mut layer.kind) {
            for v in src.iter() {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    out
}
