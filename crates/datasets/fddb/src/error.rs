//! The error of the FDDB parsers: every variant names the file and, where there is one, the
//! 1-based line, so a message reads `FDDB-fold-08-ellipseList.txt:897: expected 6 numbers
//! (ra rb angle cx cy 1), found 5`.

use zukan_schema::Split;

/// An FDDB file that cannot be read. Recoverable problems (a placeholder ellipse, a zero
/// radius) are [`zukan_schema::Diagnostic`]s instead; this is for files whose structure is lost.
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
    /// Where an image name was expected, the line is not a relative path without spaces.
    #[error("{file}:{line}: expected an image name like `2002/08/11/big/img_591`, found `{text}`")]
    BadImageName {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// The line's text (shortened when long).
        text: String,
    },
    /// The line after an image name is not a number of faces.
    #[error("{file}:{line}: expected the number of faces of `{image}`, found `{text}`")]
    BadCount {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// The image the count belongs to.
        image: String,
        /// The line's text (shortened when long).
        text: String,
    },
    /// A face row does not have the number of fields its format needs.
    #[error("{file}:{line}: expected {expected}, found {found} fields")]
    WrongFieldCount {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// What the row should hold, in words (`6 numbers (ra rb angle cx cy 1)`).
        expected: &'static str,
        /// How many whitespace-separated fields the row has.
        found: usize,
    },
    /// A face row has a field that is not a number.
    #[error("{file}:{line}: `{text}` is not a number")]
    NotANumber {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// The offending field (shortened when long).
        text: String,
    },
    /// The file ends right after an image name.
    #[error("{file}:{line}: file ends before the number of faces of `{image}`")]
    MissingCount {
        /// The file.
        file: String,
        /// The line where the count was expected.
        line: u64,
        /// The image.
        image: String,
    },
    /// The file ends before all the face rows an image's count announced.
    #[error("{file}:{line}: file ends after {found} of the {expected} faces of `{image}`")]
    MissingRows {
        /// The file.
        file: String,
        /// The line where the next row was expected.
        line: u64,
        /// The image whose rows are missing.
        image: String,
        /// The count the file gave.
        expected: u64,
        /// The rows present.
        found: u64,
    },
    /// FDDB has folds 1 to 10 only.
    #[error("{file}: FDDB has no `{split}` split (it has fold1 to fold10)")]
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
