//! Safetensors checkpoints: every parameter and running statistic under a stable name
//! (`layers.{i}.weight` `[out, in, k, k]`, `layers.{i}.bias`, `layers.{i}.scale`,
//! `layers.{i}.running_mean`, `layers.{i}.running_var`), plus `seen` in the metadata.

use crate::error::{Error, Result};
use crate::layer::LayerKind;
use crate::network::Network;
use crate::tensor::Tensor;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::HashMap;

/// `(name, shape, values)` of every stored array, in layer order.
fn state_mut(net: &mut Network) -> Vec<(String, Vec<usize>, &mut [f32])> {
    let mut out = Vec::new();
    for (i, l) in net.layers.iter_mut().enumerate() {
        let LayerKind::Conv(b) = &mut l.kind else {
            continue;
        };
        let wshape = vec![b.conv.c_out, b.conv.c_in, b.conv.k, b.conv.k];
        let n = b.conv.c_out;
        let c = b.conv.parts_mut();
        out.push((format!("layers.{i}.weight"), wshape, c.weight));
        if let Some(bias) = c.bias {
            out.push((format!("layers.{i}.bias"), vec![n], bias));
        }
        if let Some(bn) = &mut b.bn {
            out.push((format!("layers.{i}.bias"), vec![n], &mut bn.beta));
            out.push((format!("layers.{i}.scale"), vec![n], &mut bn.gamma));
            out.push((
                format!("layers.{i}.running_mean"),
                vec![n],
                &mut bn.running_mean,
            ));
            out.push((
                format!("layers.{i}.running_var"),
                vec![n],
                &mut bn.running_var,
            ));
        }
    }
    out
}

fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Serialises named `f32` arrays (`(name, shape, values)`) to safetensors bytes.
pub fn serialize_f32(
    arrays: &[(String, Vec<usize>, &[f32])],
    metadata: Option<HashMap<String, String>>,
) -> Result<Vec<u8>> {
    let bytes: Vec<Vec<u8>> = arrays.iter().map(|(_, _, v)| to_bytes(v)).collect();
    let views = arrays
        .iter()
        .zip(&bytes)
        .map(|((name, shape, _), b)| {
            Ok((name.clone(), TensorView::new(Dtype::F32, shape.clone(), b)?))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(safetensors::serialize(views, metadata)?)
}

/// Writes all parameters and running statistics of `net` as safetensors bytes.
pub fn save_checkpoint(net: &mut Network) -> Result<Vec<u8>> {
    let seen = net.seen;
    let state = state_mut(net);
    let arrays: Vec<(String, Vec<usize>, &[f32])> = state
        .iter()
        .map(|(n, s, v)| (n.clone(), s.clone(), &v[..]))
        .collect();
    let meta = HashMap::from([
        ("format".to_string(), "zukan-nn".to_string()),
        ("seen".to_string(), seen.to_string()),
    ]);
    serialize_f32(&arrays, Some(meta))
}

/// Reads the `f32` tensor `name` from safetensors bytes as a flat vector with its shape.
pub fn read_f32(st: &SafeTensors<'_>, name: &str) -> Result<(Vec<usize>, Vec<f32>)> {
    let view = st
        .tensor(name)
        .map_err(|_| Error::Safetensors(format!("no tensor named `{name}`")))?;
    if view.dtype() != Dtype::F32 {
        return Err(Error::Safetensors(format!(
            "tensor `{name}` is {:?}, expected F32",
            view.dtype()
        )));
    }
    let data = view
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok((view.shape().to_vec(), data))
}

/// Reads a 4-D `f32` tensor (NCHW) named `name` from safetensors bytes.
pub fn read_tensor(bytes: &[u8], name: &str) -> Result<Tensor> {
    let st = SafeTensors::deserialize(bytes)?;
    let (shape, data) = read_f32(&st, name)?;
    let shape: [usize; 4] = shape.try_into().map_err(|s: Vec<usize>| {
        Error::Safetensors(format!(
            "tensor `{name}` has shape {s:?}, expected NCHW (4-D)"
        ))
    })?;
    Tensor::from_vec(shape, data)
}

/// Writes tensors under the given names as safetensors bytes.
pub fn write_tensors(tensors: &[(&str, &Tensor)]) -> Result<Vec<u8>> {
    let arrays: Vec<(String, Vec<usize>, &[f32])> = tensors
        .iter()
        .map(|(n, t)| (n.to_string(), t.shape().to_vec(), t.as_slice()))
        .collect();
    serialize_f32(&arrays, None)
}

/// Loads a checkpoint written by [`save_checkpoint`] into a network of the same layout.
/// Every expected tensor must be present with its shape; unexpected tensors are an error.
/// Everything is checked before anything is written, so on error `net` is unchanged.
pub fn load_checkpoint(net: &mut Network, bytes: &[u8]) -> Result<()> {
    let st = SafeTensors::deserialize(bytes)?;
    let seen = SafeTensors::read_metadata(bytes)?
        .1
        .metadata()
        .as_ref()
        .and_then(|m| m.get("seen").and_then(|s| s.parse().ok()));
    let mut expected = Vec::new();
    let mut loaded = Vec::new();
    for (name, shape, _) in state_mut(net) {
        let (got_shape, data) = read_f32(&st, &name)?;
        if got_shape != shape {
            return Err(Error::Safetensors(format!(
                "tensor `{name}` has shape {got_shape:?}, the network needs {shape:?}"
            )));
        }
        loaded.push(data);
        expected.push(name);
    }
    if let Some(extra) = st
        .names()
        .into_iter()
        .find(|n| !expected.iter().any(|e| e == n))
    {
        return Err(Error::Safetensors(format!(
            "unexpected tensor `{extra}` for this network"
        )));
    }
    for ((_, _, dst), data) in state_mut(net).into_iter().zip(loaded) {
        // The shapes, hence the lengths, were checked above.
        dst.copy_from_slice(&data);
    }
    if let Some(seen) = seen {
        net.seen = seen;
    }
    Ok(())
}
