//! The bundle rules of a policy: `[drg]` and `[dip]` with their bands and fallbacks.

use serde::Deserialize;

use super::{Dec, Pts, Yuan};

/// A band bound on the cost ratio `r`.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatioBound {
    /// The ratio.
    pub ratio: Dec,
    /// Whether equality is inside the band.
    pub inclusive: bool,
}

/// A DRG high-rate band.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HighBandSpec {
    /// Groups with base points up to this (inclusive); any when absent.
    #[serde(default)]
    pub up_to_base_points: Option<Pts>,
    /// Multiple of the group mean from which a case is high-rate.
    pub multiple: Dec,
    /// Whether a case exactly at the multiple is high-rate.
    pub inclusive: bool,
}

/// The normal-band uplift.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpliftSpec {
    /// Lower bound (exclusive).
    pub above: Dec,
    /// Upper bound (inclusive).
    pub up_to: Dec,
    /// Added to r.
    pub add: Dec,
    /// Whether the hospital coefficient applies.
    pub applies_coefficient: bool,
}

/// What happens to a case outside the bundle's normal rules.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fallback {
    /// `ffs`, or `cost_share` (the case's total cost × `share` is its standard).
    pub pay: FallbackPay,
    /// Share for `cost_share`.
    #[serde(default)]
    pub share: Option<Dec>,
}

/// Fallback payment kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FallbackPay {
    /// Fee-for-service.
    Ffs,
    /// Total cost × share as the case standard (Jinan QY: 80%).
    CostShare,
}

/// An extreme-cost threshold and what happens to unapproved extreme cases.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extreme {
    /// Cases with r above this (or at it, if inclusive) are extreme.
    pub ratio: Dec,
    /// Whether equality is extreme.
    pub inclusive: bool,
    /// Extreme cases not approved for special review: `bundle` (priced by the bundle rules), `ffs`,
    /// or `hospital_factor` (DIP 济宁: coefficient = the hospital factor).
    pub unapproved: ExtremePay,
}

/// Unapproved extreme cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtremePay {
    /// Priced by the bundle rules (high-rate).
    Bundle,
    /// Fee-for-service.
    Ffs,
    /// DIP: score × hospital factor (as a normal case).
    HospitalFactor,
}

/// `[drg]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrgRules {
    /// `points` (点数法) or `rate` (费率法).
    pub method: DrgMethod,
    /// Base points per 1.0 of weight (100 in Zhejiang/Jinhua).
    pub points_per_weight: Dec,
    /// Rate method: yuan per 1.0 of weight.
    #[serde(default)]
    pub base_rate_yuan: Option<Yuan>,
    /// Low-rate bound.
    #[serde(default)]
    pub low: Option<RatioBound>,
    /// Normal-band uplift.
    #[serde(default)]
    pub uplift: Option<UpliftSpec>,
    /// High-rate bands (first fitting band applies).
    #[serde(default)]
    pub high: Vec<HighBandSpec>,
    /// Extreme cases.
    #[serde(default)]
    pub extreme: Option<Extreme>,
    /// 同病同价 groups: no hospital coefficient.
    #[serde(default)]
    pub same_price_groups: Vec<String>,
    /// QY (歧义) cases.
    pub ambiguous: Fallback,
    /// Ungroupable (0000) and invalid cases, and groups without a weight.
    pub ungroupable: Fallback,
    /// Provenance of the numbers above.
    pub source: String,
}

/// The DRG method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrgMethod {
    /// Point method.
    Points,
    /// Rate method.
    Rate,
}

/// How a DIP high case's coefficient is formed: `r − m + 1` (national) or `r − m + hf` (济宁, then
/// the hospital factor is not applied again).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DipHighPlus {
    /// `r − m + 1`.
    One,
    /// `r − m + hf`.
    HospitalFactor,
}

/// `[dip]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DipRules {
    /// Low bound: r below it (or at it) → coefficient r.
    pub low: RatioBound,
    /// High bound: r above it (or at it) → coefficient r − m + (1 or hf).
    pub high: RatioBound,
    /// High-case formula.
    pub high_plus: DipHighPlus,
    /// Extreme cases.
    #[serde(default)]
    pub extreme: Option<Extreme>,
    /// Whether the hospital factor multiplies low and high cases.
    pub factor_on_deviation: bool,
    /// Blank group (空白病组): coefficient = r × this share; absent = blank cases are paid FFS (as
    /// are blank cases without a standard cost, whose r cannot be formed).
    #[serde(default)]
    pub blank_share: Option<Dec>,
    /// Catalog score scale (K), for the CMI.
    pub score_scale: Dec,
    /// Provenance.
    pub source: String,
}
