//! The region policy file (`drgdip-policy/1`, TOML): everything a region chooses, as data.
//!
//! One file is one version of one region's rules, effective over a date range. Sections:
//! `[policy]` (identity, dates, bundle method), `[rounding]` (one rule per stage), `[tables]` (where
//! weights, scores and the scheme come from), `[[pools]]` (budgets by fund type × service line ×
//! locality, reserve, closure), `[levels.N]` and `[[hospitals]]` (coefficients as named components,
//! consortia), `[routing]` (the order of the routes), `[[carve_outs]]`, `[[fixed_rates]]`,
//! `[[per_diem]]`, `[exclusions]`, `[drg]`, `[dip]`, `[special_review]`, `[ffs]`, `[sharing]`,
//! `[cycle]`, `[[capitation]]`. `docs/POLICY.md` documents every key with its provenance.
//!
//! Rules without a national value (settlement-policy.md tags them `[U]` or regional) have **no
//! default**: a section that uses them must state them, or the file does not load.

mod num;
mod validate;

use std::collections::BTreeMap;

use serde::Deserialize;

pub use num::{Dec, Pts, RoundingName, Yuan};
pub(crate) use validate::is_date;
pub use validate::PolicyError;

/// The schema tag every policy file carries.
pub const SCHEMA: &str = "drgdip-policy/1";

/// A region policy, as read from its TOML file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Must be [`SCHEMA`].
    pub schema: String,
    /// Identity and dates.
    pub policy: Header,
    /// Rounding per stage.
    #[serde(default)]
    pub rounding: RoundingRules,
    /// Where tables come from (paths relative to the policy file).
    #[serde(default)]
    pub tables: Tables,
    /// Fund pools.
    pub pools: Vec<Pool>,
    /// Coefficients by hospital level (`[levels.3]`).
    #[serde(default)]
    pub levels: BTreeMap<String, LevelRules>,
    /// Hospitals (level, coefficients overriding the level's, consortium).
    #[serde(default)]
    pub hospitals: Vec<Hospital>,
    /// Route order; absent = the default order ([`Policy::order`]).
    #[serde(default)]
    pub routing: Option<Routing>,
    /// Lines settled at actual cost.
    #[serde(default)]
    pub carve_outs: Vec<CarveOut>,
    /// Fixed per-case rates.
    #[serde(default)]
    pub fixed_rates: Vec<FixedRate>,
    /// Per-diem lines.
    #[serde(default)]
    pub per_diem: Vec<PerDiem>,
    /// Cases kept out of the bundles.
    #[serde(default)]
    pub exclusions: Option<Exclusions>,
    /// DRG pricing (when `policy.bundle = "drg"`).
    #[serde(default)]
    pub drg: Option<DrgRules>,
    /// DIP pricing (when `policy.bundle = "dip"`).
    #[serde(default)]
    pub dip: Option<DipRules>,
    /// 特例单议.
    #[serde(default)]
    pub special_review: Option<SpecialReview>,
    /// Fee-for-service.
    pub ffs: Ffs,
    /// Surplus retention and overspend sharing.
    #[serde(default)]
    pub sharing: Option<Sharing>,
    /// Deposit and clearing.
    #[serde(default)]
    pub cycle: Cycle,
    /// Per-capita programmes.
    #[serde(default)]
    pub capitation: Vec<Capitation>,
}

/// `[policy]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Display name.
    pub name: String,
    /// Region (统筹区) name or code.
    pub region: String,
    /// Version label.
    pub version: String,
    /// First discharge date settled under this version (`YYYY-MM-DD`).
    pub effective_from: String,
    /// Last discharge date (inclusive); open-ended when absent.
    #[serde(default)]
    pub effective_to: Option<String>,
    /// The bundle method of the region.
    pub bundle: BundleMethod,
    /// What a run settles: a month (deposit withheld) or the year (clearing).
    pub period: Period,
    /// Free text: where the policy comes from.
    #[serde(default)]
    pub notes: String,
}

/// DRG or DIP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BundleMethod {
    /// CHS-DRG.
    Drg,
    /// DIP.
    Dip,
}

/// The settlement period of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Monthly settlement: the deposit is withheld.
    Month,
    /// Annual clearing: the deposit is released (by assessment) and entitlement − paid so far is due.
    Year,
}

/// `[rounding]`: one rule per stage.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundingRules {
    /// Case points to 4 decimals.
    #[serde(default)]
    pub points: RoundingName,
    /// Case amounts (rates, per-diem, FFS ratios, announced point values) to the fen.
    #[serde(default)]
    pub amount: RoundingName,
    /// Reserve (budget × share) to the fen.
    #[serde(default)]
    pub reserve: RoundingName,
    /// Deposit (payment × share) to the fen.
    #[serde(default)]
    pub deposit: RoundingName,
    /// Retention and sharing amounts to the fen.
    #[serde(default)]
    pub sharing: RoundingName,
}

