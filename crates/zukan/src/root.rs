//! A dataset tree on disk, and where it came from.

use std::path::{Path, PathBuf};

use zukan_schema::{Dataset, DatasetError, ImageRef, Loaded, Sample, Split};

/// Whether the files under a root were proven to be the published ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// Installed by zukan from archives whose size and sha256 were checked.
    Verified,
    /// A tree the user pointed at with `--root`: nothing was checked by checksum.
    Unverified,
}

/// A directory laid out exactly as a dataset's official archives unpack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetRoot {
    /// The directory.
    pub path: PathBuf,
    /// Whether its files were verified.
    pub provenance: Provenance,
}

impl DatasetRoot {
    /// A tree the user already has (`--root DIR`): read as is, marked unverified.
    pub fn user(path: impl Into<PathBuf>) -> Self {
        DatasetRoot {
            path: path.into(),
            provenance: Provenance::Unverified,
        }
    }

    /// A tree installed by [`crate::prepare`].
    pub fn verified(path: impl Into<PathBuf>) -> Self {
        DatasetRoot {
            path: path.into(),
            provenance: Provenance::Verified,
        }
    }

    /// Reads the annotations of `split`.
    pub fn load(&self, dataset: &dyn Dataset, split: Split) -> Result<Loaded, DatasetError> {
        dataset.load(&self.path, split)
    }

    /// The absolute path of a sample's image (or of the packed file holding it).
    pub fn image_path(&self, image: &ImageRef) -> PathBuf {
        self.path.join(image.path())
    }

    /// How many samples point at an image file that is not on disk.
    pub fn missing_images(&self, samples: &[Sample]) -> usize {
        samples
            .iter()
            .filter(|s| !self.image_path(&s.image).is_file())
            .count()
    }

    /// The directory, for display.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
