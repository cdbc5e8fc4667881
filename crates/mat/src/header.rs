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
        return Err(MatError::TooShort { len: bytes.len() });
    };
    let raw_text = &header[..116];
    if raw_text.starts_with(b"MATLAB 7.3") {
        return Err(MatError::V73Hdf5);
    }
    let endian = match &header[126..128] {
        b"IM" => Endian::Little,
        b"MI" => Endian::Big,
        other => {
            let reason = if header[..4].contains(&0) {
                "no MAT v5 endian indicator (a MAT v4 file, or not a MAT file)".to_string()
            } else {
                format!("endian indicator is {other:?}, not \"IM\" or \"MI\"")
            };
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
