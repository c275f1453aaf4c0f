//! [`Ratio`]: an exact rational (`i128 / i128`, kept reduced) for weights, scores, coefficients and
//! point values.

use std::str::FromStr;

use super::arith::{div_exact, gcd};
use super::text::Approx;
use super::{round_div, Fen, MoneyError, Rounding};

/// An exact rational number `num / den` (den > 0, reduced).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ratio {
    pub(super) num: i128,
    pub(super) den: i128,
}

impl Ratio {
    /// Zero.
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };
    /// One.
    pub const ONE: Ratio = Ratio { num: 1, den: 1 };

    /// `num / den`, reduced; `den` must not be zero.
    pub fn new(num: i128, den: i128) -> Result<Ratio, MoneyError> {
        if den == 0 {
            return Err(MoneyError::DivisionByZero { what: "ratio" });
        }
        let g = gcd(num, den).max(1);
        let s = if den < 0 { -1 } else { 1 };
        if g == 1 {
            return Ok(Ratio {
                num: s * num,
                den: s * den,
            });
        }
        Ok(Ratio {
            num: s * div_exact(num, g),
            den: s * div_exact(den, g),
        })
    }

    /// An integer.
    pub fn int(n: i128) -> Ratio {
        Ratio { num: n, den: 1 }
    }

    /// Numerator (reduced).
    pub fn numer(self) -> i128 {
        self.num
    }

    /// Denominator (reduced, positive).
    pub fn denom(self) -> i128 {
        self.den
    }

    /// `self × n`.
    pub fn mul_int(self, n: i128) -> Ratio {
        Ratio::new(self.num * n, self.den).unwrap_or(Ratio::ZERO)
    }

    /// Exact product, or an overflow error.
    pub fn checked_mul(self, o: Ratio) -> Result<Ratio, MoneyError> {
        if self.num == 0 || o.num == 0 {
            return Ok(Ratio::ZERO);
        }
        // Both are reduced, so once the cross factors are out the product is reduced too: no
        // third gcd, and no 128-bit division when a factor is 1 (the common case).
        let g1 = gcd(self.num, o.den);
        let g2 = gcd(o.num, self.den);
        let (a, d2) = if g1 > 1 {
            (div_exact(self.num, g1), div_exact(o.den, g1))
        } else {
            (self.num, o.den)
        };
        let (b, d1) = if g2 > 1 {
            (div_exact(o.num, g2), div_exact(self.den, g2))
        } else {
            (o.num, self.den)
        };
        let overflow = MoneyError::Overflow {
            what: "ratio product",
        };
        Ok(Ratio {
            num: a.checked_mul(b).ok_or(overflow.clone())?,
            den: d1.checked_mul(d2).ok_or(overflow)?,
        })
    }

    /// Exact quotient.
    pub fn checked_div(self, o: Ratio) -> Result<Ratio, MoneyError> {
        if o.num == 0 {
            return Err(MoneyError::DivisionByZero {
                what: "ratio quotient",
            });
        }
        self.checked_mul(Ratio {
            num: o.den * o.num.signum(),
            den: o.num.abs(),
        })
    }

    /// Exact sum.
    pub fn checked_add(self, o: Ratio) -> Result<Ratio, MoneyError> {
        let g = gcd(self.den, o.den).max(1);
        let l = div_exact(self.den, g)
            .checked_mul(o.den)
            .ok_or(MoneyError::Overflow { what: "ratio sum" })?;
        let a = self
            .num
            .checked_mul(div_exact(l, self.den))
            .ok_or(MoneyError::Overflow { what: "ratio sum" })?;
        let b = o
            .num
            .checked_mul(div_exact(l, o.den))
            .ok_or(MoneyError::Overflow { what: "ratio sum" })?;
        Ratio::new(
            a.checked_add(b)
                .ok_or(MoneyError::Overflow { what: "ratio sum" })?,
            l,
        )
    }

    /// Rounds to an integer amount of fen (the ratio being a number of fen).
    pub fn round(self, rounding: Rounding) -> Result<Fen, MoneyError> {
        let v = round_div(self.num, self.den, rounding)?;
        i64::try_from(v)
            .map(Fen)
            .map_err(|_| MoneyError::Overflow { what: "amount" })
    }

    /// The ratio rounded half away from zero to `places` decimals, as text (`0.2861`): for
    /// explanations, where the exact fraction (`761818/2663131`) says less. Computation stays exact.
    pub fn approx(self, places: u32) -> String {
        self.approx_text(places).to_string()
    }

    /// [`Ratio::approx`] without the allocation, for formulas written by the million:
    /// `format!("r {}", r.approx_text(4))`.
    pub fn approx_text(self, places: u32) -> Approx {
        Approx {
            ratio: self,
            places: places.min(18),
        }
    }

    /// An approximation for display and reports only.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl FromStr for Ratio {
    type Err = MoneyError;

    /// Parses a decimal number exactly: `-12`, `0.0825`, `1e3` is not accepted.
    fn from_str(text: &str) -> Result<Ratio, MoneyError> {
        let bad = || MoneyError::NotANumber {
            text: text.to_string(),
        };
        let t = text.trim();
        let (neg, body) = match t.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || int.len() + frac.len() > 30
        {
            return Err(bad());
        }
        let digits = int
            .bytes()
            .chain(frac.bytes())
            .fold(0i128, |n, b| n * 10 + i128::from(b - b'0'));
        let den = 10i128.pow(frac.len() as u32);
        Ratio::new(if neg { -digits } else { digits }, den)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_exact() {
        let a: Ratio = "0.1".parse().unwrap();
        let b: Ratio = "0.2".parse().unwrap();
        assert_eq!(a.checked_add(b).unwrap(), "0.3".parse().unwrap());
        let pv = Ratio::new(1_000_000, 3).unwrap();
        assert_eq!(
            pv.checked_mul(Ratio::int(3)).unwrap(),
            Ratio::int(1_000_000)
        );
        assert_eq!(Ratio::new(2, -4).unwrap().to_string(), "-0.5");
        assert_eq!(Ratio::new(1, 3).unwrap().to_string(), "1/3");
        assert_eq!("1.122".parse::<Ratio>().unwrap().to_string(), "1.122");
        assert_eq!(Ratio::new(-7, 4).unwrap().to_string(), "-1.75");
    }
}
