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

fn pad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n >= w {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

fn signed(f: Fen) -> String {
    if f.0 > 0 {
        format!("+{}", yuan(f))
    } else {
        yuan(f)
    }
}

/// The comparison for the terminal: the scenarios (rows, payment, fund balance, deltas against the
/// baseline), the pools' point values, the `top` hospitals gaining and losing most per scenario,
/// and the KPIs side by side.
pub fn comparison(outs: &[crate::scenario::outcome::Outcome], top: usize) -> String {
    use crate::scenario::delta::{delta_pct, movers};
    let mut t = String::new();
    let Some(base) = outs.first() else {
        return t;
    };
    let _ = writeln!(
        t,
        "Scenarios (baseline {}; money in yuan; Δ against the baseline)",
        base.label
    );
    let w = outs
        .iter()
        .map(|o| o.label.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(
        t,
        "{} {:<6} {:>9} {:>9} {:>9} {:>18} {:>17} {:>18} {:>17}",
        pad("scenario", w),
        "bundle",
        "rows in",
        "settled",
        "rejected",
        "payment",
        "Δ payment",
        "fund balance",
        "Δ balance"
    );
    for o in outs {
        let _ = writeln!(
            t,
            "{} {:<6} {:>9} {:>9} {:>9} {:>18} {:>17} {:>18} {:>17}",
            pad(&o.label, w),
            crate::scenario::summary::bundle_name(o.header.bundle).to_uppercase(),
            thousands(o.rows_in),
            thousands(o.settled),
            thousands(o.rejected.len() as u64),
            yuan(o.payment()),
            signed(o.payment() - base.payment()),
            yuan(o.balance()),
            signed(o.balance() - base.balance())
        );
    }
    let _ = writeln!(t, "\nPools (point value in yuan per point)");
    for o in outs {
        for p in &o.pools {
            let _ = writeln!(
                t,
                "{} {:<22} {:<12} {:>12} paid {:>18} balance {:>17}",
                pad(&o.label, w),
                p.id,
                p.closure,
                p.point_value
                    .map(crate::io::statement::yuan_per_point)
                    .unwrap_or_else(|| "–".into()),
                yuan(p.paid),
                yuan(p.balance)
            );
        }
    }
    for (k, o) in outs.iter().enumerate().skip(1) {
        let (gain, lose) = movers(outs, k, top);
        let _ = writeln!(
            t,
            "\n{} against {}: hospitals gaining most",
            o.label, base.label
        );
        let line = |t: &mut String, m: &crate::scenario::delta::Mover| {
            let pct = delta_pct(m.delta(), m.baseline);
            let _ = writeln!(
                t,
                "  {:<8} {:>18} -> {:>18}  {:>17} ({}%)",
                m.hospital,
                yuan(m.baseline),
                yuan(m.payment),
                signed(m.delta()),
                match pct {
                    p if p.is_empty() => "–".to_string(),
                    p if m.delta().0 > 0 => format!("+{p}"),
                    p => p,
                }
            );
        };
        if gain.is_empty() {
            let _ = writeln!(t, "  none");
        }
        for m in &gain {
            line(&mut t, m);
        }
        let _ = writeln!(
            t,
            "{} against {}: hospitals losing most",
            o.label, base.label
        );
        if lose.is_empty() {
            let _ = writeln!(t, "  none");
        }
        for m in &lose {
            line(&mut t, m);
        }
    }
    let _ = writeln!(t, "\nIndicators (definitions in kpis.csv and summary.json)");
    let mut head = pad("", 60);
    for o in outs {
        let _ = write!(head, " {:>w$}", o.label, w = w.max(9));
    }
    let _ = writeln!(t, "{}", head.trim_end());
    for k in &base.kpis {
        let mut line = pad(&k.name, 60);
        for o in outs {
            let v = o.kpi(&k.key).map_or("–", |x| x.value.as_str());
            let _ = write!(line, " {:>w$}", v, w = w.max(9));
        }
        let _ = writeln!(t, "{line}");
    }
    for o in outs.iter().skip(1) {
        for k in o.kpis.iter().filter(|k| base.kpi(&k.key).is_none()) {
            let _ = writeln!(t, "{} {}: {}", pad(&k.name, 60), o.label, k.value);
        }
    }
    t
}

/// A sweep for the terminal: one line per step (value, status, settled, payment and its delta
/// against the policy as written, fund balance, the pools' point values).
pub fn sweep(param: &str, steps: &[crate::scenario::sweep::Step]) -> String {
    use crate::scenario::sweep::Status;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Sweep of {param} (money in yuan; Δ against the policy as written, step base)"
    );
    let base = steps.first().and_then(|s| s.outcome());
    let base_pay = base.map_or(Fen::ZERO, |b| b.payment());
    let mut head = format!(
        "{:<5} {:>16} {:<8} {:>9} {:>18} {:>17} {:>18}",
        "step", "value", "status", "settled", "payment", "Δ payment", "fund balance"
    );
    if let Some(b) = base {
        for p in &b.pools {
            let _ = write!(head, " {:>22}", format!("{} pv", p.id));
        }
    }
    let _ = writeln!(t, "{head}");
    for s in steps {
        let mut line = format!("{:<5} {:>16}", s.label, s.value.to_string());
        match &s.status {
            Status::Settled(o) => {
                let _ = write!(
                    line,
                    " {:<8} {:>9} {:>18} {:>17} {:>18}",
                    "ok",
                    thousands(o.settled),
                    yuan(o.payment()),
                    signed(o.payment() - base_pay),
                    yuan(o.balance())
                );
                for p in &o.pools {
                    let _ = write!(
                        line,
                        " {:>22}",
                        p.point_value
                            .map(crate::io::statement::yuan_per_point)
                            .unwrap_or_else(|| "–".into())
                    );
                }
            }
            Status::Invalid(m) => {
                let _ = write!(line, " {:<8} {m}", "invalid");
            }
            Status::Failed(m) => {
                let _ = write!(line, " {:<8} {m}", "failed");
            }
        }
        let _ = writeln!(t, "{line}");
    }
    let moving = crate::scenario::sweep::most_sensitive(steps, 5);
    if !moving.is_empty() {
        let _ = writeln!(
            t,
            "\nHospitals whose payment moves most from the first to the last value"
        );
        for (code, a, b) in moving {
            let pct = crate::scenario::delta::delta_pct(b - a, a);
            let _ = writeln!(
                t,
                "  {code:<8} {:>18} -> {:>18}  {:>17} ({}%)",
                yuan(a),
                yuan(b),
                signed(b - a),
                if pct.is_empty() {
                    "–".to_string()
                } else {
                    pct
                }
            );
        }
    }
    t
}
