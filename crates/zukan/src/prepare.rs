//! Preparing a dataset: download or import its archives, verify them, install the tree.

use std::path::PathBuf;
use std::sync::Arc;

use zukan_fetch::{DataDir, FetchError, FetchOptions, Fetcher, Progress, install};
use zukan_schema::{Dataset, Resource, Split};

use crate::DatasetRoot;

/// What to prepare, from where, into where.
#[derive(Debug, Clone)]
pub struct PrepareOptions {
    /// The data directory (`$ZUKAN_DATA_DIR`).
    pub data_dir: DataDir,
    /// Mirrors, offline mode, concurrency, retries.
    pub fetch: FetchOptions,
    /// The splits wanted; empty means every split of the dataset.
    pub splits: Vec<Split>,
    /// Take the archives from this directory (`fetch --from DIR`) instead of the network.
    pub from: Option<PathBuf>,
    /// Use this resource table instead of the dataset's own (the demo's fixture release).
    pub resources: Option<Vec<Resource>>,
}

/// What [`prepare`] did.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The installed, verified tree.
    pub root: DatasetRoot,
    /// The verified archives used, under `downloads/`.
    pub files: Vec<PathBuf>,
    /// Resources extracted by this call (the others were already installed).
    pub newly_installed: Vec<String>,
}

/// Why a dataset could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// A split the dataset does not have was asked for.
    #[error("{dataset} has no split `{split}` (it has: {available})")]
    NoSuchSplit {
        /// The dataset name.
        dataset: String,
        /// The split asked for.
        split: Split,
        /// The splits it has.
        available: String,
    },
    /// Downloading, verifying or installing failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// Extracting an archive into the tree failed.
    #[error("could not install {file_name}")]
    Install {
        /// The resource being installed.
        file_name: String,
        /// What went wrong.
        #[source]
        source: zukan_fetch::extract::ExtractError,
    },
}

/// Downloads (or imports), verifies and installs what `dataset` needs for the wanted splits,
/// and returns the tree. Re-running it is cheap: verified files and installed archives are
/// reused.
pub fn prepare(
    dataset: &dyn Dataset,
    options: &PrepareOptions,
    progress: Arc<dyn Progress>,
) -> Result<Prepared, PrepareError> {
    let info = dataset.info();
    for split in &options.splits {
        if !info.splits.contains(split) {
            let available = info
                .splits
                .iter()
                .map(Split::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            return Err(PrepareError::NoSuchSplit {
                dataset: info.name,
                split: *split,
                available,
            });
        }
    }
    let table = options
        .resources
        .clone()
        .unwrap_or_else(|| dataset.resources());
    let wanted: Vec<Resource> = table
        .into_iter()
        .filter(|r| options.splits.is_empty() || options.splits.iter().any(|s| r.needed_for(*s)))
        .collect();

    let fetcher = Fetcher::new(options.data_dir.clone(), options.fetch.clone(), progress)?;
    let files = match &options.from {
        Some(dir) => fetcher.import_from(dir, &wanted)?,
        None => fetcher.download_all(&wanted)?,
    };

    let tree = options.data_dir.tree(&info.name, &info.release);
    let _lock = options.data_dir.lock_dataset(&info.name)?;
    let mut newly_installed = Vec::new();
    for (resource, file) in wanted.iter().zip(&files) {
        let outcome =
            install::install(&tree, resource, file).map_err(|source| PrepareError::Install {
                file_name: resource.file_name.clone(),
                source,
            })?;
        if let install::InstallOutcome::Installed(_) = outcome {
            newly_installed.push(resource.file_name.clone());
        }
    }
    Ok(Prepared {
        root: DatasetRoot::verified(tree),
        files,
        newly_installed,
    })
}
