//! Scenarios: the same cases settled under several policies (`drgdip compare`) or under one policy
//! with one parameter stepped over a range (`drgdip sweep`).
//!
//! - [`cases`]: the input read once and grouped once per distinct grouping ([`cases::GroupingKey`]:
//!   the same scheme or catalog, switches and code mapping give the same grouping), every row kept
//!   as a case or as the reason it cannot be one;
//! - [`outcome`]: one policy's settlement of those cases ([`outcome::settle`], pricing on rayon,
//!   then the ledger's close), kept as an [`outcome::Outcome`]: hospitals, pools, KPIs, rejections and
//!   each input row's payment;
//! - [`delta`]: the comparison tables: per hospital, per group (each row under the baseline's group
//!   and under every scenario's own), pools, KPIs, winners and losers;
//! - [`summary`]: the comparison's `summary.json` (totals, fund balance, winners and losers);
//! - [`param`]: a dotted path into a policy's TOML and the values a sweep gives it;
//! - [`sweep`]: the tables of a sweep, one row per step (and per hospital, pool, KPI).
//!
//! Results do not depend on batching or on the number of threads: pricing is pure per case, the
//! ledger's close sorts, and every table here is ordered by code (scenarios and steps in the order
//! given).

pub mod cases;
pub mod delta;
pub mod outcome;
pub mod param;
pub mod summary;
pub mod sweep;

/// Why a policy cannot be compared or swept here: `compare` and `sweep` price the cases held in
/// memory without the supervision pass, so a `[signals]` rule that changes payments
/// (`readmission.earlier_points_share`) would be silently left out. Rules that only flag are fine:
/// they never change a payment.
pub fn unsupported(policy: &settlement::policy::Policy, origin: &str) -> Result<(), String> {
    let adjusts = policy
        .signals
        .as_ref()
        .and_then(|s| s.readmission.as_ref())
        .is_some_and(|r| r.earlier_points_share.is_some());
    if adjusts {
        return Err(format!(
            "{origin}: [signals.readmission] earlier_points_share changes payments, and compare/sweep \
             do not run the signals yet; settle this policy with `drgdip settle`, or drop the key to \
             compare without the adjustment"
        ));
    }
    Ok(())
}
