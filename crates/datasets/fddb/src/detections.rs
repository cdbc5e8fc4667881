//! Detections in FDDB's evaluation format, as the official `evaluate -f 0` reads them.
//!
//! The format (authors' README, section 3, "Rectangular regions"): the same block structure
//! as the ellipse list — the image name without `.jpg`, the number of detections, then one
//! `left_x top_y width height detection_score` line per detection. The evaluator pairs blocks
//! with the annotation list by position, so every image of the fold must appear, in the
//! annotation order, with count `0` when nothing was found.
//!
//! Numbers are written with Rust's shortest round-trip form of the `f32` (`188`, `0.999738`,
//! `192.12222`): the evaluator reads them with `operator>>` into a `double` and converts the
//! corners back to `float` before rounding (research/fddb-eval.md), so this loses nothing,
//! while a fixed `%.6f` would round the `f32` a second time.

use std::io::{BufRead, Write};

use zukan_schema::BBox;

use crate::lines::NumberedLines;
use crate::{ParseError, quote};

/// The detections of one image: its FDDB name (no `.jpg`) and `(box, score)` pairs.
pub type ImageDetections = (String, Vec<(BBox, f32)>);

/// Why detections could not be written. Values are checked before anything is written, so a
/// refused call leaves `out` untouched.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Writing to `out` failed.
    #[error("writing detections failed: {0}")]
    Io(#[from] std::io::Error),
    /// An image name the evaluator would misread.
    #[error("`{0}` is not an FDDB image name (empty, holds whitespace, or ends in .jpg)")]
    BadName(String),
    /// A box or score is NaN or infinite; the evaluator cannot read it.
    #[error("detection {index} of `{image}` has a value that is not finite")]
    NotFinite {
        /// The image name.
        image: String,
        /// 0-based index of the detection within the image.
        index: usize,
    },
}

