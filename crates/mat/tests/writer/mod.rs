//! A small MAT v5 writer for building test inputs byte by byte, in either byte order, with
//! or without compression, including the malformed shapes the tests need.

#![allow(dead_code)] // each test binary uses a different part

use std::io::Write;

pub const MI_INT8: u32 = 1;
pub const MI_UINT8: u32 = 2;
pub const MI_INT16: u32 = 3;
pub const MI_UINT16: u32 = 4;
pub const MI_INT32: u32 = 5;
pub const MI_UINT32: u32 = 6;
pub const MI_SINGLE: u32 = 7;
pub const MI_DOUBLE: u32 = 9;
pub const MI_INT64: u32 = 12;
pub const MI_UINT64: u32 = 13;
pub const MI_MATRIX: u32 = 14;
pub const MI_COMPRESSED: u32 = 15;
pub const MI_UTF8: u32 = 16;
pub const MI_UTF16: u32 = 17;
pub const MI_UTF32: u32 = 18;

pub const CELL: u8 = 1;
pub const STRUCT: u8 = 2;
pub const OBJECT: u8 = 3;
pub const CHAR: u8 = 4;
pub const SPARSE: u8 = 5;
pub const DOUBLE: u8 = 6;
pub const SINGLE: u8 = 7;
pub const INT8: u8 = 8;
pub const UINT8: u8 = 9;
pub const INT16: u8 = 10;
pub const UINT16: u8 = 11;
pub const INT32: u8 = 12;
pub const UINT32: u8 = 13;
pub const INT64: u8 = 14;
pub const UINT64: u8 = 15;

pub const COMPLEX: u32 = 0x0800;
pub const LOGICAL: u32 = 0x0200;

/// Numbers that can be written in either byte order.
pub trait Bytes: Copy {
    fn le(self) -> Vec<u8>;
    fn be(self) -> Vec<u8>;
}

macro_rules! bytes {
    ($($t:ty),*) => {$(
        impl Bytes for $t {
            fn le(self) -> Vec<u8> { self.to_le_bytes().to_vec() }
            fn be(self) -> Vec<u8> { self.to_be_bytes().to_vec() }
        }
    )*};
}
bytes!(i8, u8, i16, u16, i32, u32, i64, u64, f32, f64);

/// Encodes elements in one byte order.
#[derive(Clone, Copy)]
pub struct Enc {
    pub big: bool,
}

pub const LE: Enc = Enc { big: false };
pub const BE: Enc = Enc { big: true };

impl Enc {
    pub fn num<T: Bytes>(self, v: T) -> Vec<u8> {
        if self.big { v.be() } else { v.le() }
    }

    pub fn nums<T: Bytes>(self, vs: &[T]) -> Vec<u8> {
        vs.iter().flat_map(|&v| self.num(v)).collect()
    }

    pub fn utf16(self, s: &str) -> Vec<u8> {
        let units: Vec<u16> = s.encode_utf16().collect();
        self.nums(&units)
    }

    /// A normal element: 8-byte tag, data, zero padding to a multiple of 8.
    pub fn element(self, ty: u32, data: &[u8]) -> Vec<u8> {
        let mut out = self.num(ty);
        out.extend(self.num(data.len() as u32));
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(8), 0);
        out
    }

    /// A small data element: size and type in 4 bytes, up to 4 data bytes, padded to 8.
    pub fn small(self, ty: u32, data: &[u8]) -> Vec<u8> {
        assert!(data.len() <= 4);
        let mut out = self.num(((data.len() as u32) << 16) | ty);
        out.extend_from_slice(data);
        out.resize(8, 0);
        out
    }

    /// The array flags, dimensions and name sub-elements that start every miMATRIX.
    pub fn matrix_head(self, class: u8, flags: u32, dims: &[i32], name: &str) -> Vec<u8> {
        let mut out = self.element(MI_UINT32, &self.nums(&[flags | u32::from(class), 0]));
        out.extend(self.element(MI_INT32, &self.nums(dims)));
        out.extend(if name.len() <= 4 && !name.is_empty() {
            self.small(MI_INT8, name.as_bytes())
        } else {
            self.element(MI_INT8, name.as_bytes())
        });
        out
    }

    /// A whole miMATRIX element from its head and already-encoded parts.
    pub fn matrix(
        self,
        class: u8,
        flags: u32,
        dims: &[i32],
        name: &str,
        parts: &[Vec<u8>],
    ) -> Vec<u8> {
        let mut body = self.matrix_head(class, flags, dims, name);
        for p in parts {
            body.extend_from_slice(p);
        }
        self.element(MI_MATRIX, &body)
    }

    /// A numeric matrix whose data is stored as `ty` (which may be narrower than `class`).
    pub fn numeric<T: Bytes>(
        self,
        class: u8,
        dims: &[i32],
        name: &str,
        ty: u32,
        data: &[T],
    ) -> Vec<u8> {
        self.matrix(class, 0, dims, name, &[self.element(ty, &self.nums(data))])
    }

    /// A 1xN char row stored as miUTF8.
    pub fn text(self, name: &str, s: &str) -> Vec<u8> {
        let n = s.encode_utf16().count() as i32;
        self.matrix(
            CHAR,
            0,
            &[1, n],
            name,
            &[self.element(MI_UTF8, s.as_bytes())],
        )
    }

    /// A cell of already-encoded miMATRIX elements.
    pub fn cell(self, dims: &[i32], name: &str, elements: &[Vec<u8>]) -> Vec<u8> {
        self.matrix(CELL, 0, dims, name, elements)
    }

    /// A struct array: `values` holds, element by element, one miMATRIX per field.
    pub fn structure(
        self,
        dims: &[i32],
        name: &str,
        fields: &[&str],
        values: &[Vec<u8>],
    ) -> Vec<u8> {
        let slot = 32usize;
        let mut names = Vec::new();
        for f in fields {
            let mut n = f.as_bytes().to_vec();
            n.resize(slot, 0);
            names.extend(n);
        }
        let mut parts = vec![
            self.small(MI_INT32, &self.num(slot as i32)),
            self.element(MI_INT8, &names),
        ];
        parts.extend_from_slice(values);
        self.matrix(STRUCT, 0, dims, name, &parts)
    }
}

/// zlib-compresses an element into a miCOMPRESSED element (no padding, as MATLAB writes).
pub fn compressed(enc: Enc, element: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(element).expect("in-memory");
    let packed = z.finish().expect("in-memory");
    let mut out = enc.num(MI_COMPRESSED);
    out.extend(enc.num(packed.len() as u32));
    out.extend(packed);
    out
}

/// The 128-byte header: text padded with spaces, no subsystem offset, version 0x0100,
/// endian indicator written as MATLAB does (the 16-bit value 'MI' in the file's order).
pub fn header(enc: Enc, text: &str) -> Vec<u8> {
    let mut out = text.as_bytes().to_vec();
    out.resize(116, b' ');
    out.extend([0u8; 8]);
    out.extend(enc.num(0x0100u16));
    out.extend(if enc.big { b"MI" } else { b"IM" });
    out
}

/// A whole file: header then the given top-level elements.
pub fn file(enc: Enc, elements: &[Vec<u8>]) -> Vec<u8> {
    let mut out = header(
        enc,
        "MATLAB 5.0 MAT-file, Platform: test, Created on: never",
    );
    for e in elements {
        out.extend_from_slice(e);
    }
    out
}
