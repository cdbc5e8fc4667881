//! Route: concatenates earlier layers' outputs along channels (YOLOv2's passthrough).

use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Concatenates `inputs` (all with the same `n`, `h`, `w`) along channels into `y`.
pub fn route_forward(inputs: &[&Tensor], y: &mut Tensor) -> Result<()> {
    let first = inputs
        .first()
        .ok_or_else(|| Error::Shape("route needs at least one input".into()))?;
    let (n, h, w) = (first.n(), first.h(), first.w());
    if let Some(bad) = inputs
        .iter()
        .find(|t| t.n() != n || t.h() != h || t.w() != w)
    {
        return Err(Error::Shape(format!(
            "route inputs differ: {:?} vs {:?}",
            first.shape(),
            bad.shape()
        )));
    }
    let c: usize = inputs.iter().map(|t| t.c()).sum();
    y.reshape_for_write([n, c, h, w]);
    for b in 0..n {
        let mut at = 0;
        let out = y.image_mut(b);
        for t in inputs {
            let src = t.image(b);
            out[at..at + src.len()].copy_from_slice(src);
            at += src.len();
        }
    }
    Ok(())
}

/// Adds the slice of `dy` that came from input `index` (whose channel offset is `c_offset`
/// and shape `shape`) onto `dx`.
pub fn route_backward_add(dy: &Tensor, c_offset: usize, dx: &mut Tensor) -> Result<()> {
    let plane = dx.h() * dx.w();
    if dy.n() != dx.n() || dy.h() * dy.w() != plane || c_offset + dx.c() > dy.c() {
        return Err(Error::Shape(format!(
            "route backward: {:?} into {:?}",
            dy.shape(),
            dx.shape()
        )));
    }
    for b in 0..dx.n() {
        let src = &dy.image(b)[c_offset * plane..(c_offset + dx.c()) * plane];
        for (d, s) in dx.image_mut(b).iter_mut().zip(src) {
            *d += *s;
        }
    }
    Ok(())
}
