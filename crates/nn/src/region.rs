//! The YOLOv2 `[region]` layer: activations, box decoding and the training deltas.
//!
//! The layer has no weights. Its input is the raw output of the last convolution, NCHW,
//! with `num * (5 + classes)` channels on an `H × W` grid. Channels are **anchor-major**:
//! channel `a * (5 + classes) + e` is entry `e` of anchor `a`, with `e = 0 tx, 1 ty, 2 tw,
//! 3 th, 4 objectness logit, 5.. class logits`, each a full `H × W` plane.
//!
//! Everything here works on plain `f32` slices in that layout, so the module knows nothing
//! of tensors or networks:
//!
//! * [`region_forward`] applies the activations: logistic on `tx`, `ty` and objectness,
//!   softmax over the class logits, `tw`/`th` left linear. The result keeps the conv
//!   layout. (Darknet's own CPU `l.output` is transposed to `[cell][anchor][entry]` and
//!   keeps `tx`/`ty` raw; this buffer holds the same numbers in the conv layout, with the
//!   logistic already applied to `tx`/`ty` as pjreddie's later versions do.)
//! * [`region_loss`] writes Darknet's training `delta` for a batch and returns the
//!   monitoring statistics. It copies AlexeyAB/darknet (and pjreddie's 2017 YOLO9000
//!   release), which agree with each other; see that function for the rules.
//! * [`region_backward`] turns a delta into a gradient: **Darknet's delta is
//!   `target − output`, the negative gradient**, so `grad_input = −delta`.
//! * [`decode_detections`] turns an activated output into pixel boxes.
//!
//! Anchors are in grid-cell units, as in Darknet's `anchors=` key.
//!
//! ```
//! use zukan_nn::region::*;
//!
//! let cfg = RegionConfig::tiny_yolo(1, vec![Anchor::new(1.08, 1.19), Anchor::new(3.42, 4.41)]);
//! let shape = GridShape { batch: 1, height: 13, width: 13 };
//! let raw = vec![0.0; shape.len(&cfg)]; // the last convolution's output
//! let output = region_forward(&cfg, shape, &raw)?;
//!
//! let truth = Truth { x: 0.5, y: 0.4, w: 0.2, h: 0.3, class: 0 };
//! let mut delta = vec![0.0; output.len()];
//! let loss = region_loss(&cfg, shape, &output, &[vec![truth]], 64, &mut delta)?;
//! assert_eq!(loss.truths, 1);
//! let mut grad = vec![0.0; delta.len()];
//! region_backward(&delta, &mut grad)?; // grad = −delta, for the conv layer's backward
//!
//! let size = ImageSize { width: 640.0, height: 480.0 };
//! let detections = decode_detections(&cfg, shape, &output, size, 0.24)?;
//! assert_eq!(detections[0].len(), 13 * 13 * 2); // untrained: every σ(0) = .5 passes .24
//! # Ok::<(), RegionError>(())
//! ```

mod decode;
mod loss;

pub use decode::{Detection, ImageSize, PixelBox, RegionBox, decode_detections};
pub use loss::{PRIOR_MATCHING_IMAGES, RegionLoss, region_backward, region_loss};

/// Coordinates per box. Darknet's `coords` key; only 4 (no YOLO9000 mask extras) is supported.
pub const COORDS: usize = 4;

/// One anchor (Darknet "bias") in grid-cell units: the prior box is `width / W` by
/// `height / H` of the image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    /// Width in grid cells.
    pub width: f32,
    /// Height in grid cells.
    pub height: f32,
}

impl Anchor {
    /// An anchor of `width × height` grid cells.
    pub const fn new(width: f32, height: f32) -> Self {
        Self { width, height }
    }
}

