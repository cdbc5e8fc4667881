//! Errors: what went wrong, and where in the bytes it went wrong.
//!
//! Reading errors carry a [`Location`]: a byte offset in the file or, inside a
//! miCOMPRESSED element, the offset in the decompressed stream together with the file
//! offset of the compressed element. Access errors (wrong type, missing field, index out
//! of range) share the same enum so that `file.get("wiki")?.field("dob")?` chains with `?`.

use std::fmt;

/// Where in the input a problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A byte offset from the start of the file.
    File(usize),
    /// A byte offset inside the decompressed stream of the miCOMPRESSED element whose tag
    /// starts at `element` in the file.
    Compressed {
        /// File offset of the miCOMPRESSED element's tag.
        element: usize,
        /// Offset within the decompressed stream.
        offset: usize,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(at) => write!(f, "byte {at}"),
            Location::Compressed { element, offset } => write!(
                f,
                "byte {offset} of the stream decompressed from the element at byte {element}"
            ),
        }
    }
}

/// The ways a MAT v5 byte stream can be malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Corruption {
    /// A data type number the format does not define (or not allowed at that place).
    UnknownDataType(u32),
    /// A small-element tag declared more than 4 bytes of data.
    SmallElementTooLong(u32),
    /// A variable (or a cell/struct element) that is not a miMATRIX element.
    ExpectedMatrix(u32),
    /// A sub-element of a miMATRIX had an unexpected data type.
    WrongSubelementType {
        /// Which sub-element was being read.
        what: &'static str,
        /// The data type found.
        found: u32,
    },
    /// A sub-element had a size that its type cannot have.
    BadSubelementSize {
        /// Which sub-element was being read.
        what: &'static str,
        /// The size found, in bytes.
        size: usize,
    },
    /// An array class number the format does not define.
    UnknownClass(u8),
    /// A dimension was negative.
    NegativeDimension(i32),
    /// An array had fewer than two dimensions.
    TooFewDimensions(usize),
    /// The product of the dimensions does not fit in `usize`.
    DimensionsOverflow,
    /// The data does not hold as many elements as the dimensions say.
    ElementCountMismatch {
        /// Elements the dimensions call for.
        expected: usize,
        /// Elements the data holds.
        found: usize,
    },
    /// The element count is larger than the remaining bytes could possibly hold.
    TooManyElements {
        /// Elements the dimensions call for.
        count: usize,
        /// Bytes left to hold them.
        bytes_left: usize,
    },
    /// Text (a name or miUTF8 char data) that is not valid UTF-8.
    InvalidUtf8,
    /// A UTF-32 code point that is not a Unicode scalar value.
    InvalidUtf32(u32),
    /// A struct's field-name length is zero while there are names, or names do not divide evenly.
    BadFieldNames,
    /// The zlib stream of a miCOMPRESSED element is corrupt.
    Zlib(String),
    /// The zlib stream ended before the element it holds was complete.
    CompressedStreamEmpty,
}

impl fmt::Display for Corruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Corruption::UnknownDataType(t) => write!(f, "unknown data type {t}"),
            Corruption::SmallElementTooLong(n) => {
                write!(f, "small data element declares {n} bytes (at most 4 fit)")
            }
            Corruption::ExpectedMatrix(t) => {
                write!(f, "expected a miMATRIX element (14), found data type {t}")
            }
            Corruption::WrongSubelementType { what, found } => {
                write!(f, "{what}: unexpected data type {found}")
            }
            Corruption::BadSubelementSize { what, size } => {
                write!(f, "{what}: impossible size {size} bytes")
            }
            Corruption::UnknownClass(c) => write!(f, "unknown array class {c}"),
            Corruption::NegativeDimension(d) => write!(f, "negative dimension {d}"),
            Corruption::TooFewDimensions(n) => write!(f, "{n} dimensions (at least 2 required)"),
            Corruption::DimensionsOverflow => write!(f, "product of dimensions overflows"),
            Corruption::ElementCountMismatch { expected, found } => write!(
                f,
                "dimensions call for {expected} elements but the data holds {found}"
            ),
            Corruption::TooManyElements { count, bytes_left } => write!(
                f,
                "{count} elements cannot fit in the {bytes_left} bytes left"
            ),
            Corruption::InvalidUtf8 => write!(f, "text is not valid UTF-8"),
            Corruption::InvalidUtf32(c) => write!(f, "invalid UTF-32 code point {c:#x}"),
            Corruption::BadFieldNames => write!(f, "struct field names are malformed"),
            Corruption::Zlib(m) => write!(f, "corrupt zlib stream: {m}"),
            Corruption::CompressedStreamEmpty => {
                write!(f, "compressed stream ended before its element was complete")
            }
        }
    }
}

