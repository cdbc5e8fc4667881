//! The region layer's training deltas, as AlexeyAB/darknet's `forward_region_layer` writes
//! them (pjreddie's 2017 YOLO9000 release writes the same numbers).
//!
//! Darknet never forms a loss and differentiates it: it writes `delta = scale · (target −
//! output) · σ'` per entry, the **negative** gradient. [`region_loss`] writes that delta and,
//! alongside, the value of the objective it is the negative gradient of
//! ([`RegionLoss::objective`]), with two parts held constant: the `rescore` objectness target
//! (an IoU that depends on the predicted box) and the ignore mask (a step function of it).

use super::decode::{RegionBox, predicted_box};
use super::{GridShape, Layout, RegionConfig, RegionError, Truth, check_len};

/// Darknet applies the prior-matching term while the network has seen fewer images than
/// this (`if (*net.seen < 12800)` in `forward_region_layer`; strict, so 12 799 is still on).
pub const PRIOR_MATCHING_IMAGES: u64 = 12_800;

/// Scale of the prior-matching term (the literal `.01` in `forward_region_layer`).
const PRIOR_SCALE: f32 = 0.01;

/// What [`region_loss`] reports besides the delta.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RegionLoss {
    /// Darknet's `*l.cost`: `Σ delta²` over the batch, summed in f32 in buffer order. A
    /// monitoring number, not the objective.
    pub cost: f32,
    /// The objective whose gradient with respect to the region input is `−delta`, summed
    /// over the batch: `½ λ (value − target)²` per coordinate and objectness entry, and
    /// `λ_class · cross-entropy` per responsible anchor (with softmax; `½ λ (value −
    /// onehot)²` per class without). Not exact where the `rescore` target or the ignore
    /// mask would move with the input; those are held constant.
    pub objective: f64,
    /// Truths that received a responsible anchor (Darknet's `count`).
    pub truths: usize,
    /// Truths skipped for zero width or height (see [`region_loss`]).
    pub skipped_empty_truths: usize,
    /// Mean IoU of each truth with its responsible prediction, before the update.
    pub avg_iou: f32,
    /// Fraction of truths whose responsible prediction has IoU > .5.
    pub recall: f32,
    /// Mean objectness of the responsible predictions.
    pub avg_obj: f32,
    /// Mean objectness over every anchor of every cell (Darknet's "No Obj").
    pub avg_noobj: f32,
    /// Mean probability given to the true class at the responsible predictions.
    pub avg_class: f32,
}

