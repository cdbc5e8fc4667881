//! Where things are in the official tree, and how an image line of an annotation file names a
//! sample.
//!
//! The dataset root is the directory the four official archives were extracted into:
//! `wider_face_split/` (annotations) and `WIDER_{train,val,test}/images/<event>/<name>.jpg`.
//! Annotation files name images relative to `WIDER_<split>/images/` (this is how both the
//! Hugging Face and the torchvision loaders join them).

use zukan_schema::{AttrValue, ImageRef, Sample, Split};

use crate::{ParseError, event_of, quote};

/// The folder of the annotation files, as `wider_face_split.zip` unpacks.
pub const ANNOTATION_DIR: &str = "wider_face_split";

/// The annotation file of `split`, relative to the dataset root: the box ground truth for
/// train and val, the bare image list for test (its boxes are withheld by the authors).
pub fn annotation_file(split: Split) -> Option<&'static str> {
    match split {
        Split::Train => Some("wider_face_split/wider_face_train_bbx_gt.txt"),
        Split::Val => Some("wider_face_split/wider_face_val_bbx_gt.txt"),
        Split::Test => Some("wider_face_split/wider_face_test_filelist.txt"),
        Split::Fold(_) => None,
    }
}

/// The folder that holds the images of `split`, relative to the dataset root.
pub fn image_dir(split: Split) -> Option<&'static str> {
    match split {
        Split::Train => Some("WIDER_train/images"),
        Split::Val => Some("WIDER_val/images"),
        Split::Test => Some("WIDER_test/images"),
        Split::Fold(_) => None,
    }
}

/// A sample for the image line `text` at `file:line`: id = the path without `.jpg` (unique,
/// since the authors never reuse a name across splits), image under [`image_dir`], attribute
/// `event` = the event folder.
///
/// The path must be `<event>/<name>.jpg` and stay inside the image folder (no `..`, no
/// absolute path), because it is joined to the dataset root later.
pub(crate) fn sample_for_image_line(
    text: &str,
    split: Split,
    file: &str,
    line: u64,
) -> Result<Sample, ParseError> {
    let path = text.trim();
    let bad = || ParseError::BadImagePath {
        file: file.to_owned(),
        line,
        text: quote(text),
    };
    let id = path.strip_suffix(".jpg").ok_or_else(bad)?;
    let inside = !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    let event = event_of(path).filter(|_| inside).ok_or_else(bad)?;
    let dir = image_dir(split).ok_or_else(|| ParseError::NoSuchSplit {
        file: file.to_owned(),
        split,
    })?;
    let mut sample = Sample::new(id, ImageRef::file(format!("{dir}/{path}")), split);
    sample
        .attrs
        .insert("event".to_owned(), AttrValue::from(event));
    Ok(sample)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Result<(&str, &str, &str), &str>) {
        let got = sample_for_image_line(text, Split::Val, "gt.txt", 7).map(|s| {
            let event = match &s.attrs["event"] {
                AttrValue::Text(e) => e.clone(),
                other => panic!("event is {other:?}"),
            };
            (s.id, s.image.path().to_owned(), event)
        });
        let got = got
            .as_ref()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()));
        match (got, expected) {
            (Ok(got), Ok(expected)) => assert_eq!(got, expected, "{text}"),
            (Err(err), Err(expected)) => assert_eq!(err.to_string(), expected, "{text}"),
            (got, expected) => panic!("{text}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn image_lines_become_id_image_and_event() {
        check(
            "0--Parade/0_Parade_marchingband_1_465.jpg",
            Ok((
                "0--Parade/0_Parade_marchingband_1_465",
                "WIDER_val/images/0--Parade/0_Parade_marchingband_1_465.jpg",
                "0--Parade",
            )),
        );
        // The one event whose name holds `--` after the number.
        check(
            "59--people--driving--car/59_peopledrivingcar_peopledrivingcar_59_592.jpg ",
            Ok((
                "59--people--driving--car/59_peopledrivingcar_peopledrivingcar_59_592",
                "WIDER_val/images/59--people--driving--car/59_peopledrivingcar_peopledrivingcar_59_592.jpg",
                "59--people--driving--car",
            )),
        );
    }

    #[test]
    fn paths_that_are_not_event_slash_name_jpg_are_refused() {
        let msg =
            |t: &str| format!("gt.txt:7: expected an image path `<event>/<name>.jpg`, found `{t}`");
        for text in [
            "126",
            "a.jpg",
            "/0--Parade/a.jpg",
            "0--Parade/../../x.jpg",
            "0--Parade//a.jpg",
            "a\\b.jpg",
            "",
        ] {
            check(text, Err(&msg(text)));
        }
    }

    #[test]
    fn a_fold_has_no_image_folder() {
        let err =
            sample_for_image_line("0--Parade/a.jpg", Split::Fold(1), "gt.txt", 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "gt.txt: WIDER Face has no `fold1` split (it has train, val, test)"
        );
    }
}
