//! Trust on first use for files whose authors publish no checksum (IMDB-WIKI, FDDB, Adience).
//!
//! The first verified download of such a file records its sha256 and size in
//! `$ZUKAN_DATA_DIR/pins/<dataset>.json`; every later fetch, import or `verify` is checked
//! against that record exactly as against a published checksum. A published checksum always
//! wins: pins only fill what the resource table leaves empty.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use zukan_fetch::{DataDir, Downloaded};
use zukan_schema::{Resource, Sha256Hex};

/// One recorded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    /// The sha256 seen at the first verified download.
    pub sha256: Sha256Hex,
    /// Its size in bytes.
    pub size: u64,
    /// When it was recorded (seconds since the Unix epoch).
    pub recorded_at: u64,
}

impl Pin {
    /// When it was recorded, as `YYYY-MM-DD HH:MM UTC`.
    pub fn recorded_on(&self) -> String {
        utc_minute(self.recorded_at)
    }
}

/// `secs` since the Unix epoch as a UTC date and time to the minute (the proleptic
/// Gregorian calendar; Howard Hinnant's `civil_from_days`).
pub fn utc_minute(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let minute = secs % 86_400 / 60;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minute / 60,
        minute % 60
    )
}

/// The pins of one dataset, by file name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pins {
    path: PathBuf,
    /// Recorded files by published file name.
    pub entries: BTreeMap<String, Pin>,
}

/// Why the pin file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("pin file {path}: {message}")]
pub struct PinError {
    /// The pin file.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl Pins {
    /// The pin file of `dataset` under the data directory.
    pub fn path_for(data_dir: &DataDir, dataset: &str) -> PathBuf {
        data_dir.root().join("pins").join(format!("{dataset}.json"))
    }

    /// Reads the pins of `dataset` (none yet is an empty set).
    pub fn load(data_dir: &DataDir, dataset: &str) -> Result<Pins, PinError> {
        let path = Self::path_for(data_dir, dataset);
        let entries = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| PinError {
                path: path.clone(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => {
                return Err(PinError {
                    path,
                    message: e.to_string(),
                });
            }
        };
        Ok(Pins { path, entries })
    }

    /// Fills the sha256 and size of resources the table leaves empty from recorded pins.
    pub fn apply(&self, resources: &mut [Resource]) {
        for r in resources.iter_mut().filter(|r| r.sha256.is_none()) {
            if let Some(pin) = self.entries.get(&r.file_name) {
                r.sha256 = Some(pin.sha256);
                r.size = Some(pin.size);
            }
        }
    }

    /// Records every file of `downloaded` whose resource had no checksum; returns the names
    /// recorded by this call.
    pub fn record(&mut self, resources: &[Resource], downloaded: &[Downloaded]) -> Vec<String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut recorded = Vec::new();
        for (r, d) in resources.iter().zip(downloaded) {
            if r.sha256.is_none() && !self.entries.contains_key(&r.file_name) {
                let pin = Pin {
                    sha256: d.sha256,
                    size: d.size,
                    recorded_at: now,
                };
                self.entries.insert(r.file_name.clone(), pin);
                recorded.push(r.file_name.clone());
            }
        }
        recorded
    }

    /// Writes the pins (atomically: a temporary file renamed over the old one).
    pub fn save(&self) -> Result<(), PinError> {
        let err = |e: &dyn std::fmt::Display| PinError {
            path: self.path.clone(),
            message: e.to_string(),
        };
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir).map_err(|e| err(&e))?;
        }
        let text = serde_json::to_vec_pretty(&self.entries).map_err(|e| err(&e))?;
        let temp = self
            .path
            .with_extension(format!("json.{}.tmp", std::process::id()));
        fs::write(&temp, text).map_err(|e| err(&e))?;
        fs::rename(&temp, &self.path).map_err(|e| err(&e))
    }

    /// The pin file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zukan_fetch::Origin;
    use zukan_schema::ArchiveKind;

    fn resource(name: &str, sha256: Option<Sha256Hex>) -> Resource {
        Resource {
            file_name: name.into(),
            urls: vec![],
            size: None,
            sha256,
            checksum_source: String::new(),
            page: String::new(),
            archive: ArchiveKind::Tar,
            splits: vec![],
        }
    }

    fn downloaded(name: &str, byte: u8) -> Downloaded {
        Downloaded {
            file_name: name.into(),
            path: PathBuf::from(name),
            size: 10,
            sha256: Sha256Hex([byte; 32]),
            origin: Origin::Cache,
        }
    }

    #[test]
    fn first_download_is_recorded_then_enforced_and_published_checksums_win() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = DataDir::new(dir.path());
        let published = Some(Sha256Hex([9; 32]));
        let table = vec![
            resource("wiki_crop.tar", None),
            resource("pub.zip", published),
        ];

        let mut pins = Pins::load(&data_dir, "imdb-wiki").unwrap();
        let recorded = pins.record(
            &table,
            &[downloaded("wiki_crop.tar", 1), downloaded("pub.zip", 9)],
        );
        assert_eq!(recorded, ["wiki_crop.tar"]);
        pins.save().unwrap();

        let pins = Pins::load(&data_dir, "imdb-wiki").unwrap();
        let mut again = table.clone();
        pins.apply(&mut again);
        assert_eq!(again[0].sha256, Some(Sha256Hex([1; 32])));
        assert_eq!(again[0].size, Some(10));
        assert_eq!(again[1].sha256, published);

        // Recording again never replaces the first value.
        let mut pins = pins;
        assert!(
            pins.record(
                &table,
                &[downloaded("wiki_crop.tar", 2), downloaded("pub.zip", 9)]
            )
            .is_empty()
        );
        assert_eq!(pins.entries["wiki_crop.tar"].sha256, Sha256Hex([1; 32]));
    }

    #[test]
    fn record_times_read_as_utc_dates() {
        // date -u -d @0; date -u -d @951782400 (a leap day); date -u -d @1796351984
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minute(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_minute(1_796_351_984), "2026-12-04 02:39 UTC");
    }

    #[test]
    fn corrupt_pin_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = DataDir::new(dir.path());
        let path = Pins::path_for(&data_dir, "fddb");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, b"{not json").unwrap();
        let err = Pins::load(&data_dir, "fddb").unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("pin file {}", path.display())),
            "{err}"
        );
    }
}
