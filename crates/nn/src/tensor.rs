//! `Tensor`: a contiguous NCHW block of `f32`.

use crate::error::{Error, Result};

/// A 4-D tensor `[n, c, h, w]` of `f32`, row-major and contiguous (`w` varies fastest).
///
/// The buffer is reused when a layer writes into a tensor of a new shape (see
/// [`Tensor::reshape_for_write`]), so steady-state passes allocate nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tensor {
    shape: [usize; 4],
    data: Vec<f32>,
}

impl Tensor {
    /// A tensor of zeros. Panics if the number of values overflows a `usize` (no such
    /// buffer could be allocated anyway).
    pub fn zeros(shape: [usize; 4]) -> Self {
        Tensor {
            shape,
            data: vec![0.0; shape.iter().product()],
        }
    }

    /// Wraps `data`; errors if its length is not the product of `shape` (or that product
    /// overflows).
    pub fn from_vec(shape: [usize; 4], data: Vec<f32>) -> Result<Self> {
        let want = if shape.contains(&0) {
            0
        } else {
            shape
                .iter()
                .try_fold(1usize, |n, &d| n.checked_mul(d))
                .ok_or_else(|| {
                    Error::Shape(format!("shape {shape:?}: the number of values overflows"))
                })?
        };
        if data.len() != want {
            return Err(Error::Shape(format!(
                "shape {shape:?} needs {want} values, got {}",
                data.len()
            )));
        }
        Ok(Tensor { shape, data })
    }

    /// `[n, c, h, w]`.
    pub fn shape(&self) -> [usize; 4] {
        self.shape
    }
    /// Batch size.
    pub fn n(&self) -> usize {
        self.shape[0]
    }
    /// Channels.
    pub fn c(&self) -> usize {
        self.shape[1]
    }
    /// Height.
    pub fn h(&self) -> usize {
        self.shape[2]
    }
    /// Width.
    pub fn w(&self) -> usize {
        self.shape[3]
    }
    /// Number of values.
    pub fn len(&self) -> usize {
        self.data.len()
    }
    /// True if the tensor holds no values.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    /// Errors if the tensor holds no values (no images, channels, rows or columns), naming
    /// it `what`: "the input tensor is empty (shape [0, 3, 64, 64])".
    pub fn require_values(&self, what: &str) -> Result<()> {
        if self.is_empty() {
            return Err(Error::Shape(format!(
                "the {what} tensor is empty (shape {:?})",
                self.shape
            )));
        }
        Ok(())
    }
    /// Values of one image: `c * h * w` floats.
    pub fn image(&self, b: usize) -> &[f32] {
        let s = self.shape[1] * self.shape[2] * self.shape[3];
        &self.data[b * s..(b + 1) * s]
    }
    /// Mutable values of one image.
    pub fn image_mut(&mut self, b: usize) -> &mut [f32] {
        let s = self.shape[1] * self.shape[2] * self.shape[3];
        &mut self.data[b * s..(b + 1) * s]
    }
    /// All values, NCHW order.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }
    /// All values, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data
    }
    /// Consumes the tensor and returns its values.
    pub fn into_vec(self) -> Vec<f32> {
        self.data
    }

    /// Gives the tensor a new shape, keeping the allocation; the contents are unspecified
    /// (the caller overwrites them). Used by layers writing their outputs.
    pub fn reshape_for_write(&mut self, shape: [usize; 4]) {
        self.shape = shape;
        self.data.resize(shape.iter().product(), 0.0);
    }

    /// Like [`Tensor::reshape_for_write`] but sets every value to zero (for accumulation).
    pub fn reshape_zeroed(&mut self, shape: [usize; 4]) {
        self.shape = shape;
        self.data.clear();
        self.data.resize(shape.iter().product(), 0.0);
    }

    /// `max |self − other|`, or an error if the shapes differ. Handy in tests.
    pub fn max_abs_diff(&self, other: &Tensor) -> Result<f32> {
        if self.shape != other.shape {
            return Err(Error::Shape(format!(
                "{:?} vs {:?}",
                self.shape, other.shape
            )));
        }
        Ok(self
            .data
            .iter()
            .zip(&other.data)
            .fold(0.0, |m, (a, b)| m.max((a - b).abs())))
    }
}
