//! FDDB (Face Detection Data Set and Benchmark, Jain & Learned-Miller 2010): its resource
//! table, info card, the parsers of the authors' fold files, and a writer for detections in
//! the format the official evaluator reads.
//!
//! Decisions, each with its reason:
//!
//! - **Ellipse and box.** FDDB annotates faces as ellipses. Each [`Object`](zukan_schema::Object)
//!   keeps the ellipse exactly as written and gets the box that exactly bounds it
//!   ([`ellipse_to_box`]), so box-only tools (COCO, YOLO exports, the detector) can use FDDB.
//!   The angle is measured from the image x axis to the `ra` axis, as the official evaluator
//!   draws it (see [`ellipse_to_box`]).
//! - **The placeholder face** `1 1 0 0 0` (fold 08, `2002/07/24/big/img_67`, line 897) is kept,
//!   not dropped: the authors' 5,171 faces include it and the official evaluator scores it as
//!   a face, so dropping it would make our counts and ROC denominators differ from everyone
//!   else's. It is marked `ignore` (it is no face, so training must skip it), carries the
//!   attribute `placeholder: true`, and is reported as a diagnostic. An evaluator that wants
//!   the official numbers counts every face, ignored or not.
//! - **Ids and images.** The id of a sample is the image name as the fold files write it
//!   (`2002/08/11/big/img_591`, stable and unique), its image is `<name>.jpg` relative to the
//!   dataset root (FDDB names have no `.jpg`).
//! - **Two lists per fold.** The plain list `FDDB-fold-NN.txt` fixes the order detections must
//!   follow; the loader checks it names the same images in the same order as the ellipse list.
//!
//! ```
//! use zukan_schema::Split;
//!
//! let text = "2002/08/11/big/img_591\n1\n123.583300 85.549500 1.265839 269.693400 161.781200  1\n";
//! let parsed = zukan_fddb::parse_ellipse_list(text.as_bytes(), "FDDB-fold-01-ellipseList.txt", Split::Fold(1))?;
//! let sample = &parsed.images[0].sample;
//! assert_eq!(sample.id, "2002/08/11/big/img_591");
//! assert_eq!(sample.image.path(), "2002/08/11/big/img_591.jpg");
//! let face = &sample.objects[0];
//! assert_eq!(face.ellipse.unwrap().ra, 123.5833);
//! // Upright face: the box is taller than wide.
//! assert!(face.bbox.h > face.bbox.w);
//!
//! // Detections go back out in the evaluator's format, one block per image.
//! let mut out = Vec::new();
//! zukan_fddb::write_detections(&mut out, &[(sample.id.as_str(), vec![(face.bbox, 0.9f32)])])?;
//! assert!(String::from_utf8(out)?.starts_with("2002/08/11/big/img_591\n1\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod detections;
mod ellipse;
mod ellipse_list;
mod error;
mod fold_list;
mod info;
mod lines;
mod loader;

pub use detections::{ImageDetections, WriteError, read_detections, write_detections};
pub use ellipse::{ellipse_to_box, is_placeholder};
pub use ellipse_list::{FACE, Parsed, ParsedImage, parse_ellipse_list};
pub use error::ParseError;
pub(crate) use error::quote;
pub use fold_list::{FoldEntry, check_fold_agreement, parse_fold_list};
pub use info::{CITATION, FOLDS, HOMEPAGE, LICENSE, NAME, RELEASE, info, resources};
pub use loader::{Fddb, ellipse_list_file, fold_list_file, load_fold};
