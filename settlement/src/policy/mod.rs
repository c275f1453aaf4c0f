//! The region policy file (`drgdip-policy/1`, TOML): everything a region chooses, as data.
//!
//! One file is one version of one region's rules, effective over a date range. Sections:
//! `[policy]` (identity, dates, bundle method), `[rounding]` (one rule per stage), `[tables]` (where
//! weights, scores and the scheme come from), `[[pools]]` (budgets by fund type × service line ×
//! locality, reserve, closure), `[levels.N]` and `[[hospitals]]` (coefficients as named components,
//! consortia), `[routing]` (the order of the routes), `[[carve_outs]]`, `[[fixed_rates]]`,
//! `[[per_diem]]`, `[exclusions]`, `[drg]`, `[dip]`, `[special_review]`, `[ffs]`, `[sharing]`,
//! `[cycle]`, `[[capitation]]`, `[signals]` (supervision rules, see [`crate::signals`]).
//! `docs/POLICY.md` documents every key with its provenance.
//!
//! Rules without a national value (settlement-policy.md tags them `[U]` or regional) have **no
//! default**: a section that uses them must state them, or the file does not load.

mod bundle;
mod lines;
mod num;
mod payment;
mod validate;

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::money::Rounding;
use crate::signals::SignalRules;

pub use bundle::*;
pub use lines::*;
pub use num::{Dec, Pts, Yuan};
pub use payment::*;
pub use validate::PolicyError;
pub(crate) use validate::{is_date, Ctx};

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
    /// Supervision signals (监管信号); every rule off unless present. They change no payment
    /// except the readmission rule's `earlier_points_share`, applied by the settlement.
    #[serde(default)]
    pub signals: Option<SignalRules>,
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundingRules {
    /// Case points to 4 decimals.
    #[serde(default)]
    pub points: Rounding,
    /// Case amounts (rates, per-diem, FFS ratios, announced point values) to the fen.
    #[serde(default)]
    pub amount: Rounding,
    /// Reserve (budget × share) to the fen.
    #[serde(default)]
    pub reserve: Rounding,
    /// Deposit (payment × share) to the fen.
    #[serde(default)]
    pub deposit: Rounding,
    /// Retention and sharing amounts to the fen.
    #[serde(default)]
    pub sharing: Rounding,
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
