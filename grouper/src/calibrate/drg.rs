//! DRG relative weights (权重 RW) from grouped history: per DRG, the weighted mean cost over the
//! weighted mean cost of all cases, with the year weights and trimming of [`crate::calibrate`].
//!
//! ```
//! use grouper::calibrate::drg::DrgWeigher;
//! use grouper::calibrate::{Trim, YearWeights};
//!
//! let mut w = DrgWeigher::new(YearWeights::default(), Trim::None);
//! w.add(2, 2024, "ES31", "3000");
//! w.add(3, 2024, "FT35", "1000");
//! w.add(4, 2024, "FT35", "abc"); // rejected, with its reason
//! let (weights, report) = w.finish().unwrap();
//! assert_eq!(weights[0].drg, "ES31");
//! assert_eq!(weights[0].weight, 1.5); // 3000 / 2000
//! assert_eq!(report.rejections.count, 1);
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    average, parse_yuan, round_half_away, CalibrateError, Rejections, Sample, Trim, YearShare,
    YearWeights,
};

/// The weight of one DRG.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DrgWeight {
    /// DRG code.
    pub drg: String,
    /// Cases (all years, before trimming).
    pub cases: u64,
    /// Weighted mean cost of the kept cases, yuan, rounded to the fen.
    pub mean_cost: f64,
    /// Group mean / all-case mean, rounded half away from zero to 4 decimals.
    pub weight: f64,
}

/// What a weights run read, used and computed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DrgWeightsReport {
    /// Rows handed to the weigher (used + rejected + skipped).
    pub rows_read: u64,
    /// Rows used.
    pub cases_used: u64,
    /// Rows skipped because their grouping status was not `SUCCESS`.
    pub skipped_not_grouped: u64,
    /// Rows rejected, with reasons.
    pub rejections: Rejections,
    /// Years with their case counts and weights.
    pub years: Vec<YearShare>,
    /// Number of DRGs.
    pub drgs: usize,
    /// Weighted mean cost of all kept cases, yuan (rounded to the fen).
    pub overall_mean_cost: f64,
    /// The trimming applied.
    pub trim: Trim,
    /// Cases dropped by trimming.
    pub trimmed: u64,
    /// DRGs where trimming would have dropped every case, so none was dropped.
    pub untrimmed_groups: u64,
}

/// Collects grouped cases, then computes the weights ([`DrgWeigher::finish`]).
#[derive(Debug)]
pub struct DrgWeigher {
    years: YearWeights,
    trim: Trim,
    index: BTreeMap<String, usize>,
    samples: Vec<Vec<Sample>>,
    rows: u64,
    skipped: u64,
    rejections: Rejections,
}

impl DrgWeigher {
    /// A weigher with these year weights and trimming.
    pub fn new(years: YearWeights, trim: Trim) -> DrgWeigher {
        DrgWeigher {
            years,
            trim,
            index: BTreeMap::new(),
            samples: Vec::new(),
            rows: 0,
            skipped: 0,
            rejections: Rejections::default(),
        }
    }

    /// Adds one case: its input line (for messages), year, DRG code and total cost in yuan. A blank
    /// DRG or a cost [`parse_yuan`] refuses rejects the row, with the reason.
    pub fn add(&mut self, line: u64, year: i32, drg: &str, total_cost: &str) {
        self.rows += 1;
        let drg = drg.trim();
        if drg.is_empty() {
            return self.rejections.add(line, "drg: blank".into());
        }
        let fen = match parse_yuan(total_cost) {
            Ok(f) => f,
            Err(e) => return self.rejections.add(line, e),
        };
        let n = self.index.len();
        let i = *self.index.entry(drg.to_string()).or_insert(n);
        if i == self.samples.len() {
            self.samples.push(Vec::new());
        }
        self.samples[i].push(Sample { year, fen });
    }

    /// Counts a row the caller could not read (bad year, wrong number of fields, …).
    pub fn reject(&mut self, line: u64, reason: String) {
        self.rows += 1;
        self.rejections.add(line, reason);
    }

    /// Counts a row left out because it was not grouped (status other than `SUCCESS`).
    pub fn skip_not_grouped(&mut self) {
        self.rows += 1;
        self.skipped += 1;
    }

    /// The weights in DRG code order, and the report. Errors: more years than weights, no usable
    /// case, or an all-case mean of zero.
    pub fn finish(self) -> Result<(Vec<DrgWeight>, DrgWeightsReport), CalibrateError> {
        let counts = super::year_counts(self.samples.iter().flatten().map(|s| &s.year));
        let table = self.years.assign(&counts)?;
        let used: u64 = counts.values().sum();
        if used == 0 {
            return Err(CalibrateError::NoData(format!(
                "no usable case among {} rows ({} rejected, {} not grouped)",
                self.rows, self.rejections.count, self.skipped
            )));
        }
        let avg = average(&self.samples, &table, self.trim);
        if avg.overall_mean_fen <= 0.0 {
            return Err(CalibrateError::NoData(
                "the mean cost of all cases is zero; weights are undefined".into(),
            ));
        }
        let weights = self
            .index
            .iter()
            .map(|(drg, &i)| {
                let g = &avg.groups[i];
                DrgWeight {
                    drg: drg.clone(),
                    cases: g.cases,
                    mean_cost: round_half_away(g.mean_fen, 0) / 100.0,
                    weight: round_half_away(g.mean_fen / avg.overall_mean_fen, 4),
                }
            })
            .collect();
        let report = DrgWeightsReport {
            rows_read: self.rows,
            cases_used: used,
            skipped_not_grouped: self.skipped,
            rejections: self.rejections,
            years: table.years,
            drgs: self.index.len(),
            overall_mean_cost: round_half_away(avg.overall_mean_fen, 0) / 100.0,
            trim: self.trim,
            trimmed: avg.trimmed,
            untrimmed_groups: avg.untrimmed_groups,
        };
        Ok((weights, report))
    }
}
