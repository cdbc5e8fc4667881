//! Adience's `age` column and its eight age groups.
//!
//! The column holds (counts over the five real fold files, research/datasets-faces.md 4.3):
//! one of the eight groups written `(lo, hi)`; other ranges (`(27, 32)`, `(38, 42)`,
//! `(38, 48)`, `(8, 23)`); an inverted `(25, 23)` (72 rows; the authors' own script calls it
//! a typo for `(25, 32)`, and its fix compares `(25 23)` without the comma, so it never
//! fires); single numbers (`35`, `13`, …); and `None`.

use zukan_schema::Age;

/// The eight age groups of the Adience benchmark, inclusive, in the order of the authors'
/// class indices 0–7 (`age_list` in GilLevi/AgeGenderDeepLearning
/// `DataPreparationCode/create_train_val_txt_files.py` @ 545254d8, the protocol of Levi &
/// Hassner 2015; the same eight strings are the canonical bins of the fold files).
pub const AGE_GROUPS: [(u16, u16); 8] = [
    (0, 2),
    (4, 6),
    (8, 12),
    (15, 20),
    (25, 32),
    (38, 43),
    (48, 53),
    (60, 100),
];

/// What an `age` field says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeField {
    /// Empty or `None`: the source does not know.
    Unknown,
    /// A number or a well-formed range.
    Known(Age),
    /// A range whose low end is above its high end, such as `(25, 23)`.
    Inverted(u16, u16),
    /// Neither a number, a range nor `None`.
    Unreadable,
}

/// Reads an `age` field: `(25, 32)` and `(25,32)` (spaces around the numbers do not matter),
/// `35`, `None` or empty. Never panics.
pub fn parse_age(text: &str) -> AgeField {
    let text = text.trim();
    if text.is_empty() || text == "None" {
        return AgeField::Unknown;
    }
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        let range = inner
            .split_once(',')
            .and_then(|(lo, hi)| Some((number(lo)?, number(hi)?)));
        return match range {
            Some((lo, hi)) if lo <= hi => AgeField::Known(Age::Range(lo, hi)),
            Some((lo, hi)) => AgeField::Inverted(lo, hi),
            None => AgeField::Unreadable,
        };
    }
    number(text).map_or(AgeField::Unreadable, |years| {
        AgeField::Known(Age::Years(years))
    })
}

/// A whole number of years, digits only (no sign, no fraction).
fn number(text: &str) -> Option<u16> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The index (0–7) of the group `age` is exactly, as the authors' protocol script maps labels
/// (`if image_age in age_list`): only a range equal to one of [`AGE_GROUPS`] has one.
/// `(27, 32)` and `29` have none here (the `age_group` attribute uses
/// [`age_group_containing`]).
pub fn age_group(age: Age) -> Option<usize> {
    match age {
        Age::Range(lo, hi) => AGE_GROUPS.iter().position(|&g| g == (lo, hi)),
        Age::Years(_) => None,
    }
}

/// The index of the group that wholly contains `age`: what the parser stores as the
/// `age_group` attribute. `(27, 32)` and `29` fall in `(25, 32)`; `(38, 48)` spans two groups
/// and `35` lies in the gap 33–37, so they fall in none. An exact age is mapped like a range
/// of one year, since the groups are ranges of years; the ages the groups leave out (3, 7,
/// 13–14, 21–24, 33–37, 44–47, 54–59, above 100) stay without a group.
pub fn age_group_containing(age: Age) -> Option<usize> {
    let (lo, hi) = match age {
        Age::Range(lo, hi) => (lo, hi),
        Age::Years(y) => (y, y),
    };
    AGE_GROUPS
        .iter()
        .position(|&(glo, ghi)| glo <= lo && hi <= ghi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: AgeField) {
        assert_eq!(parse_age(text), expected, "{text:?}");
    }

    #[test]
    fn every_form_of_the_real_files_and_their_neighbours() {
        use AgeField::*;
        check("(25, 32)", Known(Age::Range(25, 32)));
        check("(25,32)", Known(Age::Range(25, 32)));
        check(" ( 60 , 100 ) ", Known(Age::Range(60, 100)));
        check("(8, 23)", Known(Age::Range(8, 23)));
        check("(27, 32)", Known(Age::Range(27, 32)));
        check("35", Known(Age::Years(35)));
        check("0", Known(Age::Years(0)));
        check("None", Unknown);
        check("", Unknown);
        check("(25, 23)", Inverted(25, 23));
        check("(25 32", Unreadable);
        check("(25 32)", Unreadable);
        check("(25, )", Unreadable);
        check("(-1, 3)", Unreadable);
        check("3.5", Unreadable);
        check("+3", Unreadable);
        check("70000", Unreadable);
        check("none", Unreadable);
        check("(", Unreadable);
        check("()", Unreadable);
        check("(é, 1)", Unreadable);
    }

    #[test]
    fn only_exact_groups_map_in_the_protocol() {
        for (i, &(lo, hi)) in AGE_GROUPS.iter().enumerate() {
            assert_eq!(age_group(Age::Range(lo, hi)), Some(i));
        }
        assert_eq!(age_group(Age::Range(27, 32)), None);
        assert_eq!(age_group(Age::Years(29)), None);
    }

    #[test]
    fn containment_maps_what_lies_inside_one_group() {
        let check = |age, expected| assert_eq!(age_group_containing(age), expected, "{age:?}");
        check(Age::Range(27, 32), Some(4));
        check(Age::Range(38, 42), Some(5));
        check(Age::Years(29), Some(4));
        check(Age::Years(2), Some(0));
        check(Age::Range(38, 48), None);
        check(Age::Range(8, 23), None);
        check(Age::Years(35), None);
        check(Age::Years(100), Some(7));
        check(Age::Years(101), None);
    }
}
