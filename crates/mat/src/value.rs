//! The values a MAT file holds, and typed, panic-free access to them.
//!
//! Every accessor that can fail returns [`MatError`] (wrong type, wrong shape, missing
//! field, index outside), so access chains read like
//! `file.get("wiki")?.field("full_path")?.as_cell()?[k].as_str()?`.

use std::ops::Index;

use crate::dims::Dims;
use crate::error::MatError;
use crate::numeric::{NumericArray, NumericData};

/// One MATLAB value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A numeric array of any class (double, single, int8 ... uint64), real or complex.
    Numeric(NumericArray),
    /// A logical array.
    Logical(LogicalArray),
    /// A char array (text).
    Char(CharArray),
    /// A cell array: each element is itself a value.
    Cell(CellArray),
    /// A struct or struct array.
    Struct(StructArray),
}

/// An array of elements of one type with MATLAB dimensions, stored column-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Array<T> {
    pub(crate) dims: Dims,
    pub(crate) data: Vec<T>,
}

/// A cell array.
pub type CellArray = Array<Value>;
/// A logical array.
pub type LogicalArray = Array<bool>;

impl<T> Array<T> {
    /// The dimensions.
    pub fn dims(&self) -> &Dims {
        &self.dims
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The elements in column-major order: element `(i, j)` of an `m x n` array is at
    /// `i + m * j`. For the common `N x 1` and `1 x N` arrays that is simply the order of
    /// the N elements.
    pub fn column_major(&self) -> &[T] {
        &self.data
    }

    /// The elements in column-major order, by value.
    pub fn into_column_major(self) -> Vec<T> {
        self.data
    }

    /// Iterates over the elements in column-major order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.data.iter()
    }

    /// The element at a zero-based, column-major index (see [`Dims::linear_index`]).
    pub fn get(&self, index: &[usize]) -> Option<&T> {
        self.dims.linear_index(index).and_then(|p| self.data.get(p))
    }

    /// Like [`Array::get`], with an [`MatError::OutOfBounds`] error instead of `None`.
    pub fn at(&self, index: &[usize]) -> Result<&T, MatError> {
        self.get(index).ok_or_else(|| MatError::OutOfBounds {
            index: index.to_vec(),
            dims: self.dims.to_vec(),
        })
    }
}

/// Linear (column-major) indexing, like a slice: panics if `k` is out of range, which is a
/// caller's bug, never something the input can cause. Use [`Array::at`] for a `Result`.
impl<T> Index<usize> for Array<T> {
    type Output = T;
    fn index(&self, k: usize) -> &T {
        &self.data[k]
    }
}

impl<'a, T> IntoIterator for &'a Array<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.data.iter()
    }
}

impl Array<Value> {
    /// The text of every element of a cell of char rows (a "cellstr"), column-major.
    pub fn strs(&self) -> Result<Vec<&str>, MatError> {
        self.data.iter().map(Value::as_str).collect()
    }
}

/// A char array. The text is kept as one `String` in column-major order; for the usual
/// `1 x N` row (and empty arrays) that is just the text, see [`CharArray::as_str`].
#[derive(Debug, Clone, PartialEq)]
pub struct CharArray {
    pub(crate) dims: Dims,
    pub(crate) text: String,
}

impl CharArray {
    /// The dimensions (in UTF-16 code units, as MATLAB counts characters).
    pub fn dims(&self) -> &Dims {
        &self.dims
    }

    /// The text of a row (`1 x N`), a column with one char, or an empty array.
    /// A char matrix with several rows is [`MatError::WrongShape`]: use [`CharArray::rows`].
    pub fn as_str(&self) -> Result<&str, MatError> {
        let is_row = self.dims.len() == 2 && self.dims[0] <= 1;
        if is_row || self.dims.count() <= 1 {
            Ok(&self.text)
        } else {
            Err(MatError::WrongShape {
                expected: "a char row (1xN)",
                dims: self.dims.to_vec(),
            })
        }
    }

    /// All characters in column-major order.
    pub fn column_major(&self) -> &str {
        &self.text
    }

    /// The rows of a 2-D char matrix (MATLAB pads shorter rows with spaces; they are kept).
    pub fn rows(&self) -> Result<Vec<String>, MatError> {
        let [m, n] = *self.dims else {
            return Err(MatError::WrongShape {
                expected: "a 2-D char array",
                dims: self.dims.to_vec(),
            });
        };
        let chars: Vec<char> = self.text.chars().collect();
        if chars.len() != m.saturating_mul(n) {
            // Non-BMP characters count twice in MATLAB's dimensions; rows cannot be split.
            return Err(MatError::WrongShape {
                expected: "a char matrix of one code unit per character",
                dims: self.dims.to_vec(),
            });
        }
        Ok((0..m)
            .map(|i| (0..n).filter_map(|j| chars.get(i + m * j)).collect())
            .collect())
    }
}

/// A struct array: `dims` elements, each with the same named fields.
#[derive(Debug, Clone, PartialEq)]
pub struct StructArray {
    pub(crate) dims: Dims,
    pub(crate) fields: Vec<String>,
    /// Element-major: field `f` of element `k` (column-major) is at `k * fields.len() + f`.
    pub(crate) values: Vec<Value>,
}

impl StructArray {
    /// The dimensions (`1x1` for a plain struct).
    pub fn dims(&self) -> &Dims {
        &self.dims
    }

    /// Number of struct elements.
    pub fn len(&self) -> usize {
        self.dims.count()
    }

    /// Whether the struct array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The field names, in file order.
    pub fn field_names(&self) -> &[String] {
        &self.fields
    }

