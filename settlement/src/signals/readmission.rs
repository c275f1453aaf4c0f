//! 二次入院 / 分解住院: the same patient admitted again to the same group (or ADRG) within a window
//! after a discharge. The earlier stay carries the signal, and the points adjustment when the policy
//! sets `earlier_points_share` (Zhejiang halves the earlier stay's points, S8).

use std::collections::BTreeMap;

use super::{Outcome, PointsAdjustment, ReadmissionRule, SameKey, SignalKind, Stay};

/// Stays that can be paired: patient, dates (discharge not before admission) and the comparison
/// key present.
struct Dated<'a> {
    stay: &'a Stay,
    admit: super::Date,
    discharge: super::Date,
}

/// Pairs each stay with its nearest readmission. Returns the signals and, when the rule sets a
/// share, one adjustment per earlier stay.
pub(super) fn run(rule: &ReadmissionRule, stays: &[Stay]) -> (Outcome, Vec<PointsAdjustment>) {
    let mut out = Outcome::new(SignalKind::Readmission, rule.parameters());
    let mut adjustments = Vec::new();
    // Buckets of comparable stays: (patient, group or ADRG, hospital when same_hospital).
    let mut buckets: BTreeMap<(&str, &str, &str), Vec<Dated>> = BTreeMap::new();
    for s in stays {
        let key = match rule.same {
            SameKey::Group => Some(s.group.as_str()),
            SameKey::Adrg => s.adrg.as_deref(),
        };
        let usable = (s.patient.as_deref(), key, s.admit_date, s.discharge_date);
        let (Some(p), Some(k), Some(a), Some(d)) = usable else {
            out.not_assessed += 1;
            continue;
        };
        if p.is_empty() || k.is_empty() || d < a {
            out.not_assessed += 1;
            continue;
        }
        out.assessed += 1;
        let h = if rule.same_hospital {
            s.hospital.as_str()
        } else {
            ""
        };
        buckets.entry((p, k, h)).or_default().push(Dated {
            stay: s,
            admit: a,
            discharge: d,
        });
    }
    let window = i64::from(rule.window_days);
    let exempt = |s: &Stay| {
        rule.exempt_diagnosis_prefixes
            .iter()
            .any(|p| s.principal.starts_with(p.as_str()))
    };
    for (_, mut b) in buckets {
        // A total order: ids are unique.
        b.sort_by(|x, y| {
            (x.admit, x.discharge, &x.stay.id).cmp(&(y.admit, y.discharge, &y.stay.id))
        });
        for (i, e) in b.iter().enumerate() {
            // Later stays in admission order: the first one admitted on or after the discharge,
            // within the window and not exempt, is the readmission. Overlapping stays are skipped.
            let found = b[i + 1..]
                .iter()
                .filter(|l| l.admit >= e.discharge)
                .take_while(|l| e.discharge.days_until(l.admit) <= window)
                .find(|l| !exempt(l.stay));
            let Some(l) = found else { continue };
            let gap = e.discharge.days_until(l.admit);
            let key = match rule.same {
                SameKey::Group => format!("group {}", e.stay.group),
                SameKey::Adrg => format!(
                    "ADRG {} (groups {} and {})",
                    e.stay.adrg.as_deref().unwrap_or(""),
                    e.stay.group,
                    l.stay.group
                ),
            };
            let mut evidence = format!(
                "readmitted as {} at {} on {}, {gap} days after discharge on {} \
                 (window {} days, inclusive); same {key}",
                l.stay.id, l.stay.hospital, l.admit, e.discharge, rule.window_days
            );
            if let Some(share) = rule.earlier_points_share {
                evidence.push_str(&format!("; this stay's points × {}", share.0));
                adjustments.push(PointsAdjustment {
                    id: e.stay.id.clone(),
                    hospital: e.stay.hospital.clone(),
                    share: share.0,
                    readmission: l.stay.id.clone(),
                });
            }
            out.fire(e.stay, evidence, Some(l.stay.id.clone()));
        }
    }
    (out, adjustments)
}