/// Writes the training delta of a batch into `delta` and returns the statistics.
///
/// `output` is the activated buffer from [`super::region_forward`], `truths[b]` the truth
/// list of image `b` (read up to its first box with `x == 0`), `seen` the number of images
/// the network has trained on (Darknet's `net.seen`, already counting this batch). `delta`
/// is overwritten entirely. **Sign: `delta = target − output`, the negative gradient;** see
/// [`region_backward`].
///
/// Per image, in Darknet's order, each write overwriting earlier ones at the same entry:
/// 1. Every anchor of every cell: no-object objectness delta `λ_noobj (0 − σ)·σ'`, zeroed
///    when the decoded box's best IoU with any truth of the image is `> thresh`; then, while
///    `seen <` [`PRIOR_MATCHING_IMAGES`], coordinate deltas toward the cell centre and the
///    anchor shape with scale .01.
/// 2. Every truth in list order: cell `(⌊x·W⌋, ⌊y·H⌋)` computed in f32 as Darknet does;
///    the anchor of that cell with the largest shape-only IoU (anchor shapes with
///    `bias_match`; strict `>`, so ties go to the lowest anchor); coordinate deltas with
///    `coord_scale`; objectness toward 1 or, with `rescore`, toward the IoU of the decoded
///    box with the truth; class deltas `λ_class (onehot − p)`. A later truth on the same
///    cell and anchor replaces an earlier one.
///
/// Two places where Darknet's layer misbehaves are handled differently, on purpose:
/// * A truth at `x = 1.0` (or `y = 1.0`) gives Darknet the cell index `W` (`H`), which
///   aliases the first cell of the next row or writes past the buffer. Here the index is
///   clamped to `W − 1` (`H − 1`), so the offset target is 1.0.
/// * A truth with zero width or height has shape IoU 0 with every anchor; Darknet then
///   writes `log(0) = −inf` deltas at image 0, cell (0, 0), anchor 0. Darknet's data
///   loaders drop such boxes before the layer sees them, and so does this function: the
///   truth is skipped (counted in [`RegionLoss::skipped_empty_truths`]). It still takes
///   part in the ignore rule, where its IoU is 0 and changes nothing. (Without
///   `bias_match`, a prediction of zero size gives the same all-zero IoUs; then anchor 0
///   of the truth's own cell is used.)
///
/// A class id not below `classes` is an error here; AlexeyAB's layer prints a warning,
/// waits for a key press and skips the box.
pub fn region_loss<T: AsRef<[Truth]>>(
    cfg: &RegionConfig,
    shape: GridShape,
    output: &[f32],
    truths: &[T],
    seen: u64,
    delta: &mut [f32],
) -> Result<RegionLoss, RegionError> {
    cfg.validate()?;
    check_len(cfg, shape, "output", output)?;
    check_len(cfg, shape, "delta", delta)?;
    if shape.height == 0 || shape.width == 0 {
        return Err(RegionError::EmptyGrid {
            height: shape.height,
            width: shape.width,
        });
    }
    if truths.len() != shape.batch {
        return Err(RegionError::TruthImages {
            expected: shape.batch,
            found: truths.len(),
        });
    }
    for (image, list) in truths.iter().enumerate() {
        validate_truths(cfg, image, active_truths(list.as_ref()))?;
    }

    let layout = Layout::new(cfg, shape);
    let mut pass = LossPass {
        cfg,
        layout,
        output,
        delta,
        objective: vec![0.0; output.len()],
        stats: Sums::default(),
    };
    pass.delta.fill(0.0);
    for (image, list) in truths.iter().enumerate() {
        let list = active_truths(list.as_ref());
        pass.background(image, list, seen < PRIOR_MATCHING_IMAGES);
        for truth in list {
            pass.responsible(image, truth);
        }
    }

    let cost = pass.delta.iter().fold(0.0f32, |sum, d| sum + d * d);
    let objective = pass.objective.iter().sum();
    let s = pass.stats;
    let per_truth = |v: f32| {
        if s.count == 0 {
            0.0
        } else {
            v / s.count as f32
        }
    };
    let anchors_total = (layout.batch * layout.num * layout.cells) as f32;
    Ok(RegionLoss {
        cost,
        objective,
        truths: s.count,
        skipped_empty_truths: s.skipped,
        avg_iou: per_truth(s.iou),
        recall: per_truth(s.recalled),
        avg_obj: per_truth(s.obj),
        avg_noobj: if anchors_total > 0.0 {
            s.anyobj / anchors_total
        } else {
            0.0
        },
        avg_class: per_truth(s.class),
    })
}

/// Turns a region delta into the gradient of the objective with respect to the region
/// input and adds it to `grad_input`: `grad_input += −delta`. (Darknet's backward adds
/// `+delta` to the previous layer's delta, which is itself a negative gradient.)
pub fn region_backward(delta: &[f32], grad_input: &mut [f32]) -> Result<(), RegionError> {
    if delta.len() != grad_input.len() {
        return Err(RegionError::Length {
            buffer: "grad_input",
            expected: delta.len(),
            found: grad_input.len(),
        });
    }
    for (g, d) in grad_input.iter_mut().zip(delta) {
        *g -= d;
    }
    Ok(())
}

/// The truths Darknet reads: everything before the first box with `x == 0`.
fn active_truths(list: &[Truth]) -> &[Truth] {
    let end = list.iter().position(|t| t.x == 0.0).unwrap_or(list.len());
    &list[..end]
}

