//! Money: integer fen, exact ratios, one rounding rule per stage, and largest-remainder allocation so
//! that every closed pool reconciles to the fen.
//!
//! - [`Fen`]: an amount in fen (分, 0.01 yuan), `i64`. Never a float.
//! - [`Ratio`]: an exact rational (`i128 / i128`, kept reduced) for weights, scores, coefficients and
//!   point values. Decimal text (`"1.0825"`) parses exactly.
//! - [`Rounding`]: how an exact amount becomes fen; the default is half away from zero. Each stage of
//!   a settlement names its rule, so a regional policy can change it in one place.
//! - [`allocate`]: splits an amount over weights so the parts sum to it exactly (largest remainder,
//!   ties to the earlier payee).

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

/// Something that cannot be turned into money or a ratio.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text is not a decimal number.
    #[error("{text:?} is not a decimal number")]
    NotANumber {
        /// The text.
        text: String,
    },
    /// An amount in yuan has more than two decimals and no rounding was allowed.
    #[error("{text:?} has more than two decimals: not a whole number of fen")]
    SubFen {
        /// The text.
        text: String,
    },
    /// A value is outside the representable range.
    #[error("{what} overflows")]
    Overflow {
        /// What overflowed.
        what: &'static str,
    },
    /// A division by zero (e.g. a point value over zero points).
    #[error("division by zero: {what}")]
    DivisionByZero {
        /// What was divided.
        what: &'static str,
    },
}

/// An amount of money in fen (分). `Fen(12345)` is 123.45 yuan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fen(pub i64);

impl Fen {
    /// Zero.
    pub const ZERO: Fen = Fen(0);

    /// Parses yuan text exactly (`"1234.5"` -> 123450 fen); more than two decimals is an error.
    pub fn from_yuan(text: &str) -> Result<Fen, MoneyError> {
        if let Some(f) = Fen::plain_yuan(text.trim().as_bytes()) {
            return Ok(f);
        }
        let r = Ratio::from_str(text)?;
        let fen = r.mul_int(100);
        if fen.den != 1 {
            return Err(MoneyError::SubFen {
                text: text.to_string(),
            });
        }
        i64::try_from(fen.num)
            .map(Fen)
            .map_err(|_| MoneyError::Overflow { what: "amount" })
    }

    /// The common form `[-]digits[.d[d]]` (at most 15 integer digits) read straight into fen;
    /// `None` for anything else, which the exact parser then reads or rejects.
    fn plain_yuan(t: &[u8]) -> Option<Fen> {
        let (neg, t) = match t.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, t),
        };
        let dot = t.iter().position(|&b| b == b'.').unwrap_or(t.len());
        let (int, frac) = (&t[..dot], t.get(dot + 1..).unwrap_or(&[]));
        if int.is_empty() || int.len() > 15 || frac.len() > 2 || (dot < t.len() && frac.is_empty())
        {
            return None;
        }
        let mut v: i64 = 0;
        for &b in int.iter().chain(frac) {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(b - b'0');
        }
        for _ in frac.len()..2 {
            v *= 10;
        }
        Some(Fen(if neg { -v } else { v }))
    }

    /// Parses yuan text, rounding to the fen with `rounding`.
    pub fn from_yuan_rounded(text: &str, rounding: Rounding) -> Result<Fen, MoneyError> {
        Ratio::from_str(text)?.mul_int(100).round(rounding)
    }

    /// The amount in yuan as a float, for display and reports only.
    pub fn as_yuan_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Checked addition.
    pub fn checked_add(self, o: Fen) -> Option<Fen> {
        self.0.checked_add(o.0).map(Fen)
    }
}

impl fmt::Display for Fen {
    /// Yuan with two decimals: `-12.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(decimal(&mut [0u8; 24], self.0, 2))
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, o: Fen) -> Fen {
        Fen(self.0 + o.0)
    }
}

impl Sub for Fen {
    type Output = Fen;
    fn sub(self, o: Fen) -> Fen {
        Fen(self.0 - o.0)
    }
}

impl Neg for Fen {
    type Output = Fen;
    fn neg(self) -> Fen {
        Fen(-self.0)
    }
}

