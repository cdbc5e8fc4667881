//! Data element tags: the 8-byte tag (type, size) and the "small data element" form that
//! packs up to 4 bytes of data into the tag itself, plus the bounded cursor every parse
//! step reads through.
//!
//! Invariant: a [`Cursor`] never reads outside `buf[pos..end]`, and an [`Element`]'s data
//! slice is only created after its declared size was checked against the bytes left, so a
//! declared size can never cause an allocation or a read past the input.

use crate::error::{Corruption, Location, MatError};
use crate::header::Endian;

/// Data type numbers from the MAT-file format reference (table "MAT-File Data Types").
pub(crate) mod data_type {
    pub(crate) const INT8: u32 = 1;
    pub(crate) const UINT8: u32 = 2;
    pub(crate) const INT16: u32 = 3;
    pub(crate) const UINT16: u32 = 4;
    pub(crate) const INT32: u32 = 5;
    pub(crate) const UINT32: u32 = 6;
    pub(crate) const SINGLE: u32 = 7;
    pub(crate) const DOUBLE: u32 = 9;
    pub(crate) const INT64: u32 = 12;
    pub(crate) const UINT64: u32 = 13;
    pub(crate) const MATRIX: u32 = 14;
    pub(crate) const COMPRESSED: u32 = 15;
    pub(crate) const UTF8: u32 = 16;
    pub(crate) const UTF16: u32 = 17;
    pub(crate) const UTF32: u32 = 18;
}

/// One data element: its type and a slice of exactly its declared data bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Element<'a> {
    pub(crate) data_type: u32,
    pub(crate) data: &'a [u8],
    /// Position of the tag in the cursor's buffer.
    pub(crate) at: usize,
    /// Position of the first data byte in the cursor's buffer.
    pub(crate) data_at: usize,
}

/// A bounded reader over a buffer: the file itself, or a decompressed stream.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    end: usize,
    pub(crate) endian: Endian,
    /// File offset of the miCOMPRESSED element `buf` was inflated from, if any.
    compressed_at: Option<usize>,
}

impl<'a> Cursor<'a> {
    /// A cursor over `buf[start..]`. `compressed_at` says where `buf` came from, for errors.
    pub(crate) fn new(
        buf: &'a [u8],
        start: usize,
        endian: Endian,
        compressed_at: Option<usize>,
    ) -> Self {
        Cursor {
            buf,
            pos: start.min(buf.len()),
            end: buf.len(),
            endian,
            compressed_at,
        }
    }

    /// A cursor over exactly the data of `element` (which came from this cursor's buffer).
    pub(crate) fn enter(&self, element: &Element<'a>) -> Self {
        let end = element
            .data_at
            .saturating_add(element.data.len())
            .min(self.buf.len());
        Cursor {
            pos: element.data_at.min(end),
            end,
            ..*self
        }
    }

    /// Where `pos` (a position in this cursor's buffer) is, for error messages.
    pub(crate) fn location(&self, pos: usize) -> Location {
        match self.compressed_at {
            None => Location::File(pos),
            Some(element) => Location::Compressed {
                element,
                offset: pos,
            },
        }
    }

    /// The current position in the buffer.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left before the end of this cursor's range.
    pub(crate) fn remaining(&self) -> usize {
        self.end - self.pos
    }

    pub(crate) fn u32_at(&self, bytes: [u8; 4]) -> u32 {
        match self.endian {
            Endian::Little => u32::from_le_bytes(bytes),
            Endian::Big => u32::from_be_bytes(bytes),
        }
    }

    /// Reads the next element's tag and takes its data; `what` names it in errors.
    pub(crate) fn next_element(&mut self, what: &'static str) -> Result<Element<'a>, MatError> {
        let at = self.pos;
        let tag = self
            .buf
            .get(at..self.end)
            .and_then(|rest| rest.first_chunk::<8>())
            .ok_or_else(|| MatError::Truncated {
                at: self.location(at),
                what,
                needed: 8,
                available: self.remaining(),
            })?;
        let [a, b, c, d, e, f, g, h] = *tag;
        let first = self.u32_at([a, b, c, d]);
        if first >> 16 != 0 {
            // Small data element: size in the upper 16 bits, type in the lower 16, and the
            // data in the last 4 bytes of the tag.
            let size = first >> 16;
            if size > 4 {
                return Err(MatError::Corrupt {
                    at: self.location(at),
                    what: Corruption::SmallElementTooLong(size),
                });
            }
            self.pos = at + 8;
            return Ok(Element {
                data_type: first & 0xffff,
                data: &tag[4..4 + size as usize],
                at,
                data_at: at + 4,
            });
        }
        let size = self.u32_at([e, f, g, h]) as usize;
        let data_at = at + 8;
        let available = self.end - data_at;
        if size > available {
            return Err(MatError::Truncated {
                at: self.location(at),
                what,
                needed: size,
                available,
            });
        }
        let data = self.buf.get(data_at..data_at + size).unwrap_or(&[]);
        // Elements are padded to 8 bytes, except miCOMPRESSED ones (MATLAB and scipy write
        // them back to back). Padding missing at the very end of a range is tolerated.
        let padded = if first == data_type::COMPRESSED {
            size
        } else {
            // A mask, not `next_multiple_of(8)`, which callgrind showed costing ~25
            // instructions per element here (millions of elements in IMDB-WIKI).
            size.saturating_add(7) & !7
        };
        self.pos = data_at.saturating_add(padded).min(self.end);
        Ok(Element {
            data_type: first,
            data,
            at,
            data_at,
        })
    }
}