/// The settings of a `[region]` section that the forward pass and the loss read.
///
/// `jitter`, `random` and `absolute` are data-pipeline or unused keys and have no field.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionConfig {
    /// Number of classes (`classes=`).
    pub classes: usize,
    /// The anchors (`anchors=`, `num=` of them), in grid-cell units.
    pub anchors: Vec<Anchor>,
    /// Weight of the objectness term at responsible anchors (`object_scale=`).
    pub object_scale: f32,
    /// Weight of the no-object term elsewhere (`noobject_scale=`).
    pub noobject_scale: f32,
    /// Weight of the class term (`class_scale=`).
    pub class_scale: f32,
    /// Weight of the coordinate term (`coord_scale=`).
    pub coord_scale: f32,
    /// Ignore threshold (`thresh=`): a prediction whose best IoU with any truth of its image
    /// is strictly above this gets no no-object delta.
    pub thresh: f32,
    /// Objectness target is the IoU of the responsible prediction with its truth instead of 1
    /// (`rescore=1`).
    pub rescore: bool,
    /// Choose the responsible anchor by anchor shape rather than predicted shape
    /// (`bias_match=1`).
    pub bias_match: bool,
    /// Softmax over the class logits (`softmax=1`). Without it the class values are used
    /// raw, as AlexeyAB's Darknet does.
    pub softmax: bool,
    /// Multiply the coordinate scale by `2 − w·h` of the truth. pjreddie's Darknet added
    /// this in 2018 (commit `0b64cb4d`); AlexeyAB's and the 2017 release do not, and the
    /// reference cases are computed without it. Off by default.
    pub scale_coords_by_size: bool,
}

impl RegionConfig {
    /// The region settings shared by yolov2-tiny-voc and azFace's cfg (object_scale 5,
    /// noobject_scale 1, class_scale 1, coord_scale 1, thresh .6, rescore, bias_match,
    /// softmax), with the given classes and anchors.
    pub fn tiny_yolo(classes: usize, anchors: Vec<Anchor>) -> Self {
        Self {
            classes,
            anchors,
            object_scale: 5.0,
            noobject_scale: 1.0,
            class_scale: 1.0,
            coord_scale: 1.0,
            thresh: 0.6,
            rescore: true,
            bias_match: true,
            softmax: true,
            scale_coords_by_size: false,
        }
    }

    /// Number of anchors (`num=`).
    pub fn num_anchors(&self) -> usize {
        self.anchors.len()
    }

    /// Entries per anchor: 4 coordinates, objectness, then the classes. Saturates for an
    /// absurd `classes` (which [`RegionConfig::validate`] refuses).
    pub fn entries_per_anchor(&self) -> usize {
        self.classes.saturating_add(COORDS + 1)
    }

    /// Channels the region input must have: `num * (5 + classes)`. Saturates like
    /// [`RegionConfig::entries_per_anchor`].
    pub fn channels(&self) -> usize {
        self.num_anchors().saturating_mul(self.entries_per_anchor())
    }

    /// Checks that the settings describe a usable layer.
    pub fn validate(&self) -> Result<(), RegionError> {
        if self.classes == 0 {
            return Err(RegionError::NoClasses);
        }
        if self.anchors.is_empty() {
            return Err(RegionError::NoAnchors);
        }
        let fits = (self.classes.checked_add(COORDS + 1))
            .and_then(|e| e.checked_mul(self.num_anchors()))
            .is_some();
        if !fits {
            return Err(RegionError::TooManyChannels {
                num: self.num_anchors(),
                classes: self.classes,
            });
        }
        for (index, anchor) in self.anchors.iter().enumerate() {
            let ok = |v: f32| v.is_finite() && v > 0.0;
            if !ok(anchor.width) || !ok(anchor.height) {
                return Err(RegionError::BadAnchor {
                    index,
                    anchor: *anchor,
                });
            }
        }
        let scales = [
            ("object_scale", self.object_scale),
            ("noobject_scale", self.noobject_scale),
            ("class_scale", self.class_scale),
            ("coord_scale", self.coord_scale),
            ("thresh", self.thresh),
        ];
        for (name, value) in scales {
            if !value.is_finite() {
                return Err(RegionError::NotFinite { name, value });
            }
        }
        Ok(())
    }
}

