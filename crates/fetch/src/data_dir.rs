//! The data directory layout (`$ZUKAN_DATA_DIR`):
//!
//! ```text
//! downloads/            verified files by published name; NAME.part while downloading,
//!                       NAME.sha256 (verified stamp), NAME.lock
//! manual/<dataset>/     files of gated datasets placed by the user
//! <dataset>/<release>/  extracted tree
//! quarantine/           files that failed verification, NAME.<unix time>
//! ```

use std::path::{Path, PathBuf};

use crate::FetchError;
use crate::lock::LockGuard;

/// The root of everything zukan stores, and where each kind of file goes in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// A data directory at `root` (created when first written to).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    /// `$ZUKAN_DATA_DIR`, else `$XDG_CACHE_HOME/zukan`, else `$HOME/.cache/zukan`, else
    /// `zukan` under the system temporary directory.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var_os(name).map(PathBuf::from))
    }

    /// As [`DataDir::from_env`], reading variables through `lookup`. Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<PathBuf>) -> Self {
        let var = |name: &str| lookup(name).filter(|p| !p.as_os_str().is_empty());
        let root = var("ZUKAN_DATA_DIR")
            .or_else(|| var("XDG_CACHE_HOME").map(|p| p.join("zukan")))
            .or_else(|| var("HOME").map(|p| p.join(".cache").join("zukan")))
            .unwrap_or_else(|| std::env::temp_dir().join("zukan"));
        DataDir { root }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where verified downloads live.
    pub fn downloads(&self) -> PathBuf {
        self.root.join("downloads")
    }

    /// The verified file `file_name` (present only once verified).
    pub fn download(&self, file_name: &str) -> PathBuf {
        self.downloads().join(file_name)
    }

    /// The partial download of `file_name`.
    pub fn part(&self, file_name: &str) -> PathBuf {
        self.downloads().join(format!("{file_name}.part"))
    }

    /// The verified stamp of `file_name` (sha256, size and mtime of the verified file).
    pub fn stamp(&self, file_name: &str) -> PathBuf {
        self.downloads().join(format!("{file_name}.sha256"))
    }

    /// The lock file held while `file_name` is downloaded.
    pub fn download_lock(&self, file_name: &str) -> PathBuf {
        self.downloads().join(format!("{file_name}.lock"))
    }

    /// Where a user puts the files of gated dataset `dataset`.
    pub fn manual(&self, dataset: &str) -> PathBuf {
        self.root.join("manual").join(dataset)
    }

    /// The extracted tree of `dataset` at `release`.
    pub fn tree(&self, dataset: &str, release: &str) -> PathBuf {
        self.root.join(dataset).join(release)
    }

    /// Where files that failed verification are kept.
    pub fn quarantine(&self) -> PathBuf {
        self.root.join("quarantine")
    }

    /// Takes the install lock of `dataset` (waits while another process holds it).
    pub fn lock_dataset(&self, dataset: &str) -> Result<LockGuard, FetchError> {
        crate::store::check_file_name(dataset)?;
        LockGuard::acquire(&self.root.join(format!("{dataset}.lock")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> PathBuf {
        let map: HashMap<&str, PathBuf> =
            vars.iter().map(|(k, v)| (*k, PathBuf::from(v))).collect();
        DataDir::from_lookup(|k| map.get(k).cloned())
            .root()
            .to_owned()
    }

    #[test]
    fn root_precedence() {
        let all = [
            ("ZUKAN_DATA_DIR", "/z"),
            ("XDG_CACHE_HOME", "/x"),
            ("HOME", "/h"),
        ];
        assert_eq!(from(&all), PathBuf::from("/z"));
        assert_eq!(from(&all[1..]), PathBuf::from("/x/zukan"));
        assert_eq!(from(&all[2..]), PathBuf::from("/h/.cache/zukan"));
        assert_eq!(
            from(&[("ZUKAN_DATA_DIR", ""), ("HOME", "/h")]),
            PathBuf::from("/h/.cache/zukan")
        );
        assert_eq!(from(&[]), std::env::temp_dir().join("zukan"));
    }

    #[test]
    fn layout() {
        let d = DataDir::new("/r");
        assert_eq!(d.download("a.zip"), PathBuf::from("/r/downloads/a.zip"));
        assert_eq!(d.part("a.zip"), PathBuf::from("/r/downloads/a.zip.part"));
        assert_eq!(d.tree("widerface", "v1"), PathBuf::from("/r/widerface/v1"));
        assert_eq!(d.manual("adience"), PathBuf::from("/r/manual/adience"));
        assert!(d.lock_dataset("../x").is_err());
    }
}
