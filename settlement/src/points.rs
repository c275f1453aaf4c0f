//! Points (点数 / 分值): fixed-point with 4 decimals, the scale catalogs publish weights and scores in.
//! `Points(12_345)` is 1.2345 points. Products with coefficients are rounded once, with a named rule.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign};
use std::str::FromStr;

use crate::money::{round_div, MoneyError, Ratio, Rounding};

/// Units per point.
pub const SCALE: i64 = 10_000;

/// A number of points with 4 decimals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(pub i64);

impl Points {
    /// Zero points.
    pub const ZERO: Points = Points(0);

    /// The points as an exact ratio.
    pub fn ratio(self) -> Ratio {
        Ratio::new(i128::from(self.0), i128::from(SCALE)).unwrap_or(Ratio::ZERO)
    }

    /// Points from an exact ratio, rounded to 4 decimals with `rounding`.
    pub fn from_ratio(r: Ratio, rounding: Rounding) -> Result<Points, MoneyError> {
        let v = round_div(r.numer() * i128::from(SCALE), r.denom(), rounding)?;
        i64::try_from(v)
            .map(Points)
            .map_err(|_| MoneyError::Overflow { what: "points" })
    }

    /// `self × factor`, rounded to 4 decimals.
    pub fn scale(self, factor: Ratio, rounding: Rounding) -> Result<Points, MoneyError> {
        Points::from_ratio(self.ratio().checked_mul(factor)?, rounding)
    }
}

impl FromStr for Points {
    type Err = MoneyError;
    /// Parses a decimal with at most 4 decimals exactly (`"1.2345"`); more decimals are an error.
    fn from_str(s: &str) -> Result<Points, MoneyError> {
        let r: Ratio = s.parse()?;
        let p = Points::from_ratio(r, Rounding::TowardZero)?;
        if p.ratio() != r {
            return Err(MoneyError::NotANumber {
                text: format!("{s} (more than 4 decimals of a point)"),
            });
        }
        Ok(p)
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::money::decimal(&mut [0u8; 24], self.0, 4))
    }
}

impl Add for Points {
    type Output = Points;
    fn add(self, o: Points) -> Points {
        Points(self.0 + o.0)
    }
}

impl AddAssign for Points {
    fn add_assign(&mut self, o: Points) {
        self.0 += o.0;
    }
}

impl Sum for Points {
    fn sum<I: Iterator<Item = Points>>(it: I) -> Points {
        Points(it.map(|p| p.0).sum())
    }
}

/// Case-mix index: Σ weight / number of cases (each case carries its group's weight).
pub fn cmi(weights: &[Points]) -> Option<Ratio> {
    if weights.is_empty() {
        return None;
    }
    let sum: Points = weights.iter().copied().sum();
    sum.ratio()
        .checked_div(Ratio::int(weights.len() as i128))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_cmi_example() {
        // settlement-policy.md B6: 50 cases at 1.2, 30 at 0.8, 20 at 2.5 -> CMI 1.34.
        let mut w = vec![Points(12_000); 50];
        w.extend(vec![Points(8_000); 30]);
        w.extend(vec![Points(25_000); 20]);
        assert_eq!(cmi(&w), Some("1.34".parse().unwrap()));
        assert_eq!(cmi(&[]), None);
    }

    #[test]
    fn points_parse_and_print_exactly() {
        assert_eq!("1.2345".parse::<Points>().unwrap(), Points(12_345));
        assert!("1.23456".parse::<Points>().is_err());
        assert_eq!(Points(-5).to_string(), "-0.0005");
        let p = Points(10_000).scale("1.15".parse().unwrap(), Rounding::HalfAwayFromZero);
        assert_eq!(p.unwrap(), Points(11_500));
    }
}