impl AddAssign for Fen {
    fn add_assign(&mut self, o: Fen) {
        self.0 += o.0;
    }
}

impl SubAssign for Fen {
    fn sub_assign(&mut self, o: Fen) {
        self.0 -= o.0;
    }
}

impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(it: I) -> Fen {
        Fen(it.map(|f| f.0).sum())
    }
}

/// How an exact amount is rounded to an integer (of fen, or of any unit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// Half away from zero (四舍五入): 2.5 -> 3, -2.5 -> -3. The default.
    #[default]
    HalfAwayFromZero,
    /// Half to even (banker's): 2.5 -> 2, 3.5 -> 4.
    HalfEven,
    /// Toward zero (truncate).
    TowardZero,
    /// Toward negative infinity.
    Floor,
    /// Toward positive infinity.
    Ceiling,
}

/// `num / den` rounded to an integer with `rounding`. `den` must not be zero.
pub fn round_div(num: i128, den: i128, rounding: Rounding) -> Result<i128, MoneyError> {
    if den == 0 {
        return Err(MoneyError::DivisionByZero { what: "rounding" });
    }
    let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
    let (q, r) = match (i64::try_from(num), i64::try_from(den)) {
        (Ok(n), Ok(d)) => (i128::from(n.div_euclid(d)), i128::from(n.rem_euclid(d))),
        _ => (num.div_euclid(den), num.rem_euclid(den)), // floor, and 0 <= r < den
    };
    if r == 0 {
        return Ok(q);
    }
    let twice = 2 * r;
    Ok(match rounding {
        Rounding::Floor => q,
        Rounding::Ceiling => q + 1,
        Rounding::TowardZero => {
            if num < 0 {
                q + 1
            } else {
                q
            }
        }
        Rounding::HalfAwayFromZero => {
            if twice > den || (twice == den && num > 0) {
                q + 1
            } else {
                q
            }
        }
        Rounding::HalfEven => {
            if twice > den || (twice == den && q % 2 != 0) {
                q + 1
            } else {
                q
            }
        }
    })
}

/// Greatest common divisor (binary: shifts and subtractions, no 128-bit division).
fn gcd(a: i128, b: i128) -> i128 {
    let (a, b) = (a.unsigned_abs(), b.unsigned_abs());
    if let (Ok(a), Ok(b)) = (u64::try_from(a), u64::try_from(b)) {
        // Amounts and weights fit in 64 bits: the same steps on one machine word.
        return i128::from(gcd64(a, b));
    }
    if a == 0 || b == 0 {
        return (a | b) as i128;
    }
    let shift = (a | b).trailing_zeros();
    let (mut a, mut b) = (a >> a.trailing_zeros(), b);
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return (a << shift) as i128;
        }
    }
}

/// Binary gcd on 64 bits.
fn gcd64(a: u64, b: u64) -> u64 {
    if a == 0 || b == 0 {
        return a | b;
    }
    let shift = (a | b).trailing_zeros();
    let (mut a, mut b) = (a >> a.trailing_zeros(), b);
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

/// `a / b` for an exact division, on 64 bits when both fit (a 128-bit division is a library call).
fn div_exact(a: i128, b: i128) -> i128 {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(x), Ok(y)) if y != -1 => i128::from(x / y),
        _ => a / b,
    }
}

/// `v / 10^places` as decimal text with exactly `places` decimals, written into `buf` (formulas
/// print millions of amounts; this skips the formatting machinery's padding).
pub(crate) fn decimal(buf: &mut [u8; 24], v: i64, places: usize) -> &str {
    std::str::from_utf8(decimal_bytes(buf, v, places)).unwrap_or("?")
}

