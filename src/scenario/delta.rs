//! The comparison tables: scenarios side by side, each against the first (the baseline).
//!
//! - [`hospitals`]: one row per hospital, per scenario its cases, payment, points, CMI, outlier and
//!   FFS shares, and the payment delta against the baseline;
//! - [`groups`]: one row per group of the baseline's grouping (every input row counted under the
//!   group the baseline's grouping gave it), per scenario the rows settled, the payment for those
//!   rows and its delta; a scenario with another grouping also names the group most of those rows
//!   fall in under its own grouping, and [`crosswalk`] lists every pair;
//! - [`pools`], [`kpis`], [`rejected`]: long tables, one row per scenario and pool / KPI / row.
//!
//! Money is integer fen; shares are written as fractions with 4 decimals, deltas in percent with 2.

use std::collections::BTreeMap;

use settlement::money::Fen;
use settlement::policy::Basis;

use super::cases::{group_code, Row};
use super::outcome::Outcome;
use crate::report::kpi::{Kpi, Share};

/// A table of text, header first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, as many cells as columns.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as CSV bytes.
    pub fn csv(&self) -> Vec<u8> {
        let mut out = Vec::new();
        crate::io::csv::write_row(&mut out, self.header.iter().map(String::as_str));
        for r in &self.rows {
            crate::io::csv::write_row(&mut out, r.iter().map(String::as_str));
        }
        out
    }
}

/// `delta ÷ base` in percent with 2 decimals; empty when the base is zero.
pub fn delta_pct(delta: Fen, base: Fen) -> String {
    Share::of(i128::from(delta.0) * 100, base.0).fraction(2)
}

/// A column name: the scenario's label, a dot, the column.
fn col(label: &str, name: &str) -> String {
    format!("{label}.{name}")
}

/// Every hospital of any scenario, by code, with its level (as the first scenario that has it).
pub fn hospital_codes<'a>(outs: impl IntoIterator<Item = &'a Outcome>) -> BTreeMap<String, u8> {
    let mut m = BTreeMap::new();
    for o in outs {
        for h in &o.hospitals {
            m.entry(h.result.code.clone()).or_insert(h.result.level);
        }
    }
    m
}

/// `hospitals.csv`: `hospital, level`, then per scenario `cases, payment_fen, points, cmi,
/// outlier_share, ffs_share`, and for every scenario after the baseline `delta_fen, delta_pct`
/// (payment − the baseline's payment). A hospital without settled cases in a scenario has zero
/// cases and payment there and empty shares.
pub fn hospitals(outs: &[Outcome]) -> Table {
    let mut header = vec!["hospital".to_string(), "level".to_string()];
    for (i, o) in outs.iter().enumerate() {
        for c in [
            "cases",
            "payment_fen",
            "points",
            "cmi",
            "outlier_share",
            "ffs_share",
        ] {
            header.push(col(&o.label, c));
        }
        if i > 0 {
            header.push(col(&o.label, "delta_fen"));
            header.push(col(&o.label, "delta_pct"));
        }
    }
    let mut rows = Vec::new();
    for (code, level) in hospital_codes(outs) {
        let base = outs
            .first()
            .and_then(|o| o.hospital(&code))
            .map_or(Fen::ZERO, |h| h.result.payment);
        let mut row = vec![code.clone(), level.to_string()];
        for (i, o) in outs.iter().enumerate() {
            let h = o.hospital(&code);
            let pay = h.map_or(Fen::ZERO, |h| h.result.payment);
            match h {
                Some(h) => row.extend([
                    h.result.cases.to_string(),
                    pay.0.to_string(),
                    h.result.points.to_string(),
                    h.result.cmi.map(|c| c.approx(4)).unwrap_or_default(),
                    h.outlier_share().fraction(4),
                    h.ffs_share().fraction(4),
                ]),
                None => row.extend(
                    ["0", "0", "0.0000", "", "", ""]
                        .iter()
                        .map(|s| s.to_string()),
                ),
            }
            if i > 0 {
                row.push((pay - base).0.to_string());
                row.push(delta_pct(pay - base, base));
            }
        }
        rows.push(row);
    }
    Table { header, rows }
}

/// The most frequent value (ties: the smallest) and its count.
fn main_of<'a>(counts: &BTreeMap<&'a str, u64>) -> (&'a str, u64) {
    counts.iter().fold(
        ("", 0),
        |best, (k, &n)| if n > best.1 { (k, n) } else { best },
    )
}