/// Writes `images` in FDDB's rectangle detection format: `<name>\n<count>\n` then
/// `x y w h score` per detection. Pass every image of the fold, in annotation order (the
/// order of [`crate::parse_ellipse_list`]'s samples), with an empty list for an image with no
/// detections; the images are written in the order given.
pub fn write_detections<W: Write, S: AsRef<str>>(
    mut out: W,
    images: &[(S, Vec<(BBox, f32)>)],
) -> Result<(), WriteError> {
    for (name, detections) in images {
        let name = name.as_ref();
        let bad_name =
            name.is_empty() || name.ends_with(".jpg") || name.contains(|c: char| c.is_whitespace());
        if bad_name {
            return Err(WriteError::BadName(quote(name)));
        }
        for (index, (bbox, score)) in detections.iter().enumerate() {
            if ![bbox.x, bbox.y, bbox.w, bbox.h, *score]
                .iter()
                .all(|v| v.is_finite())
            {
                return Err(WriteError::NotFinite {
                    image: name.to_owned(),
                    index,
                });
            }
        }
    }
    for (name, detections) in images {
        writeln!(out, "{}\n{}", name.as_ref(), detections.len())?;
        for (b, score) in detections {
            writeln!(out, "{} {} {} {} {}", b.x, b.y, b.w, b.h, score)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Reads a rectangle detection file (`evaluate -f 0` input, as [`write_detections`] writes
/// it and as third-party detectors publish it) back into per-image detections, in file order.
///
/// A count that is not a number, a row without exactly five numbers or the file ending inside
/// an image is a [`ParseError`] naming file and line. Never panics.
pub fn read_detections<R: BufRead>(
    reader: R,
    file: &str,
) -> Result<Vec<ImageDetections>, ParseError> {
    let mut lines = NumberedLines::new(reader, file);
    let mut images = Vec::new();
    while let Some((line, text)) = lines.next_line()? {
        let name = crate::ellipse_list::image_name(text, file, line)?.to_owned();
        let Some((count_line, count_text)) = lines.next_line()? else {
            return Err(ParseError::MissingCount {
                file: file.to_owned(),
                line: lines.number(),
                image: name,
            });
        };
        let count: u64 = count_text
            .trim()
            .parse()
            .map_err(|_| ParseError::BadCount {
                file: file.to_owned(),
                line: count_line,
                image: name.clone(),
                text: quote(count_text),
            })?;
        let mut detections = Vec::new();
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
            detections.push(rectangle_row(row, file, row_line)?);
        }
        images.push((name, detections));
    }
    Ok(images)
}

/// One `x y w h score` row.
fn rectangle_row(text: &str, file: &str, line: u64) -> Result<(BBox, f32), ParseError> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(ParseError::WrongFieldCount {
            file: file.to_owned(),
            line,
            expected: "5 numbers (x y w h score)",
            found: fields.len(),
        });
    }
    let mut values = [0f32; 5];
    for (value, field) in values.iter_mut().zip(&fields) {
        *value = field.parse().map_err(|_| ParseError::NotANumber {
            file: file.to_owned(),
            line,
            text: quote(field),
        })?;
    }
    let [x, y, w, h, score] = values;
    Ok((BBox::new(x, y, w, h), score))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(images: &[ImageDetections]) -> String {
        let mut out = Vec::new();
        write_detections(&mut out, images).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn blocks_are_name_count_rows_with_zero_for_no_detections() {
        let images = vec![
            (
                "2002/08/11/big/img_591".to_owned(),
                vec![
                    (BBox::new(188.0, 75.0, 154.0, 196.0), 0.999738),
                    (BBox::new(63.872_4, 30.5, 89.0, 129.0), 1.0),
                ],
            ),
            ("2002/08/26/big/img_265".to_owned(), vec![]),
        ];
        assert_eq!(
            written(&images),
            "2002/08/11/big/img_591\n2\n188 75 154 196 0.999738\n63.8724 30.5 89 129 1\n\
             2002/08/26/big/img_265\n0\n"
        );
        assert_eq!(
            read_detections(written(&images).as_bytes(), "o.txt").unwrap(),
            images
        );
    }

    #[test]
    fn values_the_evaluator_cannot_read_are_refused_before_writing() {
        let check = |images: &[ImageDetections], expected: &str| {
            let mut out = Vec::new();
            let err = write_detections(&mut out, images).unwrap_err();
            assert_eq!(err.to_string(), expected);
            assert!(out.is_empty(), "nothing may be written");
        };
        let one =
            |name: &str, v: f32| vec![(name.to_owned(), vec![(BBox::new(1.0, 2.0, 3.0, v), 0.5)])];
        check(
            &one("a/b", f32::NAN),
            "detection 0 of `a/b` has a value that is not finite",
        );
        check(
            &one("a/b.jpg", 1.0),
            "`a/b.jpg` is not an FDDB image name (empty, holds whitespace, or ends in .jpg)",
        );
        check(
            &one("", 1.0),
            "`` is not an FDDB image name (empty, holds whitespace, or ends in .jpg)",
        );
    }

    #[test]
    fn a_leading_utf8_bom_is_not_part_of_the_first_name() {
        let images = read_detections("\u{feff}a/1\n1\n1 2 3 4 0.5\n".as_bytes(), "o.txt").unwrap();
        assert_eq!(images[0].0, "a/1");
    }

    #[test]
    fn reader_errors_name_file_and_line() {
        let check = |input: &str, expected: &str| {
            let err = read_detections(input.as_bytes(), "o.txt").unwrap_err();
            assert_eq!(err.to_string(), expected, "{input:?}");
        };
        check(
            "a/1\nx\n",
            "o.txt:2: expected the number of faces of `a/1`, found `x`",
        );
        check(
            "a/1\n1\n1 2 3 4\n",
            "o.txt:3: expected 5 numbers (x y w h score), found 4 fields",
        );
        check(
            "a/1\n2\n1 2 3 4 0.5\n",
            "o.txt:4: file ends after 1 of the 2 faces of `a/1`",
        );
        check(
            "a/1\n1\n1 2 3 four 0.5\n",
            "o.txt:3: `four` is not a number",
        );
        check(
            "a/1\n",
            "o.txt:2: file ends before the number of faces of `a/1`",
        );
    }
}
