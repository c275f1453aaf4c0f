//! Deviation class and settlement score of a DIP case (FORMAT.md §4, 医保办发〔2020〕50号):
//!
//! ```text
//! low     cost <= standard × low   -> coefficient = cost / standard
//! high    cost >= standard × high  -> coefficient = (cost / standard − high) + 1
//! normal  otherwise                 -> 1 (also when the standard cost is 0)
//! settle_score = score × coefficient × hospital factor × auxiliary factor   (left to right)
//! ```
//!
//! Boundaries are tested against the products `standard × low` / `standard × high`, and each can be
//! inclusive or not ([`super::policy::DeviationBands`]). Scores are points (f64); turning points into
//! money with a point value is the settlement crate's work, in fen.

use super::policy::DeviationBands;

/// Deviation class of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deviation {
    /// 费用偏差较低 (超低).
    Low,
    /// Within the bands.
    Normal,
    /// 费用偏差较高 (超高).
    High,
}

impl Deviation {
    /// `low`, `normal`, `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Deviation::Low => "low",
            Deviation::Normal => "normal",
            Deviation::High => "high",
        }
    }
}

/// The deviation class and coefficient of a case of total `cost` against its `standard` cost.
pub fn deviation(b: &DeviationBands, cost: f64, standard: f64) -> (Deviation, f64) {
    if standard == 0.0 {
        return (Deviation::Normal, 1.0);
    }
    let low = standard * b.low;
    let high = standard * b.high;
    let is_low = if b.low_inclusive {
        cost <= low
    } else {
        cost < low
    };
    let is_high = if b.high_inclusive {
        cost >= high
    } else {
        cost > high
    };
    if is_low {
        (Deviation::Low, cost / standard)
    } else if is_high {
        (Deviation::High, cost / standard - b.high + 1.0)
    } else {
        (Deviation::Normal, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_and_boundaries() {
        let b = DeviationBands::default();
        assert_eq!(deviation(&b, 50.0, 100.0), (Deviation::Low, 0.5));
        assert_eq!(deviation(&b, 50.01, 100.0), (Deviation::Normal, 1.0));
        assert_eq!(deviation(&b, 200.0, 100.0), (Deviation::High, 1.0));
        assert_eq!(deviation(&b, 300.0, 100.0), (Deviation::High, 2.0));
        assert_eq!(deviation(&b, 5.0, 0.0), (Deviation::Normal, 1.0));
        let strict = DeviationBands {
            low_inclusive: false,
            high_inclusive: false,
            ..b
        };
        assert_eq!(deviation(&strict, 50.0, 100.0).0, Deviation::Normal);
        assert_eq!(deviation(&strict, 200.0, 100.0).0, Deviation::Normal);
    }
}
