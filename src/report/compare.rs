//! The page of a policy comparison (`drgdip compare --report FILE.html`): the scenarios side by
//! side: identity, rows, payments and fund balance against the baseline, the KPIs with their
//! definitions and targets, two charts (fund payment per hospital per scenario; payment-method mix
//! per scenario), hospitals, winners and losers, pools, and the groups whose payment moves most.
//! Self-contained like the settlement report: no scripts, no external files.

use std::fmt::Write;
use std::path::Path;

use settlement::money::Fen;
use settlement::price::Route;

use super::page::STYLE;
use super::tables::{row, th};
use super::{esc, route_color, route_name, svg, thousands, yuan, DISPLAY_ORDER};
use crate::scenario::delta::{delta_pct, movers, Table};
use crate::scenario::outcome::Outcome;
use crate::scenario::summary::bundle_name;

/// A colour per scenario, in order (repeats after eight).
const PALETTE: [&str; 8] = [
    "#2563eb", "#f59e0b", "#059669", "#7c3aed", "#db2777", "#6b7280", "#b91c1c", "#0891b2",
];

fn signed(f: Fen) -> String {
    if f.0 > 0 {
        format!("+{}", yuan(f))
    } else {
        yuan(f)
    }
}

fn pct(delta: Fen, base: Fen) -> String {
    match delta_pct(delta, base) {
        p if p.is_empty() => "–".into(),
        p if delta.0 > 0 => format!("+{p}%"),
        p => format!("{p}%"),
    }
}

/// What the page is built from.
pub struct Comparison<'a> {
    /// The cases file.
    pub cases: &'a str,
    /// The scenarios, the baseline first.
    pub outs: &'a [Outcome],
    /// The distinct groupings' tables, by index.
    pub groupings: &'a [String],
    /// The `groups.csv` table.
    pub groups: &'a Table,
    /// Winners and losers listed per scenario.
    pub top: usize,
}

/// The whole page.
pub fn html(c: &Comparison) -> String {
    let outs = c.outs;
    let mut o = String::with_capacity(128 * 1024);
    let labels: Vec<&str> = outs.iter().map(|x| x.label.as_str()).collect();
    let title = format!("Policy comparison: {}", labels.join(" · "));
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>\n<h1>{}</h1>\
         <p class=\"lead\">The same {} input rows of {} settled under {} policies; the first, \
         <b>{}</b>, is the baseline every delta is taken against. Cases were grouped {} way(s): {}.</p>\n",
        esc(&title),
        esc(&title),
        thousands(outs.first().map_or(0, |x| x.rows_in)),
        esc(c.cases),
        outs.len(),
        esc(labels.first().copied().unwrap_or("")),
        c.groupings.len(),
        esc(&c.groupings.join("; "))
    );
    scenarios(&mut o, outs);
    kpis(&mut o, outs);
    charts(&mut o, outs);
    hospitals(&mut o, outs, c.top);
    pools(&mut o, outs);
    groups(&mut o, outs, c.groups);
    let _ = write!(
        o,
        "<footer>Written by drgdip {} (drgdip compare). Money is computed in integer fen and shown \
         in yuan; shares are exact fractions rounded for display. The CSV files beside this page \
         (hospitals.csv, groups.csv, crosswalk.csv, pools.csv, kpis.csv, rejected.csv, \
         summary.json) hold every number.</footer>\n</main></body></html>\n",
        esc(env!("CARGO_PKG_VERSION"))
    );
    o
}

