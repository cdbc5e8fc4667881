//! What the parsers return: the samples in source order, each with the line it starts on, and
//! the recoverable problems met while reading.

use std::collections::HashMap;

use zukan_schema::{Diagnostic, Loaded, Sample, Split};

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
    /// The images, in source order, each id once (a repeat is dropped and reported).
    pub images: Vec<ParsedImage>,
    /// Recoverable problems met while parsing (validation adds more: see [`validate()`]).
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// The samples, in source order.
    pub fn samples(&self) -> impl ExactSizeIterator<Item = &Sample> {
        self.images.iter().map(|image| &image.sample)
    }

    /// The samples plus every diagnostic: the parser's and [`validate()`]'s (degenerate
    /// boxes, attribute codes the readme does not define, unknown events).
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

/// Builds a [`Parsed`] image by image, keeping each id once.
///
/// A repeated image keeps its FIRST occurrence, so that `id` stays unique in the dataset (the
/// schema promises it, and the JSONL export would otherwise hold the same id twice). Nothing
/// is dropped without a word: the diagnostic at the repeat's line names the first line and
/// says whether the repeat's boxes are the same or, when they differ, which lines hold the
/// boxes that were dropped. The real files have no repeat (`tests/real_files.rs`).
pub(crate) struct Collector {
    parsed: Parsed,
    /// Index in `parsed.images` of each id seen.
    first: HashMap<String, usize>,
}

impl Collector {
    pub(crate) fn new(file: &str) -> Self {
        Collector {
            parsed: Parsed {
                file: file.to_owned(),
                images: Vec::new(),
                diagnostics: Vec::new(),
            },
            first: HashMap::new(),
        }
    }

    pub(crate) fn diagnostics(&mut self) -> &mut Vec<Diagnostic> {
        &mut self.parsed.diagnostics
    }

    /// Adds `image`, or reports it as a repeat and drops it.
    pub(crate) fn push(&mut self, image: ParsedImage) {
        let Some(&index) = self.first.get(&image.sample.id) else {
            self.first
                .insert(image.sample.id.clone(), self.parsed.images.len());
            self.parsed.images.push(image);
            return;
        };
        let first = &self.parsed.images[index];
        let mut message = format!(
            "`{}` is listed again (first at line {}); the repeat is dropped",
            image.sample.id, first.line
        );
        // The test list has no boxes to compare.
        if image.sample.split != Split::Test {
            let boxes = |n: usize| format!("{n} box{}", if n == 1 { "" } else { "es" });
            let (mine, theirs) = (&image.sample.objects, &first.sample.objects);
            if mine == theirs {
                let verb = if mine.len() == 1 { "is" } else { "are" };
                message += &format!(", its {} {verb} the same as the first's", boxes(mine.len()));
            } else {
                // Rows follow the count with no gaps (see `ParsedImage::line`).
                let rows = match mine.len() as u64 {
                    0 => String::new(),
                    1 => format!(" (line {})", image.line + 2),
                    n => format!(" (lines {}-{})", image.line + 2, image.line + 1 + n),
                };
                let verb = if mine.len() == 1 { "differs" } else { "differ" };
                message += &format!(
                    ", and its {}{rows} {verb} from the first's {}",
                    boxes(mine.len()),
                    boxes(theirs.len())
                );
            }
        }
        let diagnostic = Diagnostic::at_line(&self.parsed.file, image.line, message);
        self.parsed.diagnostics.push(diagnostic);
    }

    /// The result; a file with no image at all (empty, or blank lines only) is reported, since
    /// no annotation file of the authors is empty.
    pub(crate) fn finish(mut self) -> Parsed {
        if self.parsed.images.is_empty() {
            let diagnostic = Diagnostic::in_file(&self.parsed.file, "holds no images");
            self.parsed.diagnostics.push(diagnostic);
        }
        self.parsed
    }
}
