//! 高套分组 / 诊断升级: secondary diagnoses that only change the split. Per stay, a CC or MCC split
//! whose cost is no higher than the uncomplicated split's standard; per hospital and ADRG, a share
//! of stays in CC/MCC splits far above the region's share for the same ADRG.

use std::collections::BTreeMap;

use crate::money::Ratio;

use super::exact::{fen, less, percent, times, yuan};
use super::{
    HospitalFinding, Outcome, RegionalRate, RuleSummary, SignalKind, Split, Stay, UpcodingRule,
};

/// The per-stay rule: `split ∈ {MCC, CC}` and `cost ≤ share × uncomplicated standard`.
pub(super) fn cases(rule: &UpcodingRule, share: Ratio, stays: &[Stay]) -> Outcome {
    let mut out = Outcome::new(SignalKind::UpcodingCc, rule.parameters());
    for s in stays {
        let Some(split) = s.split.filter(|_| !s.group.is_empty()) else {
            out.not_assessed += 1;
            continue;
        };
        if !split.has_cc_or_mcc() {
            out.assessed += 1;
            continue;
        }
        let Some(standard) = s.uncomplicated_standard else {
            out.not_assessed += 1;
            continue;
        };
        let bound = times(share, standard);
        let Some((bound, above)) = bound.and_then(|b| Some((b, less(b, fen(s.total_cost))?)))
        else {
            out.not_assessed += 1;
            continue;
        };
        out.assessed += 1;
        if above {
            continue;
        }
        let own = s
            .group_standard
            .map(|g| format!(" (its own standard {g})"))
            .unwrap_or_default();
        let evidence = format!(
            "group {} ({} split){own}: cost {} ≤ {share} × {} = {}, the standard of the ADRG's \
             split without CC/MCC",
            s.group,
            split.as_str(),
            s.total_cost,
            standard,
            yuan(bound)
        );
        out.fire(s, evidence, None);
    }
    out
}

/// What the per-hospital rule found.
pub(super) struct RateRun {
    pub(super) summary: RuleSummary,
    pub(super) findings: Vec<HospitalFinding>,
    pub(super) regional: Vec<RegionalRate>,
}

/// The per-hospital rule: for each hospital × ADRG with at least `min_cases` stays in an ADRG split
/// by CC/MCC, `hospital share in CC/MCC splits > ratio × regional share`.
pub(super) fn rates(rule: &UpcodingRule, ratio: Ratio, min_cases: u32, stays: &[Stay]) -> RateRun {
    let mut region: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut hospital: BTreeMap<(&str, &str), (u64, u64)> = BTreeMap::new();
    for s in stays {
        let (Some(adrg), Some(split)) = (s.adrg.as_deref(), s.split) else {
            continue;
        };
        if adrg.is_empty() || !split.is_split() {
            continue;
        }
        let cc = u64::from(split != Split::Without);
        for e in [
            region.entry(adrg).or_default(),
            hospital.entry((&s.hospital, adrg)).or_default(),
        ] {
            e.0 += 1;
            e.1 += cc;
        }
    }
    let parameters = rule.parameters();
    let mut summary = RuleSummary {
        signal: SignalKind::UpcodingRate,
        parameters: parameters.clone(),
        assessed: 0,
        not_assessed: 0,
        fired: 0,
    };
    let mut findings = Vec::new();
    let rate = |k: u64, n: u64| Ratio::new(i128::from(k), i128::from(n).max(1));
    for (&(h, adrg), &(n, k)) in &hospital {
        if n < u64::from(min_cases) {
            summary.not_assessed += 1;
            continue;
        }
        let (rn, rk) = region.get(adrg).copied().unwrap_or((n, k));
        let (Ok(hr), Ok(rr)) = (rate(k, n), rate(rk, rn)) else {
            summary.not_assessed += 1;
            continue;
        };
        let Some(above) = ratio.checked_mul(rr).ok().and_then(|b| less(b, hr)) else {
            summary.not_assessed += 1;
            continue;
        };
        summary.assessed += 1;
        if !above {
            continue;
        }
        // Above a non-negative bound, so the hospital's rate and the region's (which includes it)
        // are positive.
        let times = hr
            .checked_div(rr)
            .map_or_else(|_| "∞".into(), |t| t.approx(2));
        summary.fired += 1;
        findings.push(HospitalFinding {
            hospital: h.to_string(),
            adrg: adrg.to_string(),
            signal: SignalKind::UpcodingRate,
            stays: n,
            with_cc_mcc: k,
            evidence: format!(
                "ADRG {adrg}: {k} of {n} stays in CC/MCC splits ({}); region {rk} of {rn} ({}); \
                 {times} times the regional share, above {ratio}",
                percent(hr),
                percent(rr)
            ),
            parameters: parameters.clone(),
        });
    }
    let regional = region
        .into_iter()
        .map(|(adrg, (stays, with_cc_mcc))| RegionalRate {
            adrg: adrg.to_string(),
            stays,
            with_cc_mcc,
        })
        .collect();
    RateRun {
        summary,
        findings,
        regional,
    }
}
