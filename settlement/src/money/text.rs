//! Text of ratios, exact and rounded for display, and the pushes that write numbers into formulas
//! (the digits from [`super::digits`], without the formatting machinery: formulas print millions
//! of numbers).

use std::fmt;

use super::digits::{decimal, Digits, POW10};
use super::{round_div, Ratio, Rounding};

/// [`Ratio`]'s text when the ratio is an integer or a decimal whose scaled value fits in 64 bits
/// (every ratio a formula prints); `None` sends the caller to the general code, [`ratio_text_wide`].
fn ratio_digits(r: Ratio) -> Option<Digits> {
    let n = i64::try_from(r.num).ok()?;
    if r.den == 1 {
        return Some(Digits::fixed(n, 0));
    }
    // A decimal needs a denominator of the form 2^a 5^b; then it has max(a, b) places.
    let den = u64::try_from(r.den).ok()?;
    let twos = den.trailing_zeros();
    let mut rest = den >> twos;
    let mut fives = 0;
    while rest % 5 == 0 {
        rest /= 5;
        fives += 1;
    }
    let places = twos.max(fives);
    if rest != 1 || places > 18 {
        return None;
    }
    // 10^places / den is exact (den divides it) and at most 10^18.
    let k = 10u64.pow(places) / den;
    let units = i64::try_from(i128::from(n) * i128::from(k)).ok()?;
    let mut d = Digits::fixed(units, places as usize);
    while d.end > d.start && d.buf[d.end - 1] == b'0' {
        d.end -= 1;
    }
    Some(d)
}

/// [`Approx`]'s text when the numerator fits in 64 bits and the rounded value does too.
fn approx_digits(r: Ratio, places: u32) -> Option<Digits> {
    let n = i64::try_from(r.num).ok()?;
    let scale = i64::try_from(*POW10.get(places as usize)?).ok()?;
    if let (Some(x), Ok(d)) = (n.checked_mul(scale), i64::try_from(r.den)) {
        if d > 0 {
            // The common case, all on 64 bits.
            let v = super::round_div64(x, d, Rounding::HalfAwayFromZero);
            return Some(Digits::fixed(v, places as usize));
        }
    }
    // |n × scale| < 2^63 × 10^18 < 2^127: exact, so the general code's saturation never applies.
    let v = round_div(
        i128::from(n) * i128::from(scale),
        r.den,
        Rounding::HalfAwayFromZero,
    )
    .ok()?;
    Some(Digits::fixed(i64::try_from(v).ok()?, places as usize))
}

/// Appends a ratio's text (as `Display` writes it: `1.122`, `3`, `1/3`) to a formula.
pub(crate) fn push_ratio(s: &mut String, r: Ratio) {
    match ratio_digits(r) {
        Some(d) => d.push_to(s),
        None => {
            use std::fmt::Write as _;
            let _ = write!(s, "{r}");
        }
    }
}

/// Appends a ratio rounded half away from zero to `places` decimals (as [`Ratio::approx_text`]
/// writes it) to a formula.
pub(crate) fn push_approx(s: &mut String, r: Ratio, places: u32) {
    let places = places.min(18);
    match approx_digits(r, places) {
        Some(d) => d.push_to(s),
        None => {
            use std::fmt::Write as _;
            let _ = write!(s, "{}", Approx { ratio: r, places });
        }
    }
}

/// Appends `v / 10^places` with exactly `places` decimals (at most 18) to a formula: fen are
/// `places` 2 (yuan), points 4, whole numbers 0.
pub(crate) fn push_fixed(s: &mut String, v: i64, places: usize) {
    Digits::fixed(v, places).push_to(s);
}

impl fmt::Display for Ratio {
    /// An exact decimal when the ratio has one with at most 18 places (`1.122`), else `num/den`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match ratio_digits(*self) {
            Some(d) => f.write_str(d.as_str()),
            None => ratio_text_wide(*self, f),
        }
    }
}