/// `[tables]`: paths relative to the policy file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tables {
    /// The scheme used when the command line gives none.
    #[serde(default)]
    pub scheme: Option<String>,
    /// DRG weights (`drg,weight,mean_cost[,cases]`).
    #[serde(default)]
    pub drg_weights: Option<String>,
    /// Discharge history to calibrate DRG weights from, grouped with the active scheme (the `gen
    /// --years` columns; or already grouped, with a `drg` column). Weights = group mean / all-case mean.
    #[serde(default)]
    pub drg_history: Option<String>,
    /// Year weights for the history (`1:2:7`).
    #[serde(default)]
    pub history_year_weights: Option<String>,
    /// DIP catalog (`drgdip-dip/1`).
    #[serde(default)]
    pub dip_catalog: Option<String>,
    /// DIP grouping switches: a preset name or a policy file.
    #[serde(default)]
    pub dip_grouping: Option<String>,
}

/// `[[pools]]`: a fund pool.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// Identifier.
    pub id: String,
    /// Fund types settled from it (`employee`, `resident`, …); `*` for any.
    pub fund_types: Vec<String>,
    /// Localities (`local`, `provincial`, `national`); `*` for any.
    pub localities: Vec<String>,
    /// Service line (`inpatient` or `outpatient`).
    pub service_line: String,
    /// Budget of the period, yuan.
    pub budget_yuan: Yuan,
    /// Reserve share (调节金), 0..1.
    pub reserve_share: Dec,
    /// How the pool closes.
    pub closure: Closure,
    /// Money basis of its points and rates.
    pub basis: Basis,
    /// Announced point value, yuan per point (closure `rate` with point-priced cases).
    #[serde(default)]
    pub point_value_yuan: Option<Dec>,
    /// Closure `rate`, total-cost basis: the point value is the national DIP formula
    /// `(distributable − rate-paid cases − capitation) / reimbursement_ratio / Σ points` (the fund
    /// grossed up by the reimbursement ratio; S1). Payments then do not close the budget exactly:
    /// the balance is reported.
    #[serde(default)]
    pub reimbursement_ratio: Option<Dec>,
}

/// How a pool closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closure {
    /// The point value is solved from the budget: payments equal the distributable amount exactly.
    PointValue,
    /// Cases are paid at rates (and an announced point value); the balance is reported.
    Rate,
}

/// Money basis of points and standards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Points price fund money directly.
    Fund,
    /// Points price the whole case cost; the fund pays that less the patient's item-based share.
    TotalCost,
}

/// A named coefficient component.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentSpec {
    /// Name (`level`, `cmi_incentive`, …).
    pub name: String,
    /// Value.
    pub value: Dec,
    /// Provenance.
    pub source: String,
}

/// How components combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CombineName {
    /// Product (default).
    #[default]
    Product,
    /// Sum.
    Sum,
}

/// `[levels.N]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelRules {
    /// DRG hospital coefficient components.
    #[serde(default)]
    pub drg_coefficient: Vec<ComponentSpec>,
    /// DIP hospital factor components.
    #[serde(default)]
    pub dip_factor: Vec<ComponentSpec>,
    /// How they combine.
    #[serde(default)]
    pub combine: CombineName,
}

/// `[[hospitals]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hospital {
    /// Code as in the cases.
    pub code: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Level (1, 2, 3).
    pub level: u8,
    /// Close consortium (紧密型医共体) the hospital belongs to; the consortium is the payee.
    #[serde(default)]
    pub consortium: Option<String>,
    /// Extra DRG coefficient components (combined with the level's).
    #[serde(default)]
    pub drg_coefficient: Vec<ComponentSpec>,
    /// Extra DIP factor components (combined with the level's).
    #[serde(default)]
    pub dip_factor: Vec<ComponentSpec>,
}

/// A routing step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Carve-outs at actual cost.
    CarveOut,
    /// Fixed per-case rates.
    FixedRate,
    /// Per-diem.
    PerDiem,
    /// Exclusions (paid fee-for-service).
    Exclusion,
    /// The DRG or DIP bundle.
    Bundle,
    /// 特例单议.
    SpecialReview,
    /// Fee-for-service fallback.
    Ffs,
}

impl Step {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::CarveOut => "carve_out",
            Step::FixedRate => "fixed_rate",
            Step::PerDiem => "per_diem",
            Step::Exclusion => "exclusion",
            Step::Bundle => "bundle",
            Step::SpecialReview => "special_review",
            Step::Ffs => "ffs",
        }
    }
}

