//! The `downloads/` directory: finding an already verified file, committing a verified
//! `.part` under its final name, and moving bad bytes to `quarantine/`.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use zukan_schema::{Resource, Sha256Hex};

use crate::error::Mismatch;
use crate::verify::{Stamp, sha256_file};
use crate::{DataDir, FetchError, Progress};

/// A verified file under `downloads/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    /// The resource's file name.
    pub file_name: String,
    /// Where the verified file is.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Its sha256 as computed here (equal to the published one when one is published; for a
    /// resource without one, the value a later trust-on-first-use check can pin).
    pub sha256: Sha256Hex,
    /// Where the bytes came from in this call.
    pub origin: Origin,
}

/// Where the bytes of a [`Downloaded`] came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Already verified in `downloads/` before this call.
    Cache,
    /// Downloaded from this URL (a mirror's or the resource's own).
    Url(String),
    /// Copied from this file (`fetch --from DIR`, or a mirror directory).
    File(PathBuf),
}

/// Refuses a file name that is not one plain path component: a resource table (or a dataset
/// name) must never make the fetcher write outside its directories.
pub(crate) fn check_file_name(name: &str) -> Result<(), FetchError> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !name.ends_with(".part")
        && !name.ends_with(".lock");
    if plain {
        Ok(())
    } else {
        Err(FetchError::BadFileName {
            file: name.to_owned(),
        })
    }
}

/// The verified copy of `resource` in `downloads/`, if there is one. The stamp spares
/// re-hashing; without a valid stamp the file is hashed (and stamped). A file there that does
/// not match the resource is moved to quarantine, so it is fetched again.
pub(crate) fn find_verified(
    data_dir: &DataDir,
    resource: &Resource,
    progress: &dyn Progress,
) -> Result<Option<Downloaded>, FetchError> {
    let name = &resource.file_name;
    let path = data_dir.download(name);
    let meta = match std::fs::metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FetchError::io("read", path, e)),
    };
    let stamp_path = data_dir.stamp(name);
    let sha256 = if resource.size.is_some_and(|s| s != meta.len()) {
        None
    } else if let Some(stamp) = Stamp::read_valid(&stamp_path, &meta) {
        Some(stamp.sha256)
    } else {
        progress.note(&format!("checking the sha256 of {}", path.display()));
        let (sha, _) = sha256_file(&path).map_err(|e| FetchError::io("read", &path, e))?;
        Some(sha)
    };
    match sha256 {
        Some(sha) if resource.sha256.is_none_or(|want| want == sha) => {
            // A failed stamp write only costs a re-hash next time.
            let _ = Stamp::new(sha, &meta).write(&stamp_path);
            Ok(Some(Downloaded {
                file_name: name.clone(),
                path,
                size: meta.len(),
                sha256: sha,
                origin: Origin::Cache,
            }))
        }
        _ => {
            let _ = std::fs::remove_file(&stamp_path);
            let moved = quarantine(data_dir, &path, name)?;
            progress.note(&format!(
                "{} does not match its expected size or sha256; moved it to {} and fetching it again",
                path.display(),
                moved.display()
            ));
            Ok(None)
        }
    }
}

/// Checks the bytes in `part` (already hashed: `size`, `sha256`) against `resource`; renames
/// them to their final name when they match, quarantines them when they do not.
pub(crate) fn commit(
    data_dir: &DataDir,
    resource: &Resource,
    part: &Path,
    size: u64,
    sha256: Sha256Hex,
    origin: Origin,
) -> Result<Downloaded, FetchError> {
    let name = &resource.file_name;
    let good =
        resource.size.is_none_or(|s| s == size) && resource.sha256.is_none_or(|s| s == sha256);
    if !good {
        let quarantined = quarantine(data_dir, part, name)?;
        return Err(FetchError::Mismatch(Box::new(Mismatch {
            file: name.clone(),
            origin: match origin {
                Origin::Url(url) => url,
                Origin::File(path) => path.display().to_string(),
                Origin::Cache => data_dir.download(name).display().to_string(),
            },
            expected_size: resource.size,
            actual_size: size,
            expected_sha256: resource.sha256,
            actual_sha256: sha256,
            quarantined,
            page: resource.page.clone(),
        })));
    }
    let path = data_dir.download(name);
    std::fs::rename(part, &path)
        .map_err(|e| FetchError::io("rename the verified .part to", &path, e))?;
    if let Ok(meta) = std::fs::metadata(&path) {
        let _ = Stamp::new(sha256, &meta).write(&data_dir.stamp(name));
    }
    Ok(Downloaded {
        file_name: name.clone(),
        path,
        size,
        sha256,
        origin,
    })
}

/// Moves the verified download of `file_name` (and its stamp) to quarantine, for a file that
/// passed its checks but turned out unusable later, e.g. a first-use file that does not
/// extract: nothing recorded it as good, so the next fetch starts afresh. Returns where it went.
pub fn quarantine_download(data_dir: &DataDir, file_name: &str) -> Result<PathBuf, FetchError> {
    check_file_name(file_name)?;
    let _ = std::fs::remove_file(data_dir.stamp(file_name));
    quarantine(data_dir, &data_dir.download(file_name), file_name)
}

/// Moves `path` to `quarantine/<file_name>.<unix time>` and returns where it went.
pub(crate) fn quarantine(
    data_dir: &DataDir,
    path: &Path,
    file_name: &str,
) -> Result<PathBuf, FetchError> {
    let dir = data_dir.quarantine();
    std::fs::create_dir_all(&dir).map_err(|e| FetchError::io("create", &dir, e))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut dest = dir.join(format!("{file_name}.{now}"));
    let mut n = 1;
    while dest.exists() {
        dest = dir.join(format!("{file_name}.{now}-{n}"));
        n += 1;
    }
    std::fs::rename(path, &dest).map_err(|e| FetchError::io("move to quarantine", path, e))?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_must_be_plain() {
        for ok in ["WIDER_val.zip", "a b.tar.gz", ".hidden"] {
            assert!(check_file_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "/etc/passwd",
            "a\\b",
            "x.part",
            "x.lock",
            "a\0b",
        ] {
            assert!(check_file_name(bad).is_err(), "{bad:?}");
        }
    }
}
