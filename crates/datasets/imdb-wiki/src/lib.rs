//! IMDB-WIKI (Rothe, Timofte & Van Gool, 2015/2018): its resource table, info card, the
//! parser of the authors' metadata struct (`wiki.mat`, `imdb.mat`), the usual "clean"
//! selection, and a loader.
//!
//! Decisions, each with its reason:
//!
//! - **Two sources, one split.** The dataset is two crawls with one format, and the authors
//!   publish no train/val/test split. Both load as one dataset, `imdb-wiki`, under
//!   [`Split::Train`](zukan_schema::Split::Train) (what the data is used for; inventing a
//!   split would misstate the source), told apart by the `source` attribute (`"wiki"` or
//!   `"imdb"`) and by the first component of every id: `wiki/17/10000217_1981-05-05_2009`
//!   (`<db>/<full_path without .jpg>`, stable and unique). A root holding only one source
//!   loads that one. A source present in both trees (`wiki_crop/` and `wiki/`) is read from
//!   the crop tree, and the other file is reported as present but not read.
//! - **Ages as the authors define them**: `datevec(datenum(photo_taken,7,1) - dob)`, with the
//!   MATLAB calendar implemented here ([`datenum`], [`civil_from_datenum`], [`authors_age`];
//!   it differs from the popular yu4u `calc_age`, [`yu4u_age`], on a few births near
//!   1 July; the clean selection, being yu4u's filter, tests yu4u's age). A birth in
//!   year 0, a photo before the birth, an age above 120, or a value that is no date or year
//!   is a diagnostic naming the entry and the value, and the age is left unknown — never
//!   clamped.
//! - **Gender** 0/1/NaN is Female/Male/Unknown; any other value is a diagnostic and `None`
//!   (null in the export: the value says nothing usable, which is not NaN's `unknown`).
//! - **Boxes.** `face_location` is `[x1 y1 x2 y2]` in 1-based MATLAB pixel indices of the
//!   *uncropped* photo; [`face_location_to_box`] gives the box of exactly the pixels the
//!   authors crop (`x = x1 - 1`, `w = x2 - x1 + 1`; the reasons are on that function). The
//!   face-crop archives, which most users download, hold crops with a margin, where that box
//!   would be wrong, so their samples ([`ImageTree::Crop`]) have no object and keep the raw
//!   location in the `face_location` attribute; samples of the full photos
//!   ([`ImageTree::Full`]) get one `face` object when a face was found.
//! - **NaN and infinities are facts, not numbers**: JSON cannot hold them, so `face_score =
//!   -Inf` is stored as `face_found: false` and `second_face_score = NaN` as
//!   `second_face_found: false`; finite scores are kept as numbers (see [`attr`]).
//! - **Any numeric class** for every numeric field (the real files' classes are unverified),
//!   read through zukan-mat. A field whose length differs from `full_path`'s is a
//!   [`ParseError::FieldLength`] naming the field.
//! - **Resources.** No size or checksum is published; the first verified download records
//!   them. [`resources`] is the two face-crop archives (images and metadata);
//!   [`all_resources`] adds `wiki.tar.gz` and `imdb_meta.tar`, which zukan does not fetch
//!   (the info card says so) but whose unpacked tree the loader reads (`--root`).
//!
//! ```
//! use zukan_imdb_wiki::{CleanFilter, Db, ImageTree, attr, parse_meta_bytes};
//! use zukan_schema::{Age, AttrValue, Gender};
//!
//! // tests/data/imdb_sample.mat: generated like the real imdb.mat (see tests/data/README.md).
//! let bytes = include_bytes!("../tests/data/imdb_sample.mat");
//! let parsed = parse_meta_bytes(bytes, Db::Imdb, ImageTree::Crop, "imdb_crop/imdb.mat")?;
//! let first = &parsed.samples[0];
//! assert_eq!(first.id, "imdb/01/nm0000001_rm100000000_1981-5-5_2009");
//! assert_eq!(first.image.path(), "imdb_crop/01/nm0000001_rm100000000_1981-5-5_2009.jpg");
//! assert_eq!(first.age, Some(Age::Years(28))); // born 1981-05-05, photo 2009
//! assert_eq!(first.gender, Some(Gender::Male));
//! assert_eq!(first.identity.as_deref(), Some("5")); // celeb_id, 1-based into celeb_names
//! assert_eq!(first.attrs[attr::CELEB_NAME], AttrValue::Text("Sami Jauhojärvi".into()));
//! assert_eq!(first.attrs[attr::SECOND_FACE_FOUND], AttrValue::Bool(false)); // NaN
//! assert!(first.objects.is_empty()); // a crop: the box is in the uncropped photo
//!
//! // The photo taken before the birth is reported, not clamped.
//! assert_eq!(parsed.samples[7].age, None);
//! assert!(parsed.diagnostics.iter().any(|d| d.message.contains("before the birth")));
//!
//! let clean = CleanFilter::default();
//! assert_eq!(clean.select(&parsed.samples).count(), 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod attr;
mod clean;
mod columns;
mod datenum;
mod db;
mod error;
mod info;
mod loader;
mod meta;

pub use clean::CleanFilter;
pub use datenum::{
    AgeProblem, CivilDate, MAX_AGE, authors_age, civil_from_datenum, datenum, yu4u_age,
};
pub use db::{Db, ImageTree};
pub use error::ParseError;
pub use info::{
    CITATION, DEFAULT_ARCHIVES, HOMEPAGE, LICENSE, NAME, RELEASE, all_resources, info, resources,
};
pub use loader::{ImdbWiki, load, meta_file};
pub use meta::{FACE, Parsed, face_location_to_box, parse_meta, parse_meta_bytes};
