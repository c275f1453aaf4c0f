//! Rounding an exact quotient to an integer (of fen, of points, of any unit), with a named rule.

use super::MoneyError;

/// How an exact amount is rounded to an integer (of fen, or of any unit). In a policy's
/// `[rounding]` table by its snake_case name (`half_away_from_zero`, `half_even`, ...).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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
    if let (Ok(n), Ok(d)) = (i64::try_from(num), i64::try_from(den)) {
        if d > 0 {
            return Ok(i128::from(round_div64(n, d, rounding)));
        }
    }
    round_div_wide(num, den, rounding)
}

/// [`round_div`] on 64 bits, `d` positive: the quotient and remainder of one division.
pub(super) fn round_div64(n: i64, d: i64, rounding: Rounding) -> i64 {
    let (q, r) = (n.div_euclid(d), n.rem_euclid(d));
    // 0 <= r < d, so when r > 0, q < i64::MAX and q + 1 does not overflow.
    q + i64::from(rounds_up(q, r, d, n < 0, rounding))
}

/// `n × s / d` rounded with `rounding` (`s` and `d` positive, `d × s` within 64 bits), where the
/// product `n × s` need not fit: the floor and the remainder from two 64-bit divisions,
/// `n = q1·d + r1` and `r1·s = q2·d + r`, so `n·s = (q1·s + q2)·d + r`. `None` when the quotient
/// does not fit in 64 bits.
pub(super) fn round_mul_div64(n: i64, s: i64, d: i64, rounding: Rounding) -> Option<i64> {
    let (q1, r1) = (n.div_euclid(d), n.rem_euclid(d));
    let y = r1.checked_mul(s)?;
    let (q2, r) = (y / d, y % d);
    let q = q1.checked_mul(s)?.checked_add(q2)?;
    q.checked_add(i64::from(rounds_up(q, r, d, n < 0, rounding)))
}

/// Whether the quotient whose floor is `q` and remainder `r` (`0 <= r < d`) rounds up, its
/// dividend negative or not: the remainder compared with `d - r` (not doubled, which could
/// overflow).
#[inline]
fn rounds_up(q: i64, r: i64, d: i64, negative: bool, rounding: Rounding) -> bool {
    if r == 0 {
        return false;
    }
    let rest = d - r;
    match rounding {
        Rounding::Floor => false,
        Rounding::Ceiling => true,
        Rounding::TowardZero => negative,
        Rounding::HalfAwayFromZero => r > rest || (r == rest && !negative),
        Rounding::HalfEven => r > rest || (r == rest && q % 2 != 0),
    }
}

/// [`round_div`] in 128 bits, any sign of `den`.
fn round_div_wide(num: i128, den: i128, rounding: Rounding) -> Result<i128, MoneyError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn rounding_on_64_bits_agrees_with_128() {
        use Rounding::*;
        let max = i128::from(i64::MAX);
        let mut nums = vec![
            0i128,
            1,
            2,
            3,
            5,
            7,
            10,
            99,
            100,
            101,
            12_345,
            1 << 40,
            max - 1,
            max,
        ];
        nums.extend(nums.clone().into_iter().map(|n| -n));
        nums.push(i128::from(i64::MIN));
        nums.push(max + 1);
        let dens = [
            1i128,
            2,
            3,
            4,
            7,
            10,
            100,
            10_000,
            943_881,
            max - 1,
            max,
            -1,
            -2,
            -7,
            max + 9,
        ];
        for &n in &nums {
            for &d in &dens {
                for rule in [HalfAwayFromZero, HalfEven, TowardZero, Floor, Ceiling] {
                    assert_eq!(
                        round_div(n, d, rule),
                        round_div_wide(n, d, rule),
                        "{n} / {d} {rule:?}"
                    );
                }
            }
        }
        assert!(round_div(1, 0, Floor).is_err());
    }

    /// The two-division rounding of `n × s / d` against one 128-bit division.
    #[test]
    fn a_product_over_a_divisor_rounds_as_one_division() {
        use Rounding::*;
        let max = i64::MAX;
        let mut nums = vec![
            0i64,
            1,
            2,
            7,
            99,
            12_345,
            692_937,
            1 << 40,
            max / 10_000,
            max - 1,
            max,
        ];
        nums.extend(nums.clone().into_iter().map(|n| -n));
        nums.push(i64::MIN);
        for &n in &nums {
            for s in [1i64, 2, 10, 10_000, 1 << 20] {
                for d in [
                    1i64,
                    2,
                    3,
                    7,
                    100,
                    12_500,
                    943_881,
                    58_992_562_500,
                    max / 10_000,
                ] {
                    if d.checked_mul(s).is_none() {
                        continue;
                    }
                    for rule in [HalfAwayFromZero, HalfEven, TowardZero, Floor, Ceiling] {
                        let wide = round_div(i128::from(n) * i128::from(s), i128::from(d), rule)
                            .ok()
                            .and_then(|v| i64::try_from(v).ok());
                        assert_eq!(
                            round_mul_div64(n, s, d, rule),
                            wide,
                            "{n} × {s} / {d} {rule:?}"
                        );
                    }
                }
            }
        }
    }
}