fn scenarios(o: &mut String, outs: &[Outcome]) {
    let Some(base) = outs.first() else { return };
    o.push_str(
        "<h2>Scenarios</h2><p class=\"lead\">Every input row is settled or rejected in every \
         scenario (rows in = settled + rejected). Fund balance = Σ pools (distributable − paid − \
         sharing); a point-value pool pays its distributable amount exactly, so its balance is zero \
         and the change shows in its point value.</p>",
    );
    th(
        o,
        &[
            "scenario",
            "policy",
            "bundle",
            "rows in",
            "settled",
            "rejected",
            "case payments",
            "Δ payments",
            "fund balance",
            "Δ balance",
        ],
        3,
    );
    for s in outs {
        let h = &s.header;
        let _ = write!(
            o,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{} {}<br><small>{}</small></td>\
             <td class=\"l\">{}</td>",
            esc(&s.label),
            esc(&h.name),
            esc(&h.version),
            esc(&s.origin),
            bundle_name(h.bundle).to_uppercase()
        );
        for cell in [
            thousands(s.rows_in),
            thousands(s.settled),
            thousands(s.rejected.len() as u64),
            yuan(s.payment()),
            signed(s.payment() - base.payment()),
            yuan(s.balance()),
            signed(s.balance() - base.balance()),
        ] {
            let _ = write!(o, "<td class=\"num\">{}</td>", esc(&cell));
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></div>\n");
}

fn kpis(o: &mut String, outs: &[Outcome]) {
    let Some(base) = outs.first() else { return };
    o.push_str(
        "<h2>Payment-reform indicators</h2><p class=\"lead\">Each indicator per scenario, with \
         the regional targets (met / not met) and its definition.</p>",
    );
    o.push_str("<div class=\"wrap\"><table><thead><tr><th class=\"l\">indicator</th>");
    for s in outs {
        let _ = write!(o, "<th>{}</th>", esc(&s.label));
    }
    o.push_str("<th class=\"l\">definition</th></tr></thead><tbody>");
    let mut last_definition = "";
    let mut keys: Vec<&str> = base.kpis.iter().map(|k| k.key.as_str()).collect();
    for s in outs {
        for k in &s.kpis {
            if !keys.contains(&k.key.as_str()) {
                keys.push(&k.key);
            }
        }
    }
    for key in keys {
        let Some(first) = outs.iter().find_map(|s| s.kpi(key)) else {
            continue;
        };
        let _ = write!(o, "<tr><td class=\"l\">{}</td>", esc(&first.name));
        for s in outs {
            match s.kpi(key) {
                None => o.push_str("<td class=\"num\">–</td>"),
                Some(k) => {
                    let _ = write!(
                        o,
                        "<td class=\"num\" title=\"{}\">{}",
                        esc(&k.detail),
                        esc(&k.value)
                    );
                    for t in &k.targets {
                        let met = k.share.is_some_and(|x| x.at_least(t.at_least_pct));
                        let _ = write!(
                            o,
                            "<br><span class=\"badge {}\" title=\"{}\">≥{}% {}</span>",
                            if met { "ok" } else { "bad" },
                            esc(t.label),
                            t.at_least_pct,
                            if met { "met" } else { "not met" }
                        );
                    }
                    o.push_str("</td>");
                }
            }
        }
        let definition = if first.definition == last_definition {
            "as above"
        } else {
            first.definition
        };
        last_definition = first.definition;
        let _ = write!(
            o,
            "<td class=\"l\" style=\"white-space:normal;min-width:320px\">{}</td></tr>",
            esc(definition)
        );
    }
    o.push_str("</tbody></table></div>\n");
}

fn charts(o: &mut String, outs: &[Outcome]) {
    let Some(base) = outs.first() else { return };
    let codes: Vec<String> = crate::scenario::delta::hospital_codes(outs)
        .into_keys()
        .collect();
    let pay = |s: &Outcome, c: &str| s.hospital(c).map_or(Fen::ZERO, |h| h.result.payment);
    let series: Vec<svg::Series> = outs
        .iter()
        .enumerate()
        .map(|(i, s)| svg::Series {
            name: &s.label,
            color: PALETTE[i % PALETTE.len()],
            values: codes
                .iter()
                .map(|c| pay(s, c).as_yuan_f64() / 1e6)
                .collect(),
        })
        .collect();
    let notes: Vec<String> = if outs.len() == 2 {
        codes
            .iter()
            .map(|c| pct(pay(&outs[1], c) - pay(base, c), pay(base, c)))
            .collect()
    } else {
        Vec::new()
    };
    o.push_str("<h2>Charts</h2><h3>Fund payment for cases per hospital, per scenario</h3>");
    o.push_str(&svg::grouped_bars(
        "Fund payment per hospital per scenario",
        &codes,
        &series,
        &notes,
        "million yuan",
    ));
    if outs.len() == 2 {
        let _ = write!(
            o,
            "<p class=\"caption\">Above each group: the change of {} against {}.</p>",
            esc(&outs[1].label),
            esc(&base.label)
        );
    }
    let routes: Vec<Route> = DISPLAY_ORDER
        .into_iter()
        .filter(|r| outs.iter().any(|s| s.cases_by_route[r.index()] > 0))
        .collect();
    let cats: Vec<String> = outs.iter().map(|s| s.label.clone()).collect();
    let parts: Vec<Vec<u64>> = outs
        .iter()
        .map(|s| routes.iter().map(|r| s.cases_by_route[r.index()]).collect())
        .collect();
    let names: Vec<&str> = routes.iter().map(|r| route_name(*r)).collect();
    let colors: Vec<&str> = routes.iter().map(|r| route_color(*r)).collect();
    o.push_str("<h3>Payment-method mix per scenario: share of settled cases by route</h3>");
    o.push_str(&svg::stacked_shares(
        "Payment-method mix per scenario",
        &cats,
        &parts,
        &names,
        &colors,
    ));
}

fn hospitals(o: &mut String, outs: &[Outcome], top: usize) {
    let Some(base) = outs.first() else { return };
    o.push_str(
        "<h2>Hospitals</h2><p class=\"lead\">Fund payment for cases per scenario, its change \
         against the baseline, and the CMI (mean weight of bundle cases).</p>",
    );
    let mut cols: Vec<String> = vec!["hospital".into(), "level".into()];
    for (i, s) in outs.iter().enumerate() {
        cols.push(format!("{} payment", s.label));
        if i > 0 {
            cols.push(format!("{} Δ", s.label));
            cols.push(format!("{} Δ%", s.label));
        }
        cols.push(format!("{} CMI", s.label));
    }
    th(o, &cols.iter().map(String::as_str).collect::<Vec<_>>(), 1);
    for (code, level) in crate::scenario::delta::hospital_codes(outs) {
        let b = base.hospital(&code).map_or(Fen::ZERO, |h| h.result.payment);
        let mut cells = vec![code.clone(), level.to_string()];
        for (i, s) in outs.iter().enumerate() {
            let h = s.hospital(&code);
            let p = h.map_or(Fen::ZERO, |h| h.result.payment);
            cells.push(yuan(p));
            if i > 0 {
                cells.push(signed(p - b));
                cells.push(pct(p - b, b));
            }
            cells.push(
                h.and_then(|h| h.result.cmi)
                    .map_or("–".into(), |c| c.approx(4)),
            );
        }
        row(o, &cells, 1, false);
    }
    o.push_str("</tbody></table></div>\n");
    for (k, s) in outs.iter().enumerate().skip(1) {
        let (gain, lose) = movers(outs, k, top);
        let _ = write!(
            o,
            "<h3>{} against {}: gaining and losing most</h3>",
            esc(&s.label),
            esc(&base.label)
        );
        th(o, &["", "hospital", "baseline", "scenario", "Δ", "Δ%"], 2);
        for (what, list) in [("gains", gain), ("loses", lose)] {
            for m in list {
                row(
                    o,
                    &[
                        what.into(),
                        m.hospital.clone(),
                        yuan(m.baseline),
                        yuan(m.payment),
                        signed(m.delta()),
                        pct(m.delta(), m.baseline),
                    ],
                    2,
                    false,
                );
            }
        }
        o.push_str("</tbody></table></div>\n");
    }
}

fn pools(o: &mut String, outs: &[Outcome]) {
    o.push_str(
        "<h2>Pools</h2><p class=\"lead\">Point value in yuan per point (the exact fraction of \
         fen per point is in pools.csv); Δ balance against the baseline's pool of the same id.</p>",
    );
    th(
        o,
        &[
            "scenario",
            "pool",
            "closure",
            "yuan / point",
            "distributable",
            "paid",
            "balance",
            "Δ balance",
        ],
        3,
    );
    let base = outs.first();
    for s in outs {
        for p in &s.pools {
            let b = base.and_then(|b| b.pools.iter().find(|x| x.id == p.id));
            row(
                o,
                &[
                    s.label.clone(),
                    p.id.clone(),
                    p.closure.to_string(),
                    p.point_value
                        .map(crate::io::statement::yuan_per_point)
                        .unwrap_or_else(|| "–".into()),
                    yuan(p.distributable),
                    yuan(p.paid),
                    yuan(p.balance),
                    b.map_or("–".into(), |b| signed(p.balance - b.balance)),
                ],
                3,
                false,
            );
        }
    }
    o.push_str("</tbody></table></div>\n");
}

/// The groups whose payment moves most, per scenario after the baseline, from `groups.csv`.
fn groups(o: &mut String, outs: &[Outcome], t: &Table) {
    let Some(base) = outs.first() else { return };
    let at = |name: String| t.header.iter().position(|h| *h == name);
    let Some(bp) = at(format!("{}.payment_fen", base.label)) else {
        return;
    };
    let fen = |row: &[String], c: usize| Fen(row[c].parse().unwrap_or(0));
    o.push_str(
        "<h2>Groups</h2><p class=\"lead\">Every input row counted under the group the \
         baseline's grouping gives it; the payment for those rows in each scenario (groups.csv \
         has all of them, crosswalk.csv the groups of other groupings).</p>",
    );
    for s in outs.iter().skip(1) {
        let (Some(sp), Some(d)) = (
            at(format!("{}.payment_fen", s.label)),
            at(format!("{}.delta_fen", s.label)),
        ) else {
            continue;
        };
        let own = at(format!("{}.group", s.label));
        let mut rows: Vec<&Vec<String>> = t.rows.iter().collect();
        rows.sort_by(|a, b| {
            fen(b, d)
                .0
                .abs()
                .cmp(&fen(a, d).0.abs())
                .then_with(|| a[0].cmp(&b[0]))
        });
        let _ = write!(
            o,
            "<h3>{} against {}: the 15 groups that change most</h3>",
            esc(&s.label),
            esc(&base.label)
        );
        let mut cols = vec!["group", "rows"];
        if own.is_some() {
            cols.push("main group in scenario");
        }
        cols.extend(["baseline", "scenario", "Δ", "Δ%"]);
        th(o, &cols, if own.is_some() { 3 } else { 1 });
        for r in rows.into_iter().take(15) {
            let mut cells = vec![r[0].clone(), r[1].clone()];
            if let Some(g) = own {
                cells.push(r[g].clone());
            }
            cells.extend([
                yuan(fen(r, bp)),
                yuan(fen(r, sp)),
                signed(fen(r, d)),
                pct(fen(r, d), fen(r, bp)),
            ]);
            row(o, &cells, if own.is_some() { 3 } else { 1 }, false);
        }
        o.push_str("</tbody></table></div>\n");
    }
}

/// Writes the page to `path`.
pub fn write(path: &Path, c: &Comparison) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, html(c)).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
