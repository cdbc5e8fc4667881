//! The parser of the authors' `FDDB-fold-NN-ellipseList.txt` files.
//!
//! The format (authors' README, checked on all ten real files):
//!
//! ```text
//! 2002/08/11/big/img_591                                      image name, no `.jpg`
//! 1                                                           number of faces N
//! 123.583300 85.549500 1.265839 269.693400 161.781200  1      N rows: ra rb angle cx cy 1
//! ```
//!
//! Quirks handled here, each pinned by a test below:
//! - names carry no `.jpg`: the image is `<name>.jpg` under the dataset root;
//! - fields are separated by runs of spaces (two before the final `1`), so rows are split on
//!   whitespace, not on single spaces;
//! - the placeholder face `1 1 0 0 0` in fold 08 is kept, marked `ignore`, and reported
//!   (see [`is_placeholder`](crate::is_placeholder) for why it is not dropped);
//! - copies may have CRLF line ends, blank lines, no final newline or a trailing 0x1A byte.

use std::collections::HashMap;
use std::io::BufRead;

use zukan_schema::{AttrValue, Diagnostic, Ellipse, ImageRef, Loaded, Object, Sample, Split};

use crate::lines::NumberedLines;
use crate::{ParseError, ellipse_to_box, is_placeholder, quote};

/// The class id of a face (FDDB has one class, `"face"`).
pub const FACE: u32 = 0;

/// One image read from an ellipse list.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedImage {
    /// The 1-based line of the image name; face `i` (0-based) is on line `line + 2 + i` when
    /// the file has no blank lines (the authors' files have none).
    pub line: u64,
    /// The sample: id = the name as written, image = `<name>.jpg`.
    pub sample: Sample,
}

/// The result of parsing one ellipse list.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The file name given to the parser, used in diagnostics.
    pub file: String,
    /// The images, in source order, each name once (a repeat is dropped and reported).
    pub images: Vec<ParsedImage>,
    /// Recoverable problems met while parsing.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// The samples, in source order.
    pub fn samples(&self) -> impl ExactSizeIterator<Item = &Sample> {
        self.images.iter().map(|image| &image.sample)
    }

    /// The number of faces, the placeholder included (the authors count it).
    pub fn face_count(&self) -> usize {
        self.samples().map(|s| s.objects.len()).sum()
    }

    /// The samples and diagnostics, as a loader returns them.
    pub fn into_loaded(self) -> Loaded {
        Loaded {
            samples: self.images.into_iter().map(|image| image.sample).collect(),
            diagnostics: self.diagnostics,
        }
    }
}

/// What a face row holds, in words, for field-count errors.
const FACE_ROW: &str = "6 numbers (ra rb angle cx cy 1)";

/// Parses an ellipse list of fold `split` read from `reader`; `file` names it in errors and
/// diagnostics (the loader passes the path relative to the dataset root).
///
/// A count that is not a number, a face row without exactly six numbers, the file ending
/// inside an image, or an image name that is not a relative path without spaces is a
/// [`ParseError`] naming file and line. Odd values (the placeholder face, a radius ≤ 0, a
/// non-finite number, a sixth field other than 1, an image with no faces) are kept as written
/// and reported as diagnostics; a face without a finite box (a NaN or infinite ellipse value,
/// or one too large for the `f32` box) and the placeholder are also marked `ignore`. An image
/// listed twice keeps its first occurrence and the repeat is reported with what was dropped;
/// a file with no image is reported too. A leading UTF-8 byte order mark is dropped. Never
/// panics.
pub fn parse_ellipse_list<R: BufRead>(
    reader: R,
    file: &str,
    split: Split,
) -> Result<Parsed, ParseError> {
    let mut lines = NumberedLines::new(reader, file);
    let mut parsed = Parsed {
        file: file.to_owned(),
        images: Vec::new(),
        diagnostics: Vec::new(),
    };
    // Index in `parsed.images` of each name seen.
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    while let Some((line, text)) = lines.next_line()? {
        let name = image_name(text, file, line)?.to_owned();
        let count = read_count(&mut lines, &name)?;
        if count == 0 {
            parsed.diagnostics.push(Diagnostic::at_line(
                file,
                line,
                format!("`{name}` has no faces (every image of the authors' files has one)"),
            ));
        }
        let mut sample = Sample::new(name.as_str(), ImageRef::file(format!("{name}.jpg")), split);
        let mut row_lines = None;
        for found in 0..count {
            let Some((row_line, row)) = lines.next_line()? else {
                return Err(ParseError::MissingRows {
                    file: file.to_owned(),
                    line: lines.number(),
                    image: name,
                    expected: count,
                    found,
                });
            };
            let (ellipse, sixth) = face_row(row, file, row_line)?;
            row_lines = Some((row_lines.map_or(row_line, |(first, _)| first), row_line));
            let object = face_object(
                ellipse,
                sixth,
                &name,
                row_line,
                file,
                &mut parsed.diagnostics,
            );
            sample.objects.push(object);
        }
        let image = ParsedImage { line, sample };
        match first_seen.get(&name) {
            Some(&index) => {
                let message = repeat_message(&parsed.images[index], &image, row_lines);
                parsed
                    .diagnostics
                    .push(Diagnostic::at_line(file, line, message));
            }
            None => {
                first_seen.insert(name, parsed.images.len());
                parsed.images.push(image);
            }
        }
    }
    if parsed.images.is_empty() {
        // Every fold of the authors' has images; an empty file is a broken copy.
        parsed
            .diagnostics
            .push(Diagnostic::in_file(file, "holds no images"));
    }
    Ok(parsed)
}

