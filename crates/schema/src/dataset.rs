//! The trait every dataset crate implements.

use std::path::Path;

use crate::{DatasetInfo, Diagnostic, Resource, Sample, Split};

/// The error a dataset loader returns: the dataset crate's own concrete error, boxed so the
/// registry can hold every dataset behind one trait (downcast it to inspect it).
pub type DatasetError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a loader read for one split: the samples, and the source problems it recovered from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    /// The samples, in source order.
    pub samples: Vec<Sample>,
    /// Recoverable problems found while reading (never silently dropped).
    pub diagnostics: Vec<Diagnostic>,
}

/// A dataset: its info card, its published files, and a loader that reads an extracted tree
/// (laid out exactly as the official archives unpack) into samples.
pub trait Dataset: Send + Sync {
    /// The info card.
    fn info(&self) -> DatasetInfo;

    /// The published files, with sizes and checksums.
    fn resources(&self) -> Vec<Resource>;

    /// Reads the annotations of `split` from `root`. Images need not be present: a loader
    /// reads annotations only, and image paths in the samples are relative to `root`.
    fn load(&self, root: &Path, split: Split) -> Result<Loaded, DatasetError>;

    /// For a registration-gated dataset (no URL can be downloaded), what the user must do and
    /// what a folder of hand-downloaded files holds and lacks. `None`: zukan downloads it.
    fn manual(&self, dir: &Path) -> Option<ManualCheck> {
        let _ = dir;
        None
    }

    /// The subset that users of this dataset conventionally train on (`--clean`), when the
    /// raw release needs one (IMDB-WIKI's crawled photos). `None`: every sample is usable.
    fn clean(&self) -> Option<Selection> {
        None
    }
}

/// A named subset of a dataset's samples: what it keeps, in words, and the predicate.
pub struct Selection {
    /// What the selection keeps and where its definition comes from, for the user.
    pub description: String,
    /// Whether a sample (as the dataset's loader made it) is kept.
    pub keep: Box<dyn Fn(&Sample) -> bool + Send + Sync>,
}

impl Selection {
    /// The samples that pass, in order.
    pub fn select(&self, samples: Vec<Sample>) -> Vec<Sample> {
        samples.into_iter().filter(|s| (self.keep)(s)).collect()
    }
}

impl std::fmt::Debug for Selection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Selection")
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

/// The state of a folder where a user put the files of a registration-gated dataset.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ManualCheck {
    /// Where to register, which files to download and where to put them.
    pub instructions: String,
    /// The resource file names found in the folder (these are verified and imported).
    pub present: Vec<String>,
    /// What is still missing, in words a user can act on (`faces.tar.gz or aligned.tar.gz`).
    pub missing: Vec<String>,
}