/// `groups.csv`: `group` (the baseline grouping's code of each input row), `rows`; per scenario
/// `settled, payment_fen` of those rows, `group, group_rows` (the group most of them fall in under
/// the scenario's own grouping, when it is not the baseline's) and, after the baseline,
/// `delta_fen`. `by_grouping` are the rows under each distinct grouping ([`super::cases::Cases`]).
pub fn groups(outs: &[Outcome], by_grouping: &[Vec<Row>]) -> Table {
    let Some(base) = outs.first() else {
        return Table::default();
    };
    let base_rows = &by_grouping[base.grouping];
    let mut keys: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, r) in base_rows.iter().enumerate() {
        keys.entry(group_code(r)).or_default().push(i);
    }
    let mut header = vec!["group".to_string(), "rows".to_string()];
    for (i, o) in outs.iter().enumerate() {
        header.push(col(&o.label, "settled"));
        header.push(col(&o.label, "payment_fen"));
        if o.grouping != base.grouping {
            header.push(col(&o.label, "group"));
            header.push(col(&o.label, "group_rows"));
        }
        if i > 0 {
            header.push(col(&o.label, "delta_fen"));
        }
    }
    let mut rows = Vec::new();
    for (key, idx) in &keys {
        let mut row = vec![key.to_string(), idx.len().to_string()];
        let paid = |o: &Outcome| -> (u64, Fen) {
            idx.iter()
                .fold((0, Fen::ZERO), |(n, f), &i| match o.paid[i] {
                    Some(p) => (n + 1, f + p),
                    None => (n, f),
                })
        };
        let (_, base_paid) = paid(base);
        for (i, o) in outs.iter().enumerate() {
            let (n, p) = paid(o);
            row.push(n.to_string());
            row.push(p.0.to_string());
            if o.grouping != base.grouping {
                let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
                for &r in idx {
                    *counts
                        .entry(group_code(&by_grouping[o.grouping][r]))
                        .or_default() += 1;
                }
                let (g, n) = main_of(&counts);
                row.push(g.to_string());
                row.push(n.to_string());
            }
            if i > 0 {
                row.push((p - base_paid).0.to_string());
            }
        }
        rows.push(row);
    }
    Table { header, rows }
}

/// `crosswalk.csv`, for the scenarios whose grouping is not the baseline's: `scenario,
/// baseline_group, group, rows, baseline_payment_fen, payment_fen, delta_fen`, one row per pair of
/// groups that share input rows.
pub fn crosswalk(outs: &[Outcome], by_grouping: &[Vec<Row>]) -> Table {
    let header = [
        "scenario",
        "baseline_group",
        "group",
        "rows",
        "baseline_payment_fen",
        "payment_fen",
        "delta_fen",
    ]
    .map(String::from)
    .to_vec();
    let mut rows = Vec::new();
    let Some(base) = outs.first() else {
        return Table { header, rows };
    };
    for o in outs.iter().filter(|o| o.grouping != base.grouping) {
        let mut pairs: BTreeMap<(&str, &str), (u64, Fen, Fen)> = BTreeMap::new();
        let (a, b) = (&by_grouping[base.grouping], &by_grouping[o.grouping]);
        for (i, (ra, rb)) in a.iter().zip(b).enumerate() {
            let e = pairs.entry((group_code(ra), group_code(rb))).or_default();
            e.0 += 1;
            e.1 += base.paid[i].unwrap_or(Fen::ZERO);
            e.2 += o.paid[i].unwrap_or(Fen::ZERO);
        }
        for ((ga, gb), (n, pa, pb)) in pairs {
            rows.push(vec![
                o.label.clone(),
                ga.to_string(),
                gb.to_string(),
                n.to_string(),
                pa.0.to_string(),
                pb.0.to_string(),
                (pb - pa).0.to_string(),
            ]);
        }
    }
    Table { header, rows }
}

/// `pools.csv`: one row per scenario and pool with the pool's closure (fen; the point value in
/// yuan per point with 6 decimals and exactly in fen per point), and `balance_delta_fen` against
/// the baseline's pool of the same id (empty when the baseline has none).
pub fn pools(outs: &[Outcome]) -> Table {
    let header = [
        "scenario",
        "pool",
        "closure",
        "basis",
        "cases",
        "budget_fen",
        "reserve_fen",
        "distributable_fen",
        "paid_fen",
        "points_paid_fen",
        "other_paid_fen",
        "capitation_fen",
        "sharing_fen",
        "balance_fen",
        "total_points",
        "point_value",
        "point_value_fen_exact",
        "balance_delta_fen",
    ]
    .map(String::from)
    .to_vec();
    let mut rows = Vec::new();
    for o in outs {
        for p in &o.pools {
            let base = outs
                .first()
                .and_then(|b| b.pools.iter().find(|x| x.id == p.id));
            rows.push(vec![
                o.label.clone(),
                p.id.clone(),
                p.closure.to_string(),
                match p.basis {
                    Basis::Fund => "fund",
                    Basis::TotalCost => "total_cost",
                }
                .to_string(),
                p.cases.to_string(),
                p.budget.0.to_string(),
                p.reserve.0.to_string(),
                p.distributable.0.to_string(),
                p.paid.0.to_string(),
                p.points_paid.0.to_string(),
                p.other_paid.0.to_string(),
                p.capitation.0.to_string(),
                p.sharing.0.to_string(),
                p.balance.0.to_string(),
                p.total_points.to_string(),
                p.point_value
                    .map(crate::io::statement::yuan_per_point)
                    .unwrap_or_default(),
                p.point_value.map(|v| v.to_string()).unwrap_or_default(),
                base.map(|b| (p.balance - b.balance).0.to_string())
                    .unwrap_or_default(),
            ]);
        }
    }
    Table { header, rows }
}

