//! Exact comparisons and the number formats of evidence text. Thresholds are compared as exact
//! ratios, never floats, so a stay exactly at a threshold is decided the same way on every machine;
//! a comparison too large for 128 bits reports `None` and the stay counts as not assessed.

use crate::money::{Fen, Ratio};

/// An amount of fen as a ratio.
pub(super) fn fen(f: Fen) -> Ratio {
    Ratio::int(i128::from(f.0))
}

/// `share × amount` in fen, exactly.
pub(super) fn times(share: Ratio, amount: Fen) -> Option<Ratio> {
    share.checked_mul(fen(amount)).ok()
}

/// `a < b`, exactly.
pub(super) fn less(a: Ratio, b: Ratio) -> Option<bool> {
    let l = a.numer().checked_mul(b.denom())?;
    let r = b.numer().checked_mul(a.denom())?;
    Some(l < r)
}

/// An exact amount of fen as yuan with two decimals (`3000.00`), rounded half away from zero.
pub(super) fn yuan(fen: Ratio) -> String {
    fen.checked_div(Ratio::int(100))
        .map_or_else(|_| fen.to_string(), |y| y.approx(2))
}

/// A share as a percentage with two decimals (`33.33%`).
pub(super) fn percent(share: Ratio) -> String {
    share
        .checked_mul(Ratio::int(100))
        .map_or_else(|_| share.to_string(), |p| format!("{}%", p.approx(2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_compare_exactly() {
        let third: Ratio = "0.3".parse().unwrap();
        let bound = times(third, Fen(1_000_000)).unwrap(); // 3,000.00 yuan
        assert_eq!(less(fen(Fen(299_999)), bound), Some(true));
        assert_eq!(less(fen(Fen(300_000)), bound), Some(false));
        assert_eq!(yuan(bound), "3000.00");
        assert_eq!(percent(Ratio::new(1, 3).unwrap()), "33.33%");
        let huge = Ratio::new(i128::MAX, 3).unwrap();
        assert_eq!(less(huge, Ratio::new(1, i128::MAX - 1).unwrap()), None);
    }
}
