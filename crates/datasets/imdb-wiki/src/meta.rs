//! The metadata struct (`wiki` / `imdb` in `wiki.mat` / `imdb.mat`) to samples.
//!
//! One sample per entry, in file order. Entry problems become diagnostics naming the entry
//! by its 1-based index, as MATLAB numbers it (`wiki.dob(8)` is "entry 8"), and its
//! `full_path`; the value concerned is left unknown, never replaced by a default.

use std::collections::HashSet;

use zukan_mat::{MatFile, Value};
use zukan_schema::{
    AttrValue, Attrs, BBox, Diagnostic, Gender, ImageRef, Loaded, Object, Sample, Split,
};

use crate::columns::Columns;
use crate::datenum::{authors_age, civil_from_datenum, datenum};
use crate::{Db, ImageTree, ParseError, attr};

/// The 0-based class id of the face box (`class_names = ["face"]`).
pub const FACE: u32 = 0;

/// The result of parsing one metadata file.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The samples, in entry order (entries without a usable `full_path` are left out, each
    /// with a diagnostic).
    pub samples: Vec<Sample>,
    /// Recoverable problems met while parsing.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// The samples and diagnostics, as a loader returns them.
    pub fn into_loaded(self) -> Loaded {
        Loaded {
            samples: self.samples,
            diagnostics: self.diagnostics,
        }
    }
}

/// The box of a `face_location` `[x1 y1 x2 y2]`, in the schema's convention.
///
/// The authors crop a face in MATLAB with `img(fl(2):fl(4), fl(1):fl(3), :)`: 1-based,
/// inclusive pixel indices. In the schema, pixel `i` (0-based) covers `[i, i + 1)`, so the
/// pixels `fl(1)..=fl(3)` cover `[fl(1) - 1, fl(3))`:
/// `x = fl(1) - 1`, `y = fl(2) - 1`, `w = fl(3) - fl(1) + 1`, `h = fl(4) - fl(2) + 1`.
/// This is the box of exactly the pixels the authors crop, and it turns the no-face
/// location `[1 1 W H]` ("the entire image", says the official page) into exactly the image
/// `(0, 0, W, H)`. The detector's fractional values go through the same map; nothing is
/// rounded or clamped.
pub fn face_location_to_box([x1, y1, x2, y2]: [f64; 4]) -> BBox {
    BBox::new(
        (x1 - 1.0) as f32,
        (y1 - 1.0) as f32,
        (x2 - x1 + 1.0) as f32,
        (y2 - y1 + 1.0) as f32,
    )
}

/// Reads the metadata file's bytes and parses it (see [`parse_meta`]).
pub fn parse_meta_bytes(
    bytes: &[u8],
    db: Db,
    tree: ImageTree,
    file: &str,
) -> Result<Parsed, ParseError> {
    let mat = zukan_mat::read(bytes).map_err(|source| ParseError::Mat {
        file: file.to_owned(),
        source,
    })?;
    parse_meta(&mat, db, tree, file)
}

/// Parses the 1x1 struct named after `db` (`wiki` or `imdb`) into samples of split
/// [`Split::Train`] (the authors publish no split). `tree` says which image tree the
/// samples point into; `file` names the file in errors and diagnostics.
///
/// Each sample: id `<db>/<full_path without .jpg>`; image `<db>_crop/<full_path>` (or
/// `<db>/<full_path>` for [`ImageTree::Full`]); age by [`authors_age`](crate::authors_age);
/// gender 0/1/NaN as Female/Male/Unknown; identity the `celeb_id` (IMDb) or the name
/// (Wikipedia, which has no ids); the attributes listed in [`attr`].
pub fn parse_meta(
    mat: &MatFile,
    db: Db,
    tree: ImageTree,
    file: &str,
) -> Result<Parsed, ParseError> {
    let columns = Columns::read(mat, db, file)?;
    let mut parsed = Parsed {
        samples: Vec::with_capacity(columns.len()),
        diagnostics: Vec::new(),
    };
    let mut ids = HashSet::with_capacity(columns.len());
    for k in 0..columns.len() {
        let mut entry = Entry {
            columns: &columns,
            k,
            file,
            path: String::new(),
            diagnostics: &mut parsed.diagnostics,
        };
        let Some(mut sample) = entry.sample(db, tree) else {
            continue;
        };
        if !ids.insert(sample.id.clone()) {
            // Ids must be unique; a repeated full_path keeps its entry, told apart by index.
            entry.report(format!(
                "`full_path` repeats an earlier entry's; id given suffix `#{}`",
                k + 1
            ));
            sample.id = format!("{}#{}", sample.id, k + 1);
        }
        parsed.samples.push(sample);
    }
    Ok(parsed)
}

