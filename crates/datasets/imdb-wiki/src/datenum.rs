//! MATLAB serial day numbers (`datenum`) and the authors' age formula.
//!
//! IMDB-WIKI stores the date of birth as a MATLAB serial day number: day 1 is
//! 0000-01-01 of the proleptic Gregorian calendar (year 0 exists and is a leap year), so
//! `datenum = Python's date.toordinal() + 366` (0001-01-01 is datenum 367). The age of a
//! photo is defined by the authors' MATLAB line
//!
//! ```text
//! [age,~] = datevec(datenum(wiki.photo_taken,7,1) - wiki.dob);
//! ```
//!
//! that is: the year of the *date* whose serial number is the day difference between
//! 1 July of the year the photo was taken (the authors assume mid-year) and the birth date.
//! [`authors_age`] computes exactly that, not the true elapsed years: because the day count
//! starts at day 1 of the leap year 0, it comes out one year short for some births near the
//! end of June (born 1900-06-30, photo 1907: the authors' formula gives 6, while
//! yu4u/age-gender-estimation's `calc_age` — year difference, minus one for births from July
//! on — gives 7). We follow the authors, whose definition the dataset's ages are; the two
//! agree on all but about 0.1% of (birth, year) pairs.

use std::fmt;

/// A day of the proleptic Gregorian calendar (year 0 = 1 BC, a leap year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CivilDate {
    /// Year; 0 and negative years are astronomical numbering.
    pub year: i64,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days in 400 Gregorian years: the calendar repeats with this period.
const DAYS_PER_400_YEARS: i64 = 146_097;

/// datenum of 0000-03-01. Counting from a 1 March makes the leap day the last day of the
/// counted year, so month lengths follow a fixed pattern from March to February.
const MARCH_1_YEAR_0: i64 = 61; // 31 (January) + 29 (February of leap year 0) + 1

/// The MATLAB serial day number of a date: `datenum(year, month, day)` for a valid date.
/// Defined for every year (negative years count backwards the same way MATLAB does).
pub fn datenum(year: i64, month: u8, day: u8) -> i64 {
    // Shift the year to start on 1 March; January and February belong to the previous one.
    let (y, m) = if month <= 2 {
        (year - 1, i64::from(month) + 9)
    } else {
        (year, i64::from(month) - 3)
    };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    // Days from 1 March to the first of month m (m = 0 is March): the 153-day pattern of
    // five months (31 30 31 30 31) repeats, which this linear formula reproduces.
    let day_of_year = (153 * m + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * DAYS_PER_400_YEARS + day_of_era + MARCH_1_YEAR_0
}

/// The date of a MATLAB serial day number (what `datevec` gives for a whole number).
pub fn civil_from_datenum(n: i64) -> CivilDate {
    let days = n - MARCH_1_YEAR_0;
    let era = days.div_euclid(DAYS_PER_400_YEARS);
    let day_of_era = days.rem_euclid(DAYS_PER_400_YEARS);
    // Years of 365 days, corrected for the leap days of every 4th, 100th and 400th year.
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let m = (5 * day_of_year + 2) / 153; // 0 = March ... 11 = February
    let day = day_of_year - (153 * m + 2) / 5 + 1;
    let (month, year_shift) = if m < 10 { (m + 3, 0) } else { (m - 9, 1) };
    CivilDate {
        year: era * 400 + year_of_era + year_shift,
        // Both are in range by construction (month 1..=12, day 1..=31).
        month: u8::try_from(month).unwrap_or(0),
        day: u8::try_from(day).unwrap_or(0),
    }
}

/// The oldest age accepted as possible; anything above is reported, not kept.
pub const MAX_AGE: i64 = 120;

/// Why no age could be derived from a `dob` and `photo_taken` pair. Each names the values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AgeProblem {
    /// `dob` is NaN, infinite, or not a day of years 1 to 9999.
    DobNotADate(f64),
    /// `dob` falls in year 0 (serial day numbers 1 to 366): the crawl's marker of an unknown
    /// birth date, not a birth two thousand years ago.
    BirthYearZero(f64),
    /// `photo_taken` is NaN, infinite, fractional or not in 1 to 9999.
    TakenNotAYear(f64),
    /// The photo was taken before the birth (by the authors' 1 July assumption).
    TakenBeforeBirth {
        /// The year the photo was taken.
        taken: i64,
        /// The birth date.
        birth: CivilDate,
    },
    /// The age the formula gives is above [`MAX_AGE`].
    TooOld {
        /// The computed age.
        age: i64,
        /// The birth date.
        birth: CivilDate,
        /// The year the photo was taken.
        taken: i64,
    },
}