/// `[routing]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routing {
    /// The steps in order; `bundle` must be present and `ffs` last.
    pub order: Vec<Step>,
}

impl Default for Routing {
    fn default() -> Self {
        Routing {
            order: vec![
                Step::CarveOut,
                Step::FixedRate,
                Step::PerDiem,
                Step::Exclusion,
                Step::Bundle,
                Step::SpecialReview,
                Step::Ffs,
            ],
        }
    }
}

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

/// `[special_review]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialReview {
    /// Quota: approved cases honoured per hospital, as a share of its cases in the run (rounded down).
    pub quota_share: Dec,
    /// Provenance.
    pub source: String,
}

/// `[ffs]`: fee-for-service.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ffs {
    /// `cost_minus_patient_share` or `fund_amount` (the case's `fund_amount` column).
    pub basis: FfsBasis,
    /// Reimbursement ratio applied to the basis (1 when absent).
    #[serde(default)]
    pub ratio: Option<Dec>,
    /// Provenance.
    pub source: String,
}

/// FFS basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FfsBasis {
    /// total cost − patient share.
    CostMinusPatientShare,
    /// The case's fund amount column.
    FundAmount,
}

/// An overspend band: losses up to `up_to` × item-based fund cost (or beyond, when absent) are
/// shared by the fund at `fund_share`.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverspendBand {
    /// Upper bound of the band as a share of the item-based fund cost; open when absent.
    #[serde(default)]
    pub up_to: Option<Dec>,
    /// Share of the loss in the band the fund bears.
    pub fund_share: Dec,
}

/// `[sharing]`: 结余留用、合理超支分担 per payee, over bundle cases.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sharing {
    /// Share of a surplus the payee keeps (the rest returns to the fund).
    pub surplus_keep: Dec,
    /// Cap on the surplus considered, as a share of the item-based fund cost.
    #[serde(default)]
    pub surplus_cap_share: Option<Dec>,
    /// Whether the kept share is scaled by the payee's assessment score / 100.
    pub assessment_scaled: bool,
    /// Overspend bands, in order.
    pub overspend: Vec<OverspendBand>,
    /// Provenance.
    pub source: String,
}

/// `[cycle]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cycle {
    /// Quality deposit withheld from monthly payments (0..0.05 nationally).
    #[serde(default)]
    pub deposit_share: Option<Dec>,
    /// At the year's clearing, whether the deposit is released by the assessment score.
    #[serde(default)]
    pub deposit_by_assessment: bool,
    /// Provenance.
    #[serde(default)]
    pub source: String,
}

/// `[[capitation]]`: a per-capita programme.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capitation {
    /// Programme name as in the enrolment file (`diabetes`, `family_doctor`).
    pub program: String,
    /// The pool paying it.
    pub pool: String,
    /// Annual rate per enrolled person, yuan.
    pub rate_yuan_per_year: Yuan,
    /// Year-end reconciliation against actual spending; absent = none.
    #[serde(default)]
    pub sharing: Option<Sharing>,
    /// Provenance.
    pub source: String,
}

impl Policy {
    /// Reads and validates a policy from TOML text. `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Policy, PolicyError> {
        let p: Policy = toml::from_str(text).map_err(|e| PolicyError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        validate::check(&p, origin)?;
        Ok(p)
    }

    /// Reads and validates a policy from an already parsed TOML table, for files that carry a policy
    /// beside sections of their own (a test scenario's `[scenario]`, `[[cases]]`, `[expect]`): take
    /// those out of the table first, since a policy rejects keys it does not know. `origin` names the
    /// source in errors. Parse errors name the key but, unlike [`Policy::from_toml`], no line.
    pub fn from_toml_table(table: toml::Table, origin: &str) -> Result<Policy, PolicyError> {
        let p: Policy = table
            .try_into()
            .map_err(|e: toml::de::Error| PolicyError::Parse {
                origin: origin.to_string(),
                message: e.to_string().trim_end().replace('\n', " "),
            })?;
        validate::check(&p, origin)?;
        Ok(p)
    }

    /// The route order in force: `[routing].order`, or the default order (without
    /// `special_review` when the policy has no `[special_review]`).
    pub fn order(&self) -> Vec<Step> {
        match &self.routing {
            Some(r) => r.order.clone(),
            None => Routing::default()
                .order
                .into_iter()
                .filter(|s| *s != Step::SpecialReview || self.special_review.is_some())
                .collect(),
        }
    }

    /// The hospital entry for a code.
    pub fn hospital(&self, code: &str) -> Option<&Hospital> {
        self.hospitals.iter().find(|h| h.code == code)
    }
}
