//! 低标入院: a stay far cheaper than its group's standard (and, when the policy says so, short),
//! the profile of an admission that outpatient care could have handled.

use super::exact::{fen, less, times, yuan};
use super::{LowAdmissionRule, Outcome, SignalKind, Stay};

/// Flags stays with `cost < cost_share_below × group standard` (and `LOS ≤ los_at_most` when set).
pub(super) fn run(rule: &LowAdmissionRule, stays: &[Stay]) -> Outcome {
    let mut out = Outcome::new(SignalKind::LowAdmission, rule.parameters());
    let share = rule.cost_share_below.0;
    for s in stays {
        let Some(standard) = s.group_standard.filter(|_| !s.group.is_empty()) else {
            out.not_assessed += 1;
            continue;
        };
        if rule.los_at_most.is_some() && s.los.is_none() {
            out.not_assessed += 1;
            continue;
        }
        let Some(bound) = times(share, standard) else {
            out.not_assessed += 1;
            continue;
        };
        let Some(low) = less(fen(s.total_cost), bound) else {
            out.not_assessed += 1;
            continue;
        };
        out.assessed += 1;
        let short = match (rule.los_at_most, s.los) {
            (Some(max), Some(l)) => l <= max,
            _ => true,
        };
        if !(low && short) {
            continue;
        }
        let mut evidence = format!(
            "cost {} < {} × group {} standard {} = {}",
            s.total_cost,
            share,
            s.group,
            standard,
            yuan(bound)
        );
        if let (Some(max), Some(l)) = (rule.los_at_most, s.los) {
            evidence.push_str(&format!("; LOS {l} ≤ {max} days"));
        }
        out.fire(s, evidence, None);
    }
    out
}