    fn field_position(&self, name: &str) -> Result<usize, MatError> {
        self.fields
            .iter()
            .position(|f| f == name)
            .ok_or_else(|| MatError::NoField {
                name: name.to_string(),
                available: self.fields.join(", "),
            })
    }

    /// A field of a 1x1 struct. A struct array of another size is [`MatError::WrongShape`]:
    /// use [`StructArray::field_of`].
    pub fn field(&self, name: &str) -> Result<&Value, MatError> {
        if self.len() != 1 {
            return Err(MatError::WrongShape {
                expected: "a 1x1 struct",
                dims: self.dims.to_vec(),
            });
        }
        self.field_of(0, name)
    }

    /// A field of the struct element at column-major position `k`.
    pub fn field_of(&self, k: usize, name: &str) -> Result<&Value, MatError> {
        let f = self.field_position(name)?;
        k.checked_mul(self.fields.len())
            .and_then(|p| p.checked_add(f))
            .and_then(|p| self.values.get(p))
            .ok_or_else(|| MatError::OutOfBounds {
                index: vec![k],
                dims: self.dims.to_vec(),
            })
    }

    /// The named field of every element, in column-major element order.
    pub fn column(&self, name: &str) -> Result<Vec<&Value>, MatError> {
        let f = self.field_position(name)?;
        Ok(self
            .values
            .iter()
            .skip(f)
            .step_by(self.fields.len().max(1))
            .collect())
    }

    /// `(field name, value)` pairs of the element at column-major position `k`.
    pub fn element(&self, k: usize) -> Result<Vec<(&str, &Value)>, MatError> {
        let n = self.fields.len();
        let start = k.checked_mul(n).filter(|_| k < self.len());
        let values = start
            .and_then(|s| self.values.get(s..s.checked_add(n)?))
            .ok_or_else(|| MatError::OutOfBounds {
                index: vec![k],
                dims: self.dims.to_vec(),
            })?;
        Ok(self.fields.iter().map(String::as_str).zip(values).collect())
    }
}

impl Value {
    /// A short description for error messages, e.g. `61x1 cell array`.
    pub fn describe(&self) -> String {
        let kind = match self {
            Value::Numeric(a) => a.class().name(),
            Value::Logical(_) => "logical",
            Value::Char(_) => "char",
            Value::Cell(_) => "cell",
            Value::Struct(_) => "struct",
        };
        format!("{} {kind} array", self.dims())
    }

    /// The dimensions.
    pub fn dims(&self) -> &Dims {
        match self {
            Value::Numeric(a) => a.dims(),
            Value::Logical(a) => a.dims(),
            Value::Char(a) => a.dims(),
            Value::Cell(a) => a.dims(),
            Value::Struct(a) => a.dims(),
        }
    }

    fn wrong(&self, expected: &'static str) -> MatError {
        MatError::WrongType {
            expected,
            found: self.describe(),
        }
    }

    /// The numeric array, or [`MatError::WrongType`].
    pub fn as_numeric(&self) -> Result<&NumericArray, MatError> {
        match self {
            Value::Numeric(a) => Ok(a),
            other => Err(other.wrong("a numeric array")),
        }
    }

    /// The logical array, or [`MatError::WrongType`].
    pub fn as_logical(&self) -> Result<&LogicalArray, MatError> {
        match self {
            Value::Logical(a) => Ok(a),
            other => Err(other.wrong("a logical array")),
        }
    }

    /// The char array, or [`MatError::WrongType`].
    pub fn as_char(&self) -> Result<&CharArray, MatError> {
        match self {
            Value::Char(a) => Ok(a),
            other => Err(other.wrong("a char array")),
        }
    }

    /// The text of a char row (see [`CharArray::as_str`]).
    pub fn as_str(&self) -> Result<&str, MatError> {
        self.as_char()?.as_str()
    }

    /// The cell array, or [`MatError::WrongType`].
    pub fn as_cell(&self) -> Result<&CellArray, MatError> {
        match self {
            Value::Cell(a) => Ok(a),
            other => Err(other.wrong("a cell array")),
        }
    }

    /// The struct array, or [`MatError::WrongType`].
    pub fn as_struct(&self) -> Result<&StructArray, MatError> {
        match self {
            Value::Struct(a) => Ok(a),
            other => Err(other.wrong("a struct")),
        }
    }

    /// A field of a 1x1 struct (see [`StructArray::field`]).
    pub fn field(&self, name: &str) -> Result<&Value, MatError> {
        self.as_struct()?.field(name)
    }

    /// The real values of a numeric or logical array as `f64`, column-major.
    pub fn to_f64(&self) -> Result<Vec<f64>, MatError> {
        match self {
            Value::Numeric(a) => Ok(a.to_f64()),
            Value::Logical(a) => Ok(a.iter().map(|&b| f64::from(u8::from(b))).collect()),
            other => Err(other.wrong("a numeric or logical array")),
        }
    }

    /// The only value of a 1x1 numeric array, as `f64`.
    pub fn scalar_f64(&self) -> Result<f64, MatError> {
        self.as_numeric()?.scalar_f64()
    }

    /// The real part of a numeric array as stored (typed vector of its class).
    pub fn numeric_data(&self) -> Result<&NumericData, MatError> {
        Ok(self.as_numeric()?.real())
    }
}

#[cfg(test)]
mod tests {
    /// Cells of hundreds of thousands of small values (IMDB-WIKI) make `Value`'s size a
    /// large part of peak memory; keep it from growing unnoticed.
    #[test]
    fn value_stays_small() {
        assert!(std::mem::size_of::<super::Value>() <= 72);
    }
}
