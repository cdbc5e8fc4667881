//! Adience (Eidinger, Enbar, Hassner 2014): the files a user downloads by hand after
//! registering, the info card with the eight age groups, the parser of the fold files, and a
//! loader.
//!
//! Decisions, each with its reason (details in the notes of `src/fold.rs`):
//!
//! - **Gated.** The authors hand the files out after a request form, so the resource table has
//!   no URLs; [`manual_instructions`] tells the user what to fetch and where to put it and
//!   [`check_manual_dir`] says exactly what is still missing (`faces.tar.gz` or
//!   `aligned.tar.gz` is enough; the `fold_frontal_*` lists are optional, since no loader
//!   reads them).
//! - **Labels stay as the source gives them.** Age is exact years or a range; an age lying
//!   wholly inside one of [`AGE_GROUPS`] (`(25, 32)`, but also `(27, 32)` or `29`) gets the
//!   attribute `age_group`, and the raw text is always kept (`age_text`), so the authors'
//!   stricter protocol (exact group strings only, [`age_group`]) can still be applied. An inverted range such as
//!   `(25, 23)` (72 rows) is a diagnostic, not a guess. Gender `u` is the source saying
//!   "unknown" (`Some(Unknown)`); an empty field says nothing (`None`).
//! - **The face box is an attribute, not an object**: it locates the face in the original
//!   Flickr photo, while the archives hold crops ([`face_box_in_original`]).
//! - **Exact duplicate rows** (117 in the real files) are kept once and reported.
//!
//! ```
//! use zukan_adience::{AGE_GROUPS, ImageVariant, parse_fold};
//! use zukan_schema::{Age, Gender, Split};
//!
//! let text = "user_id\toriginal_image\tface_id\tage\tgender\tx\ty\tdx\tdy\ttilt_ang\tfiducial_yaw_angle\tfiducial_score\n\
//!             30601258@N03\t10424815813_e94629b1ec_o.jpg\t2\t(25, 32)\tm\t301\t105\t640\t641\t0\t0\t94\n";
//! let parsed = parse_fold(text.as_bytes(), "fold_0_data.txt", Split::Fold(0), ImageVariant::Faces)?;
//! let face = &parsed.faces[0].sample;
//! assert_eq!(face.id, "30601258@N03/2.10424815813_e94629b1ec_o.jpg");
//! assert_eq!(
//!     face.image.path(),
//!     "faces/30601258@N03/coarse_tilt_aligned_face.2.10424815813_e94629b1ec_o.jpg"
//! );
//! assert_eq!((face.age, face.gender), (Some(Age::Range(25, 32)), Some(Gender::Male)));
//! assert_eq!(AGE_GROUPS[4], (25, 32));
//! assert_eq!(face.attrs["age_group"], 4i64.into());
//! # Ok::<(), zukan_adience::ParseError>(())
//! ```
#![deny(missing_docs)]

mod age;
mod error;
mod fold;
mod info;
mod lines;
mod loader;
mod manual;

pub use age::{AGE_GROUPS, AgeField, age_group, age_group_containing, parse_age};
pub use error::ParseError;
pub(crate) use error::quote;
pub use fold::{COLUMNS, ImageVariant, Parsed, ParsedFace, face_box_in_original, parse_fold};
pub use info::{CITATION, FOLDS, HOMEPAGE, LICENSE, NAME, RELEASE, info, resources};
pub use loader::{Adience, detect_variant, fold_file, load_fold};
pub use manual::{
    IMAGE_ARCHIVES, MANUAL_SUBDIR, ManualStatus, check_manual_dir, fold_files, frontal_fold_files,
    manual_instructions,
};
