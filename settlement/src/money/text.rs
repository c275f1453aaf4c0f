//! Decimal text of amounts, points and ratios, written without the formatting machinery's padding
//! (formulas print millions of numbers).

use std::fmt;

use super::{round_div, Ratio, Rounding};

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
    pub(super) ratio: Ratio,
    pub(super) places: u32,
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
}
