//! The integer kernels of [`Ratio`](super::Ratio): greatest common divisor, exact division, and the
//! 64-bit fast paths of its arithmetic.
//!
//! A ratio is kept as `i128 / i128`, but the ratios of a settlement (amounts in fen, weights and
//! coefficients with a few decimals, cost ratios) have parts that fit in 64 bits. When they do,
//! [`reduce64`], [`mul64`], [`add64`] and [`cmp64`] take the same steps as the 128-bit code on one
//! machine word: a product of two `i64` always fits in an `i128`, so no step can overflow and no
//! 128-bit multiplication or division (a library call) is needed. They give exactly the 128-bit
//! results (the tests in `ratio.rs` check them against it on a grid that includes the edges).

/// Greatest common divisor (binary: shifts and subtractions, no 128-bit division).
pub(super) fn gcd(a: i128, b: i128) -> i128 {
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
pub(super) fn gcd64(a: u64, b: u64) -> u64 {
    if a == 0 || b == 0 {
        return a | b;
    }
    if a == 1 || b == 1 {
        // An integer or a unit numerator: the loop would take a step per bit to find 1.
        return 1;
    }
    // Operands far apart (a cost over a small denominator): one division does what a step per
    // bit of the difference would; gcd(a, b) = gcd(a mod b, b).
    let (a, b) = if a >> 8 > b {
        (a % b, b)
    } else if b >> 8 > a {
        (a, b % a)
    } else {
        (a, b)
    };
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
pub(super) fn div_exact(a: i128, b: i128) -> i128 {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(x), Ok(y)) if y != -1 => i128::from(x / y),
        _ => a / b,
    }
}

/// `n / d` reduced with a positive denominator, as 128-bit parts; `d` must not be zero. `None` only
/// when the gcd is 2^63 (both are `i64::MIN`), which does not fit the 64-bit steps.
#[inline]
pub(super) fn reduce64(n: i64, d: i64) -> Option<(i128, i128)> {
    let g = i64::try_from(gcd64(n.unsigned_abs(), d.unsigned_abs()).max(1)).ok()?;
    // g > 0, so neither quotient overflows; the sign moves to the numerator in 128 bits (where
    // negating i64::MIN is fine).
    let (n, d) = (i128::from(n / g), i128::from(d / g));
    Some(if d < 0 { (-n, -d) } else { (n, d) })
}

/// The product of two reduced ratios `an/ad × bn/bd` (denominators positive, numerators not zero)
/// as 128-bit parts, reduced: the cross factors are divided out first, as the 128-bit path does.
/// `None` when a denominator is not positive (not a reduced ratio).
#[inline]
pub(super) fn mul64(an: i64, ad: i64, bn: i64, bd: i64) -> Option<(i128, i128)> {
    let (ad_u, bd_u) = (u64::try_from(ad).ok()?, u64::try_from(bd).ok()?);
    // A gcd divides a positive i64 here, so it fits in one.
    let g1 = i64::try_from(gcd64(an.unsigned_abs(), bd_u)).ok()?.max(1);
    let g2 = i64::try_from(gcd64(bn.unsigned_abs(), ad_u)).ok()?.max(1);
    let num = i128::from(an / g1) * i128::from(bn / g2);
    let den = i128::from(ad / g2) * i128::from(bd / g1);
    Some((num, den))
}

/// The sum `an/ad + bn/bd` of two reduced ratios (denominators positive), reduced, as 128-bit
/// parts. Knuth's way (TAOCP 4.5.1): with `g = gcd(ad, bd)` and `t = an·(bd/g) + bn·(ad/g)`, the
/// sum is `(t/g2) / ((ad/g)·(bd/g2))` for `g2 = gcd(t, g)`, already reduced; so the only gcds are
/// of the denominators and of `t` with `g`, never of the sum's large parts. `None` when a
/// denominator is not positive, or `t` does not fit in 64 bits when `g` > 1 (the 128-bit path then
/// answers).
#[inline]
pub(super) fn add64(an: i64, ad: i64, bn: i64, bd: i64) -> Option<(i128, i128)> {
    let (ad_u, bd_u) = (u64::try_from(ad).ok()?, u64::try_from(bd).ok()?);
    let g = i64::try_from(gcd64(ad_u, bd_u)).ok()?.max(1);
    let (x, y) = (ad / g, bd / g);
    // |an × y|, |bn × x| < 2^126: their sum fits in an i128.
    let t = i128::from(an) * i128::from(y) + i128::from(bn) * i128::from(x);
    if g == 1 {
        return Some((t, i128::from(ad) * i128::from(bd)));
    }
    let t = i64::try_from(t).ok()?;
    // g2 divides g, a positive i64 (t = 0 gives g2 = g, and the sum 0/1: equal reduced ratios
    // that cancel have equal denominators).
    let g2 = i64::try_from(gcd64(t.unsigned_abs(), g.unsigned_abs()))
        .ok()?
        .max(1);
    Some((i128::from(t / g2), i128::from(x) * i128::from(bd / g2)))
}

/// Compares `an/ad` with `bn/bd` (denominators positive) by cross products, exact in 128 bits.
#[inline]
pub(super) fn cmp64(an: i64, ad: i64, bn: i64, bd: i64) -> std::cmp::Ordering {
    (i128::from(an) * i128::from(bd)).cmp(&(i128::from(bn) * i128::from(ad)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Ratio;

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

    /// gcd by Euclid's remainders, the reference for the binary steps.
    fn euclid(mut a: u64, mut b: u64) -> u64 {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    }

    #[test]
    fn gcd64_agrees_with_euclid() {
        let mut values = vec![0u64, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 20, 25, 255, 256, 257];
        values.extend([
            1_000,
            10_000,
            65_536,
            999_999_937,
            618_910,
            943_881,
            3_094_550,
        ]);
        values.extend([
            1 << 32,
            (1 << 32) + 1,
            1 << 40,
            3u64.pow(40),
            1 << 63,
            u64::MAX,
        ]);
        values.extend([u64::MAX - 1, i64::MAX as u64, 600_851_475_143, 5 * 943_881]);
        let products: Vec<u64> = values
            .iter()
            .flat_map(|&a| values.iter().map(move |&b| a.wrapping_mul(b.max(1))))
            .collect();
        values.extend(products);
        for &a in &values {
            for &b in values.iter().step_by(7) {
                assert_eq!(gcd64(a, b), euclid(a, b), "gcd({a}, {b})");
            }
        }
    }
}