/// The batch and grid size of one region input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridShape {
    /// Images in the batch.
    pub batch: usize,
    /// Grid rows (`H`).
    pub height: usize,
    /// Grid columns (`W`).
    pub width: usize,
}

impl GridShape {
    /// Cells per image, `H · W`.
    pub fn cells(&self) -> usize {
        self.height * self.width
    }

    /// Number of `f32` values of a region input or output of this shape under `cfg`.
    /// Saturates instead of overflowing, so an absurd shape simply matches no buffer.
    pub fn len(&self, cfg: &RegionConfig) -> usize {
        self.batch
            .saturating_mul(cfg.channels())
            .saturating_mul(self.height)
            .saturating_mul(self.width)
    }

    /// True when the shape holds no values.
    pub fn is_empty(&self) -> bool {
        self.batch == 0 || self.cells() == 0
    }
}

/// One ground-truth box: centre and size as fractions of the (augmented) network input.
///
/// As in Darknet, an image's truth list ends at the first box whose `x` is exactly 0;
/// boxes after it are not read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Truth {
    /// Centre x, in (0, 1].
    pub x: f32,
    /// Centre y, in [0, 1].
    pub y: f32,
    /// Width, ≥ 0.
    pub w: f32,
    /// Height, ≥ 0.
    pub h: f32,
    /// Class id, below [`RegionConfig::classes`].
    pub class: usize,
}

/// Why a region computation refused its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionError {
    /// `classes` is 0.
    #[error("region: classes must be at least 1")]
    NoClasses,
    /// The anchor list is empty.
    #[error("region: at least one anchor is needed")]
    NoAnchors,
    /// An anchor side is not a positive finite number.
    #[error("region: anchor {index} ({}, {}) must have positive finite sides", anchor.width, anchor.height)]
    BadAnchor {
        /// Position in the anchor list.
        index: usize,
        /// The anchor as given.
        anchor: Anchor,
    },
    /// `num · (5 + classes)` does not fit in a `usize`.
    #[error("region: {num} anchors of 5 + {classes} entries are too many channels")]
    TooManyChannels {
        /// Number of anchors.
        num: usize,
        /// The class count given.
        classes: usize,
    },
    /// A scale or threshold is NaN or infinite.
    #[error("region: {name} is {value}, not a finite number")]
    NotFinite {
        /// The cfg key.
        name: &'static str,
        /// The value given.
        value: f32,
    },
    /// A buffer does not have the length the config and grid shape imply.
    #[error("region: {buffer} has {found} values, expected {expected}")]
    Length {
        /// Which buffer (`input`, `output`, `delta`, ...).
        buffer: &'static str,
        /// Length implied by the config and shape.
        expected: usize,
        /// Length given.
        found: usize,
    },
    /// The grid has no rows or no columns, so no truth can be assigned to a cell.
    #[error("region: the grid is {height} x {width}; training needs at least one cell")]
    EmptyGrid {
        /// Grid rows.
        height: usize,
        /// Grid columns.
        width: usize,
    },
    /// The number of truth lists differs from the batch size.
    #[error("region: {found} truth lists for a batch of {expected} images")]
    TruthImages {
        /// The batch size.
        expected: usize,
        /// Truth lists given.
        found: usize,
    },
    /// A truth coordinate is outside its range or not finite.
    #[error("region: image {image} truth {index}: {field} = {value} is outside {range}")]
    TruthOutOfRange {
        /// Image in the batch.
        image: usize,
        /// Position in that image's truth list.
        index: usize,
        /// `x`, `y`, `w` or `h`.
        field: &'static str,
        /// The value given.
        value: f32,
        /// The accepted range, in words.
        range: &'static str,
    },
    /// A truth's class id is not below `classes`.
    #[error(
        "region: image {image} truth {index}: class {class} but the layer has {classes} classes"
    )]
    TruthClass {
        /// Image in the batch.
        image: usize,
        /// Position in that image's truth list.
        index: usize,
        /// The class id given.
        class: usize,
        /// The layer's class count.
        classes: usize,
    },
}

