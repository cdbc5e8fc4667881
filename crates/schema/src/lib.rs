//! The common annotated-image schema shared by every zukan crate.
//!
//! Every dataset, whatever its source format (WIDER Face text files, FDDB ellipse lists,
//! MATLAB structs, idx files), is read into the same [`Sample`] type, so exports, statistics,
//! training and evaluation are written once. The design decisions:
//!
//! - Boxes are kept **exactly as the source gives them** (`x, y, w, h` in pixels, origin
//!   top-left). Nothing is clamped or `abs()`'d; [`BBox::is_degenerate`] lets validation report
//!   zero or negative sizes instead.
//! - Absent values are `None`, never a made-up default: an unknown gender is
//!   [`Gender::Unknown`] when the source says "unknown", and `None` when it says nothing.
//! - Class ids are 0-based; the names live in [`DatasetInfo::class_names`].
//! - An image is either a file in the dataset tree or a record inside a packed file
//!   ([`ImageRef`]), so MNIST-style formats fit the same schema.
//! - A recoverable source problem is a [`Diagnostic`] (file and line), counted and reported.
//!
//! This crate is pure data plus serde: it knows nothing of HTTP, archives or any dataset.
//!
//! ```
//! use zukan_schema::{BBox, ImageRef, Object, Sample, Split};
//!
//! let mut sample = Sample::new("0--Parade/0_Parade_marchingband_1_465", ImageRef::file("a.jpg"), Split::Val);
//! sample.objects.push(Object::new(BBox::new(345.0, 211.0, 4.0, 4.0)));
//! let line = zukan_schema::jsonl::to_line(&sample).unwrap();
//! assert!(line.starts_with(r#"{"id":"0--Parade/0_Parade_marchingband_1_465","image":"a.jpg","split":"val""#));
//! assert_eq!(zukan_schema::jsonl::from_line(&line).unwrap(), sample);
//! ```
#![deny(missing_docs)]

mod dataset;
mod diagnostic;
mod info;
pub mod jsonl;
mod resource;
mod sample;
mod split;

pub use dataset::{Dataset, DatasetError, Loaded, ManualCheck, Selection};
pub use diagnostic::Diagnostic;
pub use info::DatasetInfo;
pub use resource::{ArchiveKind, Resource, Sha256Hex};
pub use sample::{Age, AttrValue, Attrs, BBox, Ellipse, Gender, ImageRef, Object, Sample};
pub use split::{ParseSplitError, Split};
