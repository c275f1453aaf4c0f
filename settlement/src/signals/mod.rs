//! Supervision signals (监管信号): the patterns the DIP 违规行为监管辅助目录 and regional DRG rules
//! watch for, computed from grouped stays. Each signal is a documented rule whose parameters are in
//! the policy (`[signals]`, [`SignalRules`]) and whose evidence — the numbers that made it fire —
//! is in the output.
//!
//! **Signals never change a payment unless the policy says so.** The one rule that can is the
//! readmission rule with `earlier_points_share`: [`detect`] then lists a [`PointsAdjustment`] for
//! the earlier stay, and the settlement multiplies that stay's points by the share before the pool
//! closes. Everything else is a flag for review.
//!
//! The three principal types: [`SignalRules`] (what to look for, read with the policy), [`Stay`]
//! (one grouped stay, filled by the caller from its rows and the grouping) and [`Signals`] (what
//! [`detect`] found: per-stay [`CaseSignal`]s, per hospital × ADRG [`HospitalFinding`]s, per-hospital
//! counts and rates, the [`RegionalRate`]s compared against, the points adjustments and a
//! [`RuleSummary`] per rule).
//!
//! # The rules
//!
//! Every rule is off unless its table is present; a present table states its numbers (no regional
//! number has a default). Thresholds are compared exactly (no floats). A stay missing an input a
//! rule needs is not guessed at: it is counted in the rule's [`RuleSummary::not_assessed`].
//!
//! | signal | fires when | parameters | evidence |
//! |---|---|---|---|
//! | `readmission` (二次入院 / 分解住院) | the same patient is admitted again to the same group (or ADRG), at most `window_days` after the earlier discharge (**inclusive**: day 15 of a 15-day window fires, day 16 does not; a same-day readmission is day 0) | `window_days`, `same` (`group` \| `adrg`), `same_hospital`, optional `earlier_points_share`, optional `exempt_diagnosis_prefixes` | the later stay's id, hospital and admission day, the discharge day and the gap, the key compared |
//! | `low_admission` (低标入院) | cost **<** `cost_share_below` × the group's standard cost (and, with `los_at_most`, LOS ≤ it) | `cost_share_below`, optional `los_at_most` | cost, share × standard = the bound, LOS |
//! | `upcoding_cc` (高套: CC/MCC without cost effect) | the stay is in a CC or MCC split and its cost is **≤** `cc_cost_share_at_most` × the standard of the same ADRG's split without CC/MCC | `cc_cost_share_at_most` | group, split, cost, the bound, the group's own standard |
//! | `upcoding_rate` (高套: hospital CC/MCC share), per hospital × ADRG | among the hospital's stays of an ADRG split by CC/MCC (at least `min_cases` of them), the share in CC or MCC splits is **>** `hospital_rate_ratio_above` × the region's share for the ADRG | `hospital_rate_ratio_above` (≥ 1), `min_cases` | both counts and shares and their ratio |
//! | `cost_transfer` (转嫁费用) | outpatient spending from `window_days` before admission to `window_days` after discharge is **>** `outpatient_share_above` of the episode (outpatient + stay cost) | `outpatient_share_above`, `window_days` (the caller sums the spending over [`CostTransferRule::window`]) | outpatient amount, its share, the episode |
//! | `long_stay` (超长住院) | LOS **>** `above_mean_times` × the group's mean LOS, or LOS **>** `above_days` | `above_mean_times`, `above_days` (either or both) | LOS, the bound it passed |
//! | `short_stay` | LOS **<** `below_days` | `below_days` | LOS |
//!
//! Readmission pairing, precisely: stays are compared within one patient and one key (the group
//! code, or the ADRG), and within one hospital when `same_hospital = true`. For each stay (the
//! earlier), the readmission is the first later stay in admission order (ties: discharge day, then
//! id) admitted **on or after** its discharge, within the window, whose principal diagnosis does not
//! start with an exempt prefix (planned chemotherapy or radiotherapy, Z51.0 / Z51.1). Overlapping
//! stays (admitted before the other's discharge) are not readmissions. Each stay is the earlier
//! stay of at most one pair, so its points are adjusted at most once; in a chain A → B → C, A and
//! B are both earlier stays. Stays without a patient, dates or the key are not assessed.
//!
//! Provenance (settlement-policy.md §A10): Zhejiang halves the earlier stay's points when the same
//! DRG recurs within 15 days of discharge, chemotherapy and radiotherapy excepted (S8); Jinhua uses
//! a 10-day window for the same group (S12). Jinan assesses 3/7/15-day readmission and the share
//! of stays under 2 days (seed-region-rules.md JN9). The other thresholds (30% of the group mean for
//! a low-standard admission, 31-day readmission) are one tool's choices (S26), not policy: treat them as
//! illustrative.
//!
//! # Output order
//!
//! [`detect`] is deterministic and independent of the order of the stays: case signals are sorted
//! by stay id then signal, findings by hospital then ADRG, hospitals by code, regional rates by
//! ADRG, adjustments by stay id. Stay ids must be unique ([`SignalError::DuplicateId`]).
//!
//! ```
//! use settlement::money::{Fen, Rounding};
//! use settlement::points::Points;
//! use settlement::signals::{detect, SignalKind, SignalRules, Stay};
//!
//! let rules = SignalRules::from_toml(r#"
//!     [signals.readmission]
//!     window_days = 15
//!     same = "group"
//!     same_hospital = false
//!     earlier_points_share = 0.5
//!     exempt_diagnosis_prefixes = ["Z51.0", "Z51.1"]
//!     source = "浙江 S8"
//! "#, "example").unwrap();
//! let stay = |id: &str, admit: &str, discharge: &str| Stay {
//!     id: id.into(),
//!     patient: Some("P1".into()),
//!     hospital: "H1".into(),
//!     admit_date: Some(admit.parse().unwrap()),
//!     discharge_date: Some(discharge.parse().unwrap()),
//!     group: "ES35".into(),
//!     total_cost: Fen(700_000),
//!     ..Stay::default()
//! };
//! let found = detect(&rules, &[
//!     stay("A", "2025-03-01", "2025-03-05"),
//!     stay("B", "2025-03-20", "2025-03-25"), // 15 days after A's discharge: inside the window
//! ]).unwrap();
//! assert_eq!(found.cases.len(), 1);
//! assert_eq!(found.cases[0].signal, SignalKind::Readmission);
//! assert_eq!(found.cases[0].related.as_deref(), Some("B"));
//! // G7: the earlier stay's 157.5 points are halved by the settlement.
//! let adj = found.adjustment("A").unwrap();
//! let points = adj.apply("157.5".parse::<Points>().unwrap(), Rounding::HalfAwayFromZero).unwrap();
//! assert_eq!(points.to_string(), "78.7500");
//! ```

