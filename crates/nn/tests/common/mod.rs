//! Helpers shared by the integration tests: the reference directory and tolerant comparison.
#![allow(dead_code)]

use safetensors::SafeTensors;
use std::path::PathBuf;
use zukan_nn::Tensor;
use zukan_nn::checkpoint::read_f32;

/// `shared/reference/nn`, beside the checkout (`../../../shared` from this crate).
pub fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/nn")
}

/// The tensors of one reference file.
pub struct Case {
    bytes: Vec<u8>,
    pub name: String,
}

impl Case {
    pub fn open(file: &str) -> Case {
        let path = reference_dir().join(file);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Case {
            bytes,
            name: file.to_string(),
        }
    }

    pub fn vec(&self, name: &str) -> Vec<f32> {
        let st = SafeTensors::deserialize(&self.bytes).unwrap();
        read_f32(&st, name)
            .unwrap_or_else(|e| panic!("{}: {e}", self.name))
            .1
    }

    pub fn tensor(&self, name: &str) -> Tensor {
        let st = SafeTensors::deserialize(&self.bytes).unwrap();
        let (shape, data) = read_f32(&st, name).unwrap();
        let shape: [usize; 4] = shape.try_into().unwrap();
        Tensor::from_vec(shape, data).unwrap()
    }

    pub fn meta(&self, name: &str) -> Vec<usize> {
        self.vec(name).iter().map(|v| *v as usize).collect()
    }
}

/// `max|got − want| ≤ 1e-4 · max|want|` (the tolerance), with a message naming `what`.
pub fn assert_close(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(0f32, |m, v| m.max(v.abs()));
    let err = got
        .iter()
        .zip(want)
        .fold(0f32, |m, (g, w)| m.max((g - w).abs()));
    assert!(
        err <= 1e-4 * scale,
        "{what}: max error {err:e} > 1e-4 · {scale:e}"
    );
}

/// Deterministic pseudo-random values in [-1, 1) (xorshift), for test inputs.
pub fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}
