//! A safe reader for MATLAB MAT v5 files (what MATLAB's `save` writes by default up to
//! `-v7`, and what `scipy.io.savemat` writes).
//!
//! ```
//! # fn main() -> Result<(), zukan_mat::MatError> {
//! // tests/data/example.mat: a 1x1 struct `db` written by scipy (see tests/data/README.md).
//! let file = zukan_mat::read(include_bytes!("../tests/data/example.mat"))?;
//! let db = file.get("db")?;
//! let names = db.field("name")?.as_cell()?;
//! assert_eq!(names.dims().as_ref(), &[1, 3]);
//! assert_eq!(names[2].as_str()?, "Jauhojärvi");
//! let boxes = db.field("box")?.as_numeric()?; // 3x4 double, column-major
//! assert_eq!(boxes.get_f64(&[1, 0])?, 21.0); // row 2, column 1
//! assert_eq!(boxes.column_major::<f64>()?[1], 21.0);
//! // Asking for the wrong thing is an error, never a panic:
//! assert!(db.field("name")?.as_str().is_err());
//! # Ok(())
//! # }
//! ```
//!
//! # Why not an existing crate
//! Measured in `shared/research/crates.md`: `matfile` returns `Ok` with no arrays for cells,
//! structs and char (everything IMDB-WIKI and WIDER Face store); `matrw` panics on char data
//! stored as miUINT16 (how MATLAB often stores text), has other `unwrap`s on input and
//! rejects scipy's header (no comma after `MAT-file`); `matreader` fails on files with more
//! than one compressed variable and decodes UTF-8 as Latin-1. The format is small enough
//! that a careful reader costs less than working around those.
//!
//! # Design
//! - **Whole-buffer parsing.** [`read`] takes the file's bytes; each miCOMPRESSED variable
//!   is inflated once into an exactly-sized buffer (its first tag gives the size) and
//!   parsed in place. The variables of a file are read in parallel (rayon): each compressed
//!   one is an independent zlib stream. Numeric data becomes one `Vec` per array in the array's class, even
//!   when the file stored it in a smaller type (MATLAB stores integer-valued doubles as
//!   uint8/uint16); char data is decoded straight into a `String`.
//!   [`variable_names`] lists the variables without reading them (a compressed variable is
//!   inflated only as far as its name).
//! - **Column-major, explicitly.** Values are kept in MATLAB's order: element `(i, j)` of an
//!   `m x n` array is at `i + m * j`. Accessors say so in their names
//!   ([`Array::column_major`], [`NumericArray::column_major`]) and `get(&[i, j])` does the
//!   index arithmetic with zero-based indices.
//! - **Hostile input.** No input makes this crate panic or allocate more than the input can
//!   justify: every declared length is checked against the bytes left before it is used;
//!   cell and struct counts are bounded by the bytes left (each element needs an 8-byte
//!   tag); numeric data must have exactly the declared element count (so at most 8 bytes
//!   are allocated per input byte); dimension products are overflow-checked; all
//!   miCOMPRESSED elements together inflate to at most [`ReadOptions::max_inflate_ratio`]
//!   times the file's size plus [`ReadOptions::inflate_slack`] (one budget for the file, so
//!   many small elements cannot each claim the slack); struct field names, which cost about
//!   56 bytes each however small their slot in the file, are counted before any is
//!   allocated: a struct with elements needs a value (an 8-byte tag) per element and field,
//!   and what names cost beyond their slot's bytes is paid from the same budget
//!   ([`MatError::FieldNamesLimit`]); nesting stops at [`ReadOptions::max_depth`]. Every
//!   failure is a [`MatError`] with a [`Location`]: the file offset, or for data inside a
//!   compressed element, the offset in the decompressed stream and the element's offset.
//! - **Unsupported, loudly.** MATLAB v7.3 files (HDF5) get [`MatError::V73Hdf5`], MAT v4
//!   files (whatever their length) [`MatError::V4`]. Sparse
//!   arrays, objects, function handles and opaque classes get [`MatError::Unsupported`];
//!   with [`ReadOptions::skip_unsupported`] a top-level variable holding one is skipped
//!   instead and listed in [`MatFile::skipped`].
//!
//! # How it is checked
//! - `tests/real_files.rs`: the real WIDER Face, Flowers-102 and IMDB-WIKI-sample files, every
//!   asserted number derived with scipy (the command is beside each assertion); every box
//!   and label of `wider_face_val.mat` against the text ground truth.
//! - `tests/handmade.rs`, `tests/headers_and_errors.rs`: byte-built files for each feature
//!   and quirk, in both byte orders, plain and compressed.
//! - `tests/hostile.rs`: every prefix of a file, lying sizes, zlib bombs, under a counting
//!   allocator.
//! - `cargo run --release -p zukan-mat --example fuzz -- SECONDS`: a mutation fuzzer over
//!   the real files in both byte orders (including mutations inside compressed elements),
//!   flagging panics and allocations out of proportion to the input.
//! - `cargo bench -p zukan-mat --bench mat`: against `scipy.io.loadmat`, with peak memory.

#![deny(missing_docs)]

mod array;
mod budget;
mod decode;
mod dims;
mod element;
mod error;
mod header;
mod inflate;
mod numeric;
mod value;

pub use dims::Dims;
pub use error::{Corruption, Location, MatError};
pub use header::Endian;
pub use numeric::{Numeric, NumericArray, NumericClass, NumericData};
pub use value::{Array, CellArray, CharArray, LogicalArray, StructArray, Value};

use budget::Budget;
use element::{Cursor, Element, data_type};
use rayon::prelude::*;

