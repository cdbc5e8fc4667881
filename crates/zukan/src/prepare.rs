//! Preparing a dataset: download or import its files, verify them, install the tree.

use std::path::PathBuf;
use std::sync::Arc;

use zukan_fetch::{DataDir, Downloaded, FetchError, FetchOptions, Fetcher, Progress, install};
use zukan_schema::{Dataset, Resource, Split};

use crate::DatasetRoot;
use crate::pins::{PinError, Pins};

/// What to prepare, from where, into where.
#[derive(Debug, Clone)]
pub struct PrepareOptions {
    /// The data directory (`$ZUKAN_DATA_DIR`).
    pub data_dir: DataDir,
    /// Mirrors, offline mode, concurrency, retries.
    pub fetch: FetchOptions,
    /// The splits wanted; empty means every split of the dataset.
    pub splits: Vec<Split>,
    /// Only these files of the resource table (by published name); empty means every file
    /// the splits need (IMDB-WIKI: `wiki_crop.tar` without the 7 GB `imdb_crop.tar`).
    pub files: Vec<String>,
    /// Take the files from this directory (`fetch --from DIR`, or `--manual-dir` for a
    /// registration-gated dataset) instead of the network.
    pub from: Option<PathBuf>,
    /// Use this resource table instead of the dataset's own (the demo's fixture release).
    pub resources: Option<Vec<Resource>>,
}

impl PrepareOptions {
    /// Every split, from the network, with the given data directory and fetch options.
    pub fn new(data_dir: DataDir, fetch: FetchOptions) -> Self {
        PrepareOptions {
            data_dir,
            fetch,
            splits: Vec::new(),
            files: Vec::new(),
            from: None,
            resources: None,
        }
    }
}

/// What [`prepare`] did.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The installed, verified tree.
    pub root: DatasetRoot,
    /// The verified files used, under `downloads/`, with their sha256.
    pub files: Vec<Downloaded>,
    /// Resources extracted by this call (the others were already installed).
    pub newly_installed: Vec<String>,
    /// Files without a published checksum whose sha256 and size were recorded by this call
    /// (trust on first use; later fetches are checked against the record).
    pub newly_pinned: Vec<String>,
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
    /// The data directory cannot be written.
    #[error("cannot write to the data directory: {}", path.display())]
    DataDir {
        /// The directory that could not be created.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file the dataset's table does not list was asked for.
    #[error("{dataset} has no file `{file}` (its files: {})", available.join(", "))]
    NoSuchFile {
        /// The dataset name.
        dataset: String,
        /// The file asked for.
        file: String,
        /// The files it has.
        available: Vec<String>,
    },
    /// A registration-gated dataset whose files are not all in the manual folder yet.
    #[error("{dataset} must be downloaded by hand; still missing from {}: {}\n\n{instructions}", dir.display(), missing.join(", "))]
    ManualDownload {
        /// The dataset name.
        dataset: String,
        /// The folder that was checked.
        dir: PathBuf,
        /// What is missing there.
        missing: Vec<String>,
        /// Where to register, what to download, where to put it.
        instructions: String,
    },
    /// Downloading or verifying failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// Files without a published checksum did not match the size and sha256 recorded at
    /// their first verified download.
    #[error(
        "{} {} not match the size and sha256 recorded at first use in {} (the authors publish \
         no checksum); if they really changed the file, delete its entry there and fetch again",
        files.join(", "), if files.len() == 1 { "does" } else { "do" }, pin_file.display()
    )]
    PinMismatch {
        /// The files that did not match their record.
        files: Vec<String>,
        /// The record (`$ZUKAN_DATA_DIR/pins/<dataset>.json`).
        pin_file: PathBuf,
        /// The fetch error, with expected and actual values.
        #[source]
        source: Box<FetchError>,
    },
    /// The record of first-use checksums could not be read or written.
    #[error(transparent)]
    Pins(#[from] PinError),
    /// Extracting a file into the tree failed.
    #[error("could not install {file_name}{}", quarantined.as_ref().map_or(String::new(), |q| format!(
        " (no checksum is published and none was recorded, so it was moved to {} and the next fetch starts afresh)", q.display())))]
    Install {
        /// The resource being installed.
        file_name: String,
        /// Where the download went, when it had no published or recorded checksum (so
        /// nothing vouches for it and it must not be reused).
        quarantined: Option<PathBuf>,
        /// What went wrong.
        #[source]
        source: Box<zukan_fetch::extract::ExtractError>,
    },
}

