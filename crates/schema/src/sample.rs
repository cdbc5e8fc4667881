//! Samples, objects, boxes and image-level labels.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Split;

/// Dataset-specific attributes, sorted by key so output is reproducible.
pub type Attrs = BTreeMap<String, AttrValue>;

/// The value of a dataset-specific attribute (WIDER `blur`, VOC `difficult`, a score).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttrValue {
    /// A yes/no fact.
    Bool(bool),
    /// An integer code or count, as the source writes it.
    Int(i64),
    /// A real number.
    Float(f64),
    /// Text.
    Text(String),
    /// Real numbers that belong together (IMDB-WIKI's `face_location`: x1, y1, x2, y2).
    Numbers(Vec<f64>),
}

impl From<i64> for AttrValue {
    fn from(v: i64) -> Self {
        AttrValue::Int(v)
    }
}

impl From<bool> for AttrValue {
    fn from(v: bool) -> Self {
        AttrValue::Bool(v)
    }
}

impl From<&str> for AttrValue {
    fn from(v: &str) -> Self {
        AttrValue::Text(v.to_owned())
    }
}

/// An axis-aligned box in pixels: top-left corner `(x, y)`, width `w`, height `h`, exactly
/// as the source gives it. Serialised as `[x, y, w, h]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(from = "[f32; 4]", into = "[f32; 4]")]
pub struct BBox {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl BBox {
    /// A box from its top-left corner and size.
    pub const fn new(x: f32, y: f32, w: f32, h: f32) -> Self {
        BBox { x, y, w, h }
    }

    /// Whether the box has no area (zero or negative width or height, or a non-finite value).
    /// Such boxes are kept as the source wrote them; validation reports them.
    pub fn is_degenerate(&self) -> bool {
        let finite = [self.x, self.y, self.w, self.h]
            .iter()
            .all(|v| v.is_finite());
        !(finite && self.w > 0.0 && self.h > 0.0)
    }

    /// Area in square pixels (0 for degenerate boxes).
    pub fn area(&self) -> f32 {
        if self.is_degenerate() {
            0.0
        } else {
            self.w * self.h
        }
    }
}

impl From<[f32; 4]> for BBox {
    fn from([x, y, w, h]: [f32; 4]) -> Self {
        BBox { x, y, w, h }
    }
}

impl From<BBox> for [f32; 4] {
    fn from(b: BBox) -> Self {
        [b.x, b.y, b.w, b.h]
    }
}

/// An ellipse as FDDB writes it: radii, angle (radians) and centre, in pixels.
/// Serialised as `[ra, rb, angle, cx, cy]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(from = "[f64; 5]", into = "[f64; 5]")]
pub struct Ellipse {
    /// Major axis radius (as the source labels it; not always the larger one).
    pub ra: f64,
    /// Minor axis radius.
    pub rb: f64,
    /// Rotation in radians.
    pub angle: f64,
    /// Centre x.
    pub cx: f64,
    /// Centre y.
    pub cy: f64,
}

impl From<[f64; 5]> for Ellipse {
    fn from([ra, rb, angle, cx, cy]: [f64; 5]) -> Self {
        Ellipse {
            ra,
            rb,
            angle,
            cx,
            cy,
        }
    }
}

impl From<Ellipse> for [f64; 5] {
    fn from(e: Ellipse) -> Self {
        [e.ra, e.rb, e.angle, e.cx, e.cy]
    }
}

/// One annotated object (a face, a bird, a dog) in an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Object {
    /// Its box, exactly as the source gives it.
    pub bbox: BBox,
    /// 0-based class id, when the dataset has object classes.
    #[serde(default)]
    pub class: Option<u32>,
    /// Whether evaluation should ignore it (WIDER `invalid`, VOC `difficult`).
    #[serde(default)]
    pub ignore: bool,
    /// The source geometry when it is not a box (FDDB ellipse).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ellipse: Option<Ellipse>,
    /// Dataset-specific attributes (WIDER blur/expression/illumination/occlusion/pose).
    #[serde(default)]
    pub attrs: Attrs,
}

impl Object {
    /// An object with only a box.
    pub fn new(bbox: BBox) -> Self {
        Object {
            bbox,
            class: None,
            ignore: false,
            ellipse: None,
            attrs: Attrs::new(),
        }
    }
}

/// Where the pixels of a sample are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ImageRef {
    /// An image file, as a `/`-separated path relative to the dataset root.
    File(String),
    /// Record `index` (0-based) inside a packed file (MNIST idx, CIFAR batch).
    Record {
        /// The packed file, relative to the dataset root.
        file: String,
        /// 0-based record index.
        index: u64,
    },
}

impl ImageRef {
    /// An image file at `path`, relative to the dataset root.
    pub fn file(path: impl Into<String>) -> Self {
        ImageRef::File(path.into())
    }

