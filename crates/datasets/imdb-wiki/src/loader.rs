//! Where the metadata files are in an extracted tree, and the [`Dataset`] that reads them.
//!
//! The dataset root is the directory the archives were extracted into. For each source the
//! loader reads the face-crop metadata (`wiki_crop/wiki.mat`, `imdb_crop/imdb.mat`) when
//! present, else the full-photo one (`wiki/wiki.mat` from `wiki.tar.gz`, `imdb/imdb.mat`
//! from `imdb_meta.tar`), never both: they describe the same entries. When both are there,
//! the one not read is reported (a diagnostic on that file), so a user who meant the full
//! photos learns why the samples point into the crops. A source with neither file is simply
//! absent (a user may fetch only Wikipedia); no file at all is an error naming every path
//! tried.

use std::path::Path;

use zukan_schema::{
    Dataset, DatasetError, DatasetInfo, Diagnostic, Loaded, Resource, Selection, Split,
};

use crate::{CleanFilter, Db, ImageTree, ParseError, parse_meta_bytes};

/// The metadata file the loader reads for `db` under `root`, and the tree it belongs to:
/// the crop tree's when it exists, else the full tree's, else `None`.
pub fn meta_file(root: &Path, db: Db) -> Option<(String, ImageTree)> {
    [ImageTree::Crop, ImageTree::Full]
        .into_iter()
        .map(|tree| (db.meta_file(tree), tree))
        .find(|(file, _)| root.join(file).is_file())
}

/// Reads every source present under `root` into one `train` split (Wikipedia first). A
/// source whose full-photo metadata is there beside the crop metadata read instead gets a
/// diagnostic on the file not read.
pub fn load(root: &Path, split: Split) -> Result<Loaded, ParseError> {
    if split != Split::Train {
        return Err(ParseError::NoSuchSplit { split });
    }
    let mut loaded = Loaded::default();
    let mut found_any = false;
    for db in Db::ALL {
        let Some((file, tree)) = meta_file(root, db) else {
            continue;
        };
        found_any = true;
        if tree == ImageTree::Crop {
            let full = db.meta_file(ImageTree::Full);
            if root.join(&full).is_file() {
                loaded.diagnostics.push(Diagnostic::in_file(
                    full,
                    format!(
                        "present but not read: the same entries were read from {file} (the face \
                         crops, preferred when both trees are there); to load the full photos, \
                         use a root without {}/",
                        db.dir(ImageTree::Crop)
                    ),
                ));
            }
        }
        let path = root.join(&file);
        let bytes = std::fs::read(&path).map_err(|source| ParseError::Read {
            file: path.display().to_string(),
            source,
        })?;
        let parsed = parse_meta_bytes(&bytes, db, tree, &file)?;
        loaded.samples.extend(parsed.samples);
        loaded.diagnostics.extend(parsed.diagnostics);
    }
    if !found_any {
        let tried = Db::ALL
            .iter()
            .flat_map(|db| [db.meta_file(ImageTree::Crop), db.meta_file(ImageTree::Full)])
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ParseError::NoMetadata {
            root: root.display().to_string(),
            tried,
        });
    }
    Ok(loaded)
}

/// IMDB-WIKI as a [`Dataset`]: both sources in one `train` split.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImdbWiki;

impl Dataset for ImdbWiki {
    fn info(&self) -> DatasetInfo {
        crate::info()
    }

    fn resources(&self) -> Vec<Resource> {
        crate::resources()
    }

    fn load(&self, root: &Path, split: Split) -> Result<Loaded, DatasetError> {
        Ok(load(root, split)?)
    }

    fn clean(&self) -> Option<Selection> {
        let filter = CleanFilter::default();
        Some(Selection {
            description: format!(
                "a face found with score >= {}, no second face scoring above {}, an age in \
                 0..=100 by yu4u's calc_age, a gender that is not NaN \
                 (yu4u/age-gender-estimation's create_db.py)",
                filter.min_face_score,
                filter.max_second_face_score.unwrap_or(f64::INFINITY),
            ),
            keep: Box::new(move |sample| filter.keep(sample)),
        })
    }
}