/// Limits and choices for [`read_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// All miCOMPRESSED elements of a file together may inflate to at most this many times
    /// the file's size (plus [`ReadOptions::inflate_slack`]); the same budget pays for what
    /// struct field names cost beyond the bytes of their slots. Default 64; real files
    /// inflate 4x to 17x (WIDER Face, Flowers, IMDB-WIKI-like). zlib cannot exceed about
    /// 1032:1, so 1100 effectively lifts the bound (for files of mostly zeros).
    pub max_inflate_ratio: usize,
    /// Bytes allowed on top of the ratio, so tiny files are never refused. Default 1 MiB.
    pub inflate_slack: usize,
    /// Deepest nesting of cells and structs. Default 64.
    pub max_depth: usize,
    /// Skip top-level variables of unsupported classes (listed in [`MatFile::skipped`])
    /// instead of failing. Default false.
    pub skip_unsupported: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_inflate_ratio: 64,
            inflate_slack: 1 << 20,
            max_depth: 64,
            skip_unsupported: false,
        }
    }
}

/// A variable left out by [`ReadOptions::skip_unsupported`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where the variable starts.
    pub at: Location,
    /// What it holds that is not supported.
    pub what: &'static str,
}

/// The contents of a MAT file.
#[derive(Debug, Clone, PartialEq)]
pub struct MatFile {
    /// The header's descriptive text (e.g. `MATLAB 5.0 MAT-file, Platform: GLNXA64, ...`),
    /// trailing spaces removed.
    pub header_text: String,
    /// Byte order of the file.
    pub endian: Endian,
    /// The variables in file order.
    pub variables: Vec<(String, Value)>,
    /// Variables skipped because of [`ReadOptions::skip_unsupported`].
    pub skipped: Vec<Skipped>,
}

impl MatFile {
    /// The variable called `name` (the first, if a file repeats a name).
    pub fn get(&self, name: &str) -> Result<&Value, MatError> {
        self.variables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| MatError::NoVariable {
                name: name.to_string(),
            })
    }

    /// The variable names in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.variables.iter().map(|(n, _)| n.as_str())
    }
}

/// The names of the variables in file order, without reading their values: a compressed
/// variable is inflated only as far as its name (its first few hundred bytes).
pub fn variable_names(bytes: &[u8]) -> Result<Vec<String>, MatError> {
    // The flags, dimensions and name sub-elements fit in this many bytes unless an array
    // has hundreds of dimensions or a name of kilobytes; those get a truncation error.
    const HEAD: usize = 4096;
    let endian = header::parse_header(bytes)?.endian;
    let mut cursor = Cursor::new(bytes, header::HEADER_LEN, endian, None);
    let mut names = Vec::new();
    while cursor.remaining() > 0 {
        let element = cursor.next_element("variable")?;
        let name = if element.data_type == data_type::COMPRESSED {
            let head = inflate::inflate_prefix(element.data, element.at, HEAD)?;
            let inner = Cursor::new(&head, 0, endian, Some(element.at));
            let inner_type = head.first_chunk::<4>().map(|&t| inner.u32_at(t));
            if inner_type != Some(data_type::MATRIX) {
                return Err(MatError::Corrupt {
                    at: inner.location(0),
                    what: Corruption::ExpectedMatrix(inner_type.unwrap_or(0)),
                });
            }
            array::read_name(Cursor::new(&head, 8, endian, Some(element.at)))?
        } else if element.data_type == data_type::MATRIX {
            array::read_name(cursor.enter(&element))?
        } else {
            return Err(MatError::Corrupt {
                at: Location::File(element.at),
                what: Corruption::ExpectedMatrix(element.data_type),
            });
        };
        names.push(name);
    }
    Ok(names)
}

/// Reads a MAT v5 file from its bytes with the default [`ReadOptions`].
pub fn read(bytes: &[u8]) -> Result<MatFile, MatError> {
    read_with(bytes, &ReadOptions::default())
}

/// Reads a MAT v5 file from its bytes.
pub fn read_with(bytes: &[u8], options: &ReadOptions) -> Result<MatFile, MatError> {
    let header = header::parse_header(bytes)?;
    let endian = header.endian;
    let mut cursor = Cursor::new(bytes, header::HEADER_LEN, endian, None);
    let budget = Budget::for_file(bytes.len(), options);
    let mut elements = Vec::new();
    while cursor.remaining() > 0 {
        elements.push(cursor.next_element("variable")?);
    }
    let parse = |element: &Element<'_>| {
        if element.data_type == data_type::COMPRESSED {
            let inflated = inflate::inflate(element.data, element.at, endian, &budget)?;
            let mut inner = Cursor::new(&inflated, 0, endian, Some(element.at));
            let matrix = inner.next_element("compressed variable")?;
            array::parse_matrix(&inner, &matrix, 0, options, &budget)
        } else {
            array::parse_matrix(&cursor, element, 0, options, &budget)
        }
    };
    // Variables are independent (each compressed one its own zlib stream): read them on
    // every core. The budget is shared, so the memory bound holds for all of them together;
    // results and the first error are taken in file order.
    let results: Vec<Result<(String, Value), MatError>> = if elements.len() > 1 {
        elements.par_iter().map(parse).collect()
    } else {
        elements.iter().map(parse).collect()
    };
    let mut variables = Vec::with_capacity(results.len());
    let mut skipped = Vec::new();
    for parsed in results {
        match parsed {
            Ok(variable) => variables.push(variable),
            Err(MatError::Unsupported { at, what }) if options.skip_unsupported => {
                skipped.push(Skipped { at, what });
            }
            Err(e) => return Err(e),
        }
    }
    Ok(MatFile {
        header_text: header.text,
        endian,
        variables,
        skipped,
    })
}