    /// The file that holds the pixels (the image itself or the packed file).
    pub fn path(&self) -> &str {
        match self {
            ImageRef::File(path) => path,
            ImageRef::Record { file, .. } => file,
        }
    }
}

/// An age label: exact years, or a range the source gives (Adience `(25, 32)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Age {
    /// Exact age in whole years.
    Years(u16),
    /// An inclusive range of years.
    Range(u16, u16),
}

/// A gender label. `Unknown` is what the source says when it says "unknown"; a source that says
/// nothing gives `None` in [`Sample::gender`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Marked unknown by the source.
    Unknown,
}

/// One annotated image of a dataset split.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Stable, unique within the dataset; derived from the source's file name.
    pub id: String,
    /// Where the pixels are.
    pub image: ImageRef,
    /// The split, named as the source names it.
    pub split: Split,
    /// Width in pixels, when the annotations give it.
    pub width: Option<u32>,
    /// Height in pixels, when the annotations give it.
    pub height: Option<u32>,
    /// The annotated objects (empty when the image has none, or when `boxed` is false).
    pub objects: Vec<Object>,
    /// Whether the source annotates object boxes for this image at all. False where the
    /// authors withhold them (WIDER Face test) or the image is already a face crop
    /// (IMDB-WIKI's crops, Adience): then "no objects" says nothing about the image, and the
    /// JSON form writes `"objects": null` instead of `[]`.
    pub boxed: bool,
    /// Image-level 0-based class id.
    pub class: Option<u32>,
    /// Age of the (single) person pictured.
    pub age: Option<Age>,
    /// Gender of the (single) person pictured.
    pub gender: Option<Gender>,
    /// Identity (celebrity id, subject id), as the source writes it.
    pub identity: Option<String>,
    /// Dataset-specific image-level attributes (WIDER `event`).
    pub attrs: Attrs,
}

impl Sample {
    /// A sample with no labels yet, of an image whose boxes the source annotates.
    pub fn new(id: impl Into<String>, image: ImageRef, split: Split) -> Self {
        Sample {
            id: id.into(),
            image,
            split,
            width: None,
            height: None,
            objects: Vec::new(),
            boxed: true,
            class: None,
            age: None,
            gender: None,
            identity: None,
            attrs: Attrs::new(),
        }
    }
}

/// The JSON form of a sample, borrowed for writing: `objects` is `null` for an image whose
/// boxes the source does not give, `[]` for one it says has none.
#[derive(Serialize)]
struct SampleOut<'a> {
    id: &'a str,
    image: &'a ImageRef,
    split: Split,
    width: Option<u32>,
    height: Option<u32>,
    objects: Option<&'a [Object]>,
    class: Option<u32>,
    age: &'a Option<Age>,
    gender: Option<Gender>,
    identity: &'a Option<String>,
    attrs: &'a Attrs,
}

/// The JSON form of a sample, for reading (missing keys are absent values).
#[derive(Deserialize)]
struct SampleIn {
    id: String,
    image: ImageRef,
    split: Split,
    #[serde(default)]
    width: Option<u32>,
    #[serde(default)]
    height: Option<u32>,
    #[serde(default)]
    objects: Option<Vec<Object>>,
    #[serde(default)]
    class: Option<u32>,
    #[serde(default)]
    age: Option<Age>,
    #[serde(default)]
    gender: Option<Gender>,
    #[serde(default)]
    identity: Option<String>,
    #[serde(default)]
    attrs: Attrs,
}

impl Serialize for Sample {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SampleOut {
            id: &self.id,
            image: &self.image,
            split: self.split,
            width: self.width,
            height: self.height,
            objects: self.boxed.then_some(self.objects.as_slice()),
            class: self.class,
            age: &self.age,
            gender: self.gender,
            identity: &self.identity,
            attrs: &self.attrs,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Sample {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = SampleIn::deserialize(deserializer)?;
        Ok(Sample {
            id: s.id,
            image: s.image,
            split: s.split,
            width: s.width,
            height: s.height,
            boxed: s.objects.is_some(),
            objects: s.objects.unwrap_or_default(),
            class: s.class,
            age: s.age,
            gender: s.gender,
            identity: s.identity,
            attrs: s.attrs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_boxes_are_reported_not_changed() {
        let check = |b: BBox, degenerate: bool| assert_eq!(b.is_degenerate(), degenerate, "{b:?}");
        check(BBox::new(706.0, 94.0, 0.0, 1.0), true);
        check(BBox::new(1026.0, 474.0, -2.0, 23.0), true);
        check(BBox::new(0.0, 0.0, 1.0, f32::NAN), true);
        check(BBox::new(f32::INFINITY, 0.0, 1.0, 1.0), true);
        check(BBox::new(345.0, 211.0, 4.0, 4.0), false);
        assert_eq!(BBox::new(1026.0, 474.0, -2.0, 23.0).area(), 0.0);
    }
}
