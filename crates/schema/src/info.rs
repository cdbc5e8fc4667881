//! The info card of a dataset: what it is, where it comes from, how to cite it.

use serde::{Deserialize, Serialize};

use crate::Split;

/// Static facts about a dataset, shown by `zukan info` and written next to exports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetInfo {
    /// Registry name, what users type (`widerface`).
    pub name: String,
    /// Human title (`WIDER FACE`).
    pub title: String,
    /// The release this crate reads, e.g. `"v1"`; used as the data-dir subfolder.
    pub release: String,
    /// Official homepage.
    pub homepage: String,
    /// Licence, as the authors state it.
    pub license: String,
    /// BibTeX citation.
    pub citation: String,
    /// A few sentences on what the dataset holds.
    pub description: String,
    /// Names of the object or image classes, indexed by the 0-based class id.
    pub class_names: Vec<String>,
    /// The splits the dataset has.
    pub splits: Vec<Split>,
}