/// Downloads (or imports), verifies and installs what `dataset` needs for the wanted splits,
/// and returns the tree. Re-running it is cheap: verified files and installed archives are
/// reused. A registration-gated dataset is imported from its manual folder
/// (`$ZUKAN_DATA_DIR/manual/<name>/`, or `options.from`).
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
    if let Some(unknown) = options
        .files
        .iter()
        .find(|f| !table.iter().any(|r| &r.file_name == *f))
    {
        return Err(PrepareError::NoSuchFile {
            dataset: info.name,
            file: unknown.clone(),
            available: table.iter().map(|r| r.file_name.clone()).collect(),
        });
    }
    let mut wanted: Vec<Resource> = table
        .into_iter()
        .filter(|r| options.splits.is_empty() || options.splits.iter().any(|s| r.needed_for(*s)))
        .filter(|r| options.files.is_empty() || options.files.contains(&r.file_name))
        .collect();
    let unpublished: Vec<String> = wanted
        .iter()
        .filter(|r| r.sha256.is_none())
        .map(|r| r.file_name.clone())
        .collect();
    let mut pins = Pins::load(&options.data_dir, &info.name)?;
    pins.apply(&mut wanted);

    // One clear error for a data directory that cannot be written, not one per file.
    let downloads = options.data_dir.downloads();
    std::fs::create_dir_all(&downloads).map_err(|source| PrepareError::DataDir {
        path: downloads.clone(),
        source,
    })?;
    let fetcher = Fetcher::new(options.data_dir.clone(), options.fetch.clone(), progress)?;
    let manual_dir = options
        .from
        .clone()
        .unwrap_or_else(|| options.data_dir.manual(&info.name));
    let files = match dataset.manual(&manual_dir) {
        Some(check) => {
            if !check.missing.is_empty() {
                return Err(PrepareError::ManualDownload {
                    dataset: info.name,
                    dir: manual_dir,
                    missing: check.missing,
                    instructions: check.instructions,
                });
            }
            wanted.retain(|r| check.present.contains(&r.file_name));
            fetcher.import(&manual_dir, &wanted)
        }
        None => match &options.from {
            Some(dir) => fetcher.import(dir, &wanted),
            None => fetcher.fetch(&wanted),
        },
    }
    .map_err(|source| {
        let files: Vec<String> = source
            .mismatched_files()
            .into_iter()
            .filter(|f| unpublished.iter().any(|u| u == *f) && pins.entries.contains_key(*f))
            .map(str::to_owned)
            .collect();
        match files.is_empty() {
            true => PrepareError::Fetch(source),
            false => PrepareError::PinMismatch {
                files,
                pin_file: pins.path().to_owned(),
                source: Box::new(source),
            },
        }
    })?;
    let tree = options.data_dir.tree(&info.name, &info.release);
    let _lock = options.data_dir.lock_dataset(&info.name)?;
    let mut newly_installed = Vec::new();
    let mut installed_files = Vec::new();
    let mut failure = None;
    for (resource, file) in wanted.iter().zip(&files) {
        // The marker holds the bytes' own sha256 and size, also for a file without a
        // published checksum, so the next run (which applies the new pin) sees it installed.
        let mut exact = resource.clone();
        exact.sha256 = Some(file.sha256);
        exact.size = Some(file.size);
        match install::install(&tree, &exact, &file.path) {
            Ok(outcome) => {
                if let install::InstallOutcome::Installed(_) = outcome {
                    newly_installed.push(resource.file_name.clone());
                }
                installed_files.push(file.clone());
            }
            Err(source) => {
                failure = Some((resource, source));
                break;
            }
        }
    }
    // A file without a published checksum is recorded only once it has installed: bytes
    // that do not even extract must not become the reference every later fetch is held to.
    let newly_pinned = pins.record(&wanted[..installed_files.len()], &installed_files);
    if !newly_pinned.is_empty() {
        pins.save()?;
    }
    if let Some((resource, source)) = failure {
        let quarantined = if resource.sha256.is_none() {
            Some(zukan_fetch::quarantine_download(
                &options.data_dir,
                &resource.file_name,
            )?)
        } else {
            None
        };
        return Err(PrepareError::Install {
            file_name: resource.file_name.clone(),
            quarantined,
            source: Box::new(source),
        });
    }
    Ok(Prepared {
        root: DatasetRoot::verified(tree),
        files,
        newly_installed,
        newly_pinned,
    })
}
