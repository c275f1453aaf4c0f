//! Building a DIP catalog from history (病种组合与分值测算): cases of up to three years, weighted
//! 1:2:7, become core groups (亚目 key × procedure combination with enough cases) and comprehensive
//! groups (the rest, folded by the first three characters of the principal × treatment type), each
//! scored `weighted group mean / weighted all-case mean × K`.
//!
//! The statistics (money, year weights, trimming, means) are [`crate::calibrate`]'s, shared with the
//! DRG weights. docs/DIP.md ("Calibration") states every formula.
//!
//! ```
//! use grouper::dip::calibrate::{DipCalibration, DipCalibrator, HistoryRecord};
//! use grouper::Codes;
//!
//! let params = DipCalibration { min_cases: 2, ..DipCalibration::default() };
//! let mut cal = DipCalibrator::new(params, None).unwrap();
//! for (line, cost) in [(2, "100"), (3, "300")] {
//!     let r = HistoryRecord { year: 2024, principal: "K80.100", procedures: Codes::Joined(""), total_cost: cost };
//!     cal.add(line, &r);
//! }
//! cal.add(4, &HistoryRecord { year: 2024, principal: "J18.900", procedures: Codes::Joined(""), total_cost: "600" });
//! let (catalog, report) = cal.finish().unwrap();
//! assert_eq!(catalog.groups[0].code, "K80.1-1"); // core: K80.1, conservative
//! assert_eq!(catalog.groups[0].score, 60.0); // 200 / (1000 / 3) × 100
//! assert_eq!(catalog.groups[1].code, "J18-Z0"); // comprehensive: J18, 保守治疗
//! assert_eq!(report.core_coverage, 2.0 / 3.0);
//! ```

use std::collections::BTreeMap;

use ahash::{AHashMap, AHashSet};
use serde::Serialize;

use super::catalog::{DipCatalog, DipGroup, GroupKind, TreatmentType, DIP_FORMAT};
use crate::calibrate::{
    average, parse_yuan, round_half_away, year_counts, CalibrateError, Rejections, Sample, Trim,
    YearShare, YearWeights,
};
use crate::codes::Codes;

/// The share of cases core groups should cover (national guideline: 85% or more).
pub const CORE_COVERAGE_GUIDELINE: f64 = 0.85;

/// Parameters of a calibration run.
#[derive(Clone, Debug, PartialEq)]
pub struct DipCalibration {
    /// A combination with at least this many cases (all years, before trimming) is a core group.
    pub min_cases: u64,
    /// Score scale: `score = group mean / all-case mean × k` (100 or 1000 in practice).
    pub k: f64,
    /// Year weights, oldest to newest.
    pub year_weights: YearWeights,
    /// Outlier trimming within each group.
    pub trim: Trim,
    /// The catalog's name.
    pub name: String,
    /// Where the history came from (a file name), for the catalog's provenance.
    pub source: String,
}

impl Default for DipCalibration {
    /// 15 cases, K = 100, 1:2:7, no trimming.
    fn default() -> Self {
        DipCalibration {
            min_cases: 15,
            k: 100.0,
            year_weights: YearWeights::default(),
            trim: Trim::None,
            name: "calibrated DIP catalog".into(),
            source: String::new(),
        }
    }
}

/// One historical case (borrowed).
#[derive(Clone, Copy, Debug)]
pub struct HistoryRecord<'a> {
    /// The year of discharge.
    pub year: i32,
    /// The principal diagnosis (ICD-10 医保版).
    pub principal: &'a str,
    /// The procedures (any order; duplicates ignored).
    pub procedures: Codes<'a>,
    /// Total cost in yuan, as written (see [`parse_yuan`]).
    pub total_cost: &'a str,
}

