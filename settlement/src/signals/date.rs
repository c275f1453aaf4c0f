//! Calendar days for the windows of the signal rules: a [`Date`] is a day count, parsed from and
//! printed as `YYYY-MM-DD` (proleptic Gregorian calendar, years 1 to 9999). No time of day, no time
//! zone: a stay's admission and discharge are days, and a gap between two stays is a whole number
//! of days.

use std::fmt;
use std::str::FromStr;

use super::SignalError;

/// A calendar day, held as the number of days since 1970-01-01 (negative before it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

impl Date {
    /// The day `days` after 1970-01-01.
    pub fn from_days(days: i32) -> Date {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i32 {
        self.0
    }

    /// Days from `self` to `later` (negative when `later` is before `self`): from a discharge on
    /// the 1st to an admission on the 16th is 15 days.
    pub fn days_until(self, later: Date) -> i64 {
        i64::from(later.0) - i64::from(self.0)
    }

    /// The day with this year, month (1-12) and day of month, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let len = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if day < 1 || day > len {
            return None;
        }
        // Days from civil (H. Hinnant's algorithm): years start in March, so the leap day is last.
        let y = i64::from(year) - i64::from(month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        i32::try_from(era * 146_097 + doe - 719_468).ok().map(Date)
    }

    /// Year, month (1-12) and day of month.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = i64::from(self.0) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        // The values are in range by construction: a day count of an i32 is within ±5.9 million years.
        (y as i32, m as u32, d as u32)
    }
}

impl FromStr for Date {
    type Err = SignalError;

    /// Parses `YYYY-MM-DD` (exactly ten characters, a day that exists: `2024-02-29` yes,
    /// `2025-02-29` no).
    fn from_str(text: &str) -> Result<Date, SignalError> {
        let bad = || SignalError::BadDate {
            text: text.to_string(),
        };
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let s = &text[r];
            if s.bytes().all(|c| c.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        };
        let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
            return Err(bad());
        };
        Date::from_ymd(y as i32, m, d).ok_or_else(bad)
    }
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_days_and_prints_them_back() {
        assert_eq!("1970-01-01".parse::<Date>().unwrap().days(), 0);
        assert_eq!("2000-03-01".parse::<Date>().unwrap().days(), 11_017);
        for s in [
            "2024-02-29",
            "2025-12-31",
            "0001-01-01",
            "9999-12-31",
            "1969-12-31",
        ] {
            assert_eq!(s.parse::<Date>().unwrap().to_string(), s);
        }
        for s in [
            "2025-02-29",
            "1900-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-04-31",
            "2025-1-01",
            "2025/01/01",
            "+025-01-01",
            "0000-01-01",
            "",
        ] {
            assert!(s.parse::<Date>().is_err(), "{s} parsed");
        }
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let start = Date::from_ymd(1900, 1, 1).unwrap();
        let mut prev = start.ymd();
        for n in 1..146_097 {
            let d = Date::from_days(start.days() + n);
            let (y, m, dd) = d.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(d));
            assert!((y, m, dd) > prev);
            prev = (y, m, dd);
        }
    }

    #[test]
    fn gaps_are_whole_days() {
        let a: Date = "2025-01-31".parse().unwrap();
        let b: Date = "2025-03-01".parse().unwrap();
        assert_eq!(a.days_until(b), 29);
        assert_eq!(b.days_until(a), -29);
    }
}
