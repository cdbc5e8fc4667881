//! The "clean" selection users of IMDB-WIKI expect.
//!
//! The raw release keeps every crawled photo: no face found, several people, impossible
//! ages. Nearly every user trains on a cleaned subset, and the de-facto definition is the
//! one of yu4u/age-gender-estimation (`create_db.py`, copied into many other projects):
//!
//! ```text
//! if face_score[i] < min_score: continue                                  # min_score = 1.0
//! if (~np.isnan(second_face_score[i])) and second_face_score[i] > 0.0: continue
//! if ~(0 <= age[i] <= 100): continue
//! if np.isnan(gender[i]): continue
//! ```
//!
//! [`CleanFilter::default`] is exactly that. The DEX authors describe their own training set
//! only as "the photos where the second strongest face detection is below a threshold",
//! without the number.

use std::ops::RangeInclusive;

use zukan_schema::{Age, AttrValue, Gender, Sample};

use crate::attr;

/// Which samples to keep. Each criterion can be loosened on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanFilter {
    /// Keep a sample only if a face was found with at least this score (default 1.0, as
    /// yu4u's `--min_score`). A sample with no face found (`-Inf`) never passes.
    pub min_face_score: f64,
    /// Drop a sample whose second face scored above this (default `Some(0.0)`, as yu4u);
    /// `Some(f64::NEG_INFINITY)` drops every sample with a second face at all; `None`
    /// ignores second faces.
    pub max_second_face_score: Option<f64>,
    /// Keep only samples with an exact age in this range (default `Some(0..=100)`, as yu4u);
    /// `None` keeps samples whatever their age, unknown included.
    pub age: Option<RangeInclusive<u16>>,
    /// Keep only samples whose gender is female or male (default true, as yu4u drops NaN).
    pub require_gender: bool,
}

impl Default for CleanFilter {
    fn default() -> Self {
        CleanFilter {
            min_face_score: 1.0,
            max_second_face_score: Some(0.0),
            age: Some(0..=100),
            require_gender: true,
        }
    }
}

impl CleanFilter {
    /// Whether `sample` (as this crate's parser made it) passes every criterion.
    pub fn keep(&self, sample: &Sample) -> bool {
        let float = |key: &str| match sample.attrs.get(key) {
            Some(AttrValue::Float(v)) => Some(*v),
            Some(AttrValue::Int(v)) => Some(*v as f64),
            _ => None,
        };
        let face_ok = sample.attrs.get(attr::FACE_FOUND) == Some(&AttrValue::Bool(true))
            && float(attr::FACE_SCORE).is_some_and(|s| s >= self.min_face_score);
        let second_ok = match self.max_second_face_score {
            None => true,
            Some(max) => match sample.attrs.get(attr::SECOND_FACE_FOUND) {
                Some(AttrValue::Bool(false)) => true,
                Some(AttrValue::Bool(true)) => {
                    float(attr::SECOND_FACE_SCORE).is_some_and(|s| s <= max)
                }
                // Not known whether there is a second face: not clean.
                _ => false,
            },
        };
        let age_ok = match &self.age {
            None => true,
            Some(range) => matches!(sample.age, Some(Age::Years(a)) if range.contains(&a)),
        };
        let gender_ok =
            !self.require_gender || matches!(sample.gender, Some(Gender::Female | Gender::Male));
        face_ok && second_ok && age_ok && gender_ok
    }

    /// The samples that pass, in order.
    pub fn select<'a>(&'a self, samples: &'a [Sample]) -> impl Iterator<Item = &'a Sample> + 'a {
        samples.iter().filter(move |s| self.keep(s))
    }
}
