//! The parser of the authors' `fold_N_data.txt` (and `fold_frontal_N_data.txt`) files.
//!
//! The format (checked on the five real files, research/datasets-faces.md 4.3): a header line,
//! then one face per line, twelve TAB-separated fields in the header's order, [`COLUMNS`].
//!
//! Decisions, each pinned by a test:
//! - **One sample per face**, id `<user_id>/<face_id>.<original_image>` (unique: a face id
//!   names one face of one photo of one Flickr account), identity = `user_id`.
//! - **Image path** as the archive lays it out, see [`ImageVariant`].
//! - **The box is not an object.** `x, y, dx, dy` locate the face in the original Flickr photo
//!   (x reaches 10,024), which no archive holds; the archives hold crops around the face.
//!   Drawn on a crop, the box would be wrong, so it is kept as the attributes `x`, `y`, `dx`,
//!   `dy` ([`face_box_in_original`] reads it back) and the sample has no objects.
//! - **Age** as a range or exact years; `None`/empty → `None`. The raw text is always kept as
//!   attribute `age_text`, and `age_group` (0–7) is added when the age lies wholly inside one
//!   of the eight groups ([`age_group_containing`]): `(25, 32)` itself, but also `(27, 32)`
//!   and an exact `29`. An age spanning two groups (`(38, 48)`) or lying in a gap between them
//!   (`13`, `22`, `35`: the groups leave 3, 7, 13–14, 21–24, 33–37, 44–47 and 54–59 out) gets
//!   none. The authors' protocol script maps only the eight exact strings; `age_text` keeps
//!   that distinction for whoever wants it. An inverted or unreadable age is a diagnostic and
//!   the age is left unknown.
//! - **Gender** `f`/`m`/`u` → Female/Male/Unknown (`u` is the source saying unknown); empty →
//!   `None`; anything else is a diagnostic and `None` (null in the export: the source says
//!   nothing usable, which is not the same as `unknown`).
//! - **Exact duplicate rows** (117 in the real files) are kept once and each repeat is reported:
//!   a repeat is the same face of the same photo, so keeping it would count that face twice
//!   and give two samples one id. A row with a repeated id but other values is kept, reported,
//!   and its id gets `#2`, `#3`, … so ids stay unique.
//! - A row without exactly twelve fields is an error: the columns can no longer be trusted.
//!   A trailing tab (a thirteenth, empty field) is tolerated.
//! - An empty file (not even the header) is an error naming the file; a header with no rows
//!   is a diagnostic (`no rows after the header`).

use std::collections::HashMap;
use std::io::BufRead;

use zukan_schema::{AttrValue, BBox, Diagnostic, Gender, ImageRef, Loaded, Sample, Split};

use crate::lines::NumberedLines;
use crate::{AgeField, ParseError, age_group_containing, parse_age, quote};

/// The twelve columns, in file order (the header of the real files).
pub const COLUMNS: [&str; 12] = [
    "user_id",
    "original_image",
    "face_id",
    "age",
    "gender",
    "x",
    "y",
    "dx",
    "dy",
    "tilt_ang",
    "fiducial_yaw_angle",
    "fiducial_score",
];

/// The integer columns, kept in `attrs` under their own names.
const INTEGER_COLUMNS: [usize; 8] = [2, 5, 6, 7, 8, 9, 10, 11];

/// Which image archive the sample images come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageVariant {
    /// `faces.tar.gz`: `faces/<user_id>/coarse_tilt_aligned_face.<face_id>.<original_image>`.
    /// This naming comes from third-party loaders (research 4.2), not from the authors.
    #[default]
    Faces,
    /// `aligned.tar.gz`: `aligned/<user_id>/landmark_aligned_face.<face_id>.<original_image>`,
    /// the name the authors' own script builds (GilLevi/AgeGenderDeepLearning
    /// `create_train_val_txt_files.py` @ 545254d8).
    Aligned,
}

