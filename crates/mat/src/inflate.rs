//! miCOMPRESSED elements: each is an independent zlib stream holding one data element
//! (normally a miMATRIX). Inflation is bounded so that a zlib bomb stops with an error
//! instead of exhausting memory.

use flate2::{Decompress, FlushDecompress, Status};

use crate::error::{Corruption, Location, MatError};
use crate::header::Endian;

/// Inflates the zlib stream `compressed` (the data of the miCOMPRESSED element whose tag is
/// at file offset `element`) into one exactly-sized buffer, failing once the output would
/// exceed `limit` bytes.
pub(crate) fn inflate(
    compressed: &[u8],
    element: usize,
    endian: Endian,
    limit: usize,
) -> Result<Vec<u8>, MatError> {
    let zlib_error = |e: flate2::DecompressError| MatError::Corrupt {
        at: Location::File(element),
        what: Corruption::Zlib(e.to_string()),
    };
    let mut z = Decompress::new(true);
    // The stream starts with the tag of the element it holds; its declared size lets us
    // allocate once, exactly, instead of growing (and for a while doubling) the buffer.
    let mut out = Vec::with_capacity(8.min(limit.saturating_add(1)));
    let mut status = z
        .decompress_vec(compressed, &mut out, FlushDecompress::None)
        .map_err(zlib_error)?;
    if let Some(tag) = out.first_chunk::<8>() {
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
        // A lying size only costs up to `limit`; the parser then reports the truncation.
        out.reserve_exact(
            expected
                .min(limit.saturating_add(1))
                .saturating_sub(out.len()),
        );
    }
    loop {
        if out.len() > limit {
            return Err(MatError::DecompressionLimit { element, limit });
        }
        if status == Status::StreamEnd {
            return Ok(out);
        }
        if out.len() == out.capacity() {
            // More output than the tag promised (or no tag yet): grow, still bounded.
            let step = out.len().clamp(4096, 64 << 20);
            out.reserve_exact(step.min(limit.saturating_add(1) - out.len()).max(1));
        }
        let in_before = z.total_in();
        let out_before = out.len();
        let consumed = usize::try_from(in_before).unwrap_or(usize::MAX);
        let input = compressed.get(consumed..).unwrap_or(&[]);
        status = z
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .map_err(zlib_error)?;
        if status != Status::StreamEnd && z.total_in() == in_before && out.len() == out_before {
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