/// What a calibration run read, built and computed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DipCalibrationReport {
    /// Rows handed to the calibrator (used + rejected).
    pub rows_read: u64,
    /// Cases used.
    pub cases_used: u64,
    /// Rows rejected, with reasons.
    pub rejections: Rejections,
    /// Years with their case counts and weights.
    pub years: Vec<YearShare>,
    /// The core threshold.
    pub min_cases: u64,
    /// The score scale K.
    pub k: f64,
    /// The trimming applied.
    pub trim: Trim,
    /// Procedures in the dictionary (0 without one).
    pub dictionary_procedures: usize,
    /// Excluded procedures from the dictionary catalog.
    pub excluded_procedures: usize,
    /// Core groups built.
    pub core_groups: usize,
    /// Comprehensive groups built.
    pub comprehensive_groups: usize,
    /// Cases in core groups (all years, before trimming).
    pub core_cases: u64,
    /// `core_cases / cases_used`.
    pub core_coverage: f64,
    /// Whether `core_coverage` reaches [`CORE_COVERAGE_GUIDELINE`].
    pub meets_coverage_guideline: bool,
    /// Weighted mean cost of all kept cases, yuan (rounded to the fen).
    pub overall_mean_cost: f64,
    /// Cases dropped by trimming.
    pub trimmed: u64,
    /// Groups where trimming would have dropped every case, so none was dropped.
    pub untrimmed_groups: u64,
}

/// A case as stored: year, cost and treatment type.
#[derive(Clone, Copy, Debug)]
struct Case {
    sample: Sample,
    treatment: TreatmentType,
}

/// Collects history ([`DipCalibrator::add`]), then builds the catalog ([`DipCalibrator::finish`]).
#[derive(Debug)]
pub struct DipCalibrator {
    params: DipCalibration,
    dictionary: Option<DipCatalog>,
    types: AHashMap<String, TreatmentType>,
    excluded: AHashSet<String>,
    /// (亚目 key, procedure expression `a+b`, empty = conservative) -> cases.
    combos: BTreeMap<(String, String), Vec<Case>>,
    rows: u64,
    rejections: Rejections,
}

/// The first `n` characters.
fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

impl DipCalibrator {
    /// A calibrator. `dictionary`: a catalog whose `procedures` give each procedure's treatment type
    /// and whose `excluded_procedures` are dropped from every case; both are copied into the built
    /// catalog. Without one every procedure is unknown, so every case is 保守治疗 for folding.
    pub fn new(
        params: DipCalibration,
        dictionary: Option<&DipCatalog>,
    ) -> Result<DipCalibrator, CalibrateError> {
        if params.min_cases == 0 {
            return Err(CalibrateError::Parameter {
                name: "--min-cases",
                problem: "must be at least 1".into(),
            });
        }
        if !params.k.is_finite() || params.k <= 0.0 {
            return Err(CalibrateError::Parameter {
                name: "--k",
                problem: format!("{}: must be a positive number (100 or 1000)", params.k),
            });
        }
        let types = dictionary.map_or_else(AHashMap::new, |d| {
            d.procedures
                .iter()
                .map(|p| (p.code.clone(), p.treatment_type))
                .collect()
        });
        let excluded = dictionary.map_or_else(AHashSet::new, |d| {
            d.excluded_procedures.iter().cloned().collect()
        });
        Ok(DipCalibrator {
            params,
            dictionary: dictionary.cloned(),
            types,
            excluded,
            combos: BTreeMap::new(),
            rows: 0,
            rejections: Rejections::default(),
        })
    }

    /// Counts a row the caller could not read (bad year, wrong number of fields, …).
    pub fn reject(&mut self, line: u64, reason: String) {
        self.rows += 1;
        self.rejections.add(line, reason);
    }

