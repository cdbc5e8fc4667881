//! The error of the WIDER Face parsers: every variant names the file and, where there is one,
//! the 1-based line, so a message reads `wider_face_val_bbx_gt.txt:118: expected 10 integers,
//! found 9`.

use zukan_schema::Split;

/// A WIDER Face annotation file that cannot be read. Recoverable problems are
/// [`zukan_schema::Diagnostic`]s instead; this is for files whose structure is lost.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
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
    /// Where an image was expected, the line is not `<event>/<name>.jpg`.
    #[error("{file}:{line}: expected an image path `<event>/<name>.jpg`, found `{text}`")]
    BadImagePath {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// The line's text (shortened when long).
        text: String,
    },
    /// The file ends right after an image path, before its number of boxes.
    #[error("{file}:{line}: file ends before the number of boxes of `{image}`")]
    MissingCount {
        /// The file.
        file: String,
        /// The line where the count was expected.
        line: u64,
        /// The image the count belongs to.
        image: String,
    },
    /// The line after an image path is not a number of boxes.
    #[error("{file}:{line}: expected the number of boxes of `{image}`, found `{text}`")]
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
    /// A box row does not have exactly ten fields.
    #[error("{file}:{line}: expected 10 integers, found {found}")]
    WrongFieldCount {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// How many whitespace-separated fields the row has.
        found: usize,
    },
    /// A box row has a field that is not an integer.
    #[error("{file}:{line}: expected 10 integers, `{text}` is not an integer")]
    NotAnInteger {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// The offending field (shortened when long).
        text: String,
    },
    /// The file ends before all the box rows an image's count announced.
    #[error("{file}:{line}: file ends after {found} of the {expected} box rows of `{image}`")]
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
    /// The box rows of an image run into the next image path before its count was reached:
    /// the count is the likely fault, so the error is at its line and names both. The path is
    /// on line `line + found + 1`, since rows follow their count with no gaps.
    #[error(
        "{file}:{line}: `{image}` declares {}, but line {} is the next image path (`{next}`) \
         after {}",
        plural(*.expected, "box", "boxes"),
        *.line + *.found + 1,
        plural(*.found, "row", "rows")
    )]
    CountTooLarge {
        /// The file.
        file: String,
        /// The line of the count.
        line: u64,
        /// The image the count belongs to.
        image: String,
        /// The count the file gave.
        expected: u64,
        /// The rows read before the next image path.
        found: u64,
        /// The text of the next image path's line (shortened when long).
        next: String,
    },
    /// The split has no annotation file or image folder in WIDER Face (`Fold(n)`).
    #[error("{file}: WIDER Face has no `{split}` split (it has train, val, test)")]
    NoSuchSplit {
        /// The file.
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

/// `1 box`, `2 boxes`.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
