//! The error of the Adience parser: every variant names the file and, where there is one, the
//! 1-based line, so a message reads `fold_2_data.txt:118: expected 12 tab-separated fields,
//! found 11`.

use zukan_schema::Split;

/// A fold file that cannot be read. Recoverable problems (an age that is no age, an unknown
/// gender code, a repeated row) are [`zukan_schema::Diagnostic`]s instead; this is for files
/// whose structure is lost.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file could not be opened (the loader only).
    #[error("{file}: cannot open: {source}")]
    Open {
        /// The path that was opened.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Reading the underlying reader failed.
    #[error("{file}:{line}: read failed: {source}")]
    Io {
        /// The file, as given to the parser.
        file: String,
        /// The line being read.
        line: u64,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not UTF-8 (the authors' files are plain ASCII).
    #[error("{file}:{line}: not UTF-8 text")]
    NotUtf8 {
        /// The file.
        file: String,
        /// The line.
        line: u64,
    },
    /// The file has no line at all (or blank lines only), so not even the header.
    #[error("{file}: empty (not even the header line `user_id, original_image, …`, tab-separated)")]
    Empty {
        /// The file.
        file: String,
    },
    /// The first line is not the authors' header, so the columns cannot be trusted.
    #[error(
        "{file}:{line}: expected the header `user_id, original_image, face_id, age, …, fiducial_score` (tab-separated), found `{text}`"
    )]
    BadHeader {
        /// The file.
        file: String,
        /// The line (the first that is not blank).
        line: u64,
        /// The line's text (shortened when long).
        text: String,
    },
    /// A row does not have the twelve columns of the header.
    #[error("{file}:{line}: expected 12 tab-separated fields, found {found}")]
    WrongFieldCount {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// How many fields the row has.
        found: usize,
    },
    /// `user_id`, `face_id` or `original_image` cannot be part of an image path (empty, a
    /// `/`, `..`): the image path is built from them and joined to the dataset root.
    #[error("{file}:{line}: {column} `{text}` cannot be part of an image path")]
    BadPathPart {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// The column name.
        column: &'static str,
        /// The field (shortened when long).
        text: String,
    },
    /// Adience has folds 0 to 4 only.
    #[error("{file}: Adience has no `{split}` split (it has fold0 to fold4)")]
    NoSuchSplit {
        /// The dataset root, for context.
        file: String,
        /// The split asked for.
        split: Split,
    },
}

/// At most this many characters of source text are quoted in a message, so a garbage file
/// with one enormous line still gives a readable error.
const QUOTE_LIMIT: usize = 60;

/// `text`, cut to [`QUOTE_LIMIT`] characters (on a character boundary) with `…` when cut.
pub(crate) fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}
