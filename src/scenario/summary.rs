//! The `summary.json` of a comparison: every scenario's identity, row counts, totals, fund balance,
//! pools and KPIs, the winners and losers against the baseline, and the KPI definitions.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use settlement::money::Fen;
use settlement::policy::{BundleMethod, Period};

use super::delta::{delta_pct, movers, Mover};
use super::outcome::Outcome;

/// `"drg"` or `"dip"`.
pub fn bundle_name(b: BundleMethod) -> &'static str {
    match b {
        BundleMethod::Drg => "drg",
        BundleMethod::Dip => "dip",
    }
}

fn period_name(p: Period) -> &'static str {
    match p {
        Period::Month => "month",
        Period::Year => "year",
    }
}

fn mover(m: &Mover) -> Value {
    json!({
        "hospital": m.hospital,
        "baseline_fen": m.baseline.0,
        "payment_fen": m.payment.0,
        "delta_fen": m.delta().0,
        "delta_pct": delta_pct(m.delta(), m.baseline),
    })
}

/// One scenario's entry: identity, counts, totals, pools and KPIs.
pub fn scenario(o: &Outcome, baseline: &Outcome) -> Value {
    let h = &o.header;
    let sum = |f: fn(&settlement::settle::PoolResult) -> Fen| -> i64 {
        o.pools.iter().map(f).sum::<Fen>().0
    };
    let pools: Vec<Value> = o
        .pools
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "closure": p.closure,
                "paid_fen": p.paid.0,
                "balance_fen": p.balance.0,
                "point_value": p.point_value.map(crate::io::statement::yuan_per_point),
            })
        })
        .collect();
    let kpis: Vec<Value> = o
        .kpis
        .iter()
        .map(|k| {
            json!({
                "kpi": k.key,
                "name": k.name,
                "value": k.value,
                "number": k.number,
                "detail": k.detail,
                "targets": k.targets.iter().map(|t| json!({
                    "at_least_pct": t.at_least_pct as i64,
                    "label": t.label,
                    "met": k.share.is_some_and(|s| s.at_least(t.at_least_pct)),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "label": o.label,
        "policy": {
            "name": h.name, "region": h.region, "version": h.version,
            "bundle": bundle_name(h.bundle), "period": period_name(h.period),
            "file": o.origin,
        },
        "tables": o.tables,
        "grouping": o.grouping,
        "counts": {
            "rows_in": o.rows_in,
            "cases_settled": o.settled,
            "cases_rejected": o.rejected.len(),
        },
        "totals": {
            "payment_fen": o.payment().0,
            "net_fen": o.net().0,
            "budget_fen": sum(|p| p.budget),
            "distributable_fen": sum(|p| p.distributable),
            "paid_fen": sum(|p| p.paid),
            "balance_fen": o.balance().0,
        },
        "delta": {
            "payment_fen": (o.payment() - baseline.payment()).0,
            "balance_fen": (o.balance() - baseline.balance()).0,
        },
        "pools": pools,
        "kpis": kpis,
    })
}

/// The whole document. `cases` names the input, `groupings` the distinct groupings' tables (by
/// index), `top` how many winners and losers to list per scenario.
pub fn compare(cases: &str, outs: &[Outcome], groupings: &[String], top: usize) -> Value {
    let Some(base) = outs.first() else {
        return json!({});
    };
    let mut definitions = BTreeMap::new();
    for o in outs {
        for k in &o.kpis {
            definitions
                .entry(k.key.clone())
                .or_insert_with(|| json!({"name": k.name, "definition": k.definition}));
        }
    }
    let changes: Vec<Value> = (1..outs.len())
        .map(|k| {
            let (gain, lose) = movers(outs, k, top);
            json!({
                "scenario": outs[k].label,
                "payment_delta_fen": (outs[k].payment() - base.payment()).0,
                "balance_delta_fen": (outs[k].balance() - base.balance()).0,
                "gaining_most": gain.iter().map(mover).collect::<Vec<_>>(),
                "losing_most": lose.iter().map(mover).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "cases": cases,
        "rows_in": base.rows_in,
        "baseline": base.label,
        "groupings": groupings.iter().enumerate().map(|(i, g)| json!({
            "index": i,
            "tables": g,
            "scenarios": outs.iter().filter(|o| o.grouping == i).map(|o| o.label.as_str()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "scenarios": outs.iter().map(|o| scenario(o, base)).collect::<Vec<_>>(),
        "winners_and_losers": changes,
        "kpi_definitions": definitions,
    })
}
