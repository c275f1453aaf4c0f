//! Unusual length of stay: 超长住院 (longer than a multiple of the group's mean, or than a number of
//! days) and very short stays (shorter than a number of days).

use crate::money::Ratio;

use super::exact::less;
use super::{LosRule, Outcome, SignalKind, Stay};

/// The long-stay rule: `LOS > above_mean_times × group mean LOS` or `LOS > above_days`. A stay
/// without a group mean is checked against `above_days` only (not assessed when that is absent).
pub(super) fn long(rule: &LosRule, stays: &[Stay]) -> Outcome {
    let mut out = Outcome::new(SignalKind::LongStay, rule.parameters());
    for s in stays {
        let Some(los) = s.los else {
            out.not_assessed += 1;
            continue;
        };
        let days = Ratio::int(i128::from(los));
        let by_mean = match (rule.above_mean_times, s.group_mean_los) {
            (Some(t), Some(mean)) => match t.0.checked_mul(mean).ok() {
                Some(bound) => less(bound, days).map(|above| (above, t.0, mean, bound)),
                None => None,
            },
            _ => None,
        };
        if by_mean.is_none() && rule.above_days.is_none() {
            out.not_assessed += 1;
            continue;
        }
        out.assessed += 1;
        let mut why = Vec::new();
        if let Some((true, t, mean, bound)) = by_mean {
            why.push(format!(
                "LOS {los} > {t} × group {} mean LOS {} = {} days",
                s.group,
                mean.approx(2),
                bound.approx(2)
            ));
        }
        if let Some(max) = rule.above_days.filter(|&max| los > max) {
            why.push(format!("LOS {los} > {max} days"));
        }
        if !why.is_empty() {
            out.fire(s, why.join("; "), None);
        }
    }
    out
}

/// The short-stay rule: `LOS < below_days`.
pub(super) fn short(rule: &LosRule, below: u32, stays: &[Stay]) -> Outcome {
    let mut out = Outcome::new(SignalKind::ShortStay, rule.parameters());
    for s in stays {
        let Some(los) = s.los else {
            out.not_assessed += 1;
            continue;
        };
        out.assessed += 1;
        if los < below {
            out.fire(s, format!("LOS {los} < {below} days"), None);
        }
    }
    out
}
