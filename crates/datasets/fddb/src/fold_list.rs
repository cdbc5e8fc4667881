//! The plain image lists `FDDB-fold-NN.txt`, and the check that each agrees with its ellipse
//! list.
//!
//! The authors ship both files per fold: the list is what their evaluation script iterates
//! (detections must come in its order), the ellipse list holds the faces. In the real folds
//! they name the same images in the same order; a copy where they differ would make detections
//! written in one order be scored against the other, so a disagreement is reported.

use std::collections::HashMap;
use std::io::BufRead;

use zukan_schema::Diagnostic;

use crate::ellipse_list::image_name;
use crate::lines::NumberedLines;
use crate::{ParseError, Parsed};

/// One line of a fold list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldEntry {
    /// The 1-based line.
    pub line: u64,
    /// The image name as written (no `.jpg`).
    pub name: String,
}

/// Parses a fold list: one image name per line (blank lines skipped). A line that is not an
/// image name is a [`ParseError`] naming file and line. Never panics.
pub fn parse_fold_list<R: BufRead>(reader: R, file: &str) -> Result<Vec<FoldEntry>, ParseError> {
    let mut lines = NumberedLines::new(reader, file);
    let mut entries = Vec::new();
    while let Some((line, text)) = lines.next_line()? {
        let name = image_name(text, file, line)?.to_owned();
        entries.push(FoldEntry { line, name });
    }
    Ok(entries)
}

/// Diagnostics for every way the fold list `list` (read from `list_file`) and the ellipse list
/// `parsed` disagree: each image only one of them names, then (when both name the same
/// images) the first place where their order differs. Empty when they agree.
pub fn check_fold_agreement(
    list_file: &str,
    list: &[FoldEntry],
    parsed: &Parsed,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let in_list: HashMap<&str, u64> = list.iter().map(|e| (e.name.as_str(), e.line)).collect();
    let in_ellipses: HashMap<&str, u64> = parsed
        .images
        .iter()
        .map(|image| (image.sample.id.as_str(), image.line))
        .collect();
    for entry in list {
        if !in_ellipses.contains_key(entry.name.as_str()) {
            diagnostics.push(Diagnostic::at_line(
                list_file,
                entry.line,
                format!("`{}` is not in {}", entry.name, parsed.file),
            ));
        }
    }
    for image in &parsed.images {
        if !in_list.contains_key(image.sample.id.as_str()) {
            diagnostics.push(Diagnostic::at_line(
                &parsed.file,
                image.line,
                format!("`{}` is not in {list_file}", image.sample.id),
            ));
        }
    }
    if diagnostics.is_empty() {
        let mismatch = list
            .iter()
            .zip(&parsed.images)
            .find(|(entry, image)| entry.name != image.sample.id);
        if let Some((entry, image)) = mismatch {
            diagnostics.push(Diagnostic::at_line(
                list_file,
                entry.line,
                format!(
                    "order differs: `{}` here, `{}` at {}:{}",
                    entry.name, image.sample.id, parsed.file, image.line
                ),
            ));
        } else if list.len() != parsed.images.len() {
            // Same names, different lengths: one of the files repeats an image.
            diagnostics.push(Diagnostic::in_file(
                list_file,
                format!(
                    "{} images here, {} in {}",
                    list.len(),
                    parsed.images.len(),
                    parsed.file
                ),
            ));
        }
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use zukan_schema::Split;

    use super::*;
    use crate::parse_ellipse_list;

    fn check(list: &str, ellipses: &str, expected: &[&str]) {
        let list = parse_fold_list(list.as_bytes(), "l.txt").unwrap();
        let parsed = parse_ellipse_list(ellipses.as_bytes(), "e.txt", Split::Fold(1)).unwrap();
        let got: Vec<String> = check_fold_agreement("l.txt", &list, &parsed)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(got, expected);
    }

    const TWO: &str = "a/1\n1\n1 1 0 5 5  1\na/2\n1\n1 1 0 5 5  1\n";

    #[test]
    fn agreeing_files_give_nothing() {
        check("a/1\na/2\n", TWO, &[]);
        check("a/1\r\n\r\na/2", TWO, &[]);
    }

    #[test]
    fn names_in_one_file_only_are_reported_from_both_sides() {
        check(
            "a/1\na/3\n",
            TWO,
            &[
                "l.txt:2: `a/3` is not in e.txt",
                "e.txt:4: `a/2` is not in l.txt",
            ],
        );
    }

    #[test]
    fn a_different_order_is_reported_once_at_the_first_difference() {
        check(
            "a/2\na/1\n",
            TWO,
            &["l.txt:1: order differs: `a/2` here, `a/1` at e.txt:1"],
        );
        check(
            "a/1\na/2\na/2\n",
            TWO,
            &["l.txt: 3 images here, 2 in e.txt"],
        );
    }

    #[test]
    fn a_leading_utf8_bom_is_not_part_of_the_first_name() {
        // A BOM made the first name differ from the ellipse list's.
        check("\u{feff}a/1\na/2\n", TWO, &[]);
    }

    #[test]
    fn a_line_that_is_not_a_name_is_an_error() {
        let err = parse_fold_list("a/1\n2 3\n".as_bytes(), "l.txt").unwrap_err();
        assert_eq!(
            err.to_string(),
            "l.txt:2: expected an image name like `2002/08/11/big/img_591`, found `2 3`"
        );
    }
}
