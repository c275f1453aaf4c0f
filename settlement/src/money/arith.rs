//! The integer kernels of [`Ratio`](super::Ratio): greatest common divisor and exact division,
//! on one machine word when the operands fit in 64 bits.

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
}
