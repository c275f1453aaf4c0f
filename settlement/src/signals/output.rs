//! What [`super::detect`] returns: signals per stay, findings per hospital and ADRG, counts and
//! rates per hospital, the regional rates compared against, the points adjustments the policy asks
//! for, and a summary per rule. Every list is sorted by stable keys, so the same stays in any order
//! give the same output.

use std::collections::BTreeMap;

use crate::money::{MoneyError, Ratio, Rounding};
use crate::points::Points;

use super::SignalKind;

/// A signal on one stay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseSignal {
    /// The stay's id (for a readmission: the earlier stay, whose points the policy may reduce).
    pub id: String,
    /// The stay's hospital.
    pub hospital: String,
    /// What fired.
    pub signal: SignalKind,
    /// The other stay of a readmission pair (the readmission); `None` for the other signals.
    pub related: Option<String>,
    /// The numbers that made it fire, in words (`cost 2999.99 < 0.3 × group ES35 standard …`).
    pub evidence: String,
    /// The rule's parameters and source (`window_days=15; same=group; …; source=…`).
    pub parameters: String,
}

/// A finding on a hospital and ADRG (the CC/MCC-rate rule of `[signals.upcoding]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HospitalFinding {
    /// Hospital code.
    pub hospital: String,
    /// ADRG code.
    pub adrg: String,
    /// What fired ([`SignalKind::UpcodingRate`]).
    pub signal: SignalKind,
    /// The hospital's stays in the ADRG (splits by CC/MCC only).
    pub stays: u64,
    /// Of which in a CC or MCC split.
    pub with_cc_mcc: u64,
    /// The numbers that made it fire, in words.
    pub evidence: String,
    /// The rule's parameters and source.
    pub parameters: String,
}

/// The region's share of stays in CC/MCC splits for one ADRG: what hospitals are compared against.
/// Every hospital's stays count, the compared hospital's included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionalRate {
    /// ADRG code.
    pub adrg: String,
    /// Stays in the ADRG (splits by CC/MCC only).
    pub stays: u64,
    /// Of which in a CC or MCC split.
    pub with_cc_mcc: u64,
}

impl RegionalRate {
    /// `with_cc_mcc / stays`.
    pub fn rate(&self) -> Option<Ratio> {
        Ratio::new(i128::from(self.with_cc_mcc), i128::from(self.stays))
            .ok()
            .filter(|_| self.stays > 0)
    }
}

/// A change to a stay's points that the policy asks for: the earlier stay of a readmission pair,
/// when `[signals.readmission] earlier_points_share` is set. The signals never change a payment
/// themselves; the settlement applies these before closing the pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsAdjustment {
    /// The stay whose points change (the earlier stay).
    pub id: String,
    /// Its hospital.
    pub hospital: String,
    /// The factor on its points (`0.5`: halved).
    pub share: Ratio,
    /// The readmission that caused it.
    pub readmission: String,
}

impl PointsAdjustment {
    /// The stay's points after the adjustment, rounded to 4 decimals with the policy's points rule
    /// (`[rounding] points`): 157.5 points × 0.5 = 78.75 (settlement-policy.md G7).
    pub fn apply(&self, points: Points, rounding: Rounding) -> Result<Points, MoneyError> {
        points.scale(self.share, rounding)
    }
}

/// Counts per hospital, for every rule that ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HospitalSignals {
    /// Hospital code.
    pub hospital: String,
    /// The hospital's stays checked.
    pub stays: u64,
    /// Stays with each per-stay signal, for every per-stay rule that ran (zeros included).
    pub counts: BTreeMap<SignalKind, u64>,
    /// ADRGs where the hospital's CC/MCC share fired ([`SignalKind::UpcodingRate`]), when that rule
    /// ran.
    pub adrgs_flagged: Option<u64>,
}

impl HospitalSignals {
    /// Stays with the signal; `None` when its rule did not run (or is not a per-stay rule).
    pub fn count(&self, signal: SignalKind) -> Option<u64> {
        self.counts.get(&signal).copied()
    }

    /// Stays with the signal over the hospital's stays; `None` when its rule did not run.
    pub fn rate(&self, signal: SignalKind) -> Option<Ratio> {
        let n = self.count(signal)?;
        Ratio::new(i128::from(n), i128::from(self.stays))
            .ok()
            .filter(|_| self.stays > 0)
    }
}

/// How one rule went: what it could check and what fired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSummary {
    /// The signal.
    pub signal: SignalKind,
    /// The rule's parameters and source.
    pub parameters: String,
    /// Stays checked (for [`SignalKind::UpcodingRate`]: hospital × ADRG pairs compared).
    pub assessed: u64,
    /// Stays the rule could not check for a missing input (no patient or dates, no group standard,
    /// no LOS, …); for [`SignalKind::UpcodingRate`]: hospital × ADRG pairs under `min_cases`.
    pub not_assessed: u64,
    /// Stays (or hospital × ADRG pairs) that fired.
    pub fired: u64,
}

/// Everything [`super::detect`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Signals {
    /// Per-stay signals, by stay id then signal.
    pub cases: Vec<CaseSignal>,
    /// Per hospital × ADRG findings, by hospital then ADRG.
    pub findings: Vec<HospitalFinding>,
    /// Counts per hospital, by hospital code (every hospital with a stay).
    pub hospitals: Vec<HospitalSignals>,
    /// Regional CC/MCC shares per ADRG, by ADRG (when the CC/MCC-rate rule ran).
    pub regional: Vec<RegionalRate>,
    /// Points adjustments, by stay id (only when `earlier_points_share` is set).
    pub adjustments: Vec<PointsAdjustment>,
    /// One summary per rule that ran, in [`SignalKind`] order.
    pub rules: Vec<RuleSummary>,
}

impl Signals {
    /// The signals on one stay.
    pub fn for_case<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a CaseSignal> + 'a {
        let start = self.cases.partition_point(|c| c.id.as_str() < id);
        self.cases[start..].iter().take_while(move |c| c.id == id)
    }

    /// The points adjustment of one stay, if the policy asks for one.
    pub fn adjustment(&self, id: &str) -> Option<&PointsAdjustment> {
        self.adjustments
            .binary_search_by(|a| a.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.adjustments[i])
    }

    /// The counts of one hospital.
    pub fn hospital(&self, code: &str) -> Option<&HospitalSignals> {
        self.hospitals
            .binary_search_by(|h| h.hospital.as_str().cmp(code))
            .ok()
            .map(|i| &self.hospitals[i])
    }

    /// The summary of one rule, if it ran.
    pub fn rule(&self, signal: SignalKind) -> Option<&RuleSummary> {
        self.rules.iter().find(|r| r.signal == signal)
    }
}
