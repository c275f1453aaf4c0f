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

mod arith;
mod digits;
mod ratio;
mod round;
mod text;

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

pub(crate) use digits::decimal;
pub use digits::{digits_at, push_decimal, DIGIT_PAIRS};
pub use ratio::Ratio;
pub use round::{round_div, Rounding};
use round::{round_div64, round_mul_div64};
pub use text::Approx;
pub(crate) use text::{push_approx, push_fixed, push_ratio};

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
    #[inline]
    pub fn from_yuan(text: &str) -> Result<Fen, MoneyError> {
        match Fen::plain_yuan(trim(text).as_bytes()) {
            Some(f) => Ok(f),
            None => Fen::from_yuan_exact(text),
        }
    }

    /// [`Fen::from_yuan`] of any text, by the exact parser.
    #[inline(never)]
    fn from_yuan_exact(text: &str) -> Result<Fen, MoneyError> {
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

    /// The common form `[-]digits[.d[d]]` (at most 15 integer digits) read straight into fen, in
    /// one pass; `None` for anything else, which the exact parser then reads or rejects.
    #[inline]
    fn plain_yuan(t: &[u8]) -> Option<Fen> {
        let (neg, t) = match t.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, t),
        };
        // 15 integer digits, the dot and 2 decimals at most: fewer than 18 digits, which an i64
        // holds, are read before the form is checked.
        if t.len() > 18 {
            return None;
        }
        let mut v: i64 = 0;
        let mut dot = None;
        for (i, &b) in t.iter().enumerate() {
            let d = b.wrapping_sub(b'0');
            if d < 10 {
                v = v * 10 + i64::from(d);
            } else if b == b'.' && dot.is_none() {
                dot = Some(i);
            } else {
                return None;
            }
        }
        let int = dot.unwrap_or(t.len());
        let frac = dot.map_or(0, |d| t.len() - d - 1);
        if int == 0 || int > 15 || frac > 2 || (dot.is_some() && frac == 0) {
            return None;
        }
        let v = v * [100, 10, 1][frac];
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

/// `str::trim`, answered at once for text that starts and ends with a printable ASCII character
/// (nothing to trim: amounts as files write them); anything else goes to `str::trim`.
#[inline]
fn trim(s: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|c| c.is_ascii_graphic());
    if plain(s.as_bytes().first()) && plain(s.as_bytes().last()) {
        s
    } else {
        s.trim()
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
    // Shares and remainders: on 64 bits when every product fits (a 128-bit division is a library
    // call, and a hospital's cases are allocated one by one).
    let max_w = weights.iter().copied().max().unwrap_or(0);
    let mut parts = Vec::with_capacity(weights.len());
    let mut rems = Vec::with_capacity(weights.len());
    let mut given: u128 = 0;
    match (u64::try_from(sum), t.checked_mul(max_w).map(u64::try_from)) {
        (Ok(sum64), Some(Ok(_))) => {
            let t64 = t as u64;
            for (i, &w) in weights.iter().enumerate() {
                let p = t64 * w as u64;
                parts.push(u128::from(p / sum64));
                rems.push((u128::from(p % sum64), i));
                given += u128::from(p / sum64);
            }
        }
        _ => {
            for (i, &w) in weights.iter().enumerate() {
                let p = t.checked_mul(w).ok_or(MoneyError::Overflow {
                    what: "allocation share",
                })?;
                parts.push(p / sum);
                rems.push((p % sum, i));
                given += p / sum;
            }
        }
    }
    let left = (t - given) as usize;
    // The fen left over go to the `left` largest remainders (ties: the earlier weight): a
    // selection, not a sort, since the order among them does not matter.
    let by_rank = |a: &(u128, usize), b: &(u128, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    if left > 0 && left < rems.len() {
        rems.select_nth_unstable_by(left - 1, by_rank);
    }
    for &(_, i) in rems.iter().take(left) {
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

    /// The shortcut as it was: the dot found first, then the digits on each side.
    fn plain_yuan_by_parts(t: &[u8]) -> Option<Fen> {
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

    proptest::proptest! {
        #[test]
        fn the_one_pass_shortcut_reads_what_the_parts_did(t in "[-+0-9. ]{0,20}|-?[0-9]{0,17}(\\.[0-9]{0,3})?") {
            proptest::prop_assert_eq!(Fen::plain_yuan(t.as_bytes()), plain_yuan_by_parts(t.as_bytes()), "{:?}", t);
        }

        #[test]
        fn the_ascii_trim_is_str_trim(t in "[ \\t\u{3000}\u{a0}]{0,2}[-0-9a. \u{3000}]{0,6}[ \\t\u{3000}\u{a0}]{0,2}") {
            proptest::prop_assert_eq!(trim(&t), t.trim());
        }
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

    /// Largest remainder the plain way: 128-bit shares and a full sort of the remainders.
    fn allocate_reference(total: Fen, weights: &[u128]) -> Vec<Fen> {
        let sum: u128 = weights.iter().sum();
        let t = u128::from(total.0.unsigned_abs());
        let mut parts: Vec<u128> = weights.iter().map(|&w| t * w / sum).collect();
        let mut rems: Vec<(u128, usize)> = weights
            .iter()
            .enumerate()
            .map(|(i, &w)| (t * w % sum, i))
            .collect();
        let left = t - parts.iter().sum::<u128>();
        rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in rems.iter().take(left as usize) {
            parts[i] += 1;
        }
        parts
            .into_iter()
            .map(|p| Fen(if total.0 < 0 { -(p as i64) } else { p as i64 }))
            .collect()
    }

    #[test]
    fn allocation_fast_paths_agree_with_the_plain_way() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..3000 {
            let n = (next() % 40) as usize + 1;
            // Small weights (64-bit path), then weights whose products pass 64 bits.
            let scale: u64 = match round % 3 {
                0 => 1_000,
                1 => 1 << 40,
                _ => u64::MAX >> 1,
            };
            let weights: Vec<u128> = (0..n)
                .map(|_| match next() % 5 {
                    0 => 0,
                    1 => 7,
                    _ => u128::from(next() % scale),
                })
                .collect();
            if weights.iter().all(|&w| w == 0) {
                continue;
            }
            let total = Fen((next() % 10_000_000_000) as i64 - 2_000_000_000);
            let got = allocate(total, &weights).unwrap();
            assert_eq!(
                got,
                allocate_reference(total, &weights),
                "{total:?} {weights:?}"
            );
            assert_eq!(got.iter().map(|f| f.0).sum::<i64>(), total.0);
        }
    }
}
