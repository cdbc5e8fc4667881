//! The fields of the metadata struct, read as per-entry columns of one length.
//!
//! Every field is a 1xN row (public loaders index `meta[db][0, 0][field][0]`), so each is
//! read in column-major order, which for a vector is simply entry order. Numeric fields are
//! read whatever their class: the real files' classes are recalled, not verified
//! (research: dob int32, photo_taken uint16, the rest double), so any numeric or logical
//! class is accepted and widened to `f64` (exact for every integer class up to 2^53).

use zukan_mat::{MatFile, StructArray, Value};

use crate::{Db, ParseError};

/// The struct's fields, one entry per image, all of the same length.
pub(crate) struct Columns<'a> {
    pub full_path: &'a [Value],
    pub dob: Vec<f64>,
    pub photo_taken: Vec<f64>,
    pub gender: Vec<f64>,
    pub name: &'a [Value],
    pub face_location: &'a [Value],
    pub face_score: Vec<f64>,
    pub second_face_score: Vec<f64>,
    /// 1-based index into `celeb_names` (IMDb only; absent in the Wikipedia file).
    pub celeb_id: Option<Vec<f64>>,
    /// The names `celeb_id` indexes; its own length (one per celebrity).
    pub celeb_names: Option<&'a [Value]>,
}

impl<'a> Columns<'a> {
    /// Reads the 1x1 struct named after `db` from `mat`, checking every per-entry field has
    /// as many entries as `full_path`.
    pub fn read(mat: &'a MatFile, db: Db, file: &str) -> Result<Self, ParseError> {
        let name = db.name();
        let value = mat.get(name).map_err(|_| ParseError::MissingStruct {
            file: file.to_owned(),
            name,
            found: mat.names().collect::<Vec<_>>().join(", "),
        })?;
        let not_a_struct = || ParseError::NotAStruct {
            file: file.to_owned(),
            name,
            found: value.describe(),
        };
        let st = value.as_struct().map_err(|_| not_a_struct())?;
        if st.len() != 1 {
            return Err(not_a_struct());
        }
        let fields = Fields { st, file };
        let full_path = fields.cells("full_path")?;
        let n = full_path.len();
        let columns = Columns {
            full_path,
            dob: fields.numbers("dob", n)?,
            photo_taken: fields.numbers("photo_taken", n)?,
            gender: fields.numbers("gender", n)?,
            name: fields.cells_of_len("name", n)?,
            face_location: fields.cells_of_len("face_location", n)?,
            face_score: fields.numbers("face_score", n)?,
            second_face_score: fields.numbers("second_face_score", n)?,
            celeb_id: fields.optional("celeb_id", |f| fields.numbers(f, n))?,
            celeb_names: fields.optional("celeb_names", |f| fields.cells(f))?,
        };
        Ok(columns)
    }

    /// The number of entries (images).
    pub fn len(&self) -> usize {
        self.full_path.len()
    }
}

/// Field access with errors that name the file and the field.
struct Fields<'a, 'f> {
    st: &'a StructArray,
    file: &'f str,
}

impl<'a> Fields<'a, '_> {
    fn get(&self, field: &'static str) -> Result<&'a Value, ParseError> {
        self.st.field(field).map_err(|_| ParseError::MissingField {
            file: self.file.to_owned(),
            field,
        })
    }

    fn wrong_type(&self, field: &'static str, expected: &'static str, found: &Value) -> ParseError {
        ParseError::FieldType {
            file: self.file.to_owned(),
            field,
            expected,
            found: found.describe(),
        }
    }

    fn check_len(
        &self,
        field: &'static str,
        found: usize,
        expected: usize,
    ) -> Result<(), ParseError> {
        if found == expected {
            Ok(())
        } else {
            Err(ParseError::FieldLength {
                file: self.file.to_owned(),
                field,
                expected,
                found,
            })
        }
    }

    /// A numeric (any class) or logical field of `n` entries, as `f64`.
    fn numbers(&self, field: &'static str, n: usize) -> Result<Vec<f64>, ParseError> {
        let value = self.get(field)?;
        let values = value
            .to_f64()
            .map_err(|_| self.wrong_type(field, "a numeric array", value))?;
        self.check_len(field, values.len(), n)?;
        Ok(values)
    }

    /// A cell field, whatever its length.
    fn cells(&self, field: &'static str) -> Result<&'a [Value], ParseError> {
        let value = self.get(field)?;
        value
            .as_cell()
            .map(|cell| cell.column_major())
            .map_err(|_| self.wrong_type(field, "a cell array", value))
    }

    /// A cell field of `n` entries.
    fn cells_of_len(&self, field: &'static str, n: usize) -> Result<&'a [Value], ParseError> {
        let cells = self.cells(field)?;
        self.check_len(field, cells.len(), n)?;
        Ok(cells)
    }

    /// `read(field)` when the struct has the field, `None` when it has not.
    fn optional<T>(
        &self,
        field: &'static str,
        read: impl FnOnce(&'static str) -> Result<T, ParseError>,
    ) -> Result<Option<T>, ParseError> {
        if self.st.field_names().iter().any(|f| f == field) {
            read(field).map(Some)
        } else {
            Ok(None)
        }
    }
}