/// Index arithmetic for the anchor-major NCHW buffer.
#[derive(Debug, Clone, Copy)]
struct Layout {
    width: usize,
    height: usize,
    cells: usize,
    entries: usize,
    num: usize,
    batch: usize,
}

impl Layout {
    fn new(cfg: &RegionConfig, shape: GridShape) -> Self {
        Self {
            width: shape.width,
            height: shape.height,
            cells: shape.cells(),
            entries: cfg.entries_per_anchor(),
            num: cfg.num_anchors(),
            batch: shape.batch,
        }
    }

    /// Index of entry 0 of anchor `anchor` at `cell` (`row * W + column`) in image `image`.
    fn base(&self, image: usize, anchor: usize, cell: usize) -> usize {
        ((image * self.num + anchor) * self.entries) * self.cells + cell
    }

    /// Index of entry `entry` given the index of entry 0.
    fn entry(&self, base: usize, entry: usize) -> usize {
        base + entry * self.cells
    }
}

/// Checks a buffer's length against the config and shape.
fn check_len(
    cfg: &RegionConfig,
    shape: GridShape,
    buffer: &'static str,
    values: &[f32],
) -> Result<(), RegionError> {
    let expected = shape.len(cfg);
    if values.len() != expected {
        return Err(RegionError::Length {
            buffer,
            expected,
            found: values.len(),
        });
    }
    Ok(())
}

/// The logistic function, in f32 as AlexeyAB's `logistic_activate`.
fn logistic(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Applies the region activations to a raw input, returning a new buffer in the same
/// layout: logistic on `tx`, `ty` and objectness, softmax over the classes (when
/// `cfg.softmax`), `tw` and `th` unchanged.
pub fn region_forward(
    cfg: &RegionConfig,
    shape: GridShape,
    input: &[f32],
) -> Result<Vec<f32>, RegionError> {
    let mut output = vec![0.0; input.len()];
    region_forward_into(cfg, shape, input, &mut output)?;
    Ok(output)
}

/// [`region_forward`] into a caller's buffer of the same length as `input`.
pub fn region_forward_into(
    cfg: &RegionConfig,
    shape: GridShape,
    input: &[f32],
    output: &mut [f32],
) -> Result<(), RegionError> {
    cfg.validate()?;
    check_len(cfg, shape, "input", input)?;
    check_len(cfg, shape, "output", output)?;
    output.copy_from_slice(input);
    let layout = Layout::new(cfg, shape);
    for image in 0..layout.batch {
        for anchor in 0..layout.num {
            for cell in 0..layout.cells {
                let base = layout.base(image, anchor, cell);
                for e in [0, 1, 4] {
                    let k = layout.entry(base, e);
                    output[k] = logistic(output[k]);
                }
                if cfg.softmax {
                    softmax_strided(output, layout.entry(base, 5), cfg.classes, layout.cells);
                }
            }
        }
    }
    Ok(())
}

/// Softmax in place over `n` values `stride` apart, shifted by the largest value first, as
/// Darknet's `softmax` does.
fn softmax_strided(values: &mut [f32], start: usize, n: usize, stride: usize) {
    let idx = |c: usize| start + c * stride;
    let largest = (0..n).map(|c| values[idx(c)]).fold(f32::MIN, f32::max);
    let mut sum = 0.0f32;
    for c in 0..n {
        let e = (values[idx(c)] - largest).exp();
        sum += e;
        values[idx(c)] = e;
    }
    for c in 0..n {
        values[idx(c)] /= sum;
    }
}
