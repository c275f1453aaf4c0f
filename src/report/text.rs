//! The report's figures as plain-text tables for the terminal (`drgdip demo` prints them).

use std::fmt::Write;

use settlement::money::Fen;
use settlement::price::Route;
use settlement::settle::Settlement;

use super::kpi::{self, Figures, Share};
use super::{thousands, yuan};

/// Share of a hospital's cases on these routes.
fn mix(cases_by_route: &[u64; 8], routes: &[Route], cases: u64) -> String {
    let n: u64 = routes.iter().map(|r| cases_by_route[r.index()]).sum();
    Share::of(n, cases).percent()
}

/// One row per hospital and a total: level, payee, cases, route mix (share of cases: DRG/DIP
/// bundle, fixed rate, per-diem, fee-for-service incl. exclusions and special review), CMI, total
/// cost, fund payment for cases, capitation, deposit and net (yuan).
pub fn hospital_table(s: &Settlement) -> String {
    let mut t = String::new();
    let line = |t: &mut String, c: [&str; 14]| {
        let _ = writeln!(
            t,
            "{:<5} {:>3} {:<5} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>17} {:>17} {:>13} {:>13} {:>17}",
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13]
        );
    };
    line(
        &mut t,
        [
            "hosp",
            "lvl",
            "payee",
            "cases",
            "bundle",
            "rate",
            "diem",
            "FFS",
            "CMI",
            "total cost",
            "fund payment",
            "capitation",
            "deposit",
            "net",
        ],
    );
    let bundle = [Route::Drg, Route::Dip];
    for h in &s.hospitals {
        let cmi = h.cmi.map_or("–".into(), |c| format!("{:.4}", c.to_f64()));
        line(
            &mut t,
            [
                &h.code,
                &h.level.to_string(),
                &h.payee,
                &thousands(h.cases),
                &mix(&h.cases_by_route, &bundle, h.cases),
                &mix(&h.cases_by_route, &[Route::FixedRate], h.cases),
                &mix(&h.cases_by_route, &[Route::PerDiem], h.cases),
                &mix(&h.cases_by_route, &kpi::FEE_FOR_SERVICE, h.cases),
                &cmi,
                &yuan(h.total_cost),
                &yuan(h.payment),
                &yuan(h.capitation),
                &yuan(h.deposit),
                &yuan(h.net),
            ],
        );
    }
    let mut by_route = [0u64; 8];
    for h in &s.hospitals {
        for (a, b) in by_route.iter_mut().zip(h.cases_by_route) {
            *a += b;
        }
    }
    let cases = s.settled();
    let sum = |g: fn(&settlement::settle::HospitalResult) -> Fen| -> String {
        yuan(s.hospitals.iter().map(g).sum())
    };
    line(
        &mut t,
        [
            "all",
            "",
            "",
            &thousands(cases),
            &mix(&by_route, &bundle, cases),
            &mix(&by_route, &[Route::FixedRate], cases),
            &mix(&by_route, &[Route::PerDiem], cases),
            &mix(&by_route, &kpi::FEE_FOR_SERVICE, cases),
            "",
            &sum(|h| h.total_cost),
            &sum(|h| h.payment),
            &sum(|h| h.capitation),
            &sum(|h| h.deposit),
            &sum(|h| h.net),
        ],
    );
    t
}

/// One row per pool: closure, budget, distributable, paid, balance, point value (yuan per point).
pub fn pool_table(s: &Settlement) -> String {
    let mut t = String::new();
    let line = |t: &mut String, c: [&str; 8]| {
        let _ = writeln!(
            t,
            "{:<20} {:<11} {:>7} {:>17} {:>17} {:>17} {:>14} {:>12}",
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]
        );
    };
    line(
        &mut t,
        [
            "pool",
            "closure",
            "cases",
            "budget",
            "distributable",
            "paid",
            "balance",
            "yuan/point",
        ],
    );
    for p in &s.pools {
        line(
            &mut t,
            [
                &p.id,
                p.closure,
                &thousands(p.cases),
                &yuan(p.budget),
                &yuan(p.distributable),
                &yuan(p.paid),
                &yuan(p.balance),
                &p.point_value
                    .map(crate::io::statement::yuan_per_point)
                    .unwrap_or_else(|| "–".into()),
            ],
        );
    }
    t
}

/// The KPIs, one a line: name, value, the numbers behind it and the targets.
pub fn kpi_lines(s: &Settlement, f: &Figures) -> String {
    let mut t = String::new();
    for k in kpi::kpis(s, f) {
        let targets: Vec<String> = k
            .targets
            .iter()
            .map(|x| {
                let met = k.share.is_some_and(|v| v.at_least(x.at_least_pct));
                format!(
                    "≥{}% {}",
                    x.at_least_pct,
                    if met { "met" } else { "NOT met" }
                )
            })
            .collect();
        let targets = if targets.is_empty() {
            String::new()
        } else {
            format!(" [{}]", targets.join(", "))
        };
        let _ = writeln!(t, "  {}: {}{targets} ({})", k.name, k.value, k.detail);
    }
    t
}
