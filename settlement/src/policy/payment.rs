//! The payment rules around the bundles: special review, fee-for-service, risk sharing, the cycle
//! and capitation.

use serde::Deserialize;

use super::{Dec, Yuan};

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
