//! The loader: ties the pure parsers to a dataset root laid out as the official archives
//! unpack (`wider_face_split/`, `WIDER_{train,val,test}/`).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use zukan_schema::{Dataset, DatasetError, DatasetInfo, Loaded, Resource, Split};

use crate::{ParseError, annotation_file, parse_bbx_gt, parse_test_filelist};

/// WIDER Face as a [`Dataset`]: the info card, the resource table, and a loader of the
/// authors' annotation files.
#[derive(Debug, Clone, Copy, Default)]
pub struct WiderFace;

/// Why a split could not be loaded from a dataset root.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// WIDER Face has train, val and test only.
    #[error("WIDER Face has no `{0}` split (it has train, val, test)")]
    NoSuchSplit(Split),
    /// The annotation file could not be opened (missing, unreadable).
    #[error("cannot open {}: {source}", path.display())]
    Open {
        /// The full path tried.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The annotation file is not readable as WIDER Face annotations.
    #[error("{source} (dataset root {})", root.display())]
    Parse {
        /// The dataset root; the error names the file relative to it.
        root: PathBuf,
        /// What is wrong, with file and line.
        source: ParseError,
    },
}

/// Reads the annotations of `split` under `root`: `wider_face_split/wider_face_{train,val}_bbx_gt.txt`
/// or `wider_face_split/wider_face_test_filelist.txt`. Images need not be present. Diagnostics
/// (file names relative to `root`) include the parser's and [`crate::validate`]'s.
pub fn load_split(root: &Path, split: Split) -> Result<Loaded, LoadError> {
    let relative = annotation_file(split).ok_or(LoadError::NoSuchSplit(split))?;
    let path = root.join(relative);
    let file = File::open(&path).map_err(|source| LoadError::Open { path, source })?;
    let reader = BufReader::with_capacity(1 << 16, file);
    let parsed = match split {
        Split::Test => parse_test_filelist(reader, relative),
        _ => parse_bbx_gt(reader, relative, split),
    };
    let parsed = parsed.map_err(|source| LoadError::Parse {
        root: root.to_owned(),
        source,
    })?;
    Ok(parsed.into_loaded())
}

impl Dataset for WiderFace {
    fn info(&self) -> DatasetInfo {
        crate::info()
    }

    fn resources(&self) -> Vec<Resource> {
        crate::resources()
    }

    fn load(&self, root: &Path, split: Split) -> Result<Loaded, DatasetError> {
        Ok(load_split(root, split)?)
    }
}
