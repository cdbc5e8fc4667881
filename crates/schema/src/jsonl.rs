//! The JSON Lines form of samples: a public interface, one sample per line.
//!
//! Keys, in order: `id`, `image` (a relative path, or `{"file": …, "index": n}`), `split`
//! (`"train"`, `"val"`, `"test"`, `"fold3"`), `width`, `height`, `objects` (each
//! `{"bbox": [x, y, w, h], "class": n|null, "ignore": bool, "ellipse": [ra, rb, angle, cx, cy]
//! (only where the source gives one), "attrs": {…}}`), `class`, `age` (`{"years": a}` or
//! `{"range": [lo, hi]}`), `gender` (`"female"`, `"male"`, `"unknown"`), `identity`, `attrs`.
//! Absent values are `null`, never a made-up default; `objects` is `null` for an image whose
//! boxes the source does not give (WIDER Face test, face crops) and `[]` for one it says
//! holds none. Every top-level key is always written, so columnar readers (DuckDB, Polars)
//! infer one schema from any line; `attrs` holds what the source gives for that sample.

use std::io::{BufRead, Write};

use crate::Sample;

/// A JSON Lines read or write error, naming the line.
#[derive(Debug, thiserror::Error)]
pub enum JsonlError {
    /// Reading or writing failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A line is not a valid sample.
    #[error("line {line}: {source}")]
    Line {
        /// 1-based line number.
        line: u64,
        /// What serde_json said.
        source: serde_json::Error,
    },
}

/// Serialises one sample as a single JSON line (without the newline).
pub fn to_line(sample: &Sample) -> Result<String, serde_json::Error> {
    serde_json::to_string(sample)
}

/// Parses one JSON line into a sample.
pub fn from_line(line: &str) -> Result<Sample, serde_json::Error> {
    serde_json::from_str(line)
}

/// Writes samples, one per line, and returns how many were written.
pub fn write<'a, W: Write>(
    mut out: W,
    samples: impl IntoIterator<Item = &'a Sample>,
) -> Result<u64, JsonlError> {
    let mut n = 0;
    for sample in samples {
        serde_json::to_writer(&mut out, sample).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}

/// Reads samples written by [`write`]; blank lines are skipped.
pub fn read<R: BufRead>(input: R) -> Result<Vec<Sample>, JsonlError> {
    let mut samples = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let sample = from_line(&line).map_err(|source| JsonlError::Line {
            line: i as u64 + 1,
            source,
        })?;
        samples.push(sample);
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Age, AttrValue, BBox, Ellipse, Gender, ImageRef, Object, Split};

    fn check(sample: &Sample, expected: &str) {
        assert_eq!(to_line(sample).unwrap(), expected);
        assert_eq!(&from_line(expected).unwrap(), sample);
    }

    #[test]
    fn minimal_sample_writes_every_key_as_null() {
        check(
            &Sample::new("a", ImageRef::file("x/a.jpg"), Split::Fold(3)),
            r#"{"id":"a","image":"x/a.jpg","split":"fold3","width":null,"height":null,"objects":[],"class":null,"age":null,"gender":null,"identity":null,"attrs":{}}"#,
        );
    }

    /// Regression: WIDER Face test images (boxes withheld) were written `"objects": []`,
    /// exactly like images the authors say hold no face.
    #[test]
    fn an_image_without_box_annotations_writes_objects_null() {
        let mut s = Sample::new("t", ImageRef::file("t.jpg"), Split::Test);
        s.boxed = false;
        check(
            &s,
            r#"{"id":"t","image":"t.jpg","split":"test","width":null,"height":null,"objects":null,"class":null,"age":null,"gender":null,"identity":null,"attrs":{}}"#,
        );
        let mut located = Sample::new("c", ImageRef::file("c.jpg"), Split::Train);
        located.boxed = false;
        located.attrs.insert(
            "face_location".into(),
            AttrValue::Numbers(vec![1.0, 2.5, 30.0, 40.0]),
        );
        check(
            &located,
            r#"{"id":"c","image":"c.jpg","split":"train","width":null,"height":null,"objects":null,"class":null,"age":null,"gender":null,"identity":null,"attrs":{"face_location":[1.0,2.5,30.0,40.0]}}"#,
        );
    }

    #[test]
    fn full_sample_uses_documented_shapes() {
        let mut s = Sample::new(
            "7",
            ImageRef::Record {
                file: "t10k-images-idx3-ubyte".into(),
                index: 7,
            },
            Split::Test,
        );
        s.width = Some(28);
        s.height = Some(28);
        s.class = Some(9);
        s.age = Some(Age::Range(25, 32));
        s.gender = Some(Gender::Unknown);
        s.identity = Some("nm0000001".into());
        s.attrs.insert("event".into(), AttrValue::from("0--Parade"));
        let mut o = Object::new(BBox::new(1.5, 2.0, 3.0, 4.0));
        o.ignore = true;
        o.ellipse = Some(Ellipse {
            ra: 1.0,
            rb: 0.5,
            angle: -1.5,
            cx: 3.0,
            cy: 4.0,
        });
        o.attrs.insert("blur".into(), AttrValue::Int(2));
        s.objects.push(o);
        check(
            &s,
            r#"{"id":"7","image":{"file":"t10k-images-idx3-ubyte","index":7},"split":"test","width":28,"height":28,"objects":[{"bbox":[1.5,2.0,3.0,4.0],"class":null,"ignore":true,"ellipse":[1.0,0.5,-1.5,3.0,4.0],"attrs":{"blur":2}}],"class":9,"age":{"range":[25,32]},"gender":"unknown","identity":"nm0000001","attrs":{"event":"0--Parade"}}"#,
        );
        let mut years = Sample::new("b", ImageRef::file("b.jpg"), Split::Train);
        years.age = Some(Age::Years(41));
        assert!(to_line(&years).unwrap().contains(r#""age":{"years":41}"#));
    }

    #[test]
    fn read_names_the_bad_line() {
        let text = format!(
            "{}\n\n{{\"id\": 3}}\n",
            to_line(&Sample::new("a", ImageRef::file("a"), Split::Val)).unwrap()
        );
        let err = read(text.as_bytes()).unwrap_err();
        assert!(err.to_string().starts_with("line 3: "), "{err}");
    }

    #[test]
    fn write_then_read_round_trips() {
        let samples = vec![
            Sample::new("a", ImageRef::file("a.jpg"), Split::Train),
            Sample::new("b", ImageRef::file("b.jpg"), Split::Val),
        ];
        let mut buf = Vec::new();
        assert_eq!(write(&mut buf, &samples).unwrap(), 2);
        assert_eq!(read(buf.as_slice()).unwrap(), samples);
    }
}