impl fmt::Display for AgeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgeProblem::DobNotADate(v) => write!(f, "dob {v} is not a date of years 1 to 9999"),
            AgeProblem::BirthYearZero(v) => write!(f, "dob {v} is in year 0"),
            AgeProblem::TakenNotAYear(v) => write!(f, "photo_taken {v} is not a year"),
            AgeProblem::TakenBeforeBirth { taken, birth } => {
                write!(
                    f,
                    "photo taken in {taken} (1 July assumed), before the birth on {birth}"
                )
            }
            AgeProblem::TooOld { age, birth, taken } => write!(
                f,
                "age {age} (born {birth}, photo taken in {taken}) is above {MAX_AGE}"
            ),
        }
    }
}

/// The authors' age: `datevec(datenum(photo_taken, 7, 1) - dob)`'s year, for a birth in
/// years 1 to 9999 and a photo year in 1 to 9999; otherwise (and for ages below 0 or above
/// [`MAX_AGE`]) the problem. A fractional `dob` (a time of day) counts as its day, as
/// `datevec` does.
pub fn authors_age(dob: f64, photo_taken: f64) -> Result<u16, AgeProblem> {
    let first = datenum(1, 1, 1) as f64;
    let last = datenum(10_000, 1, 1) as f64;
    if !(dob.is_finite() && dob >= 1.0 && dob < last) {
        return Err(AgeProblem::DobNotADate(dob));
    }
    if dob < first {
        return Err(AgeProblem::BirthYearZero(dob));
    }
    if !(photo_taken.is_finite()
        && photo_taken.fract() == 0.0
        && (1.0..=9999.0).contains(&photo_taken))
    {
        return Err(AgeProblem::TakenNotAYear(photo_taken));
    }
    // Both are checked to be small whole-day-range numbers above, so the casts are exact.
    let taken = photo_taken as i64;
    let birth = civil_from_datenum(dob.floor() as i64);
    let difference = (datenum(taken, 7, 1) as f64 - dob).floor() as i64;
    let age = civil_from_datenum(difference).year;
    if age < 0 {
        Err(AgeProblem::TakenBeforeBirth { taken, birth })
    } else if age > MAX_AGE {
        Err(AgeProblem::TooOld { age, birth, taken })
    } else {
        u16::try_from(age).map_err(|_| AgeProblem::TooOld { age, birth, taken })
    }
}

