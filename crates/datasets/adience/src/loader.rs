//! Where the fold files are in the official tree, and the [`Dataset`] that reads them.
//!
//! The dataset root holds the `fold_*` files and `faces/` or `aligned/` (the extracted image
//! archive), exactly as the user downloaded them (DESIGN.md, data directory).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use zukan_schema::{Dataset, DatasetError, DatasetInfo, Loaded, ManualCheck, Resource, Split};

use crate::{FOLDS, ImageVariant, ParseError, parse_fold};

/// The fold file of fold `n`, relative to the dataset root.
pub fn fold_file(fold: u8) -> String {
    format!("fold_{fold}_data.txt")
}

/// The image variant of an extracted tree: [`ImageVariant::Aligned`] when `aligned/` is there
/// and `faces/` is not, else [`ImageVariant::Faces`] (also when no images are there yet:
/// annotations load without them).
pub fn detect_variant(root: &Path) -> ImageVariant {
    if root.join("aligned").is_dir() && !root.join("faces").is_dir() {
        ImageVariant::Aligned
    } else {
        ImageVariant::Faces
    }
}

/// Reads fold `split` (`Fold(0)` … `Fold(4)`) from `root`, with image paths of `variant`.
pub fn load_fold(root: &Path, split: Split, variant: ImageVariant) -> Result<Loaded, ParseError> {
    let fold = match split {
        Split::Fold(n) if FOLDS.contains(&n) => n,
        _ => {
            return Err(ParseError::NoSuchSplit {
                file: root.display().to_string(),
                split,
            });
        }
    };
    let relative = fold_file(fold);
    let path = root.join(&relative);
    let file = File::open(&path).map_err(|source| ParseError::Open {
        file: path.display().to_string(),
        source,
    })?;
    Ok(parse_fold(BufReader::new(file), &relative, split, variant)?.into_loaded())
}

/// Adience as a [`Dataset`]: five folds read from the user's manual download. The image
/// variant is found from the tree ([`detect_variant`]) unless one is set.
#[derive(Debug, Clone, Copy, Default)]
pub struct Adience {
    /// The image variant to use; `None` detects it from the root.
    pub variant: Option<ImageVariant>,
}

impl Dataset for Adience {
    fn info(&self) -> DatasetInfo {
        crate::info()
    }

    fn resources(&self) -> Vec<Resource> {
        crate::resources()
    }

    fn load(&self, root: &Path, split: Split) -> Result<Loaded, DatasetError> {
        let variant = self.variant.unwrap_or_else(|| detect_variant(root));
        Ok(load_fold(root, split, variant)?)
    }

    fn manual(&self, dir: &Path) -> Option<ManualCheck> {
        let status = crate::check_manual_dir(dir);
        Some(ManualCheck {
            instructions: crate::manual_instructions(),
            present: status.present,
            missing: status.missing,
        })
    }
}