fn validate_truths(cfg: &RegionConfig, image: usize, list: &[Truth]) -> Result<(), RegionError> {
    for (index, t) in list.iter().enumerate() {
        let fields = [
            ("x", t.x, t.x > 0.0 && t.x <= 1.0, "(0, 1]"),
            ("y", t.y, (0.0..=1.0).contains(&t.y), "[0, 1]"),
            ("w", t.w, t.w.is_finite() && t.w >= 0.0, "[0, ∞)"),
            ("h", t.h, t.h.is_finite() && t.h >= 0.0, "[0, ∞)"),
        ];
        for (field, value, ok, range) in fields {
            if !ok {
                return Err(RegionError::TruthOutOfRange {
                    image,
                    index,
                    field,
                    value,
                    range,
                });
            }
        }
        if t.class >= cfg.classes {
            return Err(RegionError::TruthClass {
                image,
                index,
                class: t.class,
                classes: cfg.classes,
            });
        }
    }
    Ok(())
}

/// Darknet's running sums for the statistics line.
#[derive(Debug, Default, Clone, Copy)]
struct Sums {
    count: usize,
    skipped: usize,
    iou: f32,
    recalled: f32,
    obj: f32,
    anyobj: f32,
    class: f32,
}

/// One call's working state: the delta being written and, entry by entry, the objective
/// term that delta is the negative gradient of (overwritten together).
struct LossPass<'a> {
    cfg: &'a RegionConfig,
    layout: Layout,
    output: &'a [f32],
    delta: &'a mut [f32],
    objective: Vec<f64>,
    stats: Sums,
}

