//! Turning the bytes of a data sub-element into typed values: numbers stored in any
//! MAT data type converted to the array's class (MATLAB stores integer-valued doubles as
//! uint8 or uint16 to save space), and char data from miUTF8, miUTF16, miUINT16, miUINT8
//! or miUTF32 into a `String`.

use crate::element::data_type as dt;
use crate::error::Corruption;
use crate::header::Endian;
use crate::numeric::{NumericClass, NumericData};

/// Size in bytes of one value of a numeric data type, or `None` if it is not numeric.
pub(crate) fn numeric_size(data_type: u32) -> Option<usize> {
    Some(match data_type {
        dt::INT8 | dt::UINT8 => 1,
        dt::INT16 | dt::UINT16 => 2,
        dt::INT32 | dt::UINT32 | dt::SINGLE => 4,
        dt::DOUBLE | dt::INT64 | dt::UINT64 => 8,
        _ => return None,
    })
}

/// A class element type that any stored value converts into (with Rust `as` semantics:
/// exact when, as MATLAB does, the stored type is no wider than the class).
pub(crate) trait FromStored: Copy {
    fn from_i64(v: i64) -> Self;
    fn from_u64(v: u64) -> Self;
    fn from_f32(v: f32) -> Self;
    fn from_f64(v: f64) -> Self;
}

macro_rules! from_stored {
    ($($t:ty),*) => {$(
        impl FromStored for $t {
            #[inline]
            fn from_i64(v: i64) -> Self { v as $t }
            #[inline]
            fn from_u64(v: u64) -> Self { v as $t }
            #[inline]
            fn from_f32(v: f32) -> Self { v as $t }
            #[inline]
            fn from_f64(v: f64) -> Self { v as $t }
        }
    )*};
}
from_stored!(f64, f32, i8, u8, i16, u16, i32, u32, i64, u64);

/// Reads every `N`-byte value of `bytes` with `read` and converts it with `convert`.
#[inline]
fn map_chunks<const N: usize, S, T>(
    bytes: &[u8],
    read: impl Fn([u8; N]) -> S,
    convert: impl Fn(S) -> T,
) -> Vec<T> {
    let (chunks, _) = bytes.as_chunks::<N>();
    chunks.iter().map(|c| convert(read(*c))).collect()
}

/// Decodes `bytes` of `data_type` into `count` values of type `T`. The caller guarantees
/// `data_type` is numeric; the byte length is checked here.
pub(crate) fn decode_as<T: FromStored>(
    bytes: &[u8],
    data_type: u32,
    endian: Endian,
    count: usize,
) -> Result<Vec<T>, Corruption> {
    let size = numeric_size(data_type).ok_or(Corruption::UnknownDataType(data_type))?;
    if !bytes.len().is_multiple_of(size) || bytes.len() / size != count {
        return Err(Corruption::ElementCountMismatch {
            expected: count,
            found: bytes.len() / size,
        });
    }
    macro_rules! go {
        ($src:ty, $n:literal, $conv:ident, $wide:ty) => {
            match endian {
                Endian::Little => map_chunks::<$n, $src, T>(bytes, <$src>::from_le_bytes, |v| {
                    T::$conv(v as $wide)
                }),
                Endian::Big => map_chunks::<$n, $src, T>(bytes, <$src>::from_be_bytes, |v| {
                    T::$conv(v as $wide)
                }),
            }
        };
    }
    Ok(match data_type {
        dt::INT8 => go!(i8, 1, from_i64, i64),
        dt::UINT8 => go!(u8, 1, from_u64, u64),
        dt::INT16 => go!(i16, 2, from_i64, i64),
        dt::UINT16 => go!(u16, 2, from_u64, u64),
        dt::INT32 => go!(i32, 4, from_i64, i64),
        dt::UINT32 => go!(u32, 4, from_u64, u64),
        dt::INT64 => go!(i64, 8, from_i64, i64),
        dt::UINT64 => go!(u64, 8, from_u64, u64),
        dt::SINGLE => go!(f32, 4, from_f32, f32),
        _ => go!(f64, 8, from_f64, f64),
    })
}

