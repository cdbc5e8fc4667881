//! miCOMPRESSED elements: each is an independent zlib stream holding one data element
//! (normally a miMATRIX). Inflation is bounded so that a zlib bomb stops with an error
//! instead of exhausting memory.

use flate2::{Decompress, FlushDecompress, Status};

use crate::budget::Budget;
use crate::error::{Corruption, Location, MatError};
use crate::header::Endian;

/// Inflates the zlib stream `compressed` (the data of the miCOMPRESSED element whose tag is
/// at file offset `element`) into one exactly-sized buffer. Every byte of room is paid from
/// `budget` before it is allocated; the stream fails once it would need more than is left.
pub(crate) fn inflate(
    compressed: &[u8],
    element: usize,
    endian: Endian,
    budget: &Budget,
) -> Result<Vec<u8>, MatError> {
    let zlib_error = |e: flate2::DecompressError| MatError::Corrupt {
        at: Location::File(element),
        what: Corruption::Zlib(e.to_string()),
    };
    let mut room = Room {
        out: Vec::new(),
        paid: 0,
        budget,
        limit: budget.left(),
        element,
    };
    let mut z = Decompress::new(true);
    // The stream starts with the tag of the element it holds; its declared size lets us
    // allocate once, exactly, instead of growing (and for a while doubling) the buffer.
    room.grow(8)?;
    let mut status = z
        .decompress_vec(compressed, &mut room.out, FlushDecompress::None)
        .map_err(zlib_error)?;
    if let Some(tag) = room.out.first_chunk::<8>() {
        let [a, b, c, d, e, f, g, h] = *tag;
        let (first, size) = match endian {
            Endian::Little => (
                u32::from_le_bytes([a, b, c, d]),
                u32::from_le_bytes([e, f, g, h]),
            ),
            Endian::Big => (
                u32::from_be_bytes([a, b, c, d]),
                u32::from_be_bytes([e, f, g, h]),
            ),
        };
        let expected = if first >> 16 == 0 {
            (size as usize).saturating_add(8)
        } else {
            8
        };
        // A lying size only costs what is left of the budget; the parser then reports the
        // truncation.
        let more = expected.saturating_sub(room.out.len()).min(budget.left());
        if more > 0 {
            room.grow(more)?;
        }
    }
    loop {
        if status == Status::StreamEnd {
            return Ok(room.finish());
        }
        if room.out.len() == room.out.capacity() {
            // More output than the tag promised (or no tag yet): grow, still bounded.
            let step = room.out.len().clamp(4096, 64 << 20);
            room.grow(step.min(budget.left()))?;
        }
        let in_before = z.total_in();
        let out_before = room.out.len();
        let consumed = usize::try_from(in_before).unwrap_or(usize::MAX);
        let input = compressed.get(consumed..).unwrap_or(&[]);
        status = z
            .decompress_vec(input, &mut room.out, FlushDecompress::None)
            .map_err(zlib_error)?;
        if status != Status::StreamEnd && z.total_in() == in_before && room.out.len() == out_before
        {
            // No progress with input exhausted: the stream was cut short.
            return Err(MatError::Truncated {
                at: Location::File(element),
                what: "zlib stream of a compressed element",
                needed: compressed.len().saturating_add(1),
                available: compressed.len(),
            });
        }
    }
}

/// An output buffer whose every byte of capacity was paid from the file's budget; what was
/// paid for and not filled goes back when it is finished or dropped.
struct Room<'a> {
    out: Vec<u8>,
    paid: usize,
    budget: &'a Budget,
    /// What was left of the budget when this element started (for the error).
    limit: usize,
    element: usize,
}

impl Room<'_> {
    /// Pays for and reserves `more` bytes; none left to pay with is the bomb's end.
    fn grow(&mut self, more: usize) -> Result<(), MatError> {
        if more == 0 || self.budget.spend(more).is_err() {
            return Err(MatError::DecompressionLimit {
                element: self.element,
                limit: self.limit,
            });
        }
        self.paid += more;
        self.out.reserve_exact(more);
        Ok(())
    }

    /// The inflated bytes; room paid for and not used is given back (and freed).
    fn finish(mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.out);
        if out.capacity() > out.len() {
            out.shrink_to_fit();
        }
        self.budget.refund(self.paid - out.len().min(self.paid));
        self.paid = 0;
        out
    }
}

impl Drop for Room<'_> {
    /// A stream that failed frees its buffer, so what it paid is no longer held.
    fn drop(&mut self) {
        self.budget.refund(self.paid);
    }
}

/// Inflates at most the first `max` bytes of a zlib stream (fewer if it ends sooner).
pub(crate) fn inflate_prefix(
    compressed: &[u8],
    element: usize,
    max: usize,
) -> Result<Vec<u8>, MatError> {
    let mut z = Decompress::new(true);
    let mut out = Vec::with_capacity(max);
    while out.len() < max {
        let consumed = usize::try_from(z.total_in()).unwrap_or(usize::MAX);
        let input = compressed.get(consumed..).unwrap_or(&[]);
        let before = (z.total_in(), out.len());
        let status = z
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .map_err(|e| MatError::Corrupt {
                at: Location::File(element),
                what: Corruption::Zlib(e.to_string()),
            })?;
        if status == Status::StreamEnd || before == (z.total_in(), out.len()) {
            break;
        }
    }
    Ok(out)
}
