//! The parser of the authors' box ground truth, `wider_face_{train,val}_bbx_gt.txt`.
//!
//! The format (authors' `readme.txt`, checked on the whole real val file):
//!
//! ```text
//! 0--Parade/0_Parade_marchingband_1_465.jpg      image path under WIDER_<split>/images/
//! 126                                            number of boxes N
//! 345 211 4 4 2 0 0 0 2 0                        N rows of ten integers, each ending in a space
//! ```
//!
//! Columns, in the order the readme gives them and the authors' `.mat` files confirm:
//! `x1 y1 w h blur expression illumination invalid occlusion pose`. (torchvision reads the
//! last three as occlusion, pose, invalid; that is wrong, see the research notes, section 1.3.)
//!
//! Quirks handled here, each pinned by a test below:
//! - an image without faces is written as count `1` + one row of ten zeros (val) or as count
//!   `0` + one row of ten zeros (train); both give the image with no boxes;
//! - rows end with a trailing space; copies may have CRLF line ends or no final newline;
//! - boxes of zero width or height are kept exactly as written (`validate` reports them).

use std::io::BufRead;

use zukan_schema::{AttrValue, BBox, Diagnostic, Object, Split};

use crate::layout::sample_for_image_line;
use crate::lines::NumberedLines;
use crate::parsed::Collector;
use crate::{ParseError, Parsed, ParsedImage, quote};

/// The ten columns of a box row, in file order (authors' `readme.txt`).
pub const COLUMNS: [&str; 10] = [
    "x1",
    "y1",
    "w",
    "h",
    "blur",
    "expression",
    "illumination",
    "invalid",
    "occlusion",
    "pose",
];

/// The six attribute columns, kept in each face's `attrs` as the integers the file writes.
pub const ATTRIBUTES: [&str; 6] = [
    "blur",
    "expression",
    "illumination",
    "invalid",
    "occlusion",
    "pose",
];

/// The class id of a face (WIDER Face has one class, `"face"`).
pub const FACE: u32 = 0;

/// Index of `invalid` in a row; an invalid face becomes [`Object::ignore`].
const INVALID_COLUMN: usize = 7;

/// Coordinates beyond this are not exact in the schema's `f32` boxes, so they are reported.
const LARGEST_EXACT_F32: i64 = 1 << 24;

/// One box row.
type Row = [i64; 10];

/// Why a line is not a box row (the caller adds file and line).
enum RowError {
    FieldCount(usize),
    NotAnInteger(String),
}

/// Parses a box ground-truth file of `split` (train or val) read from `reader`; `file` names
/// it in errors and diagnostics (the loader passes the path relative to the dataset root).
///
/// An image listed twice keeps its first occurrence; the repeat is a diagnostic saying what
/// was dropped. A file with no image is a diagnostic (`holds no images`), not an error, so
/// the other split still loads. Blank lines between images are skipped. A leading UTF-8 byte
/// order mark is dropped. Everything else that breaks the structure (a count that is not a
/// number, a row without exactly ten integers, the file ending inside an image's rows, the
/// next image path reached before the count's rows were read, an image path that is not
/// `<event>/<name>.jpg`) is a [`ParseError`] naming file and line. Never panics.
pub fn parse_bbx_gt<R: BufRead>(reader: R, file: &str, split: Split) -> Result<Parsed, ParseError> {
    let mut lines = NumberedLines::new(reader, file);
    let mut parsed = Collector::new(file);
    while let Some((line, text)) = lines.next_line()? {
        if text.trim().is_empty() {
            continue;
        }
        let mut sample = sample_for_image_line(text, split, file, line)?;
        let (count_line, count) = read_count(&mut lines, &sample.id)?;
        if count == 0 {
            skip_train_placeholder(&mut lines, &sample.id, parsed.diagnostics())?;
        }
        // The count comes from the file: do not let a huge one reserve memory up front.
        sample.objects.reserve(count.min(1024) as usize);
        for found in 0..count {
            let Some((row_line, row_text)) = lines.next_line()? else {
                return Err(ParseError::MissingRows {
                    file: file.to_owned(),
                    line: lines.number(),
                    image: sample.id,
                    expected: count,
                    found,
                });
            };
            if looks_like_image_path(row_text) && parse_row(row_text).is_err() {
                return Err(ParseError::CountTooLarge {
                    file: file.to_owned(),
                    line: count_line,
                    image: sample.id,
                    expected: count,
                    found,
                    next: quote(row_text),
                });
            }
            let row = parse_row(row_text).map_err(|e| row_error(e, file, row_line))?;
            // Val writes an image without faces as count 1 + one row of zeros.
            if count == 1 && row == [0; 10] {
                break;
            }
            report_inexact(&row, file, row_line, parsed.diagnostics());
            sample.objects.push(face(&row));
        }
        parsed.push(ParsedImage { line, sample });
    }
    Ok(parsed.finish())
}