/// [`decimal`] as bytes (ASCII), for writers that need no `str`.
fn decimal_bytes(buf: &mut [u8; 24], v: i64, places: usize) -> &[u8] {
    let mut a = v.unsigned_abs();
    let mut i = buf.len();
    let mut k = 0;
    loop {
        if k == places && places > 0 {
            i -= 1;
            buf[i] = b'.';
        }
        i -= 1;
        buf[i] = b'0' + (a % 10) as u8;
        a /= 10;
        k += 1;
        if k > places && a == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// Appends `v / 10^places` as decimal text with exactly `places` decimals (at most 18) to `out`:
/// the row writers' way to print fen (`places` 0) and points (4) without the formatting machinery.
pub fn push_decimal(out: &mut Vec<u8>, v: i64, places: usize) {
    let mut buf = [0u8; 24];
    out.extend_from_slice(decimal_bytes(&mut buf, v, places.min(18)));
}

/// An exact rational number `num / den` (den > 0, reduced).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ratio {
    num: i128,
    den: i128,
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

impl fmt::Display for Ratio {
    /// An exact decimal when the ratio has one with at most 18 places (`1.122`), else `num/den`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            return match i64::try_from(self.num) {
                Ok(v) => f.write_str(decimal(&mut [0u8; 24], v, 0)),
                Err(_) => write!(f, "{}", self.num),
            };
        }
        // A decimal needs a denominator of the form 2^a 5^b; then it has max(a, b) places.
        let den = self.den.unsigned_abs();
        let twos = den.trailing_zeros();
        let mut rest = den >> twos;
        let mut fives = 0;
        while rest.checked_rem(5) == Some(0) {
            rest /= 5;
            fives += 1;
        }
        let places = twos.max(fives);
        if rest != 1 || places > 18 {
            return write!(f, "{}/{}", self.num, self.den);
        }
        let units = 10i128
            .pow(places)
            .checked_div(self.den)
            .and_then(|k| self.num.checked_mul(k));
        match units.map(i64::try_from) {
            Some(Ok(u)) => {
                let mut buf = [0u8; 24];
                let text = decimal(&mut buf, u, places as usize);
                f.write_str(text.trim_end_matches('0'))
            }
            _ => {
                let scale = 10i128.pow(places);
                let units = self.num.unsigned_abs() * (scale / self.den).unsigned_abs();
                let sign = if self.num < 0 { "-" } else { "" };
                let frac = format!(
                    "{:0width$}",
                    units % scale.unsigned_abs(),
                    width = places as usize
                );
                let whole = units / scale.unsigned_abs();
                write!(f, "{sign}{whole}.{}", frac.trim_end_matches('0'))
            }
        }
    }
}

/// A ratio rounded half away from zero to a number of decimals, for display: [`Ratio::approx_text`].
#[derive(Clone, Copy, Debug)]
pub struct Approx {
    ratio: Ratio,
    places: u32,
}

impl fmt::Display for Approx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = 10i128.pow(self.places);
        let r = self.ratio;
        let Ok(v) = round_div(
            r.num.saturating_mul(scale),
            r.den,
            Rounding::HalfAwayFromZero,
        ) else {
            return write!(f, "{r}");
        };
        if let Ok(v) = i64::try_from(v) {
            return f.write_str(decimal(&mut [0u8; 24], v, self.places as usize));
        }
        let sign = if v < 0 { "-" } else { "" };
        let v = v.abs();
        if self.places == 0 {
            return write!(f, "{sign}{v}");
        }
        write!(
            f,
            "{sign}{}.{:0w$}",
            v / scale,
            v % scale,
            w = self.places as usize
        )
    }
}

