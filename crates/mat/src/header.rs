//! The 128-byte MAT v5 header: descriptive text, subsystem offset, version and the
//! endian indicator that decides how every later number is read.

use crate::error::MatError;

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
pub(crate) fn parse_header(bytes: &[u8]) -> Result<Header, MatError> {
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
