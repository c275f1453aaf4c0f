//! The report's tables: pools, hospitals, payment methods, payments by method per hospital and the
//! rejected rows.

use std::fmt::Write;

use settlement::engine::Engine;
use settlement::money::Fen;
use settlement::price::Route;
use settlement::settle::Settlement;

use super::kpi::{self, Figures};
use super::{esc, points, route_name, thousands, used_routes, yuan};

/// A table head; the first `text` columns are left-aligned.
pub(super) fn th(o: &mut String, cols: &[&str], text: usize) {
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
pub(super) fn row(o: &mut String, cells: &[String], text: usize, total: bool) {
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

pub(super) fn pools(o: &mut String, s: &Settlement, e: &Engine) {
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

fn outliers(x: &[u64; 3]) -> String {
    format!(
        "{} / {} / {}",
        thousands(x[0]),
        thousands(x[1]),
        thousands(x[2])
    )
}

pub(super) fn hospitals(o: &mut String, s: &Settlement, f: &Figures) {
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

pub(super) fn methods(o: &mut String, s: &Settlement, f: &Figures) {
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

pub(super) fn hospital_payments(o: &mut String, s: &Settlement, f: &Figures) {
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

pub(super) fn rejections(o: &mut String, s: &Settlement) {
    let n = s.rejected_count();
    let _ = write!(o, "<h2>Rejected rows ({})</h2>", thousands(n));
    if n == 0 {
        o.push_str("<p>None.</p>");
        return;
    }
    let shown = s.rejected.len().min(50);
    let _ = write!(
        o,
        "<details><summary>The first {shown} of {} (all are in rejected.csv)</summary>",
        thousands(n)
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