/// One entry being converted, with where its diagnostics go.
struct Entry<'a, 'c> {
    columns: &'a Columns<'c>,
    k: usize,
    file: &'a str,
    path: String,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Entry<'_, '_> {
    fn report(&mut self, message: impl std::fmt::Display) {
        let place = match self.path.as_str() {
            "" => format!("entry {}", self.k + 1),
            path => format!("entry {} (`{path}`)", self.k + 1),
        };
        self.diagnostics.push(Diagnostic::in_file(
            self.file,
            format!("{place}: {message}"),
        ));
    }

    fn sample(&mut self, db: Db, tree: ImageTree) -> Option<Sample> {
        let k = self.k;
        let c = self.columns;
        let path = match c.full_path[k].as_str() {
            Ok(path) if is_safe_relative_path(path) => path.to_owned(),
            Ok(path) => {
                self.report(format!(
                    "`full_path` `{path}` is not a relative path inside the tree; entry left out"
                ));
                return None;
            }
            Err(_) => {
                let found = c.full_path[k].describe();
                self.report(format!(
                    "`full_path` is a {found}, not text; entry left out"
                ));
                return None;
            }
        };
        self.path.clone_from(&path);
        let id = format!("{db}/{}", path.strip_suffix(".jpg").unwrap_or(&path));
        let image = ImageRef::file(format!("{}/{path}", db.dir(tree)));
        let mut sample = Sample::new(id, image, Split::Train);
        // A face crop has no box of its own: face_location refers to the uncropped photo.
        sample.boxed = tree == ImageTree::Full;
        let attrs = &mut sample.attrs;
        attrs.insert(attr::SOURCE.into(), db.name().into());

        self.dates(attrs);
        sample.age = match authors_age(c.dob[k], c.photo_taken[k]) {
            Ok(age) => Some(zukan_schema::Age::Years(age)),
            Err(problem) => {
                self.report(format!("{problem}; age left unknown"));
                None
            }
        };
        sample.gender = self.gender();
        let name = self.name();
        if let Some(name) = &name {
            sample.attrs.insert(attr::NAME.into(), name.as_str().into());
        }
        sample.identity = match c.celeb_id {
            Some(_) => self.celebrity(&mut sample.attrs),
            None => name,
        };
        let face_found = self.scores(&mut sample.attrs);
        if let Some(location) = self.face_location() {
            sample.attrs.insert(
                attr::FACE_LOCATION.into(),
                AttrValue::Numbers(location.to_vec()),
            );
            if tree == ImageTree::Full {
                match face_found {
                    Some(true) => {
                        let mut face = Object::new(face_location_to_box(location));
                        face.class = Some(FACE);
                        sample.objects.push(face);
                    }
                    Some(false) => (sample.width, sample.height) = whole_image_size(location),
                    None => {}
                }
            }
        }
        Some(sample)
    }

    /// `dob` and `photo_taken` as given, and the birth date they encode.
    fn dates(&mut self, attrs: &mut Attrs) {
        let (dob, taken) = (self.columns.dob[self.k], self.columns.photo_taken[self.k]);
        attrs.insert(attr::DOB.into(), number(dob));
        attrs.insert(attr::PHOTO_TAKEN.into(), number(taken));
        if dob.is_finite() && dob >= 1.0 && dob < datenum(10_000, 1, 1) as f64 {
            let birth = civil_from_datenum(dob.floor() as i64);
            attrs.insert(attr::BIRTH_DATE.into(), AttrValue::Text(birth.to_string()));
        }
    }

    fn gender(&mut self) -> Option<Gender> {
        let g = self.columns.gender[self.k];
        if g.is_nan() {
            Some(Gender::Unknown)
        } else if g == 0.0 {
            Some(Gender::Female)
        } else if g == 1.0 {
            Some(Gender::Male)
        } else {
            self.report(format!(
                "gender {g} is none of 0 (female), 1 (male), NaN (unknown); gender left out (null)"
            ));
            None
        }
    }

    /// The name, `None` when empty (the real files hold 0x0 chars for unknown names).
    fn name(&mut self) -> Option<String> {
        let value = &self.columns.name[self.k];
        match value.as_str() {
            Ok("") => None,
            Ok(name) => Some(name.to_owned()),
            Err(_) if value.dims().count() == 0 => None,
            Err(_) => {
                let found = value.describe();
                self.report(format!("`name` is a {found}, not text; name left unknown"));
                None
            }
        }
    }

    /// The identity from `celeb_id` (1-based into `celeb_names`), recording the name it
    /// points to. NaN is "no id", like every NaN in these files.
    fn celebrity(&mut self, attrs: &mut Attrs) -> Option<String> {
        let id = self.columns.celeb_id.as_ref()?[self.k];
        if id.is_nan() {
            return None;
        }
        let names = self.columns.celeb_names.unwrap_or_default();
        // Without `celeb_names` any whole positive id is still an identity.
        let limit = match self.columns.celeb_names {
            Some(names) => names.len() as f64,
            None => f64::MAX,
        };
        if !(id.fract() == 0.0 && id >= 1.0 && id <= limit) {
            let count = names.len();
            self.report(format!(
                "celeb_id {id} is not an index into the {count} celeb_names; identity left unknown"
            ));
            return None;
        }
        let index = id as usize; // whole and in 1..=len, checked above
        if let Some(Ok(name)) = names.get(index - 1).map(Value::as_str)
            && !name.is_empty()
        {
            attrs.insert(attr::CELEB_NAME.into(), name.into());
        }
        Some(index.to_string())
    }

    /// Records the scores; returns whether a face was found (`None` when the score is NaN,
    /// which the format does not define).
    fn scores(&mut self, attrs: &mut Attrs) -> Option<bool> {
        let (score, second) = (
            self.columns.face_score[self.k],
            self.columns.second_face_score[self.k],
        );
        let face_found = if score.is_finite() {
            attrs.insert(attr::FACE_SCORE.into(), AttrValue::Float(score));
            Some(true)
        } else if score.is_infinite() {
            // -Inf in the files; the official page says "Inf": either sign means no face.
            Some(false)
        } else {
            self.report("face_score is NaN (neither a score nor -Inf for no face)");
            None
        };
        if let Some(found) = face_found {
            attrs.insert(attr::FACE_FOUND.into(), found.into());
        }
        if second.is_nan() {
            attrs.insert(attr::SECOND_FACE_FOUND.into(), false.into());
        } else if second == f64::NEG_INFINITY {
            // The format says NaN for no second face; -Inf is what the first score uses for
            // "no face", so it is read the same way (yu4u's filter keeps it too).
            attrs.insert(attr::SECOND_FACE_FOUND.into(), false.into());
            self.report("second_face_score is -Inf, read as no second face (the format says NaN)");
        } else if second.is_finite() {
            attrs.insert(attr::SECOND_FACE_FOUND.into(), true.into());
            attrs.insert(attr::SECOND_FACE_SCORE.into(), AttrValue::Float(second));
        } else {
            self.report(format!(
                "second_face_score is {second} (neither a score nor NaN for no second face)"
            ));
        }
        face_found
    }

    fn face_location(&mut self) -> Option<[f64; 4]> {
        let value = &self.columns.face_location[self.k];
        let numbers = value.to_f64().ok();
        match numbers.as_deref() {
            Some(&[x1, y1, x2, y2]) if [x1, y1, x2, y2].iter().all(|v| v.is_finite()) => {
                Some([x1, y1, x2, y2])
            }
            Some(values) => {
                self.report(format!(
                    "face_location {values:?} is not 4 finite numbers; no box"
                ));
                None
            }
            None => {
                let found = value.describe();
                self.report(format!("face_location is a {found}, not 4 numbers; no box"));
                None
            }
        }
    }
}

/// A number as an attribute: whole numbers as integers (dob and photo_taken are whole in
/// every file seen), anything else as a float (a NaN float is written as JSON `null`).
fn number(v: f64) -> AttrValue {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        AttrValue::Int(v as i64)
    } else {
        AttrValue::Float(v)
    }
}

/// The image size a no-face location gives: the page says it is then "the entire image",
/// `[1 1 W H]`. Anything else is not trusted as a size.
fn whole_image_size([x1, y1, x2, y2]: [f64; 4]) -> (Option<u32>, Option<u32>) {
    let whole =
        |v: f64| (v.fract() == 0.0 && v >= 1.0 && v <= f64::from(u32::MAX)).then_some(v as u32);
    if x1 == 1.0 && y1 == 1.0 {
        (whole(x2), whole(y2))
    } else {
        (None, None)
    }
}

/// Whether `path` stays inside the tree when joined to it: relative, `/`-separated, with
/// no empty, `.` or `..` component (the real paths are `17/10000217_1981-05-05_2009.jpg`).
fn is_safe_relative_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}
