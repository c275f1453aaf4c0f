//! The tables of a sweep: the policy as written (step `base`) and then one settlement per value of
//! the parameter (steps `1`…`N`). A step whose policy does not validate is `invalid`, one that
//! cannot close is `failed`; both keep their message and are never dropped.
//!
//! - [`steps`] (`sweep.csv`): one row per step: value, status, counts, totals, fund balance, each
//!   pool's point value and balance, and the headline KPIs;
//! - [`hospitals`] (`sweep-hospitals.csv`): one row per step and hospital: cases, payment, its delta
//!   against the base, points, CMI;
//! - [`with_step`]: the comparison's long tables (`pools.csv`, `kpis.csv`, `rejected.csv`) with the
//!   step and the value in front.

use settlement::money::{Fen, Ratio};

use super::delta::{delta_pct, Table};
use super::outcome::Outcome;

/// What became of a step.
#[derive(Clone, Debug)]
pub enum Status {
    /// Settled.
    Settled(Box<Outcome>),
    /// The edited policy does not validate (the message names the key).
    Invalid(String),
    /// The policy validates but the run cannot close (e.g. a pool overspent).
    Failed(String),
}

/// One step of a sweep.
#[derive(Clone, Debug)]
pub struct Step {
    /// `base` for the policy as written, else `1`…`N`.
    pub label: String,
    /// The parameter's value in this step.
    pub value: Ratio,
    /// Its result.
    pub status: Status,
}

impl Step {
    /// The outcome, when the step settled.
    pub fn outcome(&self) -> Option<&Outcome> {
        match &self.status {
            Status::Settled(o) => Some(o),
            _ => None,
        }
    }

    fn status_name(&self) -> (&'static str, &str) {
        match &self.status {
            Status::Settled(_) => ("ok", ""),
            Status::Invalid(m) => ("invalid", m),
            Status::Failed(m) => ("failed", m),
        }
    }
}

/// The KPIs `sweep.csv` carries as columns (all are in `kpis.csv`).
pub const HEADLINE_KPIS: [&str; 5] = [
    "by_disease_share",
    "ffs_share",
    "primary_share",
    "outlier_share",
    "cmi",
];

/// `sweep.csv`: `step, value, status, message, settled, rejected, payment_fen, delta_fen,
/// delta_pct, balance_fen`, then per pool of the base policy `<pool>.point_value` (yuan per point)
/// and `<pool>.balance_fen`, then the [`HEADLINE_KPIS`] as numbers. Deltas are against the base.
pub fn steps(steps: &[Step]) -> Table {
    let base = steps.first().and_then(Step::outcome);
    let pools: Vec<String> = base.map_or(Vec::new(), |b| {
        b.pools.iter().map(|p| p.id.clone()).collect()
    });
    let mut header: Vec<String> = [
        "step",
        "value",
        "status",
        "message",
        "settled",
        "rejected",
        "payment_fen",
        "delta_fen",
        "delta_pct",
        "balance_fen",
    ]
    .map(String::from)
    .to_vec();
    for p in &pools {
        header.push(format!("{p}.point_value"));
        header.push(format!("{p}.balance_fen"));
    }
    header.extend(HEADLINE_KPIS.map(String::from));
    let base_pay = base.map_or(Fen::ZERO, Outcome::payment);
    let mut rows = Vec::new();
    for s in steps {
        let (status, message) = s.status_name();
        let mut row = vec![
            s.label.clone(),
            s.value.to_string(),
            status.to_string(),
            message.to_string(),
        ];
        match s.outcome() {
            Some(o) => {
                let pay = o.payment();
                row.extend([
                    o.settled.to_string(),
                    o.rejected.len().to_string(),
                    pay.0.to_string(),
                    (pay - base_pay).0.to_string(),
                    delta_pct(pay - base_pay, base_pay),
                    o.balance().0.to_string(),
                ]);
                for id in &pools {
                    let p = o.pools.iter().find(|p| &p.id == id);
                    row.push(
                        p.and_then(|p| p.point_value)
                            .map(crate::io::statement::yuan_per_point)
                            .unwrap_or_default(),
                    );
                    row.push(p.map(|p| p.balance.0.to_string()).unwrap_or_default());
                }
                for k in HEADLINE_KPIS {
                    row.push(o.kpi(k).map(|k| k.number.clone()).unwrap_or_default());
                }
            }
            None => row.resize(header.len(), String::new()),
        }
        rows.push(row);
    }
    Table { header, rows }
}

/// `sweep-hospitals.csv`: `step, value, hospital, level, cases, payment_fen, delta_fen, delta_pct,
/// points, cmi`, one row per settled step and hospital (deltas against the base).
pub fn hospitals(steps: &[Step]) -> Table {
    let header = [
        "step",
        "value",
        "hospital",
        "level",
        "cases",
        "payment_fen",
        "delta_fen",
        "delta_pct",
        "points",
        "cmi",
    ]
    .map(String::from)
    .to_vec();
    let base = steps.first().and_then(Step::outcome);
    let mut rows = Vec::new();
    for s in steps {
        let Some(o) = s.outcome() else { continue };
        for h in &o.hospitals {
            let r = &h.result;
            let b = base
                .and_then(|b| b.hospital(&r.code))
                .map_or(Fen::ZERO, |h| h.result.payment);
            rows.push(vec![
                s.label.clone(),
                s.value.to_string(),
                r.code.clone(),
                r.level.to_string(),
                r.cases.to_string(),
                r.payment.0.to_string(),
                (r.payment - b).0.to_string(),
                delta_pct(r.payment - b, b),
                r.points.to_string(),
                r.cmi.map(|c| c.approx(4)).unwrap_or_default(),
            ]);
        }
    }
    Table { header, rows }
}

/// The `n` hospitals whose payment moves most (in absolute fen; ties by code) from the first to the
/// last settled step after the base: (hospital, first payment, last payment).
pub fn most_sensitive(steps: &[Step], n: usize) -> Vec<(String, Fen, Fen)> {
    let settled: Vec<&Outcome> = steps.iter().skip(1).filter_map(Step::outcome).collect();
    let (Some(first), Some(last)) = (settled.first(), settled.last()) else {
        return Vec::new();
    };
    let pay = |o: &Outcome, c: &str| o.hospital(c).map_or(Fen::ZERO, |h| h.result.payment);
    let mut all: Vec<(String, Fen, Fen)> = super::delta::hospital_codes(settled.iter().copied())
        .into_keys()
        .map(|c| {
            let (a, b) = (pay(first, &c), pay(last, &c));
            (c, a, b)
        })
        .collect();
    all.sort_by(|x, y| {
        (y.2 - y.1)
            .0
            .abs()
            .cmp(&(x.2 - x.1).0.abs())
            .then_with(|| x.0.cmp(&y.0))
    });
    all.truncate(n);
    all
}

/// A comparison table built over the settled steps (each step's outcome labelled with the step)
/// with its `scenario` column renamed `step` and the step's value inserted after it.
pub fn with_step(steps: &[Step], build: impl Fn(&[Outcome]) -> Table) -> Table {
    let outs: Vec<Outcome> = steps.iter().filter_map(|s| s.outcome().cloned()).collect();
    let mut t = build(&outs);
    if t.header.first().is_some_and(|h| h == "scenario") {
        t.header[0] = "step".into();
    }
    t.header.insert(1, "value".into());
    for row in &mut t.rows {
        let value = steps
            .iter()
            .find(|s| s.label == row[0])
            .map(|s| s.value.to_string())
            .unwrap_or_default();
        row.insert(1, value);
    }
    t
}
