//! Where the files of a fold are in the official tree, and the [`Dataset`] that reads them.
//!
//! The dataset root is the directory both archives were extracted into: `FDDB-folds/` (from
//! `FDDB-folds.tgz`) beside `2002/` and `2003/` (from `originalPics.tar.gz`, whose top level
//! is the year folders per third-party loaders; the authors' README calls the tree
//! `originalPics/`, so check on first real download). Image names are relative to the root.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use zukan_schema::{Dataset, DatasetError, DatasetInfo, Diagnostic, Loaded, Resource, Split};

use crate::{FOLDS, ParseError, check_fold_agreement, parse_ellipse_list, parse_fold_list};

/// The ellipse list of fold `n`, relative to the dataset root.
pub fn ellipse_list_file(fold: u8) -> String {
    format!("FDDB-folds/FDDB-fold-{fold:02}-ellipseList.txt")
}

/// The plain image list of fold `n`, relative to the dataset root.
pub fn fold_list_file(fold: u8) -> String {
    format!("FDDB-folds/FDDB-fold-{fold:02}.txt")
}

/// Reads fold `split` (`Fold(1)` … `Fold(10)`) from `root`: the samples of its ellipse list,
/// plus diagnostics, including any disagreement with the fold's plain image list (a missing
/// image list is a diagnostic too: the order is then not cross-checked).
pub fn load_fold(root: &Path, split: Split) -> Result<Loaded, ParseError> {
    let fold = match split {
        Split::Fold(n) if FOLDS.contains(&n) => n,
        _ => {
            return Err(ParseError::NoSuchSplit {
                file: root.display().to_string(),
                split,
            });
        }
    };
    let ellipse_file = ellipse_list_file(fold);
    let parsed = parse_ellipse_list(open(root, &ellipse_file)?, &ellipse_file, split)?;
    let list_file = fold_list_file(fold);
    let list_diagnostics = match File::open(root.join(&list_file)) {
        Ok(f) => {
            let list = parse_fold_list(BufReader::new(f), &list_file)?;
            check_fold_agreement(&list_file, &list, &parsed)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => vec![Diagnostic::in_file(
            &list_file,
            "missing, so the image order of the ellipse list is not cross-checked",
        )],
        Err(source) => {
            return Err(ParseError::Open {
                file: root.join(&list_file).display().to_string(),
                source,
            });
        }
    };
    let mut loaded = parsed.into_loaded();
    loaded.diagnostics.extend(list_diagnostics);
    Ok(loaded)
}

fn open(root: &Path, relative: &str) -> Result<BufReader<File>, ParseError> {
    let path = root.join(relative);
    File::open(&path)
        .map(BufReader::new)
        .map_err(|source| ParseError::Open {
            file: path.display().to_string(),
            source,
        })
}

/// FDDB as a [`Dataset`]: ten folds read from an extracted tree.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fddb;

impl Dataset for Fddb {
    fn info(&self) -> DatasetInfo {
        crate::info()
    }

    fn resources(&self) -> Vec<Resource> {
        crate::resources()
    }

    fn load(&self, root: &Path, split: Split) -> Result<Loaded, DatasetError> {
        Ok(load_fold(root, split)?)
    }
}
