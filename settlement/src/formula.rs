//! Formula text: the numbers of a case's explanation appended to its `String` directly, without the
//! formatting machinery (`core::fmt` costs more than the pricing it explains). Every number is written
//! exactly as its `Display` writes it (`Points` with 4 decimals, `Fen` as yuan with 2, a [`Ratio`] as
//! its exact decimal, an approximation rounded half away from zero); `money::text` tests that.
//!
//! ```ignore
//! formula.text("normal: ").points(base).text(" × ").ratio(coefficient);
//! ```

use crate::money::{push_approx, push_fixed, push_ratio, Fen, Ratio};
use crate::points::Points;

/// Appending text and numbers to a formula, in a chain.
pub(crate) trait FormulaText {
    /// Literal text.
    fn text(&mut self, s: &str) -> &mut Self;
    /// Points, 4 decimals (`51.7600`).
    fn points(&mut self, p: Points) -> &mut Self;
    /// An amount, yuan with 2 decimals (`-12.05`).
    fn fen(&mut self, f: Fen) -> &mut Self;
    /// An exact ratio (`1.05`, `3`, `1/3`).
    fn ratio(&mut self, r: Ratio) -> &mut Self;
    /// A ratio rounded half away from zero to `places` decimals (`0.6557`).
    fn approx(&mut self, r: Ratio, places: u32) -> &mut Self;
    /// A whole number.
    fn int(&mut self, v: i64) -> &mut Self;
}

impl FormulaText for String {
    #[inline]
    fn text(&mut self, s: &str) -> &mut Self {
        self.push_str(s);
        self
    }

    #[inline]
    fn points(&mut self, p: Points) -> &mut Self {
        push_fixed(self, p.0, 4);
        self
    }

    #[inline]
    fn fen(&mut self, f: Fen) -> &mut Self {
        push_fixed(self, f.0, 2);
        self
    }

    #[inline]
    fn ratio(&mut self, r: Ratio) -> &mut Self {
        push_ratio(self, r);
        self
    }

    #[inline]
    fn approx(&mut self, r: Ratio, places: u32) -> &mut Self {
        push_approx(self, r, places);
        self
    }

    #[inline]
    fn int(&mut self, v: i64) -> &mut Self {
        push_fixed(self, v, 0);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chained_text_is_what_format_writes() {
        let (p, f, r) = (Points(517_600), Fen(-1205), Ratio::new(21, 20).unwrap());
        let q = Ratio::new(618_910, 943_881).unwrap();
        let mut s = String::from("DRG ");
        s.text("OB19 ")
            .points(p)
            .text(" × ")
            .ratio(r)
            .text(" (r ")
            .approx(q, 4)
            .text(") ")
            .fen(f)
            .text(" ")
            .int(-42)
            .ratio(Ratio::new(1, 3).unwrap());
        assert_eq!(
            s,
            format!("DRG OB19 {p} × {r} (r {}) {f} -421/3", q.approx_text(4))
        );
    }
}