impl ImageVariant {
    /// The image of a face, relative to the dataset root.
    pub fn image_path(self, user_id: &str, face_id: &str, original_image: &str) -> String {
        match self {
            ImageVariant::Faces => {
                format!("faces/{user_id}/coarse_tilt_aligned_face.{face_id}.{original_image}")
            }
            ImageVariant::Aligned => {
                format!("aligned/{user_id}/landmark_aligned_face.{face_id}.{original_image}")
            }
        }
    }
}

/// One face read from a fold file.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFace {
    /// The 1-based line of the row.
    pub line: u64,
    /// The sample.
    pub sample: Sample,
}

/// The result of parsing one fold file.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The file name given to the parser, used in diagnostics.
    pub file: String,
    /// How many data rows the file has (the header not counted), repeats included.
    pub rows: usize,
    /// The faces, in source order, exact repeats left out.
    pub faces: Vec<ParsedFace>,
    /// Recoverable problems met while parsing.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// The samples, in source order.
    pub fn samples(&self) -> impl ExactSizeIterator<Item = &Sample> {
        self.faces.iter().map(|face| &face.sample)
    }

    /// The samples and diagnostics, as a loader returns them.
    pub fn into_loaded(self) -> Loaded {
        Loaded {
            samples: self.faces.into_iter().map(|face| face.sample).collect(),
            diagnostics: self.diagnostics,
        }
    }
}

/// The face box in the original Flickr photo, from the attributes `x`, `y`, `dx`, `dy` a
/// parsed sample carries; `None` when one is missing.
pub fn face_box_in_original(sample: &Sample) -> Option<BBox> {
    let get = |key: &str| match sample.attrs.get(key) {
        Some(AttrValue::Int(v)) => Some(*v as f32),
        _ => None,
    };
    Some(BBox::new(get("x")?, get("y")?, get("dx")?, get("dy")?))
}

/// Parses a fold file of `split` read from `reader`; `file` names it in errors and diagnostics
/// (the loader passes the path relative to the dataset root). See the module notes for what
/// becomes what. Never panics.
pub fn parse_fold<R: BufRead>(
    reader: R,
    file: &str,
    split: Split,
    variant: ImageVariant,
) -> Result<Parsed, ParseError> {
    let mut lines = NumberedLines::new(reader, file);
    let mut parsed = Parsed {
        file: file.to_owned(),
        rows: 0,
        faces: Vec::new(),
        diagnostics: Vec::new(),
    };
    let Some((line, header)) = lines.next_line()? else {
        return Err(ParseError::Empty {
            file: file.to_owned(),
        });
    };
    if fields(header).into_iter().map(str::trim).ne(COLUMNS) {
        return Err(ParseError::BadHeader {
            file: file.to_owned(),
            line,
            text: quote(header),
        });
    }
    // First line of each exact row text, and how often each id was seen.
    let mut rows_seen: HashMap<String, u64> = HashMap::new();
    let mut ids_seen: HashMap<String, (u64, u32)> = HashMap::new();
    while let Some((line, text)) = lines.next_line()? {
        parsed.rows += 1;
        let row = fields(text);
        if row.len() != COLUMNS.len() {
            return Err(ParseError::WrongFieldCount {
                file: file.to_owned(),
                line,
                found: row.len(),
            });
        }
        if let Some(first) = rows_seen.get(text) {
            parsed.diagnostics.push(Diagnostic::at_line(
                file,
                line,
                format!("row repeats line {first} exactly; kept once"),
            ));
            continue;
        }
        rows_seen.insert(text.to_owned(), line);
        let mut report = |message: String| {
            parsed
                .diagnostics
                .push(Diagnostic::at_line(file, line, message))
        };
        let mut sample = face_sample(&row, split, variant, file, line, &mut report)?;
        let seen = ids_seen.entry(sample.id.clone()).or_insert((line, 0));
        seen.1 += 1;
        if seen.1 > 1 {
            let new_id = format!("{}#{}", sample.id, seen.1);
            report(format!(
                "face `{}` is also on line {} with other values; both kept, this one as `{new_id}`",
                sample.id, seen.0
            ));
            sample.id = new_id;
        }
        parsed.faces.push(ParsedFace { line, sample });
    }
    if parsed.rows == 0 {
        // Every fold of the authors' has thousands of rows; a header alone is a broken copy,
        // but the header proves it is a fold file, so the other folds still load.
        parsed
            .diagnostics
            .push(Diagnostic::in_file(file, "no rows after the header"));
    }
    Ok(parsed)
}

