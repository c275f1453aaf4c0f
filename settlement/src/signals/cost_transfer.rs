//! 转嫁费用: spending moved out of the bundle into outpatient care around the stay (tests before
//! admission, drugs after discharge), where it is paid item by item on top of the bundle.

use crate::money::{Fen, Ratio};

use super::exact::{fen, less, percent};
use super::{CostTransferRule, Outcome, SignalKind, Stay};

/// `outpatient / (outpatient + stay)`; `None` without any spending, or with a negative amount
/// (refunds netted below zero), where no share can be judged.
fn share(outpatient: Fen, stay: Fen) -> Option<Ratio> {
    let episode = outpatient.checked_add(stay)?;
    if episode.0 <= 0 || outpatient.0 < 0 || stay.0 < 0 {
        return None;
    }
    fen(outpatient).checked_div(fen(episode)).ok()
}

/// Flags stays with `outpatient / (outpatient + stay cost) > outpatient_share_above`.
pub(super) fn run(rule: &CostTransferRule, stays: &[Stay]) -> Outcome {
    let mut out = Outcome::new(SignalKind::CostTransfer, rule.parameters());
    let bound = rule.outpatient_share_above.0;
    for s in stays {
        let shares = s
            .outpatient_cost_around
            .and_then(|o| Some((o, share(o, s.total_cost)?)));
        let Some((outpatient, share)) = shares else {
            out.not_assessed += 1;
            continue;
        };
        let Some(above) = less(bound, share) else {
            out.not_assessed += 1;
            continue;
        };
        out.assessed += 1;
        if !above {
            continue;
        }
        let evidence = format!(
            "outpatient {} within {} days around the stay is {} of {} (outpatient + stay {}), \
             above {}",
            outpatient,
            rule.window_days,
            percent(share),
            outpatient + s.total_cost,
            s.total_cost,
            percent(bound)
        );
        out.fire(s, evidence, None);
    }
    out
}
