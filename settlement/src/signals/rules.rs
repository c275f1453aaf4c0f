//! `[signals]` of the policy file: which supervision rules run and with which numbers. Every rule
//! is off unless its table is present, and a present table states every regional number: there are
//! no defaults for windows, shares or thresholds.

use serde::Deserialize;

use crate::money::Ratio;
use crate::policy::{Ctx, Dec, PolicyError};

use super::Date;

/// `[signals]`: the supervision rules of a region (监管信号). See the [module docs](super) for what
/// each rule computes.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalRules {
    /// `[signals.readmission]`: 二次入院 / 分解住院.
    #[serde(default)]
    pub readmission: Option<ReadmissionRule>,
    /// `[signals.low_admission]`: 低标入院.
    #[serde(default)]
    pub low_admission: Option<LowAdmissionRule>,
    /// `[signals.upcoding]`: 高套分组 / 诊断升级.
    #[serde(default)]
    pub upcoding: Option<UpcodingRule>,
    /// `[signals.cost_transfer]`: 转嫁费用.
    #[serde(default)]
    pub cost_transfer: Option<CostTransferRule>,
    /// `[signals.los]`: unusual length of stay (超长住院, very short stays).
    #[serde(default)]
    pub los: Option<LosRule>,
}

/// What "the same group" means for a readmission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SameKey {
    /// The same DRG or DIP group code.
    Group,
    /// The same ADRG (any split of it).
    Adrg,
}

impl SameKey {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            SameKey::Group => "group",
            SameKey::Adrg => "adrg",
        }
    }
}

/// `[signals.readmission]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadmissionRule {
    /// The later admission at most this many days after the earlier discharge (inclusive; > 0).
    pub window_days: u32,
    /// `group` or `adrg`.
    pub same: SameKey,
    /// Whether both stays must be at the same hospital.
    pub same_hospital: bool,
    /// When present, the earlier stay's points are multiplied by it; when absent the rule only flags.
    #[serde(default)]
    pub earlier_points_share: Option<Dec>,
    /// Principal-diagnosis prefixes of a later stay that is not a readmission (planned chemotherapy,
    /// radiotherapy: `Z51.0`, `Z51.1`).
    #[serde(default)]
    pub exempt_diagnosis_prefixes: Vec<String>,
    /// Provenance.
    pub source: String,
}

/// `[signals.low_admission]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LowAdmissionRule {
    /// A stay whose cost is below this share of its group's standard cost (strictly) fires.
    pub cost_share_below: Dec,
    /// When present, the stay must also last at most this many days.
    #[serde(default)]
    pub los_at_most: Option<u32>,
    /// Provenance.
    pub source: String,
}

/// `[signals.upcoding]`: two rules, each on when its key is present.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpcodingRule {
    /// Per stay: a stay in a CC or MCC split whose cost is at most this multiple of the ADRG's
    /// uncomplicated split's standard fires (the complication put it in a dearer group without
    /// making it dearer).
    #[serde(default)]
    pub cc_cost_share_at_most: Option<Dec>,
    /// Per hospital × ADRG: the hospital's share of stays coded into a CC or MCC split is above
    /// this multiple of the region's share for the ADRG (≥ 1).
    #[serde(default)]
    pub hospital_rate_ratio_above: Option<Dec>,
    /// With `hospital_rate_ratio_above`: the least number of the hospital's stays in the ADRG for
    /// the comparison to be made.
    #[serde(default)]
    pub min_cases: Option<u32>,
    /// Provenance.
    pub source: String,
}

/// `[signals.cost_transfer]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostTransferRule {
    /// A stay fires when the outpatient spending around it is above this share of the episode
    /// (outpatient + stay cost), strictly; in [0, 1).
    pub outpatient_share_above: Dec,
    /// Days before admission and after discharge whose outpatient spending counts (> 0).
    pub window_days: u32,
    /// Provenance.
    pub source: String,
}

