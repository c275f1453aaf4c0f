//! The text of numbers, dates and times as a CSV file would hold them, and the closures for the
//! rare types [`super::text`] reads through a closure.

use std::fmt::Display;
use std::io::Write as _;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date64Type, Decimal256Type, Float16Type, Float32Type, Float64Type, Int16Type, Int8Type,
    Time32MillisecondType, Time32SecondType, Time64MicrosecondType, Time64NanosecondType,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrowPrimitiveType, PrimitiveArray};
use arrow_schema::{DataType, TimeUnit};
use settlement::money::DIGIT_PAIRS;

use super::text::Text;

/// Bytes of the stack buffer numbers and dates are written into: an `i64` decimal with up to 38
/// decimals, its point and its sign fit.
pub(super) const STACK: usize = 64;

/// The text form of the types [`super::text`] reads through a closure, or `None` for a type that has none.
pub(super) fn other(a: &dyn Array) -> Option<Text<'_>> {
    Some(match a.data_type() {
        DataType::Boolean => {
            let a = a.as_boolean();
            Box::new(move |i, out| {
                if a.is_valid(i) {
                    out.extend_from_slice(if a.value(i) { b"true" } else { b"false" });
                }
            })
        }
        DataType::Int8 => small_int(a.as_primitive::<Int8Type>()),
        DataType::Int16 => small_int(a.as_primitive::<Int16Type>()),
        DataType::UInt8 => small_int(a.as_primitive::<UInt8Type>()),
        DataType::UInt16 => small_int(a.as_primitive::<UInt16Type>()),
        DataType::UInt32 => small_int(a.as_primitive::<UInt32Type>()),
        DataType::UInt64 => {
            let a = a.as_primitive::<UInt64Type>();
            Box::new(move |i, out| {
                if a.is_valid(i) {
                    push_u64(out, a.value(i));
                }
            })
        }
        DataType::Float16 => display(a.as_primitive::<Float16Type>()),
        DataType::Float32 => display(a.as_primitive::<Float32Type>()),
        DataType::Float64 => display(a.as_primitive::<Float64Type>()),
        DataType::Decimal256(_, s) => {
            let (a, scale) = (a.as_primitive::<Decimal256Type>(), *s);
            Box::new(move |i, out| {
                if a.is_valid(i) {
                    let start = out.len();
                    let _ = write!(out, "{}", a.value(i));
                    place_point(out, start, scale);
                }
            })
        }
        DataType::Date64 => {
            let a = a.as_primitive::<Date64Type>();
            Box::new(move |i, out| {
                if a.is_valid(i) {
                    push_date(out, a.value(i).div_euclid(86_400_000));
                }
            })
        }
        DataType::Timestamp(unit, _) => match unit {
            TimeUnit::Second => clock(a.as_primitive::<TimestampSecondType>(), 1, true),
            TimeUnit::Millisecond => {
                clock(a.as_primitive::<TimestampMillisecondType>(), 1_000, true)
            }
            TimeUnit::Microsecond => clock(
                a.as_primitive::<TimestampMicrosecondType>(),
                1_000_000,
                true,
            ),
            TimeUnit::Nanosecond => clock(
                a.as_primitive::<TimestampNanosecondType>(),
                1_000_000_000,
                true,
            ),
        },
        DataType::Time32(TimeUnit::Second) => clock(a.as_primitive::<Time32SecondType>(), 1, false),
        DataType::Time32(TimeUnit::Millisecond) => {
            clock(a.as_primitive::<Time32MillisecondType>(), 1_000, false)
        }
        DataType::Time64(TimeUnit::Microsecond) => {
            clock(a.as_primitive::<Time64MicrosecondType>(), 1_000_000, false)
        }
        DataType::Time64(TimeUnit::Nanosecond) => clock(
            a.as_primitive::<Time64NanosecondType>(),
            1_000_000_000,
            false,
        ),
        _ => return None,
    })
}

/// An integer column that fits in `i64`, through a closure (the rare widths).
fn small_int<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>) -> Text<'_>
where
    T::Native: Into<i64>,
{
    Box::new(move |i, out| {
        if a.is_valid(i) {
            let mut stack = [0u8; STACK];
            out.extend_from_slice(int(&mut stack, a.value(i).into()));
        }
    })
}

/// Writes the decimal digits of `v` so that they end at `buf[end]` (excluded); returns where they
/// start.
#[inline(always)]
fn digits(buf: &mut [u8; STACK], end: usize, v: u64) -> usize {
    settlement::money::digits_at(buf, end, v)
}

/// The text of an integer: its digits, `-` first for a negative.
#[inline(always)]
pub(super) fn int(buf: &mut [u8; STACK], v: i64) -> &[u8] {
    let mut at = digits(buf, STACK, v.unsigned_abs());
    if v < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    &buf[at..]
}

/// Appends the decimal digits of `v` (faster than `Display`, which pads and aligns).
fn push_u64(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; STACK];
    let at = digits(&mut buf, STACK, v);
    out.extend_from_slice(&buf[at..]);
}

