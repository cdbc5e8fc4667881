//! zukan: face and fine-grained vision datasets, fetched, proven and read into one schema.
//!
//! This is the crate users import. It joins the pieces below it:
//! [`zukan_schema`] (the common types), one crate per dataset (resource table, info card, pure
//! parsers) and [`zukan_fetch`] (download, verify, extract). The design decisions:
//!
//! - **One registry, by name.** [`Registry`] holds every dataset behind the
//!   [`Dataset`] trait; users type the same names as on the command line (`widerface`).
//! - **Two ways to a tree.** [`prepare`] downloads (or imports with `--from`), verifies and
//!   installs the official archives under the data directory; [`DatasetRoot::user`] points at
//!   a tree the user already has in the official layout, marked unverified.
//! - **Annotations first.** Loading a split reads annotations only; images that are not on
//!   disk yet are counted ([`DatasetRoot::missing_images`]), not an error.
//!
//! ```
//! use zukan::{DatasetRoot, Registry, Split};
//!
//! let registry = Registry::new();
//! let wider = registry.get("widerface").unwrap();
//! assert_eq!(wider.info().class_names, ["face"]);
//! // A tree the user already has (here: the authors' real files beside the checkout).
//! let real = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/real/widerface");
//! if std::path::Path::new(real).exists() {
//!     let root = DatasetRoot::user(real);
//!     let val = root.load(wider, Split::Val).unwrap();
//!     assert_eq!(val.samples.len(), 3226);
//! }
//! ```
#![deny(missing_docs)]

mod export;
mod pins;
mod prepare;
mod registry;
mod root;
mod stats;
mod verify;

pub use export::{ExportFormat, export};
pub use pins::{Pin, PinError, Pins, utc_minute};
pub use prepare::{PrepareError, PrepareOptions, Prepared, prepare};
pub use registry::{Registry, UnknownDataset};
pub use root::{DatasetRoot, Provenance};
pub use stats::SplitSummary;
pub use verify::{Expected, FileState, VerifiedFile, verify};
pub use zukan_fetch::{DataDir, Downloaded, FetchOptions, NoProgress, Progress};
pub use zukan_schema::{
    Age, AttrValue, Attrs, BBox, Dataset, DatasetError, DatasetInfo, Diagnostic, Ellipse, Gender,
    ImageRef, Loaded, ManualCheck, Object, Resource, Sample, Selection, Split, jsonl,
};
