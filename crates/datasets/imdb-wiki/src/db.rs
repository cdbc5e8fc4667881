//! The two sources of IMDB-WIKI and the two image trees each is published in.

use std::fmt;

/// One of the two crawls the dataset is made of; each has its own metadata file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Db {
    /// Wikipedia profile images (62,328 faces, per the official page).
    Wiki,
    /// IMDb images (460,723 faces of 20,284 celebrities, per the official page).
    Imdb,
}

impl Db {
    /// Both, in the order the loader reads them.
    pub const ALL: [Db; 2] = [Db::Wiki, Db::Imdb];

    /// `"wiki"` or `"imdb"`: the struct's variable name in the `.mat` file, the value of the
    /// `source` attribute, and the first component of every sample id.
    pub fn name(self) -> &'static str {
        match self {
            Db::Wiki => "wiki",
            Db::Imdb => "imdb",
        }
    }

    /// The metadata file relative to the dataset root for `tree`
    /// (`wiki_crop/wiki.mat`, `imdb/imdb.mat`, ...).
    pub fn meta_file(self, tree: ImageTree) -> String {
        format!("{}/{}.mat", self.dir(tree), self.name())
    }

    /// The folder the archive unpacks to, which the `full_path` of every entry is relative to.
    pub fn dir(self, tree: ImageTree) -> String {
        match tree {
            ImageTree::Crop => format!("{}_crop", self.name()),
            ImageTree::Full => self.name().to_owned(),
        }
    }
}

impl fmt::Display for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which published image tree the samples point into. The same metadata ships with both;
/// what changes is where the pixels are and whether `face_location` applies to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageTree {
    /// `wiki_crop.tar` / `imdb_crop.tar`: one face crop per entry, under `<db>_crop/`.
    /// `face_location` is in the coordinates of the *uncropped* photo, so these samples get
    /// no face object (its box would be wrong on the crop); the raw location stays in the
    /// `face_location` attribute.
    Crop,
    /// `wiki.tar.gz` (`wiki/`, images and metadata) or `imdb_meta.tar` plus `imdb_0..9.tar`
    /// (`imdb/`): the original photos, on which `face_location` is the face box.
    Full,
}