/// The text of a decimal of unscaled value `v` and scale `scale`, exactly: in `buf` when `v` fits
/// in `i64` and the scale is 0 to 38, else in `scratch` (the integer with the point put back).
pub(super) fn decimal<'s>(
    v: i128,
    scale: i8,
    buf: &'s mut [u8; STACK],
    scratch: &'s mut Vec<u8>,
) -> &'s [u8] {
    let (Ok(small), Ok(s @ 0..=38)) = (i64::try_from(v), u32::try_from(scale)) else {
        scratch.clear();
        let _ = write!(scratch, "{v}");
        place_point(scratch, 0, scale);
        return scratch;
    };
    if s == 0 {
        return int(buf, small);
    }
    if s == 2 {
        return cents(buf, small);
    }
    let u = small.unsigned_abs();
    // Beyond 10^19 (no u64), every digit is a decimal.
    let (whole, frac) = match 10u64.checked_pow(s) {
        Some(p) => (u / p, u % p),
        None => (0, u),
    };
    let point = STACK - s as usize - 1;
    let mut at = digits(buf, STACK, frac);
    while at > point + 1 {
        at -= 1;
        buf[at] = b'0';
    }
    buf[point] = b'.';
    at = digits(buf, point, whole);
    if small < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    &buf[at..]
}

/// The text of a decimal of scale 2 (money), with constant divisors.
#[inline(always)]
pub(super) fn cents(buf: &mut [u8; STACK], v: i64) -> &[u8] {
    let u = v.unsigned_abs();
    let r = (u % 100) as usize * 2;
    buf[STACK - 3] = b'.';
    buf[STACK - 2..].copy_from_slice(&DIGIT_PAIRS[r..r + 2]);
    let mut at = digits(buf, STACK - 3, u / 100);
    if v < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    &buf[at..]
}

/// A float column printed with `Display`: the shortest text that reads back to the same value.
fn display<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>) -> Text<'_>
where
    T::Native: Display,
{
    Box::new(move |i, out| {
        if a.is_valid(i) {
            let _ = write!(out, "{}", a.value(i));
        }
    })
}

/// Puts the decimal point into the unscaled integer written at `out[start..]`.
fn place_point(out: &mut Vec<u8>, start: usize, scale: i8) {
    let digits = start + usize::from(out.get(start) == Some(&b'-'));
    if scale < 0 {
        if out[digits..] != *b"0" {
            out.extend(std::iter::repeat_n(b'0', usize::from(scale.unsigned_abs())));
        }
        return;
    }
    let scale = usize::from(scale.unsigned_abs());
    if scale == 0 {
        return;
    }
    let len = out.len() - digits;
    if len <= scale {
        let pad = scale + 1 - len;
        out.splice(digits..digits, std::iter::repeat_n(b'0', pad));
    }
    let at = out.len() - scale;
    out.insert(at, b'.');
}

