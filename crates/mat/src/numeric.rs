//! Numeric arrays: the MATLAB class of the array and its values, one typed `Vec` per part.

use crate::dims::Dims;
use crate::error::MatError;

/// The MATLAB class of a numeric array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumericClass {
    /// `double` (64-bit float).
    Double,
    /// `single` (32-bit float).
    Single,
    /// `int8`.
    Int8,
    /// `uint8`.
    UInt8,
    /// `int16`.
    Int16,
    /// `uint16`.
    UInt16,
    /// `int32`.
    Int32,
    /// `uint32`.
    UInt32,
    /// `int64`.
    Int64,
    /// `uint64`.
    UInt64,
}

impl NumericClass {
    /// The MATLAB name of the class (`"double"`, `"uint8"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            NumericClass::Double => "double",
            NumericClass::Single => "single",
            NumericClass::Int8 => "int8",
            NumericClass::UInt8 => "uint8",
            NumericClass::Int16 => "int16",
            NumericClass::UInt16 => "uint16",
            NumericClass::Int32 => "int32",
            NumericClass::UInt32 => "uint32",
            NumericClass::Int64 => "int64",
            NumericClass::UInt64 => "uint64",
        }
    }
}

/// The values of one part (real or imaginary) of a numeric array, column-major, in the
/// array's class (whatever smaller type the file stored them in).
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // one variant per class, named after it
pub enum NumericData {
    Double(Vec<f64>),
    Single(Vec<f32>),
    Int8(Vec<i8>),
    UInt8(Vec<u8>),
    Int16(Vec<i16>),
    UInt16(Vec<u16>),
    Int32(Vec<i32>),
    UInt32(Vec<u32>),
    Int64(Vec<i64>),
    UInt64(Vec<u64>),
}

/// Applies `$body` to the typed vector inside a [`NumericData`], whatever its type.
macro_rules! with_vec {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            NumericData::Double($v) => $body,
            NumericData::Single($v) => $body,
            NumericData::Int8($v) => $body,
            NumericData::UInt8($v) => $body,
            NumericData::Int16($v) => $body,
            NumericData::UInt16($v) => $body,
            NumericData::Int32($v) => $body,
            NumericData::UInt32($v) => $body,
            NumericData::Int64($v) => $body,
            NumericData::UInt64($v) => $body,
        }
    };
}

impl NumericData {
    /// The class these values have.
    pub fn class(&self) -> NumericClass {
        match self {
            NumericData::Double(_) => NumericClass::Double,
            NumericData::Single(_) => NumericClass::Single,
            NumericData::Int8(_) => NumericClass::Int8,
            NumericData::UInt8(_) => NumericClass::UInt8,
            NumericData::Int16(_) => NumericClass::Int16,
            NumericData::UInt16(_) => NumericClass::UInt16,
            NumericData::Int32(_) => NumericClass::Int32,
            NumericData::UInt32(_) => NumericClass::UInt32,
            NumericData::Int64(_) => NumericClass::Int64,
            NumericData::UInt64(_) => NumericClass::UInt64,
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        with_vec!(self, v => v.len())
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at a column-major position as `f64` (64-bit integers beyond 2^53 round).
    #[allow(clippy::unnecessary_cast)] // the macro's arm for `f64` casts f64 to f64
    pub fn get_f64(&self, position: usize) -> Option<f64> {
        with_vec!(self, v => v.get(position).map(|&x| x as f64))
    }

    /// All values as `f64`, column-major (64-bit integers beyond 2^53 round).
    pub fn to_f64(&self) -> Vec<f64> {
        match self {
            NumericData::Double(v) => v.clone(),
            #[allow(clippy::unnecessary_cast)] // the macro's (unused) arm for `f64`
            other => with_vec!(other, v => v.iter().map(|&x| x as f64).collect()),
        }
    }
}

/// A Rust type that is the element type of one MATLAB numeric class (`f64` for `double`,
/// `u8` for `uint8`, ...), for typed access with [`NumericArray::column_major`].
pub trait Numeric: Copy + sealed::Sealed {
    /// The class whose values have this type.
    const CLASS: NumericClass;
    /// The typed values, if `data` has this type.
    fn slice(data: &NumericData) -> Option<&[Self]>;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! numeric_type {
    ($t:ty, $variant:ident) => {
        impl sealed::Sealed for $t {}
        impl Numeric for $t {
            const CLASS: NumericClass = NumericClass::$variant;
            fn slice(data: &NumericData) -> Option<&[Self]> {
                match data {
                    NumericData::$variant(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}
numeric_type!(f64, Double);
numeric_type!(f32, Single);
numeric_type!(i8, Int8);
numeric_type!(u8, UInt8);
numeric_type!(i16, Int16);
numeric_type!(u16, UInt16);
numeric_type!(i32, Int32);
numeric_type!(u32, UInt32);
numeric_type!(i64, Int64);
numeric_type!(u64, UInt64);

/// A numeric array of any class, real or complex.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericArray {
    pub(crate) dims: Dims,
    pub(crate) real: NumericData,
    // Boxed: complex arrays are rare, and a smaller `Value` matters in cells of millions.
    pub(crate) imag: Option<Box<NumericData>>,
}

impl NumericArray {
    /// The MATLAB class.
    pub fn class(&self) -> NumericClass {
        self.real.class()
    }

    /// The dimensions.
    pub fn dims(&self) -> &Dims {
        &self.dims
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.real.len()
    }

    /// Whether the array has no elements (e.g. `0x0` or `0x1`).
    pub fn is_empty(&self) -> bool {
        self.real.is_empty()
    }

    /// Whether the array has an imaginary part.
    pub fn is_complex(&self) -> bool {
        self.imag.is_some()
    }

    /// The real part, column-major.
    pub fn real(&self) -> &NumericData {
        &self.real
    }

    /// The imaginary part, column-major, for complex arrays.
    pub fn imag(&self) -> Option<&NumericData> {
        self.imag.as_deref()
    }

    /// The real part as a typed slice in column-major order: element `(i, j)` of an
    /// `m x n` array is at `i + m * j`. Fails with [`MatError::WrongType`] if `T` is not
    /// the array's class (use [`NumericArray::to_f64`] to accept any class).
    pub fn column_major<T: Numeric>(&self) -> Result<&[T], MatError> {
        T::slice(&self.real).ok_or_else(|| MatError::WrongType {
            expected: T::CLASS.name(),
            found: format!("{} {} array", self.dims, self.class().name()),
        })
    }

    /// The real part converted to `f64`, column-major.
    pub fn to_f64(&self) -> Vec<f64> {
        self.real.to_f64()
    }

    /// The real value at a zero-based, column-major index (see [`Dims::linear_index`]).
    pub fn get_f64(&self, index: &[usize]) -> Result<f64, MatError> {
        self.dims
            .linear_index(index)
            .and_then(|p| self.real.get_f64(p))
            .ok_or_else(|| MatError::OutOfBounds {
                index: index.to_vec(),
                dims: self.dims.to_vec(),
            })
    }

    /// The only value of a 1x1 array, as `f64`.
    pub fn scalar_f64(&self) -> Result<f64, MatError> {
        match self.real.len() {
            1 => self.get_f64(&[0]),
            _ => Err(MatError::WrongShape {
                expected: "a scalar (1x1)",
                dims: self.dims.to_vec(),
            }),
        }
    }
}
