//! The error of the IMDB-WIKI parser and loader: every variant names the file and, where
//! there is one, the struct field, so a message reads
//! `wiki_crop/wiki.mat: field `gender` has 8 entries, `full_path` has 9`.

use zukan_schema::Split;

/// A metadata file whose structure is lost. Recoverable problems of single entries (an
/// impossible age, a gender of 2) are [`zukan_schema::Diagnostic`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file could not be read (the loader only).
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The path that was read.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The bytes are not a readable MAT v5 file (the reader's error has the byte offset).
    #[error("{file}: {source}")]
    Mat {
        /// The file.
        file: String,
        /// The MAT reader's error.
        source: zukan_mat::MatError,
    },
    /// The file has no variable named after the database (`wiki` or `imdb`).
    #[error("{file}: no variable `{name}` (the file holds: {found})")]
    MissingStruct {
        /// The file.
        file: String,
        /// The variable looked for.
        name: &'static str,
        /// The variables present, comma-separated.
        found: String,
    },
    /// The variable is not a 1x1 struct.
    #[error("{file}: `{name}` is a {found}, expected a 1x1 struct")]
    NotAStruct {
        /// The file.
        file: String,
        /// The variable.
        name: &'static str,
        /// What it is instead, e.g. `1x3 struct array`.
        found: String,
    },
    /// A field every entry needs is missing from the struct.
    #[error("{file}: the struct has no field `{field}`")]
    MissingField {
        /// The file.
        file: String,
        /// The field.
        field: &'static str,
    },
    /// A field holds the wrong kind of array.
    #[error("{file}: field `{field}` is a {found}, expected {expected}")]
    FieldType {
        /// The file.
        file: String,
        /// The field.
        field: &'static str,
        /// What it should be, in words.
        expected: &'static str,
        /// What it is, e.g. `1x9 char array`.
        found: String,
    },
    /// A per-entry field has a different number of entries than `full_path`.
    #[error("{file}: field `{field}` has {found} entries, `full_path` has {expected}")]
    FieldLength {
        /// The file.
        file: String,
        /// The field whose length disagrees.
        field: &'static str,
        /// The number of entries of `full_path`.
        expected: usize,
        /// The number of entries of `field`.
        found: usize,
    },
    /// Neither metadata file of either database is under the root (the loader only).
    #[error("no IMDB-WIKI metadata under {root}: looked for {tried}")]
    NoMetadata {
        /// The dataset root.
        root: String,
        /// Every path tried, comma-separated.
        tried: String,
    },
    /// IMDB-WIKI is loaded as one `train` split (the authors publish no split).
    #[error("IMDB-WIKI has no `{split}` split (the authors publish no split; use train)")]
    NoSuchSplit {
        /// The split asked for.
        split: Split,
    },
}
