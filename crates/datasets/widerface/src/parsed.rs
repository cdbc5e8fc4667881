//! What the parsers return: the samples in source order, each with the line it starts on, and
//! the recoverable problems met while reading.

use zukan_schema::{Diagnostic, Loaded, Sample};

use crate::validate;

/// One image read from an annotation file.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedImage {
    /// The 1-based line of the image path. In a ground-truth file the count is on the next
    /// line and box `i` (0-based) of `sample.objects` on line `line + 2 + i`, because rows
    /// follow their count with no gaps (the parser refuses anything else).
    pub line: u64,
    /// The sample.
    pub sample: Sample,
}

/// The result of parsing one annotation file.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The file name given to the parser, used in diagnostics.
    pub file: String,
    /// The images, in source order.
    pub images: Vec<ParsedImage>,
    /// Recoverable problems met while parsing (validation adds more: see [`validate()`]).
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    pub(crate) fn new(file: &str) -> Self {
        Parsed {
            file: file.to_owned(),
            images: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// The samples, in source order.
    pub fn samples(&self) -> impl ExactSizeIterator<Item = &Sample> {
        self.images.iter().map(|image| &image.sample)
    }

    /// The samples plus every diagnostic: the parser's and [`validate()`]'s (degenerate
    /// boxes, attribute codes the readme does not define, duplicate ids).
    pub fn into_loaded(mut self) -> Loaded {
        let found = validate(&self);
        let mut diagnostics = std::mem::take(&mut self.diagnostics);
        diagnostics.extend(found);
        Loaded {
            samples: self.images.into_iter().map(|image| image.sample).collect(),
            diagnostics,
        }
    }
}
