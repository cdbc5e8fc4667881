//! The keys of the sample attributes this crate writes, and what each holds.
//!
//! JSON has no NaN or infinity, so the non-finite scores of the source are stored as the
//! facts they stand for: `face_score = -Inf` becomes `face_found: false` with no
//! `face_score`; `second_face_score = NaN` becomes `second_face_found: false` with no
//! `second_face_score`. A finite score is kept as the number it is.

/// `"wiki"` or `"imdb"`: which crawl the entry comes from.
pub const SOURCE: &str = "source";
/// The person's name as the entry gives it (absent when the source's name is empty).
pub const NAME: &str = "name";
/// `dob` as stored: a MATLAB serial day number (integer when whole).
pub const DOB: &str = "dob";
/// The birth date `dob` encodes, `YYYY-MM-DD` (absent when `dob` is not a date).
pub const BIRTH_DATE: &str = "birth_date";
/// `photo_taken` as stored: the year the photo was taken.
pub const PHOTO_TAKEN: &str = "photo_taken";
/// Whether the detector found a face (`false` where the source's `face_score` is `-Inf`;
/// `face_location` is then the whole photo). Absent when `face_score` is NaN.
pub const FACE_FOUND: &str = "face_found";
/// The detector's score of the face (higher is better), when one was found.
pub const FACE_SCORE: &str = "face_score";
/// Whether a second face was detected (`false` where `second_face_score` is NaN, or -Inf,
/// which is reported). Absent when it is +Inf.
pub const SECOND_FACE_FOUND: &str = "second_face_found";
/// The score of the second strongest face, when there is one.
pub const SECOND_FACE_SCORE: &str = "second_face_score";
/// `face_location` exactly as stored, `"x1 y1 x2 y2"` (1-based MATLAB pixel indices in the
/// uncropped photo), shortest round-trip decimal text. Kept on every sample, because on
/// the face crops it cannot be a box (see [`ImageTree::Crop`](crate::ImageTree::Crop)).
pub const FACE_LOCATION: &str = "face_location";
/// The name `celeb_id` points to in `celeb_names` (IMDb only).
pub const CELEB_NAME: &str = "celeb_name";