impl LossPass<'_> {
    /// Step 1: no-object and prior-matching terms for every anchor of every cell.
    fn background(&mut self, image: usize, truths: &[Truth], prior_on: bool) {
        let layout = self.layout;
        let (w, h) = (layout.width, layout.height);
        for cell in 0..layout.cells {
            let (j, i) = (cell / w, cell % w);
            for anchor in 0..layout.num {
                let base = layout.base(image, anchor, cell);
                let pred = predicted_box(self.cfg, &layout, self.output, base, anchor, i, j);
                let best_iou = truths
                    .iter()
                    .map(|t| pred.iou(&truth_box(t)))
                    .fold(0.0f32, |best, iou| if iou > best { iou } else { best });
                let obj_index = layout.entry(base, 4);
                let obj = self.output[obj_index];
                self.stats.anyobj += obj;
                if best_iou > self.cfg.thresh {
                    self.set(obj_index, 0.0, 0.0);
                } else {
                    let scale = self.cfg.noobject_scale;
                    self.set_squared(
                        obj_index,
                        scale * ((0.0 - obj) * ((1.0 - obj) * obj)),
                        scale,
                        obj,
                        0.0,
                    );
                }
                if prior_on {
                    // Darknet builds the prior as a truth box and runs the ordinary
                    // coordinate delta on it; the f64 centre mirrors its `(i + .5)/l.w`.
                    let prior = self.cfg.anchors[anchor];
                    let target = RegionBox {
                        x: ((i as f64 + 0.5) / w as f64) as f32,
                        y: ((j as f64 + 0.5) / h as f64) as f32,
                        w: prior.width / w as f32,
                        h: prior.height / h as f32,
                    };
                    self.coordinate_deltas(base, anchor, i, j, target, PRIOR_SCALE);
                }
            }
        }
    }

    /// Step 2: the deltas of one truth at its responsible anchor.
    fn responsible(&mut self, image: usize, truth: &Truth) {
        if truth.w <= 0.0 || truth.h <= 0.0 {
            self.stats.skipped += 1;
            return;
        }
        let layout = self.layout;
        let (w, h) = (layout.width, layout.height);
        // f32 products and truncation, as Darknet (`i = truth.x * l.w`); clamped, see above.
        let i = ((truth.x * w as f32) as usize).min(w - 1);
        let j = ((truth.y * h as f32) as usize).min(h - 1);
        let cell = j * w + i;
        let shape_only = RegionBox {
            x: 0.0,
            y: 0.0,
            w: truth.w,
            h: truth.h,
        };
        let (mut best_anchor, mut best_iou) = (0, 0.0f32);
        for anchor in 0..layout.num {
            let base = layout.base(image, anchor, cell);
            let mut candidate = if self.cfg.bias_match {
                let prior = self.cfg.anchors[anchor];
                RegionBox {
                    x: 0.0,
                    y: 0.0,
                    w: prior.width / w as f32,
                    h: prior.height / h as f32,
                }
            } else {
                predicted_box(self.cfg, &layout, self.output, base, anchor, i, j)
            };
            candidate.x = 0.0;
            candidate.y = 0.0;
            let iou = candidate.iou(&shape_only);
            if iou > best_iou {
                best_iou = iou;
                best_anchor = anchor;
            }
        }

        let base = layout.base(image, best_anchor, cell);
        let mut scale = self.cfg.coord_scale;
        if self.cfg.scale_coords_by_size {
            scale *= 2.0 - truth.w * truth.h;
        }
        let iou = self.coordinate_deltas(base, best_anchor, i, j, truth_box(truth), scale);

        let obj_index = layout.entry(base, 4);
        let obj = self.output[obj_index];
        let target = if self.cfg.rescore { iou } else { 1.0 };
        let object_scale = self.cfg.object_scale;
        let d = object_scale * (target - obj) * ((1.0 - obj) * obj);
        self.set_squared(obj_index, d, object_scale, obj, target);
        self.class_deltas(base, truth.class);

        let s = &mut self.stats;
        s.count += 1;
        s.iou += iou;
        if iou > 0.5 {
            s.recalled += 1.0;
        }
        s.obj += obj;
    }

    /// Darknet's `delta_region_box`: coordinate deltas toward `target` with `scale`, written
    /// at the anchor whose entry 0 is `base`. Returns the IoU of the decoded box with
    /// `target`.
    fn coordinate_deltas(
        &mut self,
        base: usize,
        anchor: usize,
        i: usize,
        j: usize,
        target: RegionBox,
        scale: f32,
    ) -> f32 {
        let layout = self.layout;
        let (w, h) = (layout.width as f32, layout.height as f32);
        let pred = predicted_box(self.cfg, &layout, self.output, base, anchor, i, j);
        let prior = self.cfg.anchors[anchor];
        // Offsets in f32 like Darknet; the logarithm in f64 like C's `log`.
        let tx = target.x * w - i as f32;
        let ty = target.y * h - j as f32;
        let tw = (f64::from(target.w * w / prior.width)).ln() as f32;
        let th = (f64::from(target.h * h / prior.height)).ln() as f32;
        for (e, t) in [(0, tx), (1, ty)] {
            let k = layout.entry(base, e);
            let s = self.output[k];
            self.set_squared(k, scale * (t - s) * ((1.0 - s) * s), scale, s, t);
        }
        for (e, t) in [(2, tw), (3, th)] {
            let k = layout.entry(base, e);
            let v = self.output[k];
            self.set_squared(k, scale * (t - v), scale, v, t);
        }
        pred.iou(&target)
    }

    /// Darknet's `delta_region_class` (plain softmax path): `λ (onehot − p)` per class.
    fn class_deltas(&mut self, base: usize, class: usize) {
        let layout = self.layout;
        let scale = self.cfg.class_scale;
        for c in 0..self.cfg.classes {
            let k = layout.entry(base, 5 + c);
            let p = self.output[k];
            let onehot = if c == class { 1.0 } else { 0.0 };
            let d = scale * (onehot - p);
            if self.cfg.softmax {
                // Cross-entropy of the softmax, held on the true class's entry.
                let term = if c == class {
                    -f64::from(scale) * f64::from(p).ln()
                } else {
                    0.0
                };
                self.set(k, d, term);
            } else {
                self.set_squared(k, d, scale, p, onehot);
            }
            if c == class {
                self.stats.class += p;
            }
        }
    }

    /// Writes a delta whose objective term is `½ scale (value − target)²`.
    fn set_squared(&mut self, k: usize, delta: f32, scale: f32, value: f32, target: f32) {
        let diff = f64::from(value) - f64::from(target);
        self.set(k, delta, 0.5 * f64::from(scale) * diff * diff);
    }

    fn set(&mut self, k: usize, delta: f32, objective: f64) {
        self.delta[k] = delta;
        self.objective[k] = objective;
    }
}

fn truth_box(t: &Truth) -> RegionBox {
    RegionBox {
        x: t.x,
        y: t.y,
        w: t.w,
        h: t.h,
    }
}
