//! Calibration from history: the statistics shared by DIP scores ([`crate::dip::calibrate`]) and
//! DRG relative weights ([`drg`]).
//!
//! - Money: [`parse_yuan`] reads a cost in yuan into integer fen (`i64`), exactly.
//! - [`YearWeights`]: up to three years weighted (default 1:2:7, oldest to newest); every case of a
//!   year carries its year's normalised weight ([`YearTable`]).
//! - [`Trim`]: outliers dropped per group before averaging (none, IQR fences, percentile band), with
//!   quantiles by linear interpolation between order statistics ([`quantile`], numpy's default).
//! - [`average`]: per-group and all-case weighted means from exact per-year integer sums.
//! - [`Rejections`]: every input row that is not used is counted with its reason.
//!
//! Rounding: [`round_half_away`] (half away from zero) is the only rounding rule; scores and weights
//! are rounded to 4 decimals, mean costs to the fen (2 decimals of a yuan).

pub mod drg;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// Calibration could not produce a result; the message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// A parameter is out of range.
    #[error("parameter {name}: {problem}")]
    Parameter {
        /// The parameter (as the command line spells it).
        name: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// More distinct years than year weights.
    #[error("the history holds {} years ({}) but only {weights} year weights are given; keep at most {weights} years or give more weights", years.len(), years.iter().map(i32::to_string).collect::<Vec<_>>().join(", "))]
    TooManyYears {
        /// The years present, oldest first.
        years: Vec<i32>,
        /// The number of weights.
        weights: usize,
    },
    /// Nothing usable to average.
    #[error("{0}")]
    NoData(String),
}

/// Rounds half away from zero to `decimals` places (applied to the binary `f64` value).
pub fn round_half_away(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// Reads a cost in yuan (`1234`, `1234.5`, `1234.56`, surrounding blanks ignored, an optional `+`)
/// into fen. Digits beyond the fen are rounded half away from zero, exactly (`0.005` -> 1 fen).
/// Negative amounts, anything but plain decimal digits (exponents, thousands separators, `NaN`)
/// and amounts beyond `i64` fen are errors, with the reason.
pub fn parse_yuan(s: &str) -> Result<i64, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("total_cost: missing".into());
    }
    let (neg, body) = match t.as_bytes()[0] {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return Err(format!("total_cost: {t:?} is not a number of yuan"));
    }
    let too_large = || format!("total_cost: {t:?} is too large");
    let mut fen: i64 = 0;
    for b in int.bytes() {
        fen = fen
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or_else(too_large)?;
    }
    let f = frac.as_bytes();
    let d = |i: usize| f.get(i).map_or(0, |b| i64::from(b - b'0'));
    fen = fen
        .checked_mul(100)
        .and_then(|v| v.checked_add(d(0) * 10 + d(1)))
        .and_then(|v| v.checked_add(i64::from(d(2) >= 5)))
        .ok_or_else(too_large)?;
    if neg && fen != 0 {
        return Err(format!("total_cost: {t} is negative"));
    }
    Ok(fen)
}

/// Year weights, oldest to newest (default `1:2:7`). With fewer years present than weights, the
/// last weights are used (two years with `1:2:7` -> `2:7`); more years than weights is an error.
#[derive(Clone, Debug, PartialEq)]
pub struct YearWeights(Vec<f64>);

impl Default for YearWeights {
    fn default() -> Self {
        YearWeights(vec![1.0, 2.0, 7.0])
    }
}

impl YearWeights {
    /// Weights oldest to newest; each must be a positive finite number, and at least one given.
    pub fn new(weights: Vec<f64>) -> Result<YearWeights, CalibrateError> {
        if weights.is_empty() || weights.iter().any(|w| !w.is_finite() || *w <= 0.0) {
            return Err(CalibrateError::Parameter {
                name: "--year-weights",
                problem: format!(
                    "{weights:?}: give one or more positive numbers, oldest year first"
                ),
            });
        }
        Ok(YearWeights(weights))
    }

    /// The weights, oldest to newest.
    pub fn weights(&self) -> &[f64] {
        &self.0
    }

    /// Assigns normalised weights to the years present (with their case counts).
    pub fn assign(&self, counts: &BTreeMap<i32, u64>) -> Result<YearTable, CalibrateError> {
        let n = counts.len();
        if n > self.0.len() {
            return Err(CalibrateError::TooManyYears {
                years: counts.keys().copied().collect(),
                weights: self.0.len(),
            });
        }
        let used = &self.0[self.0.len() - n..];
        let total: f64 = used.iter().sum();
        Ok(YearTable {
            years: counts
                .iter()
                .zip(used)
                .map(|((&year, &cases), &w)| YearShare {
                    year,
                    cases,
                    raw_weight: w,
                    weight: w / total,
                })
                .collect(),
        })
    }
}