/// The fields of a row, split on TAB. A thirteenth, empty field is a trailing tab and is
/// dropped; an empty twelfth field is kept (it is an empty `fiducial_score`).
fn fields(text: &str) -> Vec<&str> {
    let mut fields: Vec<&str> = text.split('\t').collect();
    if fields.len() == COLUMNS.len() + 1 && fields.last() == Some(&"") {
        fields.pop();
    }
    fields
}

/// The sample of one twelve-field row.
fn face_sample(
    row: &[&str],
    split: Split,
    variant: ImageVariant,
    file: &str,
    line: u64,
    report: &mut impl FnMut(String),
) -> Result<Sample, ParseError> {
    let path_part = |column: usize| -> Result<&str, ParseError> {
        let text = row[column].trim();
        let ok = !text.is_empty()
            && text != "."
            && text != ".."
            && !text.contains(['/', '\\'])
            && !text.contains(char::is_whitespace);
        if ok {
            Ok(text)
        } else {
            Err(ParseError::BadPathPart {
                file: file.to_owned(),
                line,
                column: COLUMNS[column],
                text: quote(row[column]),
            })
        }
    };
    let (user_id, original_image, face_id) = (path_part(0)?, path_part(1)?, path_part(2)?);
    let image = ImageRef::file(variant.image_path(user_id, face_id, original_image));
    let mut sample = Sample::new(
        format!("{user_id}/{face_id}.{original_image}"),
        image,
        split,
    );
    // Each image is already a face crop; the box the fold file gives is in the original
    // Flickr photo, which no archive holds (kept as attributes).
    sample.boxed = false;
    sample.identity = Some(user_id.to_owned());
    sample
        .attrs
        .insert("original_image".to_owned(), AttrValue::from(original_image));

    let age_text = row[3].trim();
    if !age_text.is_empty() {
        sample
            .attrs
            .insert("age_text".to_owned(), AttrValue::from(age_text));
    }
    match parse_age(age_text) {
        AgeField::Unknown => {}
        AgeField::Known(age) => {
            sample.age = Some(age);
            if let Some(group) = age_group_containing(age) {
                sample
                    .attrs
                    .insert("age_group".to_owned(), AttrValue::Int(group as i64));
            }
        }
        AgeField::Inverted(lo, hi) => report(format!(
            "age `{age_text}` is an inverted range ({lo} above {hi}); age left unknown"
        )),
        AgeField::Unreadable if age_text.starts_with('(') => {
            report(format!("age `{age_text}` is not a range; age left unknown"))
        }
        AgeField::Unreadable => report(format!(
            "age `{age_text}` is not a number, a range or None; age left unknown"
        )),
    }

    sample.gender = match row[4].trim() {
        "f" => Some(Gender::Female),
        "m" => Some(Gender::Male),
        "u" => Some(Gender::Unknown),
        "" => None,
        other => {
            report(format!(
                "gender `{}` is not f, m or u; gender left out (null)",
                quote(other)
            ));
            None
        }
    };

    for column in INTEGER_COLUMNS {
        let text = row[column].trim();
        match text.parse::<i64>() {
            Ok(value) => {
                sample
                    .attrs
                    .insert(COLUMNS[column].to_owned(), AttrValue::Int(value));
            }
            Err(_) => report(format!(
                "{} `{}` is not an integer; left out",
                COLUMNS[column],
                quote(text)
            )),
        }
    }
    if let Some(b) = face_box_in_original(&sample).filter(BBox::is_degenerate) {
        report(format!(
            "face box {} {} {} {} has no area; kept as written",
            b.x, b.y, b.w, b.h
        ));
    }
    Ok(sample)
}

#[cfg(test)]
mod tests;
