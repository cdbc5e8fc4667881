//! `zukan verify`: re-hash every downloaded file of a dataset against its published checksum
//! or, where none is published, against the record made at first use.

use std::path::PathBuf;

use zukan_fetch::DataDir;
use zukan_schema::{Dataset, Sha256Hex};

use crate::pins::{PinError, Pins};

/// Where the expected checksum of a file comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// Published by the authors or a reference project (the resource table says where).
    Published(String),
    /// Recorded at the first verified download (seconds since the Unix epoch).
    Pinned {
        /// When it was recorded.
        recorded_at: u64,
    },
    /// Neither published nor recorded yet.
    Unknown,
}

/// The state of one file of the dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    /// Not under `downloads/`.
    Missing,
    /// Hashed, and equal to what was expected (or nothing was expected).
    Good {
        /// Its sha256.
        sha256: Sha256Hex,
        /// Its size.
        size: u64,
    },
    /// Hashed, and different from what was expected.
    Bad {
        /// Expected sha256 and size.
        expected: (Option<Sha256Hex>, Option<u64>),
        /// Actual sha256 and size.
        actual: (Sha256Hex, u64),
    },
    /// Could not be read.
    Unreadable(String),
}

/// One row of a verification report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedFile {
    /// The published file name.
    pub file_name: String,
    /// Where it is (or would be).
    pub path: PathBuf,
    /// Where the expected checksum comes from.
    pub expected: Expected,
    /// What hashing found.
    pub state: FileState,
}

/// Re-hashes every file of `dataset` under `data_dir/downloads/`.
pub fn verify(dataset: &dyn Dataset, data_dir: &DataDir) -> Result<Vec<VerifiedFile>, PinError> {
    let name = dataset.info().name;
    let pins = Pins::load(data_dir, &name)?;
    let mut rows = Vec::new();
    for mut resource in dataset.resources() {
        let expected = match (&resource.sha256, pins.entries.get(&resource.file_name)) {
            (Some(_), _) => Expected::Published(resource.checksum_source.clone()),
            (None, Some(pin)) => Expected::Pinned {
                recorded_at: pin.recorded_at,
            },
            (None, None) => Expected::Unknown,
        };
        pins.apply(std::slice::from_mut(&mut resource));
        let path = data_dir.download(&resource.file_name);
        let state = if !path.is_file() {
            FileState::Missing
        } else {
            match zukan_fetch::verify::sha256_file(&path) {
                Err(e) => FileState::Unreadable(e.to_string()),
                Ok((sha256, size)) => {
                    let sha_ok = resource.sha256.is_none_or(|s| s == sha256);
                    let size_ok = resource.size.is_none_or(|s| s == size);
                    if sha_ok && size_ok {
                        FileState::Good { sha256, size }
                    } else {
                        FileState::Bad {
                            expected: (resource.sha256, resource.size),
                            actual: (sha256, size),
                        }
                    }
                }
            }
        };
        rows.push(VerifiedFile {
            file_name: resource.file_name,
            path,
            expected,
            state,
        });
    }
    Ok(rows)
}