/// A KPI's targets as text: `≥70% met (label); ≥75% not met (label)`.
pub fn targets(k: &Kpi) -> String {
    k.targets
        .iter()
        .map(|t| {
            let met = k.share.is_some_and(|s| s.at_least(t.at_least_pct));
            format!(
                "≥{}% {} ({})",
                t.at_least_pct,
                if met { "met" } else { "not met" },
                t.label
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The columns of a KPI row after the scenario (or step) columns.
pub const KPI_COLUMNS: [&str; 7] = [
    "kpi",
    "name",
    "value",
    "number",
    "detail",
    "targets",
    "definition",
];

/// The KPI cells after the scenario (or step) columns.
pub fn kpi_cells(k: &Kpi) -> Vec<String> {
    vec![
        k.key.clone(),
        k.name.clone(),
        k.value.clone(),
        k.number.clone(),
        k.detail.clone(),
        targets(k),
        k.definition.to_string(),
    ]
}

/// `kpis.csv`: one row per scenario and KPI: `scenario, kpi, name, value` (as shown), `number`
/// (a share as a fraction, a CMI), `detail`, `targets` (met or not), `definition`.
pub fn kpis(outs: &[Outcome]) -> Table {
    let mut header = vec!["scenario".to_string()];
    header.extend(KPI_COLUMNS.map(String::from));
    let mut rows = Vec::new();
    for o in outs {
        for k in &o.kpis {
            let mut row = vec![o.label.clone()];
            row.extend(kpi_cells(k));
            rows.push(row);
        }
    }
    Table { header, rows }
}

/// `rejected.csv`: `scenario, id, reason`, every row a scenario did not settle.
pub fn rejected(outs: &[Outcome]) -> Table {
    let mut rows = Vec::new();
    for o in outs {
        for r in &o.rejected {
            rows.push(vec![o.label.clone(), r.id.clone(), r.reason.clone()]);
        }
    }
    Table {
        header: ["scenario", "id", "reason"].map(String::from).to_vec(),
        rows,
    }
}

/// A hospital's payment against the baseline's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mover {
    /// Hospital code.
    pub hospital: String,
    /// Payment under the baseline.
    pub baseline: Fen,
    /// Payment under the scenario.
    pub payment: Fen,
}

impl Mover {
    /// payment − baseline.
    pub fn delta(&self) -> Fen {
        self.payment - self.baseline
    }
}

/// The hospitals of scenario `k` against the baseline: the `n` gaining most (largest delta first)
/// and the `n` losing most (most negative first); ties by hospital code. Hospitals without a change
/// are in neither list.
pub fn movers(outs: &[Outcome], k: usize, n: usize) -> (Vec<Mover>, Vec<Mover>) {
    let pay = |o: &Outcome, code: &str| o.hospital(code).map_or(Fen::ZERO, |h| h.result.payment);
    let mut all: Vec<Mover> = hospital_codes(outs)
        .into_keys()
        .map(|code| Mover {
            baseline: pay(&outs[0], &code),
            payment: pay(&outs[k], &code),
            hospital: code,
        })
        .collect();
    all.sort_by(|a, b| {
        b.delta()
            .cmp(&a.delta())
            .then_with(|| a.hospital.cmp(&b.hospital))
    });
    let gainers = all
        .iter()
        .filter(|m| m.delta() > Fen::ZERO)
        .take(n)
        .cloned()
        .collect();
    let mut losers: Vec<Mover> = all
        .iter()
        .rev()
        .filter(|m| m.delta() < Fen::ZERO)
        .cloned()
        .collect();
    losers.sort_by(|a, b| {
        a.delta()
            .cmp(&b.delta())
            .then_with(|| a.hospital.cmp(&b.hospital))
    });
    losers.truncate(n);
    (gainers, losers)
}