impl CostTransferRule {
    /// The days whose outpatient spending belongs in [`super::Stay::outpatient_cost_around`]: from
    /// `window_days` before admission to `window_days` after discharge, both ends and the stay's
    /// own days included.
    pub fn window(&self, admit: Date, discharge: Date) -> (Date, Date) {
        let w = i32::try_from(self.window_days).unwrap_or(i32::MAX);
        (
            Date::from_days(admit.days().saturating_sub(w)),
            Date::from_days(discharge.days().saturating_add(w)),
        )
    }
}

/// `[signals.los]`: at least one of the three bounds.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LosRule {
    /// A stay longer than this multiple of its group's mean LOS (strictly) is a long stay.
    #[serde(default)]
    pub above_mean_times: Option<Dec>,
    /// A stay longer than this many days (strictly) is a long stay.
    #[serde(default)]
    pub above_days: Option<u32>,
    /// A stay shorter than this many days (strictly) is a short stay.
    #[serde(default)]
    pub below_days: Option<u32>,
    /// Provenance.
    pub source: String,
}

fn opt<T: std::fmt::Display>(key: &str, v: Option<T>) -> Option<String> {
    v.map(|v| format!("{key}={v}"))
}

fn join(parts: impl IntoIterator<Item = Option<String>>, source: &str) -> String {
    let mut v: Vec<String> = parts.into_iter().flatten().collect();
    v.push(format!("source={source}"));
    v.join("; ")
}

impl ReadmissionRule {
    /// The rule's parameters as text, for evidence.
    pub fn parameters(&self) -> String {
        let exempt = (!self.exempt_diagnosis_prefixes.is_empty())
            .then(|| self.exempt_diagnosis_prefixes.join("|"));
        join(
            [
                Some(format!("window_days={}", self.window_days)),
                Some(format!("same={}", self.same.as_str())),
                Some(format!("same_hospital={}", self.same_hospital)),
                opt(
                    "earlier_points_share",
                    self.earlier_points_share.map(|d| d.0),
                ),
                opt("exempt_diagnosis_prefixes", exempt),
            ],
            &self.source,
        )
    }
}

impl LowAdmissionRule {
    /// The rule's parameters as text, for evidence.
    pub fn parameters(&self) -> String {
        join(
            [
                Some(format!("cost_share_below={}", self.cost_share_below.0)),
                opt("los_at_most", self.los_at_most),
            ],
            &self.source,
        )
    }
}

impl UpcodingRule {
    /// The rule's parameters as text, for evidence.
    pub fn parameters(&self) -> String {
        join(
            [
                opt(
                    "cc_cost_share_at_most",
                    self.cc_cost_share_at_most.map(|d| d.0),
                ),
                opt(
                    "hospital_rate_ratio_above",
                    self.hospital_rate_ratio_above.map(|d| d.0),
                ),
                opt("min_cases", self.min_cases),
            ],
            &self.source,
        )
    }
}

impl CostTransferRule {
    /// The rule's parameters as text, for evidence.
    pub fn parameters(&self) -> String {
        join(
            [
                Some(format!(
                    "outpatient_share_above={}",
                    self.outpatient_share_above.0
                )),
                Some(format!("window_days={}", self.window_days)),
            ],
            &self.source,
        )
    }
}

impl LosRule {
    /// The rule's parameters as text, for evidence.
    pub fn parameters(&self) -> String {
        join(
            [
                opt("above_mean_times", self.above_mean_times.map(|d| d.0)),
                opt("above_days", self.above_days),
                opt("below_days", self.below_days),
            ],
            &self.source,
        )
    }
}

fn above_one(c: &Ctx, key: &str, v: Ratio) -> Result<(), PolicyError> {
    if v.numer() < v.denom() {
        return Err(c.err(
            key,
            format!("{v} must be at least 1: below 1 it flags hospitals under the regional rate"),
        ));
    }
    Ok(())
}