mod cost_transfer;
mod date;
mod exact;
mod los;
mod low_admission;
mod output;
mod readmission;
mod rules;
mod stay;
mod upcoding;

use std::collections::BTreeMap;

pub use date::Date;
pub use output::*;
pub use rules::*;
pub use stay::{Split, Stay};

use crate::policy::PolicyError;

/// What fired. The order is the order of [`Signals::rules`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignalKind {
    /// 二次入院 / 分解住院: readmission to the same group within the window (on the earlier stay).
    Readmission,
    /// 低标入院: cost far under the group's standard (and a short stay, if so configured).
    LowAdmission,
    /// 高套: a CC/MCC split without the cost of one.
    UpcodingCc,
    /// 高套: a hospital's CC/MCC share in an ADRG far above the region's (per hospital × ADRG).
    UpcodingRate,
    /// 转嫁费用: high outpatient spending around the stay.
    CostTransfer,
    /// 超长住院: a stay far longer than its group's mean, or than a number of days.
    LongStay,
    /// A very short stay.
    ShortStay,
}

impl SignalKind {
    /// Every signal, in order.
    pub const ALL: [SignalKind; 7] = [
        SignalKind::Readmission,
        SignalKind::LowAdmission,
        SignalKind::UpcodingCc,
        SignalKind::UpcodingRate,
        SignalKind::CostTransfer,
        SignalKind::LongStay,
        SignalKind::ShortStay,
    ];

    /// The name used in files (`readmission`, `low_admission`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::Readmission => "readmission",
            SignalKind::LowAdmission => "low_admission",
            SignalKind::UpcodingCc => "upcoding_cc",
            SignalKind::UpcodingRate => "upcoding_rate",
            SignalKind::CostTransfer => "cost_transfer",
            SignalKind::LongStay => "long_stay",
            SignalKind::ShortStay => "short_stay",
        }
    }

    /// The Chinese term (`二次入院`, …), for reports.
    pub fn name_zh(self) -> &'static str {
        match self {
            SignalKind::Readmission => "二次入院",
            SignalKind::LowAdmission => "低标入院",
            SignalKind::UpcodingCc | SignalKind::UpcodingRate => "高套分组",
            SignalKind::CostTransfer => "转嫁费用",
            SignalKind::LongStay => "超长住院",
            SignalKind::ShortStay => "住院天数过短",
        }
    }

    /// Whether the signal is on a stay (all but [`SignalKind::UpcodingRate`], which is on a
    /// hospital × ADRG).
    pub fn is_per_stay(self) -> bool {
        self != SignalKind::UpcodingRate
    }
}

