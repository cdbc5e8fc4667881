//! A minimal MAT v5 writer (little-endian, uncompressed) for building the IMDB-WIKI quirk
//! cases without scipy: numeric rows of any class, char rows (miUTF8), cells and 1x1
//! structs — the shapes the metadata struct is made of. The layout follows the MAT-file
//! format document (128-byte header; miMATRIX elements of flags, dimensions, name, data;
//! every element padded to 8 bytes). zukan-mat reads it like scipy's output; one writer
//! output was also checked with scipy.io.loadmat (see tests/quirks.rs).

#![allow(dead_code)] // each test binary uses a different part

const MI_INT8: u32 = 1;
const MI_UINT16: u32 = 4;
const MI_INT32: u32 = 5;
const MI_UINT32: u32 = 6;
const MI_DOUBLE: u32 = 9;
const MI_MATRIX: u32 = 14;
const MI_UTF8: u32 = 16;

const CLASS_CELL: u32 = 1;
const CLASS_STRUCT: u32 = 2;
const CLASS_CHAR: u32 = 4;
const CLASS_DOUBLE: u32 = 6;
const CLASS_UINT16: u32 = 11;
const CLASS_INT32: u32 = 12;

/// A MATLAB value to write.
#[derive(Clone, Debug)]
pub enum M {
    /// A numeric array: class, data type, dimensions, little-endian data bytes.
    Num {
        class: u32,
        mi: u32,
        dims: Vec<i32>,
        data: Vec<u8>,
    },
    /// A char row; the empty string is written as 0x0, as MATLAB writes `''`.
    Char(String),
    /// A cell array.
    Cell(Vec<i32>, Vec<M>),
    /// A 1x1 struct with fields in this order.
    Struct(Vec<(String, M)>),
}

fn row(n: usize) -> Vec<i32> {
    vec![1, i32::try_from(n).unwrap()]
}

/// A 1xN double row.
pub fn doubles(values: &[f64]) -> M {
    let data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    M::Num {
        class: CLASS_DOUBLE,
        mi: MI_DOUBLE,
        dims: row(values.len()),
        data,
    }
}

/// A 1xN int32 row.
pub fn int32s(values: &[i32]) -> M {
    let data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    M::Num {
        class: CLASS_INT32,
        mi: MI_INT32,
        dims: row(values.len()),
        data,
    }
}

/// A 1xN uint16 row.
pub fn uint16s(values: &[u16]) -> M {
    let data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    M::Num {
        class: CLASS_UINT16,
        mi: MI_UINT16,
        dims: row(values.len()),
        data,
    }
}

/// A 1xN double row stored as uint16, as MATLAB stores integer-valued doubles.
pub fn doubles_as_uint16(values: &[u16]) -> M {
    let data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    M::Num {
        class: CLASS_DOUBLE,
        mi: MI_UINT16,
        dims: row(values.len()),
        data,
    }
}

/// A char row.
pub fn chars(text: &str) -> M {
    M::Char(text.to_owned())
}

/// A 1xN cell row.
pub fn cells(items: Vec<M>) -> M {
    M::Cell(row(items.len()), items)
}

/// A whole MAT file holding one variable.
pub fn file(name: &str, value: &M) -> Vec<u8> {
    let mut out = Vec::new();
    let text = "MATLAB 5.0 MAT-file, written by zukan-imdb-wiki tests";
    out.extend_from_slice(text.as_bytes());
    out.resize(116, b' ');
    out.extend_from_slice(&[0; 8]); // no subsystem data
    out.extend_from_slice(&0x0100u16.to_le_bytes());
    out.extend_from_slice(b"IM"); // little-endian marker
    out.extend(matrix(name, value));
    out
}

fn element(mi: u32, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + data.len() + 7);
    out.extend_from_slice(&mi.to_le_bytes());
    out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(8), 0);
    out
}

fn matrix(name: &str, value: &M) -> Vec<u8> {
    let (class, dims): (u32, Vec<i32>) = match value {
        M::Num { class, dims, .. } => (*class, dims.clone()),
        M::Char(text) if text.is_empty() => (CLASS_CHAR, vec![0, 0]),
        M::Char(text) => (CLASS_CHAR, row(text.encode_utf16().count())),
        M::Cell(dims, _) => (CLASS_CELL, dims.clone()),
        M::Struct(_) => (CLASS_STRUCT, vec![1, 1]),
    };
    let mut body = Vec::new();
    let flags: Vec<u8> = [class, 0].iter().flat_map(|v| v.to_le_bytes()).collect();
    body.extend(element(MI_UINT32, &flags));
    let dim_bytes: Vec<u8> = dims.iter().flat_map(|d| d.to_le_bytes()).collect();
    body.extend(element(MI_INT32, &dim_bytes));
    body.extend(element(MI_INT8, name.as_bytes()));
    match value {
        M::Num { mi, data, .. } => body.extend(element(*mi, data)),
        M::Char(text) => body.extend(element(MI_UTF8, text.as_bytes())),
        M::Cell(_, items) => items.iter().for_each(|item| body.extend(matrix("", item))),
        M::Struct(fields) => {
            let width = fields.iter().map(|(f, _)| f.len() + 1).max().unwrap_or(1);
            body.extend(element(
                MI_INT32,
                &i32::try_from(width).unwrap().to_le_bytes(),
            ));
            let mut names = Vec::new();
            for (field, _) in fields {
                let mut padded = field.as_bytes().to_vec();
                padded.resize(width, 0);
                names.extend(padded);
            }
            body.extend(element(MI_INT8, &names));
            fields.iter().for_each(|(_, v)| body.extend(matrix("", v)));
        }
    }
    element(MI_MATRIX, &body)
}
