//! The 128-byte MAT v5 header: descriptive text, subsystem offset, version and the
//! endian indicator that decides how every later number is read.

use crate::error::{Location, MatError};

/// Length of the MAT v5 header in bytes.
pub(crate) const HEADER_LEN: usize = 128;

/// The eight-byte HDF5 superblock signature; MATLAB v7.3 files put it at offset 512 (after a
/// 512-byte user block that starts with a MAT-like header text).
const HDF5_SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";

/// Byte order of every number after the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    /// Little-endian (indicator bytes `IM`), what MATLAB writes on x86.
    Little,
    /// Big-endian (indicator bytes `MI`).
    Big,
}

/// What the header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) text: String,
    pub(crate) endian: Endian,
}

/// Parses and checks the header. MATLAB writes `MATLAB 5.0 MAT-file, Platform: ...`; scipy
/// writes `MATLAB 5.0 MAT-file Platform: ...` without the comma, and other writers put
/// other text there, so the text is kept but never required: the version and the endian
/// indicator decide.
///
/// Input that fails those checks and starts like a web page is said to be one: a download
/// that got a login or error page instead of the file is the usual way such a file comes
/// about, and "endian indicator is [120, 120]" would not tell the user.
pub(crate) fn parse_header(bytes: &[u8]) -> Result<Header, MatError> {
    parse_v5_header(bytes).map_err(|error| match error {
        MatError::TooShort { .. } | MatError::NotMatV5 { .. } => {
            markup_page(bytes).unwrap_or(error)
        }
        other => other,
    })
}

/// The openings of the markup recognised, in ASCII lower case, with what they open and how a
/// message writes them.
const MARKUP_STARTS: [(&[u8], &str, &str); 3] = [
    (b"<!doctype", "an HTML page", "<!DOCTYPE"),
    (b"<html", "an HTML page", "<html"),
    (b"<?xml", "an XML document", "<?xml"),
];

/// [`MatError::MarkupPage`] when `bytes` start, after ASCII whitespace and an optional UTF-8
/// byte order mark, with one of [`MARKUP_STARTS`] (in any case).
fn markup_page(bytes: &[u8]) -> Option<MatError> {
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let skipped = bytes.len() - body.len();
    let at = skipped + body.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &bytes[at..];
    MARKUP_STARTS.iter().find_map(|&(opening, kind, start)| {
        let matches = rest
            .get(..opening.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(opening));
        matches.then_some(MatError::MarkupPage {
            at: Location::File(at),
            kind,
            start,
        })
    })
}

/// The checks of a MAT v5 header proper (see [`parse_header`]).
fn parse_v5_header(bytes: &[u8]) -> Result<Header, MatError> {
    if let Some(sig) = bytes.get(512..520)
        && sig == HDF5_SIGNATURE
    {
        return Err(MatError::V73Hdf5);
    }
    let Some(header) = bytes.get(..HEADER_LEN) else {
        // A v4 file has no 128-byte header: a small one is shorter than a v5 header.
        if looks_like_v4(bytes) {
            return Err(MatError::V4);
        }
        return Err(MatError::TooShort { len: bytes.len() });
    };
    let raw_text = &header[..116];
    if raw_text.starts_with(b"MATLAB 7.3") {
        return Err(MatError::V73Hdf5);
    }
    let endian = match &header[126..128] {
        b"IM" => Endian::Little,
        b"MI" => Endian::Big,
        _ if looks_like_v4(bytes) => return Err(MatError::V4),
        other => {
            let reason = format!("endian indicator is {other:?}, not \"IM\" or \"MI\"");
            return Err(MatError::NotMatV5 { reason });
        }
    };
    let version_bytes = [header[124], header[125]];
    let version = match endian {
        Endian::Little => u16::from_le_bytes(version_bytes),
        Endian::Big => u16::from_be_bytes(version_bytes),
    };
    match version {
        0x0100 => {}
        0x0200 => return Err(MatError::V73Hdf5),
        other => {
            return Err(MatError::NotMatV5 {
                reason: format!("version {other:#06x}, expected 0x0100"),
            });
        }
    }
    let text = String::from_utf8_lossy(raw_text)
        .trim_end_matches(['\0', ' '])
        .to_string();
    Ok(Header { text, endian })
}

/// Whether `bytes` start like a MAT v4 file, which has no text header: each matrix starts
/// with five int32s in the file's byte order (so both are tried): its type MOPT, whose
/// decimal digits are M (machine, 0-4), O (0), P (precision, 0-5) and T (type, 0-2); rows
/// and columns (not negative); an imaginary flag (0 or 1); and the name's length with its
/// NUL (at least 1), which ends the name if the input goes that far. (scipy only checks
/// that one of the first four bytes is 0; a v5 header's text never has one there.)
fn looks_like_v4(bytes: &[u8]) -> bool {
    let Some(head) = bytes.first_chunk::<20>() else {
        return false;
    };
    let (words, _) = head.as_chunks::<4>();
    [i32::from_le_bytes, i32::from_be_bytes].iter().any(|read| {
        let [mopt, rows, cols, imaginary, name_len] = [0, 1, 2, 3, 4].map(|k| read(words[k]));
        let type_ok = (0..5000).contains(&mopt)
            && mopt / 100 % 10 == 0
            && mopt / 10 % 10 <= 5
            && mopt % 10 <= 2;
        let name_ends = usize::try_from(name_len)
            .ok()
            .filter(|&n| n >= 1)
            .is_some_and(|n| bytes.get(19 + n).is_none_or(|&b| b == 0));
        type_ok && rows >= 0 && cols >= 0 && (imaginary == 0 || imaginary == 1) && name_ends
    })
}
