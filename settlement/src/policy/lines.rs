//! The route lines of a policy: carve-outs, fixed per-case rates, per-diem lines and exclusions.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Pts, Yuan};

/// `[[carve_outs]]`: a line settled at actual fund cost.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarveOut {
    /// Name; a case whose `carve_out` column holds it is carved out.
    pub name: String,
    /// Principal-diagnosis prefixes that carve a case out.
    #[serde(default)]
    pub diagnoses: Vec<String>,
    /// Provenance.
    pub source: String,
}

/// `[[fixed_rates]]`: a fixed per-case rate (单病种, 日间手术, 中医优势病种, 住院分娩).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedRate {
    /// Name.
    pub name: String,
    /// Kind label (`single_disease`, `day_surgery`, `tcm`, `delivery`).
    pub kind: String,
    /// Principal-diagnosis prefixes (any of); empty = not a criterion.
    #[serde(default)]
    pub diagnoses: Vec<String>,
    /// Procedure codes or prefixes (any of); empty = not a criterion.
    #[serde(default)]
    pub procedures: Vec<String>,
    /// DRG / DIP group codes (any of); empty = not a criterion.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Longest stay (days), e.g. 1 for day surgery.
    #[serde(default)]
    pub max_los: Option<u32>,
    /// Rate (total-cost standard), yuan, for every level.
    #[serde(default)]
    pub amount_yuan: Option<Yuan>,
    /// Rate by level (`{ "1" = 2500, "3" = 3500 }`), overriding `amount_yuan`.
    #[serde(default)]
    pub amount_by_level: BTreeMap<String, Yuan>,
    /// Provenance.
    pub source: String,
}

/// One band of a per-diem line.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayBand {
    /// First day of the band (1-based).
    pub from: u32,
    /// Last day (inclusive); open when absent.
    #[serde(default)]
    pub to: Option<u32>,
    /// Rate per day, yuan (rate form).
    #[serde(default)]
    pub rate_yuan: Option<Yuan>,
    /// Points per day (point form: the stay's points join the pool).
    #[serde(default)]
    pub points: Option<Pts>,
}

/// `[[per_diem]]`: a per-diem line.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerDiem {
    /// Name.
    pub name: String,
    /// Departments (any of).
    #[serde(default)]
    pub depts: Vec<String>,
    /// Principal-diagnosis prefixes (any of).
    #[serde(default)]
    pub diagnoses: Vec<String>,
    /// Minimum stay for eligibility (days).
    #[serde(default)]
    pub min_los: Option<u32>,
    /// Day bands, in order, without gaps.
    pub bands: Vec<DayBand>,
    /// Cap per stay, yuan (rate form).
    #[serde(default)]
    pub cap_yuan: Option<Yuan>,
    /// Provenance.
    pub source: String,
}

/// `[exclusions]`: cases kept out of the bundle, paid fee-for-service.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusions {
    /// Stays of at most this many days.
    #[serde(default)]
    pub los_at_most: Option<u32>,
    /// Stays of at least this many days.
    #[serde(default)]
    pub los_at_least: Option<u32>,
    /// Provenance.
    pub source: String,
}