/// Reads the count line after the image `image`: its line and the count.
fn read_count<R: BufRead>(
    lines: &mut NumberedLines<'_, R>,
    image: &str,
) -> Result<(u64, u64), ParseError> {
    let file = lines.file();
    let Some((line, text)) = lines.next_line()? else {
        return Err(ParseError::MissingCount {
            file: file.to_owned(),
            line: lines.number(),
            image: image.to_owned(),
        });
    };
    let count = text.trim().parse().map_err(|_| ParseError::BadCount {
        file: file.to_owned(),
        line,
        image: image.to_owned(),
        text: quote(text),
    })?;
    Ok((line, count))
}

/// Train writes an image without faces as count 0 followed by one row of zeros that the count
/// does not include; that row is consumed here. A file that writes count 0 with no row after
/// it is read as well (the next line is then an image path, or the end). A non-zero row after
/// count 0 is not a face the count admits: it is skipped and reported.
fn skip_train_placeholder<R: BufRead>(
    lines: &mut NumberedLines<'_, R>,
    image: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), ParseError> {
    let file = lines.file();
    let Some((line, text)) = lines.next_line()? else {
        return Ok(());
    };
    match parse_row(text) {
        Ok(row) if row == [0; 10] => {}
        Ok(_) => diagnostics.push(Diagnostic::at_line(
            file,
            line,
            format!("`{image}` has count 0 but the row after it is not all zeros; row skipped"),
        )),
        Err(_) => lines.put_back(),
    }
    Ok(())
}

/// Whether a line where a box row was expected is rather an image path: one field that ends
/// in `.jpg` or holds the `--` of an event folder (`0--Parade/…`), which no row has.
fn looks_like_image_path(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty()
        && !text.contains(char::is_whitespace)
        && (text.ends_with(".jpg") || text.contains("--"))
}

/// Ten whitespace-separated integers (a trailing space or tab is fine).
fn parse_row(text: &str) -> Result<Row, RowError> {
    let found = text.split_ascii_whitespace().count();
    if found != COLUMNS.len() {
        return Err(RowError::FieldCount(found));
    }
    let mut row = [0; 10];
    for (value, field) in row.iter_mut().zip(text.split_ascii_whitespace()) {
        *value = field
            .parse()
            .map_err(|_| RowError::NotAnInteger(quote(field)))?;
    }
    Ok(row)
}

fn row_error(error: RowError, file: &str, line: u64) -> ParseError {
    let file = file.to_owned();
    match error {
        RowError::FieldCount(found) => ParseError::WrongFieldCount { file, line, found },
        RowError::NotAnInteger(text) => ParseError::NotAnInteger { file, line, text },
    }
}

/// A face object from a row: the box exactly as written, `invalid` as the ignore flag, and all
/// six attribute codes as integers.
fn face(row: &Row) -> Object {
    let [x, y, w, h, ..] = *row;
    let mut face = Object::new(BBox::new(x as f32, y as f32, w as f32, h as f32));
    face.class = Some(FACE);
    face.ignore = row[INVALID_COLUMN] != 0;
    face.attrs = ATTRIBUTES
        .iter()
        .zip(&row[4..])
        .map(|(name, &value)| ((*name).to_owned(), AttrValue::Int(value)))
        .collect();
    face
}

/// A coordinate too large for `f32` to hold exactly would be changed silently; say so.
fn report_inexact(row: &Row, file: &str, line: u64, diagnostics: &mut Vec<Diagnostic>) {
    for (name, value) in COLUMNS.iter().zip(&row[..4]) {
        if value.unsigned_abs() > LARGEST_EXACT_F32 as u64 {
            diagnostics.push(Diagnostic::at_line(
                file,
                line,
                format!("{name} = {value} is not exact as a 32-bit float box coordinate"),
            ));
        }
    }
}

#[cfg(test)]
mod tests;
