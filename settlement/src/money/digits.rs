//! Decimal digits of whole numbers and fixed-point amounts, written into a stack buffer two at a
//! time, without the formatting machinery's padding (formulas and files print millions of them).

/// `v / 10^places` as decimal text with exactly `places` decimals, written into `buf` (formulas
/// print millions of amounts; this skips the formatting machinery's padding).
pub(crate) fn decimal(buf: &mut [u8; 24], v: i64, places: usize) -> &str {
    std::str::from_utf8(decimal_bytes(buf, v, places)).unwrap_or("?")
}

/// [`decimal`] as bytes (ASCII), for writers that need no `str`.
fn decimal_bytes(buf: &mut [u8; 24], v: i64, places: usize) -> &[u8] {
    let i = decimal_into(buf, v, places);
    &buf[i..]
}

/// Writes [`decimal`]'s text at the end of `buf`; returns where it starts. Two digits at a time;
/// the places amounts, points and ratios are written with (0, 2, 4) have their own code, where
/// 10^places is a constant.
fn decimal_into(buf: &mut [u8; 24], v: i64, places: usize) -> usize {
    match places {
        0 => fixed_into::<0>(buf, v),
        2 => fixed_into::<2>(buf, v),
        4 => fixed_into::<4>(buf, v),
        _ if places > 18 => decimal_by_digit(buf, v, places),
        _ => {
            let a = v.unsigned_abs();
            let scale = POW10[places];
            let mut i = digits_into(buf, buf.len(), a % scale, places);
            i -= 1;
            buf[i] = b'.';
            i = digits_into(buf, i, a / scale, 1);
            sign_into(buf, i, v)
        }
    }
}

/// 10^0 to 10^18.
pub(super) const POW10: [u64; 19] = {
    let mut p = [1u64; 19];
    let mut k = 1;
    while k < 19 {
        p[k] = p[k - 1] * 10;
        k += 1;
    }
    p
};

/// [`decimal_into`] with `P` places (0 to 18), known when compiled: the decimals are exactly `P`
/// digits, written two at a time.
#[inline(always)]
fn fixed_into<const P: usize>(buf: &mut [u8; 24], v: i64) -> usize {
    let a = v.unsigned_abs();
    let mut i = buf.len();
    if P == 0 {
        i = digits_at(buf, i, a);
    } else {
        let scale = POW10[P];
        // `scale + frac` has exactly P + 1 digits, a `1` then the fraction with its leading
        // zeros: the `1` becomes the point.
        i = digits_at(buf, i, scale + a % scale);
        buf[i] = b'.';
        i = digits_at(buf, i, a / scale);
    }
    sign_into(buf, i, v)
}

/// Writes the `-` of a negative `v` before `buf[i]`; returns where the text starts.
#[inline(always)]
fn sign_into(buf: &mut [u8; 24], mut i: usize, v: i64) -> usize {
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    i
}

/// "00" to "99": the two digits of each number below 100, for writers of decimal text.
pub const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes the decimal digits of `v` (two at a time) so that they end just before `buf[end]`;
/// returns where they start. For the number writers here and the Parquet text of
/// `drgdip::io::parquet`.
#[inline(always)]
pub fn digits_at<const N: usize>(buf: &mut [u8; N], end: usize, mut v: u64) -> usize {
    let mut i = end;
    while v >= 100 {
        let r = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[r..r + 2]);
    }
    if v >= 10 {
        let r = v as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[r..r + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + v as u8;
    }
    i
}

/// Writes `a` in decimal, zero-padded to at least `width` digits, ending before `end`; returns
/// where it starts.
fn digits_into(buf: &mut [u8; 24], end: usize, a: u64, width: usize) -> usize {
    let mut i = digits_at(buf, end, a);
    while end - i < width {
        i -= 1;
        buf[i] = b'0';
    }
    i
}

/// [`decimal_into`] a digit at a time: for more than 18 places, and the tests' reference.
fn decimal_by_digit(buf: &mut [u8; 24], v: i64, places: usize) -> usize {
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
    i
}

/// Appends `v / 10^places` as decimal text with exactly `places` decimals (at most 18) to `out`:
/// the row writers' way to print fen (`places` 0) and points (4) without the formatting machinery.
pub fn push_decimal(out: &mut Vec<u8>, v: i64, places: usize) {
    let mut buf = [0u8; 24];
    out.extend_from_slice(decimal_bytes(&mut buf, v, places.min(18)));
}

/// Decimal text in a stack buffer: ASCII digits with at most a `-` and a `.`.
pub(super) struct Digits {
    pub(super) buf: [u8; 24],
    pub(super) start: usize,
    pub(super) end: usize,
}

impl Digits {
    /// `v / 10^places` with exactly `places` decimals (at most 18).
    pub(super) fn fixed(v: i64, places: usize) -> Digits {
        let mut buf = [0u8; 24];
        let start = decimal_into(&mut buf, v, places.min(18));
        Digits {
            buf,
            start,
            end: 24,
        }
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(self.bytes()).unwrap_or("?")
    }

    /// Appends the text to a formula: byte by byte (every byte is ASCII), which is cheaper than
    /// validating a few bytes as UTF-8 and copying them.
    pub(super) fn push_to(&self, s: &mut String) {
        s.reserve(self.end - self.start);
        for &b in self.bytes() {
            s.push(char::from(b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn any_number_is_written_as_digit_by_digit(v in proptest::prelude::any::<i64>(), places in 0usize..=20) {
            let (mut a, mut b) = ([0u8; 24], [0u8; 24]);
            let (i, j) = (decimal_into(&mut a, v, places), decimal_by_digit(&mut b, v, places));
            proptest::prop_assert_eq!(&a[i..], &b[j..], "{} at {}", v, places);
        }
    }

    #[test]
    fn pairs_write_what_single_digits_write() {
        let mut values = vec![
            0i64,
            1,
            -1,
            9,
            10,
            11,
            99,
            100,
            101,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        for k in 1..19 {
            let p = 10i64.pow(k);
            values.extend([p, p - 1, p + 1, -p, -(p - 1), 5 * p / 3, -7 * p / 9]);
        }
        for &v in &values {
            for places in 0..=19 {
                let (mut a, mut b) = ([0u8; 24], [0u8; 24]);
                let (i, j) = (
                    decimal_into(&mut a, v, places),
                    decimal_by_digit(&mut b, v, places),
                );
                assert_eq!(a[i..], b[j..], "{v} at {places}");
            }
        }
    }
}