    /// Adds one case, or rejects it with the reason: a principal that is not an ICD-10 code (a
    /// letter, upper-cased if needed, and two digits), a procedure code containing `+` or `/` (they
    /// would change the catalog's expressions), or a cost [`parse_yuan`] refuses.
    pub fn add(&mut self, line: u64, r: &HistoryRecord<'_>) {
        self.rows += 1;
        let p = r.principal.trim();
        let mut principal = String::with_capacity(p.len());
        let mut chars = p.chars();
        principal.extend(chars.next().map(|c| c.to_ascii_uppercase()));
        principal.extend(chars);
        let b = principal.as_bytes();
        if !(b.len() >= 3
            && b[0].is_ascii_uppercase()
            && b[1].is_ascii_digit()
            && b[2].is_ascii_digit())
        {
            return self.rejections.add(
                line,
                format!(
                    "diagnoses: principal {p:?} is not an ICD-10 code (a letter and two digits)"
                ),
            );
        }
        let fen = match parse_yuan(r.total_cost) {
            Ok(f) => f,
            Err(e) => return self.rejections.add(line, e),
        };
        let mut procs: Vec<&str> = Vec::new();
        for c in r.procedures.iter_proc().map(str::trim) {
            if c.contains(['+', '/']) {
                return self.rejections.add(
                    line,
                    format!("procedures: code {c:?} contains '+' or '/', which catalog expressions reserve"),
                );
            }
            if !c.is_empty() && !self.excluded.contains(c) {
                procs.push(c);
            }
        }
        procs.sort_unstable();
        procs.dedup();
        let treatment = procs
            .iter()
            .filter_map(|c| self.types.get(*c))
            .max_by_key(|t| t.rank())
            .map_or(TreatmentType::Conservative, |t| t.reported());
        let key = (prefix(&principal, 5).to_string(), procs.join("+"));
        self.combos.entry(key).or_default().push(Case {
            sample: Sample { year: r.year, fen },
            treatment,
        });
    }

    /// Builds the catalog and the report. Errors: more years than weights, no usable case, or an
    /// all-case mean of zero.
    pub fn finish(self) -> Result<(DipCatalog, DipCalibrationReport), CalibrateError> {
        let p = &self.params;
        let counts = year_counts(self.combos.values().flatten().map(|c| &c.sample.year));
        let table = p.year_weights.assign(&counts)?;
        let used: u64 = counts.values().sum();
        if used == 0 {
            return Err(CalibrateError::NoData(format!(
                "no usable case among {} rows ({} rejected)",
                self.rows, self.rejections.count
            )));
        }

        // Groups, before trimming: core combinations, then the rest by (3 characters, type).
        let mut groups: Vec<DipGroup> = Vec::new();
        let mut samples: Vec<Vec<Sample>> = Vec::new();
        let mut folded: BTreeMap<(String, TreatmentType), Vec<Sample>> = BTreeMap::new();
        let mut seq: (String, usize) = (String::new(), 0);
        let mut core_cases = 0;
        for ((key, procs), cases) in &self.combos {
            if (cases.len() as u64) < p.min_cases {
                for c in cases {
                    folded
                        .entry((prefix(key, 3).to_string(), c.treatment))
                        .or_default()
                        .push(c.sample);
                }
                continue;
            }
            seq = if seq.0 == *key {
                (seq.0, seq.1 + 1)
            } else {
                (key.clone(), 1)
            };
            core_cases += cases.len() as u64;
            let what = if procs.is_empty() {
                "保守治疗"
            } else {
                procs
            };
            groups.push(group(
                format!("{key}-{}", seq.1),
                format!("核心 {key} × {what}"),
                GroupKind::Core,
                key,
                (!procs.is_empty()).then(|| procs.clone()),
                None,
            ));
            samples.push(cases.iter().map(|c| c.sample).collect());
        }
        let n_core = groups.len();
        for ((prefix3, t), cases) in folded {
            groups.push(group(
                format!("{prefix3}-Z{}", t.rank()),
                format!("综合 {prefix3} × {}", t.as_str()),
                GroupKind::Comprehensive,
                &prefix3,
                None,
                Some(t),
            ));
            samples.push(cases);
        }

        let avg = average(&samples, &table, p.trim);
        if avg.overall_mean_fen <= 0.0 {
            return Err(CalibrateError::NoData(
                "the mean cost of all cases is zero; scores are undefined".into(),
            ));
        }
        for (g, m) in groups.iter_mut().zip(&avg.groups) {
            g.score = round_half_away(m.mean_fen / avg.overall_mean_fen * p.k, 4);
            g.avg_cost = Some(round_half_away(m.mean_fen, 0) / 100.0);
        }

        let coverage = core_cases as f64 / used as f64;
        let dict = self.dictionary.unwrap_or_else(|| DipCatalog {
            format: DIP_FORMAT.into(),
            name: String::new(),
            region: String::new(),
            version: String::new(),
            provenance: String::new(),
            groups: Vec::new(),
            procedures: Vec::new(),
            excluded_procedures: Vec::new(),
            complications: Vec::new(),
            exclusion_groups: BTreeMap::new(),
            hospitals: Vec::new(),
        });
        let report = DipCalibrationReport {
            rows_read: self.rows,
            cases_used: used,
            rejections: self.rejections,
            years: table.years,
            min_cases: p.min_cases,
            k: p.k,
            trim: p.trim,
            dictionary_procedures: dict.procedures.len(),
            excluded_procedures: dict.excluded_procedures.len(),
            core_groups: n_core,
            comprehensive_groups: groups.len() - n_core,
            core_cases,
            core_coverage: coverage,
            meets_coverage_guideline: coverage >= CORE_COVERAGE_GUIDELINE,
            overall_mean_cost: round_half_away(avg.overall_mean_fen, 0) / 100.0,
            trimmed: avg.trimmed,
            untrimmed_groups: avg.untrimmed_groups,
        };
        let catalog = DipCatalog {
            format: DIP_FORMAT.into(),
            name: p.name.clone(),
            region: String::new(),
            version: String::new(),
            provenance: provenance(p, &report),
            groups,
            procedures: dict.procedures,
            excluded_procedures: dict.excluded_procedures,
            complications: Vec::new(),
            exclusion_groups: BTreeMap::new(),
            hospitals: Vec::new(),
        };
        Ok((catalog, report))
    }
}