impl FromStr for YearWeights {
    type Err = CalibrateError;

    /// `1:2:7` (also `1,2,7`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let w: Result<Vec<f64>, _> = s.split([':', ',']).map(|x| x.trim().parse()).collect();
        match w {
            Ok(w) => YearWeights::new(w),
            Err(_) => Err(CalibrateError::Parameter {
                name: "--year-weights",
                problem: format!("{s:?}: expected numbers separated by ':', e.g. 1:2:7"),
            }),
        }
    }
}

impl fmt::Display for YearWeights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(f64::to_string).collect();
        f.write_str(&parts.join(":"))
    }
}

/// One year of the history: its case count and weight.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct YearShare {
    /// The year.
    pub year: i32,
    /// Cases used from that year (before trimming).
    pub cases: u64,
    /// The weight as given (`7` of `1:2:7`).
    pub raw_weight: f64,
    /// The normalised weight every case of the year carries (weights of the years present sum to 1).
    pub weight: f64,
}

/// The years present with their normalised weights, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct YearTable {
    /// The years, oldest first.
    pub years: Vec<YearShare>,
}

impl YearTable {
    fn index(&self, year: i32) -> usize {
        self.years
            .binary_search_by_key(&year, |y| y.year)
            .expect("years of the cases are in the table")
    }
}

/// Outlier trimming within a group, before averaging. Bounds are inclusive: a case exactly on a
/// fence or percentile is kept.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Trim {
    /// Keep every case.
    #[default]
    None,
    /// Keep costs within `[Q1 - 1.5 IQR, Q3 + 1.5 IQR]`, IQR = Q3 - Q1.
    Iqr,
    /// Keep costs within `[P_lo, P_hi]` (percentiles, 0 <= lo < hi <= 100).
    Percentile {
        /// The lower percentile.
        lo: f64,
        /// The upper percentile.
        hi: f64,
    },
}

impl FromStr for Trim {
    type Err = CalibrateError;

    /// `none`, `iqr`, `pLO-HI` or `LO-HI` (`p5-95`, `2.5-97.5`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        let bad = || CalibrateError::Parameter {
            name: "--trim",
            problem: format!(
                "{s:?}: expected none, iqr or pLO-HI with 0 <= LO < HI <= 100 (e.g. p5-95)"
            ),
        };
        match t.as_str() {
            "none" => Ok(Trim::None),
            "iqr" => Ok(Trim::Iqr),
            _ => {
                let (lo, hi) = t.trim_start_matches('p').split_once('-').ok_or_else(bad)?;
                let lo: f64 = lo.trim().parse().map_err(|_| bad())?;
                let hi: f64 = hi.trim().parse().map_err(|_| bad())?;
                if !((0.0..100.0).contains(&lo) && lo < hi && hi <= 100.0) {
                    return Err(bad());
                }
                Ok(Trim::Percentile { lo, hi })
            }
        }
    }
}

impl fmt::Display for Trim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trim::None => f.write_str("none"),
            Trim::Iqr => f.write_str("iqr"),
            Trim::Percentile { lo, hi } => write!(f, "p{lo}-{hi}"),
        }
    }
}

impl Serialize for Trim {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Trim {
    /// The inclusive bounds of the kept costs for sorted costs (`None` keeps everything).
    pub fn bounds(self, sorted: &[i64]) -> Option<(f64, f64)> {
        match self {
            Trim::None => None,
            Trim::Iqr => {
                let (q1, q3) = (quantile(sorted, 0.25), quantile(sorted, 0.75));
                let iqr = q3 - q1;
                Some((q1 - 1.5 * iqr, q3 + 1.5 * iqr))
            }
            Trim::Percentile { lo, hi } => {
                Some((quantile(sorted, lo / 100.0), quantile(sorted, hi / 100.0)))
            }
        }
    }
}

/// The `p`-quantile (0 <= p <= 1) of sorted values by linear interpolation between order
/// statistics: with `h = (n - 1) p`, `x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])`
/// (numpy's default, Hyndman & Fan type 7). An empty slice gives NaN.
pub fn quantile(sorted: &[i64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let i = (h.floor() as usize).min(n - 1);
    let x = sorted[i] as f64;
    match sorted.get(i + 1) {
        Some(&next) => x + (h - i as f64) * (next as f64 - x),
        None => x,
    }
}

/// One case to average: its year and cost in fen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// The year (a year of the [`YearTable`]).
    pub year: i32,
    /// Total cost, fen.
    pub fen: i64,
}

/// The weighted mean of one group.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupMean {
    /// Cases of the group (all years, before trimming).
    pub cases: u64,
    /// Cases kept after trimming.
    pub kept: u64,
    /// Weighted count of the kept cases (sum of their normalised year weights).
    pub weighted_cases: f64,
    /// Weighted mean cost of the kept cases, fen (unrounded).
    pub mean_fen: f64,
}

