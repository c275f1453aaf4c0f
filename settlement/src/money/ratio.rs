//! [`Ratio`]: an exact rational (`i128 / i128`, kept reduced) for weights, scores, coefficients and
//! point values.

use std::str::FromStr;

use super::arith::{add64, cmp64, div_exact, gcd, mul64, reduce64};
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
        if let (Ok(n), Ok(d)) = (i64::try_from(num), i64::try_from(den)) {
            if let Some((num, den)) = reduce64(n, d) {
                return Ok(Ratio { num, den });
            }
        }
        Ok(Ratio::new_wide(num, den))
    }

    /// [`Ratio::new`] in 128 bits (`den` not zero).
    fn new_wide(num: i128, den: i128) -> Ratio {
        let g = gcd(num, den).max(1);
        let s = if den < 0 { -1 } else { 1 };
        if g == 1 {
            return Ratio {
                num: s * num,
                den: s * den,
            };
        }
        Ratio {
            num: s * div_exact(num, g),
            den: s * div_exact(den, g),
        }
    }

    /// Both parts, when they fit in 64 bits (the fast paths' operands).
    #[inline]
    fn narrow(self) -> Option<(i64, i64)> {
        Some((i64::try_from(self.num).ok()?, i64::try_from(self.den).ok()?))
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
        if let (Some((an, ad)), Some((bn, bd))) = (self.narrow(), o.narrow()) {
            if let Some((num, den)) = mul64(an, ad, bn, bd) {
                return Ok(Ratio { num, den });
            }
        }
        self.mul_wide(o)
    }

    /// [`Ratio::checked_mul`] in 128 bits (neither numerator zero).
    fn mul_wide(self, o: Ratio) -> Result<Ratio, MoneyError> {
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
        if let (Some((an, ad)), Some((bn, bd))) = (self.narrow(), o.narrow()) {
            if let Some((num, den)) = add64(an, ad, bn, bd) {
                return Ok(Ratio { num, den });
            }
        }
        self.add_wide(o)
    }

    /// [`Ratio::checked_add`] in 128 bits.
    fn add_wide(self, o: Ratio) -> Result<Ratio, MoneyError> {
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

    /// Compares two ratios by their cross products `a.num × b.den` and `b.num × a.den` (exact when
    /// the parts fit in 64 bits, as every settlement ratio does; beyond that the 128-bit products
    /// are taken as they come, as the band tests always did).
    pub fn compare(self, o: Ratio) -> std::cmp::Ordering {
        match (self.narrow(), o.narrow()) {
            (Some((an, ad)), Some((bn, bd))) => cmp64(an, ad, bn, bd),
            _ => self.cmp_wide(o),
        }
    }

    /// [`Ratio::compare`] in 128 bits.
    fn cmp_wide(self, o: Ratio) -> std::cmp::Ordering {
        (self.num * o.den).cmp(&(o.num * self.den))
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

    /// `self × (b + c)` rounded with `rounding` to a whole number of `1/scale` (points: `scale`
    /// 10^4, positive), formed on the parts as they are: a few multiplications and two divisions,
    /// where the exact sum and product take common factors out at each step. The value is exactly
    /// `self × (b + c)`, so it rounds as the reduced product does. `None` when a part does not fit
    /// in 64 bits (the caller then forms the exact product).
    pub(crate) fn mul_sum_round(
        self,
        b: Ratio,
        c: Ratio,
        scale: i64,
        rounding: Rounding,
    ) -> Option<i64> {
        let (an, ad) = self.narrow()?;
        let (bn, bd) = b.narrow()?;
        let (cn, cd) = c.narrow()?;
        let wide = |x: i64, y: i64| i64::try_from(i128::from(x) * i128::from(y)).ok();
        // b + c = (bn·cd + cn·bd) / (bd·cd); the denominators are positive.
        let sum = wide(bn, cd)?.checked_add(wide(cn, bd)?)?;
        let num = wide(an, sum)?;
        let den = wide(ad, wide(bd, cd)?)?;
        den.checked_mul(scale)?;
        super::round_mul_div64(num, scale, den, rounding)
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

    /// Numerators and denominators for the fast-path grid: small values, the decimal and binary
    /// scales settlements use, primes, and the edges of 64 bits (and a few beyond, which must take
    /// the 128-bit path).
    fn grid() -> (Vec<i128>, Vec<i128>) {
        let max = i128::from(i64::MAX);
        let min = i128::from(i64::MIN);
        let mut nums = vec![
            0,
            1,
            2,
            3,
            5,
            7,
            10,
            12,
            20,
            100,
            10_000,
            618_910,
            999_999_937,
            1 << 31,
            (1 << 32) + 1,
            1_000_000_000_000,
            1_000_000_000_000_000_000,
            4_052_555_153_018_976_267, // 3^39
            1 << 62,
            max - 1,
            max,
        ];
        nums.extend(nums.clone().into_iter().map(|n| -n));
        nums.extend([min, min + 1, max + 1, min - 1, 1 << 64, -(1 << 100)]);
        let dens = vec![
            1,
            2,
            3,
            4,
            5,
            8,
            10,
            20,
            25,
            3125,
            10_000,
            999_999_937,
            1 << 40,
            1 << 62,
            max - 1,
            max,
            max + 1,
            (1 << 64) + 3,
        ];
        (nums, dens)
    }

    /// A reproducible stream of numbers below `n` (a linear congruential generator from `seed`).
    fn numbers(mut s: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (s >> 33) % n
        }
    }

    fn ratios() -> Vec<Ratio> {
        let (nums, dens) = grid();
        let mut out = Vec::new();
        for &n in &nums {
            for &d in &dens {
                out.push(Ratio::new_wide(n, d));
            }
        }
        out
    }

    #[test]
    fn new_agrees_with_the_128_bit_path() {
        let (nums, dens) = grid();
        for &n in &nums {
            for &d in dens.iter().chain(&[-1, -3, -10_000, i128::from(i64::MIN)]) {
                let r = Ratio::new(n, d).unwrap();
                assert_eq!(r, Ratio::new_wide(n, d), "{n}/{d}");
                assert!(r.den > 0 && gcd(r.num, r.den) == 1, "{n}/{d} -> {r:?}");
            }
        }
        assert!(Ratio::new(1, 0).is_err());
        // Both i64::MIN: the gcd 2^63 does not fit the 64-bit steps.
        let m = i128::from(i64::MIN);
        assert_eq!(Ratio::new(m, m).unwrap(), Ratio::ONE);
    }

    #[test]
    fn products_sums_and_comparisons_agree_with_the_128_bit_path() {
        let rs = ratios();
        for &a in &rs {
            for &b in &rs {
                if a.num != 0 && b.num != 0 {
                    assert_eq!(a.checked_mul(b), a.mul_wide(b), "{a:?} × {b:?}");
                }
                assert_eq!(a.checked_add(b), a.add_wide(b), "{a:?} + {b:?}");
                let exact = match (a.num.checked_mul(b.den), b.num.checked_mul(a.den)) {
                    (Some(x), Some(y)) => Some(x.cmp(&y)),
                    _ => None,
                };
                if let Some(c) = exact {
                    assert_eq!(a.compare(b), c, "{a:?} <> {b:?}");
                    assert_eq!(a.cmp_wide(b), c, "{a:?} <> {b:?}");
                }
            }
        }
        let x = Ratio::new(7, 20).unwrap();
        assert_eq!(x.checked_mul(Ratio::ZERO), Ok(Ratio::ZERO));
        assert_eq!(Ratio::ZERO.checked_mul(x), Ok(Ratio::ZERO));
    }

    /// Sums and products of random ratios whose denominators share small factors (the case that
    /// needs the second gcd of a sum), and of cost ratios, against the 128-bit path.
    #[test]
    fn random_sums_and_products_agree_with_the_128_bit_path() {
        let mut next = numbers(7);
        let ratio = |next: &mut dyn FnMut(u64) -> u64| {
            let den = [1, 2, 3, 5, 7, 12, 20, 35, 10_000, 943_881, 1 << 40][next(11) as usize]
                * (1 + next(50));
            let num = next(10_000_000_000) as i128 - 5_000_000_000;
            Ratio::new(num, den as i128).unwrap()
        };
        for _ in 0..200_000 {
            let (a, b) = (ratio(&mut next), ratio(&mut next));
            assert_eq!(a.checked_add(b), a.add_wide(b), "{a:?} + {b:?}");
            if a.num != 0 && b.num != 0 {
                assert_eq!(a.checked_mul(b), a.mul_wide(b), "{a:?} × {b:?}");
            }
            assert_eq!(a.checked_add(a.mul_int(-1)), Ok(Ratio::ZERO));
        }
    }

    /// The rounded product of the parts as they are, against the exact sum and product rounded:
    /// on the grid (where it must step aside for parts beyond 64 bits) and on random cost ratios.
    #[test]
    fn a_rounded_product_of_a_sum_is_the_exact_one_rounded() {
        use crate::money::round_div;
        let exact = |a: Ratio, b: Ratio, c: Ratio, scale: i64, rounding: Rounding| {
            let p = a.checked_mul(b.checked_add(c).ok()?).ok()?;
            round_div(p.num.checked_mul(i128::from(scale))?, p.den, rounding)
                .ok()
                .and_then(|v| i64::try_from(v).ok())
        };
        let roundings = [
            Rounding::HalfAwayFromZero,
            Rounding::HalfEven,
            Rounding::Floor,
            Rounding::Ceiling,
            Rounding::TowardZero,
        ];
        let rs = ratios();
        let few: Vec<Ratio> = rs.iter().copied().step_by(29).collect();
        for &a in &few {
            for &b in &rs {
                for &c in &few {
                    for rounding in roundings {
                        if let Some(v) = a.mul_sum_round(b, c, 10_000, rounding) {
                            assert_eq!(
                                Some(v),
                                exact(a, b, c, 10_000, rounding),
                                "{a:?} × ({b:?} + {c:?})"
                            );
                        }
                    }
                }
            }
        }
        let mut next = numbers(11);
        let mut fast = 0;
        for _ in 0..200_000 {
            // Base points × a coefficient, a cost ratio below 1.2 (an uplifted case's), an addend.
            let base = Ratio::new(next(50_000) as i128, 100).unwrap();
            let coefficient = Ratio::new(500 + next(1000) as i128, 1000).unwrap();
            let a = base.checked_mul(coefficient).unwrap();
            let mean = 1 + next(20_000_000) as i128;
            let b = Ratio::new(mean * next(1200) as i128 / 1000 + next(100) as i128, mean).unwrap();
            let c = Ratio::new(next(11) as i128 - 5, [1, 5, 10, 100][next(4) as usize]).unwrap();
            let rounding = roundings[next(5) as usize];
            if let Some(v) = a.mul_sum_round(b, c, 10_000, rounding) {
                fast += 1;
                assert_eq!(
                    Some(v),
                    exact(a, b, c, 10_000, rounding),
                    "{a:?} × ({b:?} + {c:?})"
                );
            }
        }
        assert!(fast > 190_000, "{fast} of 200000 on 64 bits");
    }
}