impl SignalRules {
    /// Reads rules from TOML text holding only a `[signals]` table, written exactly as in a policy
    /// file (`[signals.readmission]` …), and checks them. `origin` names the source in errors. A
    /// policy's own `[signals]` is read and checked by [`crate::policy::Policy::from_toml`].
    pub fn from_toml(text: &str, origin: &str) -> Result<SignalRules, PolicyError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            #[serde(default)]
            signals: SignalRules,
        }
        let f: File = toml::from_str(text).map_err(|e| PolicyError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        f.signals.check(&Ctx::new(origin))?;
        Ok(f.signals)
    }

    /// Checks the ranges and combinations; errors name the key (`signals.readmission.window_days`).
    pub(crate) fn check(&self, c: &Ctx) -> Result<(), PolicyError> {
        if let Some(r) = &self.readmission {
            if r.window_days == 0 {
                return Err(c.err("signals.readmission.window_days", "must be at least 1 day"));
            }
            if let Some(s) = r.earlier_points_share {
                c.share("signals.readmission.earlier_points_share".into(), s.0)?;
            }
            if let Some(i) = r
                .exempt_diagnosis_prefixes
                .iter()
                .position(|p| p.trim().is_empty())
            {
                return Err(c.err(
                    format!("signals.readmission.exempt_diagnosis_prefixes[{i}]"),
                    "is empty: it would exempt every stay",
                ));
            }
        }
        if let Some(r) = &self.low_admission {
            let key = "signals.low_admission.cost_share_below";
            c.share(key.into(), r.cost_share_below.0)?;
            c.positive(key.into(), r.cost_share_below.0)?;
        }
        if let Some(r) = &self.upcoding {
            let ratio = "signals.upcoding.hospital_rate_ratio_above";
            if let Some(s) = r.cc_cost_share_at_most {
                c.positive("signals.upcoding.cc_cost_share_at_most".into(), s.0)?;
            }
            match (r.hospital_rate_ratio_above, r.min_cases) {
                (Some(x), Some(n)) => {
                    above_one(c, ratio, x.0)?;
                    if n == 0 {
                        return Err(c.err("signals.upcoding.min_cases", "must be at least 1"));
                    }
                }
                (Some(_), None) => {
                    return Err(c.err(
                        "signals.upcoding.min_cases",
                        "hospital_rate_ratio_above needs min_cases (stays per hospital and ADRG)",
                    ))
                }
                (None, Some(_)) => {
                    return Err(c.err(
                        "signals.upcoding.min_cases",
                        "only applies with hospital_rate_ratio_above",
                    ))
                }
                (None, None) if r.cc_cost_share_at_most.is_none() => {
                    return Err(c.err(
                        "signals.upcoding",
                        "give cc_cost_share_at_most, hospital_rate_ratio_above (with min_cases), or both",
                    ))
                }
                (None, None) => {}
            }
        }
        if let Some(r) = &self.cost_transfer {
            let key = "signals.cost_transfer.outpatient_share_above";
            c.share(key.into(), r.outpatient_share_above.0)?;
            if r.outpatient_share_above.0 == Ratio::ONE {
                return Err(c.err(key, "1 can never be exceeded: use a share below 1"));
            }
            if r.window_days == 0 {
                return Err(c.err(
                    "signals.cost_transfer.window_days",
                    "must be at least 1 day",
                ));
            }
        }
        if let Some(r) = &self.los {
            if r.above_mean_times.is_none() && r.above_days.is_none() && r.below_days.is_none() {
                return Err(c.err(
                    "signals.los",
                    "give above_mean_times, above_days or below_days",
                ));
            }
            if let Some(t) = r.above_mean_times {
                c.positive("signals.los.above_mean_times".into(), t.0)?;
            }
            if r.above_days == Some(0) {
                return Err(c.err(
                    "signals.los.above_days",
                    "must be at least 1: 0 flags every stay of a day or more",
                ));
            }
            if r.below_days == Some(0) {
                return Err(c.err(
                    "signals.los.below_days",
                    "must be at least 1: no stay is shorter than 0 days",
                ));
            }
            if let (Some(b), Some(a)) = (r.below_days, r.above_days) {
                if b > a {
                    return Err(c.err(
                        "signals.los.below_days",
                        format!("{b} is above above_days {a}: no length of stay would be normal"),
                    ));
                }
            }
        }
        Ok(())
    }
}