/// What a repeated image is reported with. The FIRST occurrence is kept, so that `id` stays
/// unique (the schema promises it); the message says whether the dropped repeat's faces are
/// the same, or on which lines the differing faces were that were dropped (the same rule as
/// WIDER Face's).
fn repeat_message(first: &ParsedImage, repeat: &ParsedImage, rows: Option<(u64, u64)>) -> String {
    let faces = |n: usize| format!("{n} face{}", if n == 1 { "" } else { "s" });
    let (mine, theirs) = (&repeat.sample.objects, &first.sample.objects);
    let head = format!(
        "`{}` is listed again (first at line {}); the repeat is dropped",
        repeat.sample.id, first.line
    );
    let one = mine.len() == 1;
    if mine == theirs {
        let verb = if one { "is" } else { "are" };
        return format!(
            "{head}, its {} {verb} the same as the first's",
            faces(mine.len())
        );
    }
    let rows = match rows {
        Some((a, b)) if a == b => format!(" (line {a})"),
        Some((a, b)) => format!(" (lines {a}-{b})"),
        None => String::new(),
    };
    format!(
        "{head}, and its {}{rows} {} from the first's {}",
        faces(mine.len()),
        if one { "differs" } else { "differ" },
        faces(theirs.len())
    )
}

/// The image name on an image line: a `/`-separated relative path without spaces (it is
/// joined to the dataset root later, so `..` and absolute paths are refused). Requiring a `/`
/// also catches a count or a face row read where a name belongs.
pub(crate) fn image_name<'t>(text: &'t str, file: &str, line: u64) -> Result<&'t str, ParseError> {
    let name = text.trim();
    let ok = name.contains('/')
        && !name.starts_with('/')
        && !name.contains(|c: char| c.is_whitespace() || c == '\\')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    if ok {
        Ok(name)
    } else {
        Err(ParseError::BadImageName {
            file: file.to_owned(),
            line,
            text: quote(text),
        })
    }
}

/// Reads the count line after the image `name`.
fn read_count<R: BufRead>(lines: &mut NumberedLines<'_, R>, name: &str) -> Result<u64, ParseError> {
    let file = lines.file();
    let Some((line, text)) = lines.next_line()? else {
        return Err(ParseError::MissingCount {
            file: file.to_owned(),
            line: lines.number(),
            image: name.to_owned(),
        });
    };
    text.trim().parse().map_err(|_| ParseError::BadCount {
        file: file.to_owned(),
        line,
        image: name.to_owned(),
        text: quote(text),
    })
}

/// Splits a face row into its ellipse and its sixth field.
fn face_row(text: &str, file: &str, line: u64) -> Result<(Ellipse, f64), ParseError> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    if fields.len() != 6 {
        return Err(ParseError::WrongFieldCount {
            file: file.to_owned(),
            line,
            expected: FACE_ROW,
            found: fields.len(),
        });
    }
    let mut values = [0f64; 6];
    for (value, field) in values.iter_mut().zip(&fields) {
        *value = field.parse().map_err(|_| ParseError::NotANumber {
            file: file.to_owned(),
            line,
            text: quote(field),
        })?;
    }
    let [ra, rb, angle, cx, cy, sixth] = values;
    Ok((
        Ellipse {
            ra,
            rb,
            angle,
            cx,
            cy,
        },
        sixth,
    ))
}

/// The face object of one row, with the diagnostics its values call for.
fn face_object(
    ellipse: Ellipse,
    sixth: f64,
    name: &str,
    line: u64,
    file: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Object {
    let mut report = |message: String| diagnostics.push(Diagnostic::at_line(file, line, message));
    let mut object = Object::new(ellipse_to_box(&ellipse));
    object.class = Some(FACE);
    object.ellipse = Some(ellipse);
    let values = [
        ("ra", ellipse.ra),
        ("rb", ellipse.rb),
        ("angle", ellipse.angle),
        ("cx", ellipse.cx),
        ("cy", ellipse.cy),
    ];
    let not_finite: Vec<String> = values
        .iter()
        .filter(|(_, v)| !v.is_finite())
        .map(|(name, v)| format!("{name} {v}"))
        .collect();
    let b = object.bbox;
    if is_placeholder(&ellipse) {
        object.ignore = true;
        object
            .attrs
            .insert("placeholder".to_owned(), AttrValue::Bool(true));
        report(format!(
            "placeholder face `1 1 0 0 0` in `{name}`: kept (the authors count it) and marked ignore"
        ));
    } else if !not_finite.is_empty() {
        // The face is kept (the authors' count includes every row), but its box is NaN or
        // infinite (JSON writes it as nulls), so nothing may train or score on it.
        object.ignore = true;
        let what = if not_finite.len() == 1 {
            "not a finite number"
        } else {
            "not finite numbers"
        };
        report(format!(
            "a face of `{name}` has {}, {what}, so it has no box: kept as written and marked \
             ignore",
            not_finite.join(", ")
        ));
    } else if ![b.x, b.y, b.w, b.h].iter().all(|v| v.is_finite()) {
        // Finite radii or centres beyond f32's range (about 3.4e38) give an infinite box.
        object.ignore = true;
        report(format!(
            "the box of a face of `{name}` is too large for 32-bit floats: kept as written and \
             marked ignore"
        ));
    } else if ellipse.ra <= 0.0 || ellipse.rb <= 0.0 {
        report(format!(
            "a face of `{name}` has a radius of zero or less ({} {}), kept as written",
            ellipse.ra, ellipse.rb
        ));
    }
    if sixth != 1.0 {
        report(format!(
            "the sixth field of a face of `{name}` is {sixth}, where the authors always write 1"
        ));
    }
    object
}

#[cfg(test)]
mod tests;
