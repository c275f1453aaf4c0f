//! The discharge record (病案首页 fields the grouper reads), borrowed from the caller's buffers.

use crate::codes::Codes;

/// A numeric field of a record: missing, a number, or text that is not a number.
///
/// Missing and invalid are kept apart so that a result can say which: validation rejects an invalid
/// age, while a missing LOS only matters when a rule compares it.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Num {
    /// Blank / null.
    #[default]
    Missing,
    /// A number (integers are exact up to 2^53).
    Value(f64),
    /// Present but not a number.
    Invalid,
}

impl Num {
    /// Parses a text field: blank (after trimming) is [`Num::Missing`], a decimal number is a value,
    /// anything else is [`Num::Invalid`].
    pub fn parse(s: &str) -> Num {
        let t = s.trim();
        if t.is_empty() {
            return Num::Missing;
        }
        // Fast path for plain non-negative integers, the overwhelmingly common case.
        if t.len() <= 15 && t.bytes().all(|b| b.is_ascii_digit()) {
            let mut v: u64 = 0;
            for b in t.bytes() {
                v = v * 10 + u64::from(b - b'0');
            }
            return Num::Value(v as f64);
        }
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Num::Value(v),
            _ => Num::Invalid,
        }
    }

    /// The value, if any.
    #[inline]
    pub fn value(self) -> Option<f64> {
        match self {
            Num::Value(v) => Some(v),
            _ => None,
        }
    }

    /// True when the field is blank.
    pub fn is_missing(self) -> bool {
        matches!(self, Num::Missing)
    }
}

impl From<f64> for Num {
    fn from(v: f64) -> Self {
        if v.is_finite() {
            Num::Value(v)
        } else {
            Num::Invalid
        }
    }
}

impl From<i64> for Num {
    fn from(v: i64) -> Self {
        Num::Value(v as f64)
    }
}

impl From<u32> for Num {
    fn from(v: u32) -> Self {
        Num::Value(f64::from(v))
    }
}

impl<T: Into<Num>> From<Option<T>> for Num {
    fn from(v: Option<T>) -> Self {
        v.map_or(Num::Missing, Into::into)
    }
}

/// One discharge record as the grouper sees it. All text is borrowed; building a `Record` allocates
/// nothing.
///
/// ```
/// use grouper::{Codes, Num, Record};
/// let r = Record {
///     id: "case-1",
///     gender: "1",
///     age: Num::from(67i64),
///     los: Num::from(9i64),
///     diagnoses: Codes::Joined("I21.000|I10.x00"),
///     procedures: Codes::Joined("36.0600x001"),
///     ..Record::default()
/// };
/// assert_eq!(r.diagnoses.iter_dx().count(), 2);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Record<'a> {
    /// Record id (病案号), echoed back, never interpreted.
    pub id: &'a str,
    /// Sex code as written (`1` male, `2` female; some schemes also accept `男`/`女`).
    pub gender: &'a str,
    /// Age in whole years.
    pub age: Num,
    /// Age in days, for patients under one year.
    pub age_days: Num,
    /// Newborn birth weight in grams.
    pub weight: Num,
    /// Discharge department code, free text.
    pub dept: &'a str,
    /// Length of stay in days.
    pub los: Num,
    /// Leaving type (离院方式): 1 医嘱离院 … 5 死亡, 9 其他.
    pub leaving_type: &'a str,
    /// Diagnoses, first = principal.
    pub diagnoses: Codes<'a>,
    /// Procedures, first = principal.
    pub procedures: Codes<'a>,
    /// ICU hours (missing counts as 0 where a rule reads it).
    pub icu_hours: Num,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_with_missing_and_invalid_apart() {
        assert_eq!(Num::parse(""), Num::Missing);
        assert_eq!(Num::parse("  "), Num::Missing);
        assert_eq!(Num::parse("28"), Num::Value(28.0));
        assert_eq!(Num::parse("2500.5"), Num::Value(2500.5));
        assert_eq!(Num::parse("-1"), Num::Value(-1.0));
        assert_eq!(Num::parse("abc"), Num::Invalid);
        assert_eq!(Num::parse("NaN"), Num::Invalid);
    }
}
