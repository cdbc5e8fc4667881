//! The "clean" selection users of IMDB-WIKI expect.
//!
//! The raw release keeps every crawled photo: no face found, several people, impossible
//! ages. Nearly every user trains on a cleaned subset, and the de-facto definition is the
//! one of yu4u/age-gender-estimation (`create_db.py` @ da796799, with `calc_age` from
//! `src/utils.py` @ c20bcb13; copied into many other projects):
//!
//! ```text
//! if face_score[i] < min_score: continue                                  # min_score = 1.0
//! if (~np.isnan(second_face_score[i])) and second_face_score[i] > 0.0: continue
//! if ~(0 <= age[i] <= 100): continue                                      # age = calc_age
//! if np.isnan(gender[i]): continue
//! ```
//!
//! [`CleanFilter::default`] is exactly that, including where Python's comparisons with NaN
//! decide (tests/clean_yu4u.rs pins each rule on hand-made entries):
//!
//! - **face**: dropped when the score is below 1.0 or `-Inf` (no face). A NaN score is
//!   kept, as `NaN < 1.0` is false in yu4u's test (the parser reports the NaN). One
//!   difference: a `+Inf` score (never seen; the official page says "Inf" means no face)
//!   is read as no face and dropped, where yu4u's `inf < 1.0` would keep it.
//! - **second face**: dropped when its score is above 0.0, `+Inf` included; NaN and `-Inf`
//!   are kept.
//! - **age**: the test uses yu4u's age, [`yu4u_age`](crate::yu4u_age), not the authors' age
//!   the samples carry ([`authors_age`](crate::authors_age)): it is yu4u's filter, and the
//!   two differ by a year for some births near 1 July, so a few samples at 0 or 100 fall on
//!   the other side. Where yu4u's `calc_age` raises (a NaN `dob`) the sample is dropped.
//! - **gender**: dropped only when NaN (unknown). A value other than 0, 1 or NaN passes, as
//!   in yu4u; the parser reports it and leaves the gender unset.
//!
//! The DEX authors describe their own training set only as "the photos where the second
//! strongest face detection is below a threshold", without the number.

use std::ops::RangeInclusive;

use zukan_schema::{AttrValue, Gender, Sample};

use crate::{attr, yu4u_age};

/// Which samples to keep. Each criterion can be loosened on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct CleanFilter {
    /// Drop a sample whose face score is below this (default 1.0, as yu4u's `--min_score`)
    /// or that has no face (`-Inf`).
    pub min_face_score: f64,
    /// Drop a sample whose second face scored above this (default `Some(0.0)`, as yu4u);
    /// `Some(f64::NEG_INFINITY)` drops every sample with a second face at all; `None`
    /// ignores second faces.
    pub max_second_face_score: Option<f64>,
    /// Keep only samples whose age by yu4u's `calc_age` ([`yu4u_age`]) is in this range
    /// (default `Some(0..=100)`, as yu4u); `None` keeps samples whatever their age, unknown
    /// included.
    pub age: Option<RangeInclusive<u16>>,
    /// Drop samples whose gender is NaN in the source, [`Gender::Unknown`] (default true, as
    /// yu4u).
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
        let face_ok = match sample.attrs.get(attr::FACE_FOUND) {
            Some(AttrValue::Bool(true)) => {
                float(attr::FACE_SCORE).is_some_and(|s| s >= self.min_face_score)
            }
            // No face: the score is infinite (-Inf in the files).
            Some(AttrValue::Bool(false)) => false,
            // A NaN score (the parser records no `face_found`): yu4u's `NaN < 1.0` is false.
            _ => true,
        };
        let second_ok = match self.max_second_face_score {
            None => true,
            Some(max) => match sample.attrs.get(attr::SECOND_FACE_FOUND) {
                // NaN or -Inf.
                Some(AttrValue::Bool(false)) => true,
                Some(AttrValue::Bool(true)) => {
                    float(attr::SECOND_FACE_SCORE).is_some_and(|s| s <= max)
                }
                // Not recorded: the score was +Inf, which is above every finite maximum.
                _ => f64::INFINITY <= max,
            },
        };
        let age_ok = match &self.age {
            None => true,
            Some(range) => {
                let age = float(attr::DOB)
                    .zip(float(attr::PHOTO_TAKEN))
                    .and_then(|(dob, taken)| yu4u_age(dob, taken));
                age.is_some_and(|a| f64::from(*range.start()) <= a && a <= f64::from(*range.end()))
            }
        };
        let gender_ok = !self.require_gender || sample.gender != Some(Gender::Unknown);
        face_ok && second_ok && age_ok && gender_ok
    }

    /// The samples that pass, in order.
    pub fn select<'a>(&'a self, samples: &'a [Sample]) -> impl Iterator<Item = &'a Sample> + 'a {
        samples.iter().filter(move |s| self.keep(s))
    }
}
