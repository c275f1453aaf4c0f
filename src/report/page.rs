//! The page: its style sheet, the order of its sections, the header, counts, indicator cards and
//! charts. The tables are in [`super::tables`].

use std::fmt::Write;

use settlement::engine::Engine;
use settlement::money::Fen;
use settlement::policy::{BundleMethod, Period};
use settlement::settle::Settlement;

use super::kpi::{self, Figures, Kpi};
use super::tables::{hospital_payments, hospitals, methods, pools, rejections};
use super::{esc, route_color, route_name, svg, thousands, used_routes, Report};

/// The style sheet every page of the report shares.
pub(super) const STYLE: &str = r#"
:root{--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--bg:#f9fafb;--ok:#047857;--bad:#b91c1c}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif}
main{max-width:1320px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;padding-top:8px;border-top:2px solid var(--line)}
h3{font-size:15px;margin:18px 0 6px}
p.lead{color:var(--muted);margin:0 0 16px}
dl.id{display:grid;grid-template-columns:repeat(4,auto 1fr);gap:4px 12px;margin:8px 0 0;background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px}
dl.id dt{color:var(--muted)}dl.id dd{margin:0;font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px;margin:8px 0}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card .name{font-weight:600}.card .value{font-size:28px;font-weight:700;margin:2px 0}
.card .detail{color:var(--muted);font-size:12px}.card .def{font-size:12.5px;margin-top:6px}
.count .value{font-size:32px}
.badge{display:inline-block;font-size:12px;border-radius:10px;padding:1px 8px;margin:2px 4px 0 0}
.badge.ok{background:#d1fae5;color:var(--ok)}.badge.bad{background:#fee2e2;color:var(--bad)}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);font-size:12px}
th,td{padding:4px 6px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{background:#f3f4f6;font-weight:600;white-space:normal;vertical-align:bottom}
td.l,th.l{text-align:left}tr.total td{font-weight:700;border-top:2px solid #9ca3af}
td.num,.num{font-variant-numeric:tabular-nums}
.wrap{overflow-x:auto}
svg.chart{width:100%;height:auto;background:#fff;border:1px solid var(--line);border-radius:8px;display:block}
svg .tick{font-size:11px;fill:#374151}svg .axis{font-size:12px;fill:#374151}
svg .legend{font-size:12px;fill:#111827}svg .note{font-size:10px;fill:#374151}
svg .edge{font-size:11px;font-weight:600}svg .inbar{font-size:10px;fill:#fff}
.caption{color:var(--muted);font-size:12.5px;margin:6px 0 0}
details{margin-top:8px}pre{background:#fff;border:1px solid var(--line);padding:10px;overflow:auto;font-size:12px}
footer{color:var(--muted);font-size:12px;margin-top:36px}
"#;

/// The whole page.
pub fn html(r: &Report) -> String {
    let s = r.settlement;
    let f = r.figures;
    let h = &r.engine.policy.policy;
    let mut o = String::with_capacity(256 * 1024);
    let title = format!("Settlement report: {} {}", h.name, h.version);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>\n",
        esc(&title)
    );
    identity(&mut o, r);
    counts(&mut o, s);
    kpis(&mut o, &kpi::kpis(s, f));
    pools(&mut o, s, r.engine);
    charts(&mut o, r, f);
    hospitals(&mut o, s, f);
    methods(&mut o, s, f);
    hospital_payments(&mut o, s, f);
    rejections(&mut o, s);
    if let Some(v) = r.summary {
        let json = serde_json::to_string_pretty(v).unwrap_or_default();
        let _ = write!(
            o,
            "<h2>summary.json</h2><details><summary>The run's summary as written to \
             summary.json</summary><pre>{}</pre></details>",
            esc(&json)
        );
    }
    let _ = write!(
        o,
        "<footer>Written by drgdip {} from the settlement in memory. Money is computed in integer \
         fen and shown in yuan; shares are exact fractions rounded for display; charts are drawn \
         from the same numbers. Illustrative policies say so in their notes.</footer>\n\
         </main></body></html>\n",
        esc(env!("CARGO_PKG_VERSION"))
    );
    o
}

fn identity(o: &mut String, r: &Report) {
    let h = &r.engine.policy.policy;
    let _ = write!(
        o,
        "<h1>Settlement report — {}</h1><p class=\"lead\">{}</p><dl class=\"id\">",
        esc(&h.name),
        esc(&h.notes)
    );
    let bundle = match h.bundle {
        BundleMethod::Drg => "DRG",
        BundleMethod::Dip => "DIP",
    };
    let period = match h.period {
        Period::Month => "month (monthly pre-settlement)",
        Period::Year => "year (annual clearing)",
    };
    let effective = format!(
        "{} to {}",
        h.effective_from,
        h.effective_to.as_deref().unwrap_or("open")
    );
    for (k, v) in [
        ("Region", h.region.as_str()),
        ("Version", h.version.as_str()),
        ("Effective", effective.as_str()),
        ("Bundle", bundle),
        ("Period", period),
        ("Policy", r.policy_origin),
        ("Tables", r.tables),
        ("Schema", r.engine.policy.schema.as_str()),
    ] {
        let _ = write!(o, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
    }
    o.push_str("</dl>\n");
}

fn counts(o: &mut String, s: &Settlement) {
    let rejected = s.rejected_count();
    o.push_str("<h2>Cases</h2><div class=\"cards\">");
    for (name, n, def) in [
        (
            "In",
            s.settled() + rejected,
            "rows read from the input (one row per discharge)",
        ),
        (
            "Settled",
            s.settled(),
            "priced on a route and paid from a pool",
        ),
        (
            "Rejected",
            rejected,
            "not settled: invalid amounts or dates, no pool or hospital rule (see below)",
        ),
    ] {
        let _ = write!(
            o,
            "<div class=\"card count\"><div class=\"name\">{}</div><div class=\"value num\">{}</div>\
             <div class=\"detail\">{}</div></div>",
            esc(name),
            thousands(n),
            esc(def)
        );
    }
    o.push_str("</div>\n");
}

fn kpis(o: &mut String, list: &[Kpi]) {
    o.push_str(
        "<h2>Payment-reform indicators</h2><p class=\"lead\">The indicators the regional \
         14th five-year plans track, computed from this run, each with its definition.</p>\
         <div class=\"cards\">",
    );
    for k in list {
        let _ = write!(
            o,
            "<div class=\"card\"><div class=\"name\">{}</div><div class=\"value num\">{}</div>\
             <div class=\"detail\">{}</div>",
            esc(&k.name),
            esc(&k.value),
            esc(&k.detail)
        );
        for t in &k.targets {
            let met = k.share.is_some_and(|x| x.at_least(t.at_least_pct));
            let _ = write!(
                o,
                "<span class=\"badge {}\">{} {}</span>",
                if met { "ok" } else { "bad" },
                if met { "met" } else { "not met" },
                esc(t.label)
            );
        }
        let _ = write!(o, "<div class=\"def\">{}</div></div>", esc(k.definition));
    }
    o.push_str("</div>\n");
}

/// The band edges of the cost ratio r in the policy, for the histogram.
fn band_edges(e: &Engine) -> Vec<svg::Edge> {
    let mut v = Vec::new();
    let f = |d: settlement::policy::Dec| d.0.to_f64();
    if let Some(d) = &e.policy.drg {
        if let Some(l) = d.low {
            v.push(svg::Edge {
                at: f(l.ratio),
                label: format!("low {} {}", if l.inclusive { "≤" } else { "<" }, l.ratio.0),
                color: "#b45309",
            });
        }
        if let Some(u) = d.uplift {
            v.push(svg::Edge {
                at: f(u.up_to),
                label: format!("uplift to {}", u.up_to.0),
                color: "#047857",
            });
        }
        let mut below = None;
        for b in &d.high {
            let band = match (b.up_to_base_points, below) {
                (Some(p), _) => format!(" (base ≤ {} pts)", p.0.ratio()),
                (None, Some(q)) => format!(" (base > {q} pts)"),
                (None, None) => String::new(),
            };
            below = b.up_to_base_points.map(|p| p.0.ratio());
            v.push(svg::Edge {
                at: f(b.multiple),
                label: format!("high > {}×{band}", b.multiple.0),
                color: "#b91c1c",
            });
        }
        if let Some(x) = d.extreme {
            v.push(svg::Edge {
                at: f(x.ratio),
                label: format!("extreme > {}", x.ratio.0),
                color: "#7f1d1d",
            });
        }
    }
    if let Some(d) = &e.policy.dip {
        v.push(svg::Edge {
            at: f(d.low.ratio),
            label: format!("low {}", d.low.ratio.0),
            color: "#b45309",
        });
        v.push(svg::Edge {
            at: f(d.high.ratio),
            label: format!("high {}", d.high.ratio.0),
            color: "#b91c1c",
        });
        if let Some(x) = d.extreme {
            v.push(svg::Edge {
                at: f(x.ratio),
                label: format!("extreme {}", x.ratio.0),
                color: "#7f1d1d",
            });
        }
    }
    v
}

fn charts(o: &mut String, r: &Report, f: &Figures) {
    let s = r.settlement;
    let codes: Vec<String> = s.hospitals.iter().map(|h| h.code.clone()).collect();
    let million = |x: Fen| x.as_yuan_f64() / 1e6;
    let notes: Vec<String> = s
        .hospitals
        .iter()
        .map(|h| kpi::Share::of(h.payment.0, h.item_fund_cost.0).percent())
        .collect();
    o.push_str("<h2>Charts</h2><h3>Fund payment against item-based fund cost, per hospital</h3>");
    o.push_str(&svg::grouped_bars(
        "Fund payment against item-based fund cost per hospital",
        &codes,
        &[
            svg::Series {
                name: "item-based fund cost (total cost − patient share)",
                color: "#9ca3af",
                values: s
                    .hospitals
                    .iter()
                    .map(|h| million(h.item_fund_cost))
                    .collect(),
            },
            svg::Series {
                name: "fund payment for cases",
                color: "#2563eb",
                values: s.hospitals.iter().map(|h| million(h.payment)).collect(),
            },
        ],
        &notes,
        "million yuan",
    ));
    o.push_str(
        "<p class=\"caption\">Above each pair: fund payment ÷ item-based fund cost. Capitation \
         is outpatient money and is not in the bars; the tables below list it.</p>",
    );
    let edges = band_edges(r.engine);
    let top = edges.iter().map(|e| e.at).fold(2.0, f64::max);
    let max = (top + 1.0).ceil().clamp(3.0, 10.0);
    let _ = write!(
        o,
        "<h3>Cost ratio r of bundle cases ({} cases with a ratio)</h3>",
        thousands(f.ratio_cases)
    );
    o.push_str(&svg::histogram(
        "Histogram of case cost ratios",
        &f.ratio_bins,
        super::kpi::RATIO_BIN,
        max,
        &edges,
        &format!(
            "r = case total cost ÷ group standard (DRG: group mean cost; DIP: standard cost); \
             bins of 0.1, the last holding every r ≥ {:.1}",
            max - 0.1
        ),
    ));
    o.push_str(
        "<p class=\"caption\">Dashed lines: the policy's band edges. High-cost bands depend on the \
         group's base points, so each is drawn at its own multiple; extreme cases paid \
         fee-for-service leave the bundle and are not in the histogram.</p>",
    );
    let routes = used_routes(f);
    let mut cats = vec!["all".to_string()];
    let mut parts = vec![routes
        .iter()
        .map(|r| f.by_route[r.index()].cases)
        .collect::<Vec<_>>()];
    for h in &s.hospitals {
        cats.push(h.code.clone());
        parts.push(routes.iter().map(|r| h.cases_by_route[r.index()]).collect());
    }
    let names: Vec<&str> = routes.iter().map(|r| route_name(*r)).collect();
    let colors: Vec<&str> = routes.iter().map(|r| route_color(*r)).collect();
    o.push_str("<h3>Payment-method mix: share of cases by route</h3>");
    o.push_str(&svg::stacked_shares(
        "Payment-method mix per hospital",
        &cats,
        &parts,
        &names,
        &colors,
    ));
}