/// [`Ratio`]'s text in general (128-bit parts, denominators without a decimal expansion).
fn ratio_text_wide(r: Ratio, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if r.den == 1 {
        return match i64::try_from(r.num) {
            Ok(v) => f.write_str(decimal(&mut [0u8; 24], v, 0)),
            Err(_) => write!(f, "{}", r.num),
        };
    }
    // A decimal needs a denominator of the form 2^a 5^b; then it has max(a, b) places.
    let den = r.den.unsigned_abs();
    let twos = den.trailing_zeros();
    let mut rest = den >> twos;
    let mut fives = 0;
    while rest.checked_rem(5) == Some(0) {
        rest /= 5;
        fives += 1;
    }
    let places = twos.max(fives);
    if rest != 1 || places > 18 {
        return write!(f, "{}/{}", r.num, r.den);
    }
    let units = 10i128
        .pow(places)
        .checked_div(r.den)
        .and_then(|k| r.num.checked_mul(k));
    match units.map(i64::try_from) {
        Some(Ok(u)) => {
            let mut buf = [0u8; 24];
            let text = decimal(&mut buf, u, places as usize);
            f.write_str(text.trim_end_matches('0'))
        }
        _ => {
            let scale = 10i128.pow(places);
            let units = r.num.unsigned_abs() * (scale / r.den).unsigned_abs();
            let sign = if r.num < 0 { "-" } else { "" };
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

/// A ratio rounded half away from zero to a number of decimals, for display: [`Ratio::approx_text`].
#[derive(Clone, Copy, Debug)]
pub struct Approx {
    pub(super) ratio: Ratio,
    pub(super) places: u32,
}

impl fmt::Display for Approx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match approx_digits(self.ratio, self.places) {
            Some(d) => f.write_str(d.as_str()),
            None => self.fmt_wide(f),
        }
    }
}

impl Approx {
    /// Appends the text to a byte buffer (a CSV row) without going through `core::fmt` in the
    /// common case.
    pub fn push_to_bytes(&self, out: &mut Vec<u8>) {
        match approx_digits(self.ratio, self.places) {
            Some(d) => out.extend_from_slice(d.as_str().as_bytes()),
            None => {
                use std::io::Write as _;
                let _ = write!(out, "{self}");
            }
        }
    }

    /// The text in general (128-bit parts).
    fn fmt_wide(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
    fn approximations_round_half_away_from_zero() {
        let r = Ratio::new(761_818, 2_663_131).unwrap(); // 0.286060...
        assert_eq!(r.approx(4), "0.2861");
        assert_eq!(Ratio::new(-1, 8).unwrap().approx(2), "-0.13");
        assert_eq!(Ratio::new(5, 2).unwrap().approx(0), "3");
        assert_eq!(Ratio::int(2).approx(3), "2.000");
    }

    /// The general code alone, for the comparison with the fast paths.
    struct Wide(Ratio);

    impl fmt::Display for Wide {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            ratio_text_wide(self.0, f)
        }
    }

    struct WideApprox(Approx);

    impl fmt::Display for WideApprox {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.fmt_wide(f)
        }
    }

    #[test]
    fn formula_pushes_write_what_display_writes() {
        let max = i128::from(i64::MAX);
        let nums = [
            0i128,
            1,
            -1,
            7,
            -25,
            1_000,
            518_400,
            -999_999_937,
            1 << 40,
            max / 7,
            max,
            -max,
            i128::from(i64::MIN),
            max + 1,
            -(1 << 90),
        ];
        let dens = [
            1i128,
            2,
            3,
            5,
            8,
            10,
            20,
            10_000,
            1 << 20,
            5i128.pow(20),
            2i128.pow(62),
            5i128.pow(27),
            10i128.pow(19),
            999_999_937,
            max + 2,
        ];
        for &n in &nums {
            for &d in &dens {
                let r = Ratio::new(n, d).unwrap();
                let wide = Wide(r).to_string();
                assert_eq!(r.to_string(), wide, "{n}/{d}");
                let mut s = String::from("x ");
                push_ratio(&mut s, r);
                assert_eq!(s, format!("x {wide}"), "{n}/{d}");
                for places in [0, 1, 2, 4, 9, 18, 25] {
                    let a = r.approx_text(places);
                    let wide = WideApprox(a).to_string();
                    assert_eq!(a.to_string(), wide, "{n}/{d} at {places}");
                    let mut s = String::new();
                    push_approx(&mut s, r, places);
                    assert_eq!(s, wide, "{n}/{d} at {places}");
                    let mut b = b"x,".to_vec();
                    a.push_to_bytes(&mut b);
                    assert_eq!(b, format!("x,{wide}").into_bytes(), "{n}/{d} at {places}");
                }
            }
        }
        for v in [
            0,
            1,
            -1,
            5,
            -5,
            10_000,
            123_456,
            -123_456,
            i64::MAX,
            i64::MIN,
        ] {
            for places in [0, 2, 4, 18] {
                let mut s = String::new();
                push_fixed(&mut s, v, places);
                assert_eq!(s, decimal(&mut [0u8; 24], v, places), "{v} {places}");
            }
        }
        let mut s = String::new();
        push_fixed(&mut s, 12_345, 4);
        push_fixed(&mut s, -1205, 2);
        assert_eq!(s, "1.2345-12.05");
    }
}
