//! Per-split summaries: the counts a user checks first.

use zukan_schema::{Sample, Split};

/// Counts over one split's samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitSummary {
    /// The split.
    pub split: Split,
    /// Number of images (samples).
    pub images: usize,
    /// Number of annotated objects.
    pub objects: usize,
    /// Objects flagged to be ignored by evaluation (WIDER `invalid`).
    pub ignored: usize,
    /// Images with no object at all.
    pub images_without_objects: usize,
    /// Objects whose box has no area (kept as the source wrote them).
    pub degenerate_boxes: usize,
}

impl SplitSummary {
    /// Counts `samples` of `split`.
    pub fn of(split: Split, samples: &[Sample]) -> Self {
        let objects = samples.iter().flat_map(|s| &s.objects);
        SplitSummary {
            split,
            images: samples.len(),
            objects: objects.clone().count(),
            ignored: objects.clone().filter(|o| o.ignore).count(),
            images_without_objects: samples.iter().filter(|s| s.objects.is_empty()).count(),
            degenerate_boxes: objects.filter(|o| o.bbox.is_degenerate()).count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zukan_schema::{BBox, ImageRef, Object};

    #[test]
    fn counts_each_kind_once() {
        let mut a = Sample::new("a", ImageRef::file("a"), Split::Val);
        a.objects.push(Object::new(BBox::new(0.0, 0.0, 2.0, 2.0)));
        let mut ignored = Object::new(BBox::new(0.0, 0.0, 0.0, 2.0));
        ignored.ignore = true;
        a.objects.push(ignored);
        let b = Sample::new("b", ImageRef::file("b"), Split::Val);
        let summary = SplitSummary::of(Split::Val, &[a, b]);
        assert_eq!(
            summary,
            SplitSummary {
                split: Split::Val,
                images: 2,
                objects: 2,
                ignored: 1,
                images_without_objects: 1,
                degenerate_boxes: 1
            }
        );
    }
}