/// Input the signals cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignalError {
    /// A date that is not `YYYY-MM-DD` or not a real day.
    #[error("{text:?} is not a date: write YYYY-MM-DD, a day that exists")]
    BadDate {
        /// The text.
        text: String,
    },
    /// Two stays with one id: pairs and adjustments would be ambiguous.
    #[error("stay id {id:?} appears twice: give every stay its own id")]
    DuplicateId {
        /// The id.
        id: String,
    },
    /// Rules built in code that the policy loader would reject.
    #[error(transparent)]
    Rules(#[from] PolicyError),
}

/// One per-stay rule's run.
struct Outcome {
    signal: SignalKind,
    parameters: String,
    signals: Vec<CaseSignal>,
    assessed: u64,
    not_assessed: u64,
}

impl Outcome {
    fn new(signal: SignalKind, parameters: String) -> Outcome {
        Outcome {
            signal,
            parameters,
            signals: Vec::new(),
            assessed: 0,
            not_assessed: 0,
        }
    }

    fn fire(&mut self, s: &Stay, evidence: String, related: Option<String>) {
        self.signals.push(CaseSignal {
            id: s.id.clone(),
            hospital: s.hospital.clone(),
            signal: self.signal,
            related,
            evidence,
            parameters: self.parameters.clone(),
        });
    }
}

/// Runs every rule present in `rules` over `stays`. Pure and deterministic: the same stays in any
/// order give the same [`Signals`]. Errors: two stays with one id, or rules out of range (rules read
/// by [`crate::policy::Policy::from_toml`] are already checked).
pub fn detect(rules: &SignalRules, stays: &[Stay]) -> Result<Signals, SignalError> {
    rules.check(&crate::policy::Ctx::new("[signals]"))?;
    let mut ids: Vec<&str> = stays.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(SignalError::DuplicateId {
            id: w[0].to_string(),
        });
    }
    let mut outcomes = Vec::new();
    let mut adjustments = Vec::new();
    let mut rates = None;
    if let Some(r) = &rules.readmission {
        let (o, a) = readmission::run(r, stays);
        outcomes.push(o);
        adjustments = a;
    }
    if let Some(r) = &rules.low_admission {
        outcomes.push(low_admission::run(r, stays));
    }
    if let Some(r) = &rules.upcoding {
        if let Some(share) = r.cc_cost_share_at_most {
            outcomes.push(upcoding::cases(r, share.0, stays));
        }
        if let (Some(ratio), Some(min)) = (r.hospital_rate_ratio_above, r.min_cases) {
            rates = Some(upcoding::rates(r, ratio.0, min, stays));
        }
    }
    if let Some(r) = &rules.cost_transfer {
        outcomes.push(cost_transfer::run(r, stays));
    }
    if let Some(r) = &rules.los {
        if r.above_mean_times.is_some() || r.above_days.is_some() {
            outcomes.push(los::long(r, stays));
        }
        if let Some(below) = r.below_days {
            outcomes.push(los::short(r, below, stays));
        }
    }

    let zero: BTreeMap<SignalKind, u64> = outcomes.iter().map(|o| (o.signal, 0)).collect();
    let mut hospitals: BTreeMap<&str, HospitalSignals> = BTreeMap::new();
    for s in stays {
        hospitals
            .entry(&s.hospital)
            .or_insert_with(|| HospitalSignals {
                hospital: s.hospital.clone(),
                stays: 0,
                counts: zero.clone(),
                adrgs_flagged: rates.as_ref().map(|_| 0),
            })
            .stays += 1;
    }
    let mut summaries = Vec::new();
    let mut cases = Vec::new();
    for o in outcomes {
        for c in &o.signals {
            if let Some(h) = hospitals.get_mut(c.hospital.as_str()) {
                *h.counts.entry(o.signal).or_default() += 1;
            }
        }
        summaries.push(RuleSummary {
            signal: o.signal,
            parameters: o.parameters,
            assessed: o.assessed,
            not_assessed: o.not_assessed,
            fired: o.signals.len() as u64,
        });
        cases.extend(o.signals);
    }
    let (mut findings, mut regional) = (Vec::new(), Vec::new());
    if let Some(r) = rates {
        for f in &r.findings {
            if let Some(n) = hospitals
                .get_mut(f.hospital.as_str())
                .and_then(|h| h.adrgs_flagged.as_mut())
            {
                *n += 1;
            }
        }
        summaries.push(r.summary);
        findings = r.findings;
        regional = r.regional;
    }
    summaries.sort_by_key(|s| s.signal);
    cases.sort_by(|a, b| (&a.id, a.signal).cmp(&(&b.id, b.signal)));
    findings.sort_by(|a, b| (&a.hospital, &a.adrg).cmp(&(&b.hospital, &b.adrg)));
    adjustments.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Signals {
        cases,
        findings,
        hospitals: hospitals.into_values().collect(),
        regional,
        adjustments,
        rules: summaries,
    })
}
