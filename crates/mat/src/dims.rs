//! Dimensions and column-major indexing.
//!
//! MATLAB stores every array in column-major order: the first index varies fastest, so
//! element `(i, j)` of an `m`-by-`n` matrix sits at position `i + m * j`. All `get`
//! methods of this crate take zero-based indices in that convention.

use std::fmt;
use std::ops::Deref;

/// The dimensions of an array (always at least two, as in MATLAB). Two-dimensional arrays,
/// by far the most common, are stored inline without a heap allocation.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Dims(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Two([usize; 2]),
    Many(Box<[usize]>),
}

impl Dims {
    /// Dimensions from a slice; fewer than two are padded with ones (`[n]` becomes `[n, 1]`).
    pub fn new(dims: &[usize]) -> Dims {
        match *dims {
            [] => Dims(Repr::Two([1, 1])),
            [n] => Dims(Repr::Two([n, 1])),
            [m, n] => Dims(Repr::Two([m, n])),
            _ => Dims(Repr::Many(dims.into())),
        }
    }

    /// Number of elements (the product of the dimensions), or `None` on overflow.
    pub fn checked_count(&self) -> Option<usize> {
        self.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
    }

    /// Number of elements. Arrays read by this crate never overflow (checked while reading);
    /// for hand-made dims that do, this saturates at `usize::MAX`.
    pub fn count(&self) -> usize {
        self.checked_count().unwrap_or(usize::MAX)
    }

    /// The column-major position of a zero-based index, or `None` if it is outside.
    ///
    /// As in MATLAB, fewer indices than dimensions fold the trailing dimensions into the
    /// last index: one index is a linear index, `[i, j]` on an `m x n x p` array treats it as
    /// `m x (n*p)`. Extra indices beyond the rank must be zero.
    pub fn linear_index(&self, index: &[usize]) -> Option<usize> {
        let dims: &[usize] = self;
        let (&last, leading) = index.split_last()?;
        let mut position = 0usize;
        let mut stride = 1usize;
        for (k, &i) in leading.iter().enumerate() {
            let d = dims.get(k).copied().unwrap_or(1);
            if i >= d {
                return None;
            }
            position = position.checked_add(i.checked_mul(stride)?)?;
            stride = stride.checked_mul(d)?;
        }
        // The last index ranges over the product of the remaining dimensions.
        let rest = dims
            .get(leading.len()..)
            .unwrap_or(&[])
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))?;
        if last >= rest {
            return None;
        }
        position.checked_add(last.checked_mul(stride)?)
    }
}

impl Deref for Dims {
    type Target = [usize];
    fn deref(&self) -> &[usize] {
        match &self.0 {
            Repr::Two(d) => d,
            Repr::Many(d) => d,
        }
    }
}

impl fmt::Debug for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for Dims {
    /// MATLAB style: `61x1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, d) in self.iter().enumerate() {
            if k > 0 {
                f.write_str("x")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Dims;

    #[test]
    fn column_major_positions() {
        let d = Dims::new(&[2, 3, 4]);
        assert_eq!(d.linear_index(&[1, 2, 3]), Some(1 + 2 * 2 + 3 * 6));
        assert_eq!(d.linear_index(&[0, 0, 0]), Some(0));
        assert_eq!(d.linear_index(&[2, 0, 0]), None);
        assert_eq!(d.linear_index(&[23]), Some(23));
        assert_eq!(d.linear_index(&[24]), None);
        // [i, j] folds the third dimension into the second: 2 x 12.
        assert_eq!(d.linear_index(&[1, 11]), Some(23));
        assert_eq!(d.linear_index(&[1, 2, 3, 0]), Some(23));
        assert_eq!(d.linear_index(&[1, 2, 3, 1]), None);
        assert_eq!(d.linear_index(&[]), None);
    }
}
