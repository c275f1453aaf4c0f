//! The settlement report: one self-contained HTML page per run (`drgdip settle --report`, and
//! `report.html` of `drgdip demo`), built in memory from the [`Settlement`] and its [`Engine`].
//!
//! - [`kpi`]: totals by route, outlier and grouping counts, the payment-reform KPIs with their
//!   definitions;
//! - [`svg`]: the inline charts;
//! - [`text`]: the same figures as plain-text tables for the terminal.
//!
//! The page loads nothing: no scripts, no external style sheets, fonts or images. Every text that
//! comes from data is escaped with [`esc`]; money is shown in yuan from exact fen with [`yuan`].

pub mod kpi;
pub mod svg;
pub mod text;

use std::fmt::Write;
use std::path::Path;

use settlement::engine::Engine;
use settlement::money::Fen;
use settlement::policy::{BundleMethod, Period};
use settlement::price::Route;
use settlement::settle::Settlement;

use kpi::{Figures, Kpi};

/// What a report is built from.
pub struct Report<'a> {
    /// The compiled policy.
    pub engine: &'a Engine,
    /// The closed run.
    pub settlement: &'a Settlement,
    /// Where the policy came from.
    pub policy_origin: &'a str,
    /// The grouping tables used.
    pub tables: &'a str,
    /// The `summary.json` document, embedded at the end of the page.
    pub summary: Option<&'a serde_json::Value>,
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An unsigned integer with thousands separators: `1234567` -> `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && i % 3 == digits.len() % 3 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Fen as yuan with thousands separators and two decimals, exactly: `Fen(-123456789)` ->
/// `-1,234,567.89`.
pub fn yuan(f: Fen) -> String {
    let a = f.0.unsigned_abs();
    let sign = if f.0 < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", thousands(a / 100), a % 100)
}

/// Points with thousands separators and their four decimals: `1,051,926.5057`.
pub fn points(p: settlement::points::Points) -> String {
    let a = p.0.unsigned_abs();
    let scale = settlement::points::SCALE.unsigned_abs();
    let sign = if p.0 < 0 { "-" } else { "" };
    format!("{sign}{}.{:04}", thousands(a / scale), a % scale)
}

/// The display name of a route.
pub fn route_name(r: Route) -> &'static str {
    match r {
        Route::CarveOut => "carve-out",
        Route::FixedRate => "fixed rate",
        Route::PerDiem => "per-diem",
        Route::Exclusion => "exclusion",
        Route::Drg => "DRG",
        Route::Dip => "DIP",
        Route::SpecialReview => "special review",
        Route::Ffs => "FFS",
    }
}

/// The chart colour of a route.
pub fn route_color(r: Route) -> &'static str {
    match r {
        Route::CarveOut => "#6b7280",
        Route::FixedRate => "#059669",
        Route::PerDiem => "#d97706",
        Route::Exclusion => "#f87171",
        Route::Drg => "#2563eb",
        Route::Dip => "#7c3aed",
        Route::SpecialReview => "#db2777",
        Route::Ffs => "#b91c1c",
    }
}

/// Routes in display order: bundles first, fee-for-service last.
pub const DISPLAY_ORDER: [Route; 8] = [
    Route::Drg,
    Route::Dip,
    Route::FixedRate,
    Route::PerDiem,
    Route::CarveOut,
    Route::Exclusion,
    Route::SpecialReview,
    Route::Ffs,
];

/// Routes with at least one case in the run, in display order.
pub fn used_routes(f: &Figures) -> Vec<Route> {
    DISPLAY_ORDER
        .into_iter()
        .filter(|r| f.by_route[r.index()].cases > 0)
        .collect()
}

/// Writes the report of a run to `path`, with the run's `summary.json` document embedded.
pub fn write_run(
    path: &Path,
    engine: &Engine,
    settlement: &Settlement,
    policy_origin: &str,
    tables: &str,
) -> Result<(), String> {
    let summary = crate::io::statement::summary(engine, settlement, policy_origin, tables);
    write(
        path,
        &Report {
            engine,
            settlement,
            policy_origin,
            tables,
            summary: Some(&summary),
        },
    )
}

/// Writes the page to `path`.
pub fn write(path: &Path, r: &Report) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, html(r)).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

const STYLE: &str = r#"
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
    let f = Figures::compute(&r.engine.policy, s);
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
    kpis(&mut o, &kpi::kpis(s, &f));
    pools(&mut o, s, r.engine);
    charts(&mut o, r, &f);
    hospitals(&mut o, s, &f);
    methods(&mut o, s, &f);
    hospital_payments(&mut o, s, &f);
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
    let rejected = s.rejected.len() as u64;
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
            esc(k.name),
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

/// A table head; the first `text` columns are left-aligned.
fn th(o: &mut String, cols: &[&str], text: usize) {
    o.push_str("<div class=\"wrap\"><table><thead><tr>");
    for (i, c) in cols.iter().enumerate() {
        let _ = write!(
            o,
            "<th{}>{}</th>",
            if i < text { " class=\"l\"" } else { "" },
            esc(c)
        );
    }
    o.push_str("</tr></thead><tbody>");
}

/// A table row; the first `text` cells are left-aligned text, the rest numbers.
fn row(o: &mut String, cells: &[String], text: usize, total: bool) {
    o.push_str(if total {
        "<tr class=\"total\">"
    } else {
        "<tr>"
    });
    for (i, c) in cells.iter().enumerate() {
        let class = if i < text { "l" } else { "num" };
        let _ = write!(o, "<td class=\"{class}\">{}</td>", esc(c));
    }
    o.push_str("</tr>");
}

fn pools(o: &mut String, s: &Settlement, e: &Engine) {
    o.push_str(
        "<h2>Pools and point values</h2><p class=\"lead\">Each pool closes on its own: \
         distributable = budget − reserve; under point-value closure every fen of it is paid out \
         (point value = (distributable − cases paid outside points) ÷ Σ points, on the pool's \
         basis); balance = distributable − paid − sharing.</p>",
    );
    let sharing = s.pools.iter().any(|p| p.sharing != Fen::ZERO);
    let mut cols = vec![
        "pool",
        "closure",
        "cases",
        "budget",
        "distributable",
        "paid",
        "for points",
        "outside points",
        "capitation",
    ];
    if sharing {
        cols.push("sharing");
    }
    cols.extend(["balance", "yuan / point"]);
    th(o, &cols, 2);
    for p in &s.pools {
        let spec = e.policy.pools.iter().find(|x| x.id == p.id);
        let basis = match p.basis {
            settlement::policy::Basis::Fund => "fund",
            settlement::policy::Basis::TotalCost => "total cost",
        };
        let what = spec.map_or(String::new(), |x| {
            format!("{}, {}", x.service_line, x.fund_types.join("/"))
        });
        let _ = write!(
            o,
            "<tr><td class=\"l\">{}<br><small>{}</small></td><td class=\"l\">{}<br><small>on {}</small></td>\
             <td class=\"num\">{}</td><td class=\"num\">{}<br><small>reserve {}</small></td>",
            esc(&p.id),
            esc(&what),
            esc(p.closure),
            esc(basis),
            thousands(p.cases),
            yuan(p.budget),
            yuan(p.reserve)
        );
        let mut cells = vec![
            yuan(p.distributable),
            yuan(p.paid),
            yuan(p.points_paid),
            yuan(p.other_paid),
            yuan(p.capitation),
        ];
        if sharing {
            cells.push(yuan(p.sharing));
        }
        cells.push(yuan(p.balance));
        for c in cells {
            let _ = write!(o, "<td class=\"num\">{}</td>", esc(&c));
        }
        let _ = match p.point_value {
            Some(v) => write!(
                o,
                "<td class=\"num\" title=\"exact: {} fen per point\"><b>{}</b><br><small>Σ {} points</small></td>",
                esc(&v.to_string()),
                esc(&crate::io::statement::yuan_per_point(v)),
                points(p.total_points)
            ),
            None => write!(o, "<td class=\"num\">–</td>"),
        };
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></div>\n");
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
        thousands(f.ratios.len() as u64)
    );
    o.push_str(&svg::histogram(
        "Histogram of case cost ratios",
        &f.ratios,
        0.1,
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

fn outliers(x: &[u64; 3]) -> String {
    format!(
        "{} / {} / {}",
        thousands(x[0]),
        thousands(x[1]),
        thousands(x[2])
    )
}

fn hospitals(o: &mut String, s: &Settlement, f: &Figures) {
    o.push_str(
        "<h2>Hospitals</h2><p class=\"lead\">CMI = mean weight of the hospital's bundle cases. \
         Outliers are counted over bundle cases. By-disease share = DRG/DIP/fixed-rate total cost \
         ÷ the hospital's total cost.</p>",
    );
    th(
        o,
        &[
            "hospital",
            "payee",
            "level",
            "cases",
            "bundle cases",
            "CMI",
            "low / high / extreme",
            "outlier share",
            "by-disease cost share",
            "total cost",
            "item-based fund cost",
            "fund payment",
            "payment ÷ item cost",
        ],
        2,
    );
    let share_of = |code: &str, total: Fen| {
        let by = f.hospital_cost_by_route.get(code);
        let num: Fen = kpi::BY_DISEASE
            .iter()
            .map(|r| by.map_or(Fen::ZERO, |b| b[r.index()]))
            .sum();
        kpi::Share::of(num.0, total.0).percent()
    };
    for h in &s.hospitals {
        let bundle = h.cases_by_route[Route::Drg.index()] + h.cases_by_route[Route::Dip.index()];
        row(
            o,
            &[
                h.code.clone(),
                h.payee.clone(),
                h.level.to_string(),
                thousands(h.cases),
                thousands(bundle),
                h.cmi.map_or("–".into(), |c| format!("{:.4}", c.to_f64())),
                outliers(&h.outliers),
                kpi::Share::of(h.outliers.iter().sum::<u64>(), bundle).percent(),
                share_of(&h.code, h.total_cost),
                yuan(h.total_cost),
                yuan(h.item_fund_cost),
                yuan(h.payment),
                kpi::Share::of(h.payment.0, h.item_fund_cost.0).percent(),
            ],
            2,
            false,
        );
    }
    let sum = |g: fn(&settlement::settle::HospitalResult) -> Fen| -> Fen {
        s.hospitals.iter().map(g).sum()
    };
    let total_cost = sum(|h| h.total_cost);
    let item = sum(|h| h.item_fund_cost);
    let paid = sum(|h| h.payment);
    let by: Fen = kpi::BY_DISEASE
        .iter()
        .map(|r| f.by_route[r.index()].total_cost)
        .sum();
    row(
        o,
        &[
            "all".into(),
            String::new(),
            String::new(),
            thousands(s.settled()),
            thousands(f.bundle_cases),
            f.cmi().map_or("–".into(), |c| format!("{c:.4}")),
            outliers(&f.outliers),
            kpi::Share::of(f.outliers.iter().sum::<u64>(), f.bundle_cases).percent(),
            kpi::Share::of(by.0, total_cost.0).percent(),
            yuan(total_cost),
            yuan(item),
            yuan(paid),
            kpi::Share::of(paid.0, item.0).percent(),
        ],
        2,
        true,
    );
    o.push_str("</tbody></table></div>\n");
}

fn methods(o: &mut String, s: &Settlement, f: &Figures) {
    o.push_str(
        "<h2>Payment methods</h2><p class=\"lead\">Every settled case by the route that priced \
         it (method code as in the 医保结算清单: 1 按项目, 2 单病种, 3 DIP, 4 DRG, 5 按床日, 9 \
         other). Shares of all settled cases, total cost and fund payment.</p>",
    );
    th(
        o,
        &[
            "route",
            "method code",
            "cases",
            "% cases",
            "total cost",
            "% cost",
            "fund payment",
            "% fund",
        ],
        1,
    );
    let cases: u64 = f.by_route.iter().map(|t| t.cases).sum();
    let cost: Fen = f.by_route.iter().map(|t| t.total_cost).sum();
    let capitation: Fen = s.hospitals.iter().map(|h| h.capitation).sum();
    let fund: Fen = f.by_route.iter().map(|t| t.fund).sum::<Fen>() + capitation;
    let pct = |a: i64, b: i64| kpi::Share::of(a, b).percent();
    for r in used_routes(f) {
        let t = f.by_route[r.index()];
        row(
            o,
            &[
                route_name(r).to_string(),
                r.method_code().to_string(),
                thousands(t.cases),
                pct(t.cases as i64, cases as i64),
                yuan(t.total_cost),
                pct(t.total_cost.0, cost.0),
                yuan(t.fund),
                pct(t.fund.0, fund.0),
            ],
            1,
            false,
        );
    }
    if capitation != Fen::ZERO {
        row(
            o,
            &[
                "capitation (按人头)".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                yuan(capitation),
                pct(capitation.0, fund.0),
            ],
            1,
            false,
        );
    }
    row(
        o,
        &[
            "all".into(),
            String::new(),
            thousands(cases),
            String::new(),
            yuan(cost),
            String::new(),
            yuan(fund),
            String::new(),
        ],
        1,
        true,
    );
    o.push_str("</tbody></table></div>\n");
}

fn hospital_payments(o: &mut String, s: &Settlement, f: &Figures) {
    let routes = used_routes(f);
    o.push_str(
        "<h2>Fund payments by method, per hospital (yuan)</h2><p class=\"lead\">Gross = case \
         payments + capitation + sharing; net = gross − deposit withheld (monthly) or forfeited \
         (annual).</p>",
    );
    // Capitation and sharing columns only when some hospital has them.
    let capitation = s.hospitals.iter().any(|h| h.capitation != Fen::ZERO);
    let sharing = s.hospitals.iter().any(|h| h.sharing != Fen::ZERO);
    let mut cols: Vec<&str> = vec!["hospital"];
    cols.extend(routes.iter().map(|r| route_name(*r)));
    if capitation {
        cols.push("capitation");
    }
    if sharing {
        cols.push("sharing");
    }
    cols.extend(["gross", "deposit", "net"]);
    th(o, &cols, 1);
    let mut totals = vec![Fen::ZERO; cols.len() - 1];
    for h in &s.hospitals {
        let mut amounts: Vec<Fen> = routes.iter().map(|r| h.paid_by_route[r.index()]).collect();
        if capitation {
            amounts.push(h.capitation);
        }
        if sharing {
            amounts.push(h.sharing);
        }
        amounts.extend([h.payment + h.capitation + h.sharing, h.deposit, h.net]);
        for (t, a) in totals.iter_mut().zip(&amounts) {
            *t += *a;
        }
        let mut cells = vec![h.code.clone()];
        cells.extend(amounts.into_iter().map(yuan));
        row(o, &cells, 1, false);
    }
    let mut cells = vec!["all".to_string()];
    cells.extend(totals.into_iter().map(yuan));
    row(o, &cells, 1, true);
    o.push_str("</tbody></table></div>\n");
}

fn rejections(o: &mut String, s: &Settlement) {
    let n = s.rejected.len();
    let _ = write!(o, "<h2>Rejected rows ({})</h2>", thousands(n as u64));
    if n == 0 {
        o.push_str("<p>None.</p>");
        return;
    }
    let shown = n.min(50);
    let _ = write!(
        o,
        "<details><summary>The first {shown} of {} (all are in rejected.csv)</summary>",
        thousands(n as u64)
    );
    th(o, &["id", "reason"], 2);
    for r in s.rejected.iter().take(shown) {
        let _ = write!(
            o,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td></tr>",
            esc(&r.id),
            esc(&r.reason)
        );
    }
    o.push_str("</tbody></table></div></details>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(esc("济南 DRG ≥75%"), "济南 DRG ≥75%");
        assert_eq!(esc(""), "");
    }

    #[test]
    fn yuan_from_exact_fen_with_separators() {
        assert_eq!(yuan(Fen(0)), "0.00");
        assert_eq!(yuan(Fen(5)), "0.05");
        assert_eq!(yuan(Fen(-5)), "-0.05");
        assert_eq!(yuan(Fen(99_999)), "999.99");
        assert_eq!(yuan(Fen(100_000)), "1,000.00");
        assert_eq!(yuan(Fen(-123_456_789)), "-1,234,567.89");
        assert_eq!(yuan(Fen(12_000_000_000)), "120,000,000.00");
        assert_eq!(yuan(Fen(i64::MIN)), "-92,233,720,368,547,758.08");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(
            points(settlement::points::Points(10_519_265_057)),
            "1,051,926.5057"
        );
        assert_eq!(points(settlement::points::Points(-5)), "-0.0005");
    }
}