/// Everything that can fail: reading a file, or asking a value for something it is not.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatError {
    /// The input is shorter than the 128-byte header.
    #[error("not a MAT file: {len} bytes, shorter than the 128-byte header")]
    TooShort {
        /// Length of the input.
        len: usize,
    },
    /// The input is a web page or XML document, not a MAT file: it starts (after optional
    /// whitespace and a UTF-8 byte order mark) with `<!DOCTYPE`, `<html` or `<?xml`, as a
    /// login or error page saved under a `.mat` name does. Only said of input that is no
    /// MAT v5 file anyway (a real header's free text may start with anything).
    #[error(
        "not a MAT file but {kind} (`{start}` at {at}): a login or error page saved under \
         this file's name?"
    )]
    MarkupPage {
        /// Where the markup starts.
        at: Location,
        /// `an HTML page` or `an XML document`.
        kind: &'static str,
        /// The opening it was recognised by: `<!DOCTYPE`, `<html` or `<?xml`.
        start: &'static str,
    },
    /// The header's version or endian indicator is not MAT v5's.
    #[error("not a MAT v5 file: {reason}")]
    NotMatV5 {
        /// What was wrong with the header.
        reason: String,
    },
    /// A MATLAB v7.3 file, which is an HDF5 container, not MAT v5.
    #[error(
        "MATLAB v7.3 MAT-file (HDF5 format) is not supported; re-save it in MATLAB with `save(..., '-v7')`"
    )]
    V73Hdf5,
    /// A MAT v4 file (MATLAB before version 5, or `scipy.io.savemat(..., format='4')`): no
    /// text header, each matrix starts with five integers.
    #[error(
        "MAT v4 files are not supported; re-save it as MAT v5 (MATLAB `save(..., '-v7')`, \
         scipy `savemat(..., format='5')`)"
    )]
    V4,
    /// The input ended before a declared element did.
    #[error("truncated at {at}: {what} needs {needed} bytes, {available} left")]
    Truncated {
        /// Where the incomplete item starts.
        at: Location,
        /// What was being read.
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// The bytes break the format.
    #[error("corrupt at {at}: {what}")]
    Corrupt {
        /// Where.
        at: Location,
        /// What.
        what: Corruption,
    },
    /// A feature of MAT v5 this reader deliberately does not read.
    #[error("unsupported at {at}: {what}")]
    Unsupported {
        /// Where the array starts.
        at: Location,
        /// Which feature (sparse arrays, objects, ...).
        what: &'static str,
    },
    /// A miCOMPRESSED element inflates past what is left of the file's budget (a zlib bomb,
    /// or legitimately sparse data: raise [`crate::ReadOptions::max_inflate_ratio`]).
    #[error(
        "the compressed element at byte {element} inflates past the {limit} bytes left of the \
         file's inflation budget (ReadOptions::max_inflate_ratio)"
    )]
    DecompressionLimit {
        /// File offset of the compressed element.
        element: usize,
        /// The bytes that were left of the budget.
        limit: usize,
    },
    /// A struct's field names would cost more memory than is left of the file's budget
    /// (see [`crate::ReadOptions::max_inflate_ratio`]): a name costs about 56 bytes however
    /// few bytes its slot in the file has.
    #[error(
        "{count} struct field names at {at} cost more than the {limit} bytes left of the \
         file's budget (ReadOptions::max_inflate_ratio)"
    )]
    FieldNamesLimit {
        /// Where the field names are.
        at: Location,
        /// How many names the struct declares.
        count: usize,
        /// The bytes that were left of the budget.
        limit: usize,
    },
    /// Cells or structs nested deeper than the configured limit.
    #[error("nesting deeper than {limit} levels at {at}")]
    TooDeep {
        /// Where the too-deep array starts.
        at: Location,
        /// The limit.
        limit: usize,
    },
    /// [`crate::MatFile::get`] found no variable with that name.
    #[error("no variable named `{name}`")]
    NoVariable {
        /// The name asked for.
        name: String,
    },
    /// A struct has no field with that name.
    #[error("no field named `{name}` (fields: {available})")]
    NoField {
        /// The name asked for.
        name: String,
        /// The field names there are, comma-separated.
        available: String,
    },
    /// A value is not of the kind asked for.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the caller asked for.
        expected: &'static str,
        /// What the value is.
        found: String,
    },
    /// A value has the right kind but the wrong shape (e.g. a struct array where a 1x1
    /// struct was expected, or a char matrix where a row was expected).
    #[error("expected {expected}, found dimensions {dims:?}")]
    WrongShape {
        /// What the caller asked for.
        expected: &'static str,
        /// The value's dimensions.
        dims: Vec<usize>,
    },
    /// An index outside the array.
    #[error("index {index:?} is outside dimensions {dims:?}")]
    OutOfBounds {
        /// The index asked for.
        index: Vec<usize>,
        /// The array's dimensions.
        dims: Vec<usize>,
    },
}

impl MatError {
    /// The location in the input, for errors found while reading.
    pub fn location(&self) -> Option<Location> {
        match self {
            MatError::Truncated { at, .. }
            | MatError::Corrupt { at, .. }
            | MatError::Unsupported { at, .. }
            | MatError::TooDeep { at, .. }
            | MatError::FieldNamesLimit { at, .. }
            | MatError::MarkupPage { at, .. } => Some(*at),
            MatError::DecompressionLimit { element, .. } => Some(Location::File(*element)),
            _ => None,
        }
    }
}
