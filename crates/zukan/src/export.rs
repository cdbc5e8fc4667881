//! Exports of loaded samples to formats other tools read.

use std::io::Write;
use std::str::FromStr;

use zukan_schema::{Sample, jsonl};

/// An export format. Only formats that exist are listed; more come with later releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// JSON Lines in the documented schema (see [`zukan_schema::jsonl`]).
    Jsonl,
}

impl FromStr for ExportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "jsonl" => Ok(ExportFormat::Jsonl),
            other => Err(format!(
                "`{other}` is not an export format (available: jsonl)"
            )),
        }
    }
}

/// Writes `samples` in `format` to `out`; returns the number of samples written.
pub fn export<W: Write>(
    samples: &[Sample],
    format: ExportFormat,
    out: W,
) -> Result<u64, jsonl::JsonlError> {
    match format {
        ExportFormat::Jsonl => jsonl::write(out, samples),
    }
}
