//! The network's `[region]` head: from the last layer's output and the truths to the
//! gradient that [`Network::backward`] takes.

use crate::error::{Error, Result};
use crate::network::Network;
use crate::region::{GridShape, RegionLoss, Truth, region_backward, region_forward, region_loss};
use crate::tensor::Tensor;

/// Applies the region layer to the last training output of `net`, computes Darknet's deltas
/// for `truths` (one list per image) with `net.seen` for the prior term, and writes
/// `∂objective/∂output` (= −delta) into `grad`, shaped like the output.
pub fn region_gradient<T: AsRef<[Truth]>>(
    net: &Network,
    truths: &[T],
    grad: &mut Tensor,
) -> Result<RegionLoss> {
    let settings = net
        .region
        .as_ref()
        .ok_or_else(|| Error::Shape("the network has no [region] layer".into()))?;
    let out = net.output();
    let shape = GridShape {
        batch: out.n(),
        height: out.h(),
        width: out.w(),
    };
    let activated = region_forward(&settings.config, shape, out.as_slice())?;
    let mut delta = vec![0.0; activated.len()];
    let loss = region_loss(
        &settings.config,
        shape,
        &activated,
        truths,
        net.seen,
        &mut delta,
    )?;
    grad.reshape_zeroed(out.shape());
    region_backward(&delta, grad.as_mut_slice())?;
    Ok(loss)
}