/// A timestamp (`with_date`) or time-of-day column counted in `1 / per_second` seconds.
fn clock<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>, per_second: i64, with_date: bool) -> Text<'_>
where
    T::Native: Into<i64>,
{
    Box::new(move |i, out| {
        if !a.is_valid(i) {
            return;
        }
        let v: i64 = a.value(i).into();
        let (secs, frac) = (v.div_euclid(per_second), v.rem_euclid(per_second));
        let (days, of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        if with_date {
            push_date(out, days);
            if of_day == 0 && frac == 0 {
                return;
            }
            out.push(b' ');
        }
        let _ = write!(
            out,
            "{:02}:{:02}:{:02}",
            of_day / 3600,
            of_day / 60 % 60,
            of_day % 60
        );
        if frac != 0 {
            let width = per_second.ilog10() as usize;
            let start = out.len();
            let _ = write!(out, ".{frac:0width$}");
            while out.len() > start + 2 && out.last() == Some(&b'0') {
                out.pop();
            }
        }
    })
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01) in the years 0 to 9999, else `None`.
#[inline]
pub(super) fn date(days: i64) -> Option<[u8; 10]> {
    let (y, m, d) = civil_0_to_9999(days)?;
    let digit = |v: i64| b'0' + v as u8;
    Some([
        digit(y / 1000),
        digit(y / 100 % 10),
        digit(y / 10 % 10),
        digit(y % 10),
        b'-',
        digit(m / 10),
        digit(m % 10),
        b'-',
        digit(d / 10),
        digit(d % 10),
    ])
}

/// Days from 1970-01-01 back to 0000-03-01, the start of the count [`civil_0_to_9999`] works in.
const MARCH_0: i64 = 719_468;

/// `(year, month, day)` of a day number in the years 0 to 9999, else `None`: the same answer as
/// [`grouper::date::civil_from_days`], with multiplications and shifts for divisions (C. Neri and
/// L. Schneider, "Euclidean affine functions and their application to calendar algorithms",
/// 2022), as each row of a date column needs one.
#[inline]
fn civil_0_to_9999(days: i64) -> Option<(i64, i64, i64)> {
    // Days since 0000-03-01; the years 0 to 9999 end on 9999-12-31.
    let n = u32::try_from(days + MARCH_0)
        .ok()
        .filter(|&n| n <= 3_652_364)?;
    let n1 = 4 * n + 3;
    let (century, of_century) = (n1 / 146_097, n1 % 146_097 / 4);
    let n2 = u64::from(4 * of_century + 3) * 2_939_745;
    let (of_century_year, of_year) = ((n2 >> 32) as u32, (n2 as u32) / 2_939_745 / 4);
    let n3 = 2_141 * of_year + 197_913;
    let (m, d) = (n3 >> 16, (n3 & 0xffff) / 2_141 + 1);
    // Years here start on 1 March: January and February belong to the next year.
    let jan_feb = u32::from(of_year >= 306);
    let y = 100 * century + of_century_year + jan_feb;
    let m = if jan_feb == 1 { m - 12 } else { m };
    Some((i64::from(y), i64::from(m), i64::from(d)))
}

/// Appends `YYYY-MM-DD` of a day number (days since 1970-01-01); a year beyond 0 to 9999 has its
/// sign or more digits.
pub(super) fn push_date(out: &mut Vec<u8>, days: i64) {
    match date(days) {
        Some(d) => out.extend_from_slice(&d),
        None => {
            let (y, m, d) = grouper::date::civil_from_days(days);
            let _ = write!(out, "{y:04}-{m:02}-{d:02}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_points_with_any_scale() {
        let put = |digits: &str, scale: i8| {
            let mut out = b"x".to_vec();
            out.extend_from_slice(digits.as_bytes());
            place_point(&mut out, 1, scale);
            String::from_utf8(out[1..].to_vec()).unwrap()
        };
        assert_eq!(put("5", 3), "0.005");
        assert_eq!(put("-12345", 2), "-123.45");
        assert_eq!(put("12", 0), "12");
        assert_eq!(put("12", -2), "1200");
        assert_eq!(put("0", -2), "0");
    }

    /// The text of a decimal as the integer with the point put back.
    fn slow(v: i128, scale: i8) -> String {
        let mut out = v.to_string().into_bytes();
        place_point(&mut out, 0, scale);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn decimals_and_integers_read_as_the_slow_way_writes_them() {
        let mut values = vec![
            0i128, 1, -1, 9, 10, 99, 100, 101, 12_345, -5, -1234, 1_000_000,
        ];
        values.extend([i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1].map(i128::from));
        values.extend([
            i128::from(i64::MAX) + 1,
            i128::MIN,
            i128::MAX,
            -(1i128 << 70),
        ]);
        for p in 0..19 {
            let p = 10i128.pow(p);
            values.extend([p - 1, p, p + 1, -p, 7 * p + 3]);
        }
        let (mut buf, mut scratch) = ([0u8; STACK], Vec::new());
        for &v in &values {
            for scale in [-3i8, -1, 0, 1, 2, 3, 9, 18, 19, 20, 30, 38, 39, 60] {
                let got = decimal(v, scale, &mut buf, &mut scratch).to_vec();
                assert_eq!(
                    String::from_utf8(got).unwrap(),
                    slow(v, scale),
                    "{v} {scale}"
                );
            }
            if let Ok(v) = i64::try_from(v) {
                assert_eq!(int(&mut buf, v), v.to_string().as_bytes());
            }
        }
        let mut out = Vec::new();
        push_u64(&mut out, u64::MAX);
        assert_eq!(out, u64::MAX.to_string().as_bytes());
    }

    #[test]
    fn dates_in_and_beyond_four_digit_years() {
        let text = |days: i64| {
            let mut out = Vec::new();
            push_date(&mut out, days);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(text(0), "1970-01-01");
        assert_eq!(text(20_089), "2025-01-01");
        assert_eq!(text(-719_528), "0000-01-01");
        assert_eq!(text(-719_529), "-001-12-31");
        assert_eq!(
            text(grouper::date::days_from_civil(10_000, 1, 1)),
            "10000-01-01"
        );
        assert_eq!(date(-1), Some(*b"1969-12-31"));
    }

    #[test]
    fn the_fast_calendar_agrees_with_the_grouper_s_on_every_day_of_years_0_to_9999() {
        let first = grouper::date::days_from_civil(0, 3, 1);
        let last = grouper::date::days_from_civil(9999, 12, 31);
        assert_eq!(civil_0_to_9999(first - 1), None);
        assert_eq!(civil_0_to_9999(last + 1), None);
        for days in first..=last {
            assert_eq!(
                civil_0_to_9999(days),
                Some(grouper::date::civil_from_days(days)),
                "{days}"
            );
        }
        // Before 1 March of year 0 the slow path answers, with the same text.
        let mut out = Vec::new();
        push_date(&mut out, first - 1);
        assert_eq!(out, b"0000-02-29");
    }
}