/// The result of [`average`].
#[derive(Clone, Debug, PartialEq)]
pub struct Averages {
    /// One mean per group, in the order given.
    pub groups: Vec<GroupMean>,
    /// Weighted mean cost of every kept case, fen (unrounded).
    pub overall_mean_fen: f64,
    /// Weighted count of every kept case.
    pub weighted_cases: f64,
    /// Cases dropped by trimming.
    pub trimmed: u64,
    /// Groups where trimming would have dropped every case, so none was dropped.
    pub untrimmed_groups: u64,
}

/// Weighted means per group and over all cases kept.
///
/// Per group: trim (quantiles over the group's costs, unweighted, all years together), then
/// `mean = Σ_y w_y S_y / Σ_y w_y n_y` where `S_y` (exact, `i128`) and `n_y` are the sum and count of
/// the kept costs of year `y` and `w_y` its normalised weight. The all-case mean is the same over
/// every kept case of every group. A group trimming would empty keeps all its cases.
pub fn average(groups: &[Vec<Sample>], years: &YearTable, trim: Trim) -> Averages {
    let ny = years.years.len();
    let w: Vec<f64> = years.years.iter().map(|y| y.weight).collect();
    let mut all_sum = vec![0i128; ny];
    let mut all_n = vec![0u64; ny];
    let mut out = Averages {
        groups: Vec::with_capacity(groups.len()),
        overall_mean_fen: 0.0,
        weighted_cases: 0.0,
        trimmed: 0,
        untrimmed_groups: 0,
    };
    let mut sorted = Vec::new();
    for g in groups {
        sorted.clear();
        sorted.extend(g.iter().map(|s| s.fen));
        sorted.sort_unstable();
        let mut bounds = trim.bounds(&sorted);
        if let Some((lo, hi)) = bounds {
            if !sorted.iter().any(|&x| lo <= x as f64 && x as f64 <= hi) {
                out.untrimmed_groups += 1;
                bounds = None;
            }
        }
        let mut sum = vec![0i128; ny];
        let mut n = vec![0u64; ny];
        for s in g {
            if bounds.is_some_and(|(lo, hi)| !(lo <= s.fen as f64 && s.fen as f64 <= hi)) {
                out.trimmed += 1;
                continue;
            }
            let y = years.index(s.year);
            sum[y] += i128::from(s.fen);
            n[y] += 1;
        }
        let (num, den) = weighted(&sum, &n, &w);
        for y in 0..ny {
            all_sum[y] += sum[y];
            all_n[y] += n[y];
        }
        out.groups.push(GroupMean {
            cases: g.len() as u64,
            kept: n.iter().sum(),
            weighted_cases: den,
            mean_fen: if den > 0.0 { num / den } else { 0.0 },
        });
    }
    let (num, den) = weighted(&all_sum, &all_n, &w);
    out.weighted_cases = den;
    out.overall_mean_fen = if den > 0.0 { num / den } else { 0.0 };
    out
}

/// `(Σ w_y S_y, Σ w_y n_y)`.
fn weighted(sum: &[i128], n: &[u64], w: &[f64]) -> (f64, f64) {
    let mut num = 0.0;
    let mut den = 0.0;
    for y in 0..w.len() {
        num += w[y] * sum[y] as f64;
        den += w[y] * n[y] as f64;
    }
    (num, den)
}

/// A rejected input row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rejection {
    /// The row's line (or position) in the input.
    pub line: u64,
    /// Why it was rejected.
    pub reason: String,
}

/// Rows not used, counted by reason, with the first examples kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Rejections {
    /// Rows rejected.
    pub count: u64,
    /// Count per kind of reason (the text before the first `:`, e.g. `total_cost`).
    pub by_kind: BTreeMap<String, u64>,
    /// The first [`Rejections::EXAMPLES`] rejections, in input order.
    pub examples: Vec<Rejection>,
}

impl Rejections {
    /// How many examples are kept.
    pub const EXAMPLES: usize = 100;

    /// Counts a rejected row.
    pub fn add(&mut self, line: u64, reason: String) {
        self.count += 1;
        let kind = reason.split(':').next().unwrap_or("").trim().to_string();
        *self.by_kind.entry(kind).or_default() += 1;
        if self.examples.len() < Self::EXAMPLES {
            self.examples.push(Rejection { line, reason });
        }
    }

    /// `total_cost 3, year 1` (empty when none).
    pub fn summary(&self) -> String {
        self.by_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The case counts per year, from which a [`YearTable`] is made.
pub fn year_counts<'a>(years: impl Iterator<Item = &'a i32>) -> BTreeMap<i32, u64> {
    let mut m = BTreeMap::new();
    for &y in years {
        *m.entry(y).or_default() += 1;
    }
    m
}

#[cfg(test)]
mod tests;