fn group(
    code: String,
    name: String,
    kind: GroupKind,
    diagnosis: &str,
    procedures: Option<String>,
    treatment_type: Option<TreatmentType>,
) -> DipGroup {
    DipGroup {
        code,
        name,
        kind,
        diagnosis: diagnosis.to_string(),
        procedures,
        treatment_type,
        score: 0.0,
        avg_cost: None,
        avg_los: None,
        basic_factor: None,
        supplements: Vec::new(),
    }
}

/// How the catalog was built, in one line.
fn provenance(p: &DipCalibration, r: &DipCalibrationReport) -> String {
    let years: Vec<String> = r
        .years
        .iter()
        .map(|y| format!("{} (weight {}, {} cases)", y.year, y.raw_weight, y.cases))
        .collect();
    format!(
        "drgdip dip build-catalog from {src}: {read} rows read, {used} used, {rej} rejected; \
         years {years}; min_cases {min}; K {k}; trim {trim} ({trimmed} cases trimmed); \
         dictionary {dict} procedures, {excl} excluded; {core} core groups covering {cov:.2}% of cases, \
         {comp} comprehensive groups; all-case mean {mean:.2} yuan",
        src = if p.source.is_empty() { "history" } else { &p.source },
        read = r.rows_read,
        used = r.cases_used,
        rej = r.rejections.count,
        years = years.join(", "),
        min = r.min_cases,
        k = r.k,
        trim = r.trim,
        trimmed = r.trimmed,
        dict = r.dictionary_procedures,
        excl = r.excluded_procedures,
        core = r.core_groups,
        cov = r.core_coverage * 100.0,
        comp = r.comprehensive_groups,
        mean = r.overall_mean_cost,
    )
}

#[cfg(test)]
mod tests;
