//! Box decoding: from an activated region output to boxes in image fractions and pixels.
//!
//! Follows Darknet's `get_region_box` (with `DOABS`, anchors in grid cells):
//! `x = (i + σ(tx)) / W`, `y = (j + σ(ty)) / H`, `w = exp(tw)·aw / W`, `h = exp(th)·ah / H`.

use super::{GridShape, Layout, RegionConfig, RegionError, check_len};

/// A box as Darknet's region layer holds it: centre and size as fractions of the image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegionBox {
    /// Centre x.
    pub x: f32,
    /// Centre y.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl RegionBox {
    /// Intersection over union, on continuous coordinates as Darknet's `box_iou`: 0 when
    /// the boxes do not overlap or the union is empty (AlexeyAB's guard against 0/0).
    pub fn iou(&self, other: &RegionBox) -> f32 {
        let overlap = |c1: f32, s1: f32, c2: f32, s2: f32| {
            let left = (c1 - s1 / 2.0).max(c2 - s2 / 2.0);
            let right = (c1 + s1 / 2.0).min(c2 + s2 / 2.0);
            right - left
        };
        let ow = overlap(self.x, self.w, other.x, other.w);
        let oh = overlap(self.y, self.h, other.y, other.h);
        let intersection = if ow < 0.0 || oh < 0.0 { 0.0 } else { ow * oh };
        let union = self.w * self.h + other.w * other.h - intersection;
        if intersection == 0.0 || union == 0.0 {
            return 0.0;
        }
        intersection / union
    }

    /// The same box in pixels of an image of `size`, top-left corner and size. The network
    /// input is taken as a stretch of the whole image (AlexeyAB's and the 2017 release's
    /// default, no letterbox). Not clipped to the image.
    pub fn to_pixels(&self, size: ImageSize) -> PixelBox {
        PixelBox {
            left: (self.x - self.w / 2.0) * size.width,
            top: (self.y - self.h / 2.0) * size.height,
            width: self.w * size.width,
            height: self.h * size.height,
        }
    }
}

/// Size of the image the detections are reported in, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageSize {
    /// Width in pixels.
    pub width: f32,
    /// Height in pixels.
    pub height: f32,
}

/// A box in pixels: top-left corner and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelBox {
    /// Left edge.
    pub left: f32,
    /// Top edge.
    pub top: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

/// One decoded prediction of the region layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// Grid column of the predicting cell.
    pub column: usize,
    /// Grid row of the predicting cell.
    pub row: usize,
    /// Anchor index.
    pub anchor: usize,
    /// The box in image fractions (centre format).
    pub region_box: RegionBox,
    /// The box in pixels.
    pub bbox: PixelBox,
    /// σ(objectness logit).
    pub objectness: f32,
    /// Class probabilities (softmax output, or raw values without softmax).
    pub class_probs: Vec<f32>,
    /// The class with the highest probability (lowest index on ties).
    pub best_class: usize,
    /// `objectness · class_probs[best_class]`, Darknet's per-class detection probability.
    pub score: f32,
}

/// Decodes the box of anchor `anchor` at column `i`, row `j`, whose entry 0 is at `base` of
/// an activated output (σ already applied to tx, ty).
pub(super) fn predicted_box(
    cfg: &RegionConfig,
    layout: &Layout,
    output: &[f32],
    base: usize,
    anchor: usize,
    i: usize,
    j: usize,
) -> RegionBox {
    let (w, h) = (layout.width as f32, layout.height as f32);
    let prior = cfg.anchors[anchor];
    RegionBox {
        x: (i as f32 + output[layout.entry(base, 0)]) / w,
        y: (j as f32 + output[layout.entry(base, 1)]) / h,
        w: output[layout.entry(base, 2)].exp() * prior.width / w,
        h: output[layout.entry(base, 3)].exp() * prior.height / h,
    }
}

/// Decodes every prediction whose objectness is strictly above `thresh` (Darknet keeps
/// `σ(to) > thresh`), per image, in cell-major then anchor order. `output` is the result
/// of [`super::region_forward`]. No non-maximum suppression is applied.
pub fn decode_detections(
    cfg: &RegionConfig,
    shape: GridShape,
    output: &[f32],
    image: ImageSize,
    thresh: f32,
) -> Result<Vec<Vec<Detection>>, RegionError> {
    cfg.validate()?;
    check_len(cfg, shape, "output", output)?;
    let layout = Layout::new(cfg, shape);
    let mut images = Vec::with_capacity(shape.batch);
    for b in 0..shape.batch {
        let mut found = Vec::new();
        for cell in 0..layout.cells {
            let (row, column) = (cell / layout.width, cell % layout.width);
            for anchor in 0..layout.num {
                let base = layout.base(b, anchor, cell);
                let objectness = output[layout.entry(base, 4)];
                if objectness.is_nan() || objectness <= thresh {
                    continue;
                }
                let class_probs: Vec<f32> = (0..cfg.classes)
                    .map(|c| output[layout.entry(base, 5 + c)])
                    .collect();
                let mut best_class = 0;
                for (c, &p) in class_probs.iter().enumerate() {
                    if p > class_probs[best_class] {
                        best_class = c;
                    }
                }
                let region_box = predicted_box(cfg, &layout, output, base, anchor, column, row);
                found.push(Detection {
                    column,
                    row,
                    anchor,
                    region_box,
                    bbox: region_box.to_pixels(image),
                    objectness,
                    score: objectness * class_probs[best_class],
                    class_probs,
                    best_class,
                });
            }
        }
        images.push(found);
    }
    Ok(images)
}