/// Splits `total` over `weights` in proportion, exactly: each part is the floor of its exact share
/// (toward zero for a negative total), and the fen left over go one each to the largest remainders
/// (ties: the earlier weight). The parts always sum to `total`. Zero weights get zero. An empty or
/// all-zero weight list cannot take a non-zero amount.
pub fn allocate(total: Fen, weights: &[u128]) -> Result<Vec<Fen>, MoneyError> {
    let sum: u128 = weights
        .iter()
        .try_fold(0u128, |a, &w| a.checked_add(w))
        .ok_or(MoneyError::Overflow {
            what: "sum of weights",
        })?;
    if sum == 0 {
        return if total.0 == 0 {
            Ok(vec![Fen::ZERO; weights.len()])
        } else {
            Err(MoneyError::DivisionByZero {
                what: "allocation over zero weights",
            })
        };
    }
    let neg = total.0 < 0;
    let t = u128::from(total.0.unsigned_abs());
    let mut parts = Vec::with_capacity(weights.len());
    let mut rems = Vec::with_capacity(weights.len());
    let mut given: u128 = 0;
    for (i, &w) in weights.iter().enumerate() {
        let p = t.checked_mul(w).ok_or(MoneyError::Overflow {
            what: "allocation share",
        })?;
        parts.push(p / sum);
        rems.push((p % sum, i));
        given += p / sum;
    }
    let left = t - given;
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in rems.iter().take(left as usize) {
        parts[i] += 1;
    }
    Ok(parts
        .into_iter()
        .map(|p| {
            let v = p as i64;
            Fen(if neg { -v } else { v })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decimal text of `num / den` the slow way: the first power of ten the denominator
    /// divides, then long division (the fast paths must agree with it everywhere).
    fn reference_text(r: Ratio) -> String {
        if r.den == 1 {
            return r.num.to_string();
        }
        let mut scale: i128 = 1;
        for places in 1..=18u32 {
            scale *= 10;
            if scale % r.den == 0 {
                let units = r.num.abs() * (scale / r.den);
                let sign = if r.num < 0 { "-" } else { "" };
                let frac = format!("{:0w$}", units % scale, w = places as usize);
                return format!("{sign}{}.{}", units / scale, frac.trim_end_matches('0'));
            }
        }
        format!("{}/{}", r.num, r.den)
    }

    fn reference_approx(r: Ratio, places: u32) -> String {
        let scale = 10i128.pow(places);
        let v = round_div(r.num * scale, r.den, Rounding::HalfAwayFromZero).unwrap();
        let sign = if v < 0 { "-" } else { "" };
        let v = v.abs();
        if places == 0 {
            return format!("{sign}{v}");
        }
        format!("{sign}{}.{:0w$}", v / scale, v % scale, w = places as usize)
    }

    #[test]
    fn decimal_text_and_rounding_match_the_long_way() {
        let nums = [
            0i128,
            1,
            -1,
            3,
            -7,
            10,
            125,
            999_999,
            -123_456_789,
            1 << 40,
            -(1 << 62),
        ];
        let dens = [
            1i128,
            2,
            3,
            4,
            5,
            8,
            10,
            16,
            25,
            40,
            64,
            625,
            1000,
            1024,
            7,
            12,
            3125 * 64,
        ];
        for &n in &nums {
            for &d in &dens {
                let r = Ratio::new(n, d).unwrap();
                assert_eq!(r.to_string(), reference_text(r), "{n}/{d}");
                for places in [0, 2, 4] {
                    assert_eq!(
                        r.approx(places),
                        reference_approx(r, places),
                        "{n}/{d} at {places}"
                    );
                }
            }
        }
        // Beyond 64 bits the 128-bit paths take over.
        let big = Ratio::new(i128::from(i64::MAX) * 1000 + 1, 8).unwrap();
        assert_eq!(big.to_string(), reference_text(big));
        assert_eq!(big.approx(2), reference_approx(big, 2));
        assert_eq!(Ratio::new(1, 3).unwrap().to_string(), "1/3");
        assert_eq!(Ratio::new(-3, 8).unwrap().to_string(), "-0.375");
    }

    #[test]
    fn gcd_agrees_across_widths() {
        for (a, b, g) in [
            (12i128, 18i128, 6i128),
            (0, 5, 5),
            (7, 0, 7),
            (-4, 6, 2),
            (1 << 70, 1 << 65, 1 << 65),
        ] {
            assert_eq!(gcd(a, b), g, "{a} {b}");
        }
        let p = Ratio::new(6, 4)
            .unwrap()
            .checked_mul(Ratio::new(10, 9).unwrap())
            .unwrap();
        assert_eq!(p, Ratio::new(5, 3).unwrap());
        let s = Ratio::new(1, 6)
            .unwrap()
            .checked_add(Ratio::new(1, 10).unwrap())
            .unwrap();
        assert_eq!(s, Ratio::new(4, 15).unwrap());
    }

    #[test]
    fn yuan_text_parses_exactly() {
        assert_eq!(Fen::from_yuan("1234.5"), Ok(Fen(123_450)));
        assert_eq!(Fen::from_yuan("-0.01"), Ok(Fen(-1)));
        assert_eq!(Fen::from_yuan("7"), Ok(Fen(700)));
        assert!(matches!(
            Fen::from_yuan("1.005"),
            Err(MoneyError::SubFen { .. })
        ));
        assert_eq!(
            Fen::from_yuan_rounded("1.005", Rounding::HalfAwayFromZero),
            Ok(Fen(101))
        );
        assert_eq!(
            Fen::from_yuan_rounded("1.005", Rounding::HalfEven),
            Ok(Fen(100))
        );
        assert!(Fen::from_yuan("12,5").is_err());
        assert_eq!(Fen(-1205).to_string(), "-12.05");
    }

    #[test]
    fn the_plain_yuan_shortcut_agrees_with_the_exact_parser() {
        let exact = |t: &str| {
            Ratio::from_str(t).ok().and_then(|r| {
                let f = r.mul_int(100);
                (f.den == 1).then_some(Fen(f.num as i64))
            })
        };
        for t in [
            "0",
            "-0",
            "0.5",
            "12.34",
            "-12.3",
            "999999999999999",
            "1234567.89",
            "12.",
            ".5",
            "-",
            "",
            "1.2.3",
            "1a",
            "١٢",
            "12.345",
            "12.340",
            "+7",
            " 8.10 ",
            "0012.05",
        ] {
            assert_eq!(Fen::from_yuan(t).ok(), exact(t.trim()), "{t:?}");
        }
    }

    #[test]
    fn rounding_rules() {
        let r = |n, d, m| round_div(n, d, m).unwrap();
        use Rounding::*;
        assert_eq!(
            (r(5, 2, HalfAwayFromZero), r(-5, 2, HalfAwayFromZero)),
            (3, -3)
        );
        assert_eq!(
            (r(5, 2, HalfEven), r(7, 2, HalfEven), r(-5, 2, HalfEven)),
            (2, 4, -2)
        );
        assert_eq!((r(7, 2, TowardZero), r(-7, 2, TowardZero)), (3, -3));
        assert_eq!((r(7, 2, Floor), r(-7, 2, Floor)), (3, -4));
        assert_eq!((r(7, 2, Ceiling), r(-7, 2, Ceiling)), (4, -3));
        assert_eq!(r(6, -4, HalfAwayFromZero), -2);
        assert!(round_div(1, 0, HalfEven).is_err());
    }

    #[test]
    fn approximations_round_half_away_from_zero() {
        let r = Ratio::new(761_818, 2_663_131).unwrap(); // 0.286060...
        assert_eq!(r.approx(4), "0.2861");
        assert_eq!(Ratio::new(-1, 8).unwrap().approx(2), "-0.13");
        assert_eq!(Ratio::new(5, 2).unwrap().approx(0), "3");
        assert_eq!(Ratio::int(2).approx(3), "2.000");
    }

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

    #[test]
    fn allocation_reconciles_to_the_fen() {
        assert_eq!(
            allocate(Fen(100), &[1, 1, 1]).unwrap(),
            [Fen(34), Fen(33), Fen(33)]
        );
        assert_eq!(
            allocate(Fen(-100), &[1, 1, 1]).unwrap(),
            [Fen(-34), Fen(-33), Fen(-33)]
        );
        assert_eq!(
            allocate(Fen(10), &[0, 3, 7]).unwrap(),
            [Fen(0), Fen(3), Fen(7)]
        );
        assert_eq!(allocate(Fen(0), &[]).unwrap(), Vec::<Fen>::new());
        assert!(allocate(Fen(5), &[0, 0]).is_err());
        // Largest remainder: 7 over 1:1:1:1 -> remainders equal, earlier weights first.
        assert_eq!(
            allocate(Fen(7), &[1, 1, 1, 1]).unwrap(),
            [Fen(2), Fen(2), Fen(2), Fen(1)]
        );
    }
}
