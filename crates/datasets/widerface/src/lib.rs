//! WIDER Face: its resource table, info card, and pure parsers of the authors' annotation
//! files into the common [`zukan_schema`] samples.
//!
//! The design decisions:
//!
//! - **Parsers are pure.** [`parse_bbx_gt`] and [`parse_test_filelist`] read any
//!   [`BufRead`](std::io::BufRead) plus a file name for messages; no files, no network. The
//!   loader ([`load_split`], or [`WiderFace`] through the [`Dataset`](zukan_schema::Dataset)
//!   trait) only opens `wider_face_split/<file>` under a root and calls them.
//! - **The authors' column order.** Rows are `x1 y1 w h blur expression illumination invalid
//!   occlusion pose`, as their `readme.txt` says and their `.mat` files confirm. `invalid`
//!   becomes [`Object::ignore`](zukan_schema::Object::ignore), and all six attribute codes are
//!   kept as integers in the face's `attrs`.
//! - **Boxes exactly as written.** Zero-width or zero-height boxes, and boxes starting at a
//!   negative x or y, are kept (never clamped); [`validate`] reports them as diagnostics with
//!   file and line. The only rows not turned into faces are the all-zero placeholders the
//!   authors write for images without faces (count `1` + zero row in val, count `0` + zero
//!   row in train); those images are kept with no boxes.
//! - **Errors name the place.** A file whose structure is lost gives a [`ParseError`] such as
//!   `wider_face_val_bbx_gt.txt:118: expected 10 integers, found 9`; no input makes a parser
//!   panic.
//! - **Data, not code, for the downloads.** The resource table is `resources.json`, with the
//!   source of every size and checksum.
//!
//! ```
//! use zukan_schema::{AttrValue, Split};
//! use zukan_widerface::{parse_bbx_gt, validate};
//!
//! let text = "0--Parade/0_Parade_Parade_0_317.jpg\n2\n\
//!             706 94 0 1 2 0 0 0 1 0 \n78 221 7 8 2 0 0 0 0 0 \n\
//!             0--Parade/0_Parade_Parade_0_275.jpg\n1\n0 0 0 0 0 0 0 0 0 0 \n";
//! let parsed = parse_bbx_gt(text.as_bytes(), "wider_face_val_bbx_gt.txt", Split::Val).unwrap();
//! let first = &parsed.images[0].sample;
//! assert_eq!(first.id, "0--Parade/0_Parade_Parade_0_317");
//! assert_eq!(first.image.path(), "WIDER_val/images/0--Parade/0_Parade_Parade_0_317.jpg");
//! assert_eq!(first.attrs["event"], AttrValue::from("0--Parade"));
//! assert_eq!(first.objects[1].attrs["blur"], AttrValue::Int(2));
//! // The no-face image is kept, with no boxes.
//! assert!(parsed.images[1].sample.objects.is_empty());
//! // The zero-width box is kept as written and reported at its line.
//! assert_eq!(first.objects[0].bbox.w, 0.0);
//! assert_eq!(
//!     validate(&parsed)[0].to_string(),
//!     "wider_face_val_bbx_gt.txt:3: box 1 of `0--Parade/0_Parade_Parade_0_317` is degenerate: x=706 y=94 w=0 h=1 (kept as written)"
//! );
//! ```
#![deny(missing_docs)]

mod bbx_gt;
mod error;
mod filelist;
mod info;
mod layout;
mod lines;
mod loader;
mod parsed;
mod resources;
mod validate;

pub use bbx_gt::{ATTRIBUTES, COLUMNS, FACE, parse_bbx_gt};
pub use error::ParseError;
pub(crate) use error::quote;
pub use filelist::parse_test_filelist;
pub use info::{
    CITATION, EVENTS, HOMEPAGE, LICENSE, NAME, RELEASE, event_number_and_name, event_of, info,
};
pub use layout::{ANNOTATION_DIR, annotation_file, image_dir};
pub use loader::{LoadError, WiderFace, load_split};
pub use parsed::{Parsed, ParsedImage};
pub use resources::resources;
pub use validate::validate;