/// Decodes numeric data into the typed vector of `class`.
pub(crate) fn decode_numeric(
    class: NumericClass,
    bytes: &[u8],
    data_type: u32,
    endian: Endian,
    count: usize,
) -> Result<NumericData, Corruption> {
    Ok(match class {
        NumericClass::Double => NumericData::Double(decode_as(bytes, data_type, endian, count)?),
        NumericClass::Single => NumericData::Single(decode_as(bytes, data_type, endian, count)?),
        NumericClass::Int8 => NumericData::Int8(decode_as(bytes, data_type, endian, count)?),
        NumericClass::UInt8 => NumericData::UInt8(decode_as(bytes, data_type, endian, count)?),
        NumericClass::Int16 => NumericData::Int16(decode_as(bytes, data_type, endian, count)?),
        NumericClass::UInt16 => NumericData::UInt16(decode_as(bytes, data_type, endian, count)?),
        NumericClass::Int32 => NumericData::Int32(decode_as(bytes, data_type, endian, count)?),
        NumericClass::UInt32 => NumericData::UInt32(decode_as(bytes, data_type, endian, count)?),
        NumericClass::Int64 => NumericData::Int64(decode_as(bytes, data_type, endian, count)?),
        NumericClass::UInt64 => NumericData::UInt64(decode_as(bytes, data_type, endian, count)?),
    })
}

/// Decodes char data, which must hold `count` characters. MATLAB's dimensions count UTF-16
/// code units (a character outside the BMP counts twice); scipy's `savemat` counts code
/// points in the miUTF8 it writes, so text decoded from miUTF8 or miUTF32 may match either
/// count (the two differ only for characters outside the BMP). Lone UTF-16 surrogates
/// (possible in MATLAB strings) become U+FFFD.
pub(crate) fn decode_text(
    bytes: &[u8],
    data_type: u32,
    endian: Endian,
    count: usize,
) -> Result<String, Corruption> {
    let check = |units: usize| {
        if units == count {
            Ok(())
        } else {
            Err(Corruption::ElementCountMismatch {
                expected: count,
                found: units,
            })
        }
    };
    match data_type {
        dt::UTF8 => match std::str::from_utf8(bytes) {
            Ok(s) => {
                check_code_points(s, count)?;
                Ok(s.to_owned())
            }
            Err(_) => Err(Corruption::InvalidUtf8),
        },
        // MATLAB writes 7-bit text as miUINT8 in some versions; bytes are Latin-1 code points.
        dt::UINT8 | dt::INT8 => {
            check(bytes.len())?;
            Ok(bytes.iter().map(|&b| char::from(b)).collect())
        }
        dt::UINT16 | dt::UTF16 | dt::INT16 => {
            if !bytes.len().is_multiple_of(2) {
                return Err(Corruption::ElementCountMismatch {
                    expected: count,
                    found: bytes.len() / 2,
                });
            }
            check(bytes.len() / 2)?;
            let (units, _) = bytes.as_chunks::<2>();
            let units = units.iter().map(|&u| match endian {
                Endian::Little => u16::from_le_bytes(u),
                Endian::Big => u16::from_be_bytes(u),
            });
            Ok(char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect())
        }
        dt::UTF32 | dt::UINT32 | dt::INT32 => {
            if !bytes.len().is_multiple_of(4) {
                return Err(Corruption::ElementCountMismatch {
                    expected: count,
                    found: bytes.len() / 4,
                });
            }
            let (points, _) = bytes.as_chunks::<4>();
            let text = points
                .iter()
                .map(|&p| {
                    let p = match endian {
                        Endian::Little => u32::from_le_bytes(p),
                        Endian::Big => u32::from_be_bytes(p),
                    };
                    char::from_u32(p).ok_or(Corruption::InvalidUtf32(p))
                })
                .collect::<Result<String, _>>()?;
            check_code_points(&text, count)?;
            Ok(text)
        }
        other => Err(Corruption::WrongSubelementType {
            what: "char data",
            found: other,
        }),
    }
}

/// Checks that decoded text has `count` characters, counted as MATLAB does (UTF-16 code
/// units) or as scipy writes them (code points).
fn check_code_points(text: &str, count: usize) -> Result<(), Corruption> {
    // ASCII, nearly all real text: bytes, code points and code units are the same count.
    if text.len() == count && text.is_ascii() {
        return Ok(());
    }
    let units = text.encode_utf16().count();
    if units == count || text.chars().count() == count {
        Ok(())
    } else {
        Err(Corruption::ElementCountMismatch {
            expected: count,
            found: units,
        })
    }
}