/// The age yu4u/age-gender-estimation's `calc_age` (src/utils.py) gives, for the clean
/// selection, which is yu4u's filter and so tests yu4u's age:
///
/// ```text
/// birth = datetime.fromordinal(max(int(dob) - 366, 1))
/// return taken - birth.year if birth.month < 7 else taken - birth.year - 1
/// ```
///
/// It differs from [`authors_age`] by a year for some births near 1 July (born 1890-06-30,
/// photo 1991: the authors' formula gives 100, this 101). `None` where Python raises: a
/// `dob` that is NaN or infinite (`int()` fails) or past 9999-12-31 (`fromordinal` fails),
/// and a `photo_taken` that is not finite (the age would be NaN, which no range holds). A
/// fractional `dob` is truncated as `int()` does; a fractional year stays fractional.
pub fn yu4u_age(dob: f64, photo_taken: f64) -> Option<f64> {
    let last = datenum(9999, 12, 31) - 366;
    if !dob.is_finite() || !photo_taken.is_finite() || dob.trunc() - 366.0 > last as f64 {
        return None;
    }
    // Checked above: trunc(dob) - 366 <= the last ordinal, so the cast is exact.
    let ordinal = (dob.trunc() as i64 - 366).max(1);
    let birth = civil_from_datenum(ordinal + 366);
    let before_july = if birth.month < 7 { 0.0 } else { 1.0 };
    Some(photo_taken - birth.year as f64 - before_july)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected serial numbers from Python: `date(y, m, d).toordinal() + 366` (MATLAB's
    /// datenum is the proleptic Gregorian ordinal shifted by the 366 days of year 0).
    #[test]
    fn datenum_matches_python_ordinals() {
        let check = |y, m, d, n| {
            assert_eq!(datenum(y, m, d), n, "{y}-{m}-{d}");
            let date = CivilDate {
                year: y,
                month: m,
                day: d,
            };
            assert_eq!(civil_from_datenum(n), date, "{n}");
        };
        check(1981, 5, 5, 723_671); // the first wiki entry; the file name says 1981-05-05
        check(1, 1, 1, 367);
        check(0, 1, 1, 1);
        check(0, 12, 31, 366);
        check(0, 2, 29, 60);
        check(1900, 2, 28, 694_020);
        check(1900, 3, 1, 694_021); // 1900 is not a leap year
        check(2000, 2, 29, 730_545); // 2000 is
        check(2000, 3, 1, 730_546);
        check(1970, 1, 1, 719_529);
        check(9999, 12, 31, 3_652_425);
        check(-1, 12, 31, 0); // what MATLAB's datevec(0) gives
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let start = datenum(1800, 1, 1);
        let mut previous = civil_from_datenum(start - 1);
        for n in start..start + DAYS_PER_400_YEARS {
            let date = civil_from_datenum(n);
            assert!(date > previous, "{n}: {date} after {previous}");
            assert_eq!(datenum(date.year, date.month, date.day), n);
            previous = date;
        }
    }

    /// Expected ages from Python, the authors' formula on datetime ordinals:
    /// `D = date(t,7,1).toordinal()+366-dob; age = 0 if D <= 366 else date.fromordinal(D-366).year`.
    #[test]
    fn authors_age_on_known_pairs() {
        assert_eq!(authors_age(723_671.0, 2009.0), Ok(28));
        // Born 1900-06-30, photo 1907: the authors' formula says 6 (yu4u's calc_age says 7).
        assert_eq!(authors_age(694_142.0, 1907.0), Ok(6));
        // Born 2000-07-01, photo 2001: D = 365 days falls in year 0, so age 0.
        assert_eq!(authors_age(datenum(2000, 7, 1) as f64, 2001.0), Ok(0));
        // A fractional dob counts as its day: datevec floors.
        assert_eq!(authors_age(723_671.75, 2009.0), Ok(28));
    }

    #[test]
    fn impossible_pairs_are_problems_naming_the_values() {
        assert_eq!(authors_age(0.0, 2009.0), Err(AgeProblem::DobNotADate(0.0)));
        assert_eq!(
            authors_age(366.0, 2009.0),
            Err(AgeProblem::BirthYearZero(366.0))
        );
        assert!(
            matches!(authors_age(f64::NAN, 2009.0), Err(AgeProblem::DobNotADate(v)) if v.is_nan())
        );
        assert_eq!(
            authors_age(723_671.0, 2009.5),
            Err(AgeProblem::TakenNotAYear(2009.5))
        );
        assert_eq!(
            authors_age(734_139.0, 2000.0).map_err(|p| p.to_string()),
            Err("photo taken in 2000 (1 July assumed), before the birth on 2010-01-01".to_owned())
        );
        assert_eq!(
            authors_age(658_005.0, 2008.0).map_err(|p| p.to_string()),
            Err("age 206 (born 1801-07-22, photo taken in 2008) is above 120".to_owned())
        );
    }
}
