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
}
