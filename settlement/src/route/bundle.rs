//! The DRG bundle step: a grouped case in the weight table is priced by the point rules
//! ([`crate::drg`]) from its group's base points; QY, ungroupable and unweighted cases fall back,
//! and unapproved extreme cases pass to fee-for-service where the policy says so.

use super::compiled::{Group, GroupCoefficient};
use super::{fallback, Outcome};
use crate::case::{Case, DrgOutcome, DrgResult};
use crate::drg::CaseNumbers;
use crate::engine::{Engine, HospitalRules};
use crate::formula::FormulaText as _;
use crate::money::Ratio;
use crate::points::Points;
use crate::policy::ExtremePay;
use crate::price::{Class, Priced, Route, Value};

/// Prices a DRG case (`group`: what the engine knows of its code; `approved`: on the special-review
/// list for this walk).
#[inline(never)]
pub(super) fn drg(
    e: &Engine,
    case: &Case,
    h: &HospitalRules,
    d: &DrgResult,
    group: Option<&Group>,
    approved: bool,
) -> Result<Outcome, String> {
    let rules = e
        .policy
        .drg
        .as_ref()
        .ok_or("the policy has no [drg] section")?;
    let point_rules = e
        .drg_rules
        .as_ref()
        .ok_or("the policy has no [drg] section")?;
    match d.outcome {
        DrgOutcome::Ambiguous => {
            return fallback(e, case, &rules.ambiguous, Route::Drg, "QY (drg.ambiguous)")
        }
        DrgOutcome::Ungroupable => {
            let what = format!("ungroupable {} (drg.ungroupable)", d.reason);
            return fallback(e, case, &rules.ungroupable, Route::Drg, what.trim());
        }
        DrgOutcome::Grouped => {}
    }
    let Some(g) = group.and_then(|g| g.drg.as_ref()) else {
        let what = format!(
            "DRG {} has no weight in the table (drg.ungroupable)",
            d.code
        );
        return fallback(e, case, &rules.ungroupable, Route::Drg, &what);
    };
    let w = g.weight;
    let money = |r: Result<Ratio, crate::money::MoneyError>| r.map_err(|e| e.to_string());
    let base = g.base.clone()?;
    let (coef, coef_text, coef_value_text) = if g.same_price {
        (Ratio::ONE, "1 (同病同价)", "1")
    } else {
        let c = &h.drg_coefficient;
        (c.value, c.quoted.as_str(), c.value_text.as_str())
    };
    // r = cost / group mean, formed once for the extreme test and the bands.
    let r = if w.mean_cost.0 > 0 {
        Some(money(Ratio::new(
            i128::from(case.total_cost.0),
            i128::from(w.mean_cost.0),
        ))?)
    } else {
        None
    };
    let mut extreme = false;
    if let (Some(r), Some(x)) = (r, rules.extreme) {
        let c = r.compare(x.ratio.0);
        if c.is_gt() || (x.inclusive && c.is_eq()) {
            extreme = true;
            if !approved && x.unapproved == ExtremePay::Ffs {
                return Ok(Outcome::Pass {
                    note: format!(
                        "extreme cost r {} (drg.extreme): paid fee-for-service",
                        r.approx_text(4)
                    ),
                });
            }
        }
    }
    // The formula is written once, into one string: the group's and the coefficient's part, then
    // the band.
    let slot = e.routes.slot(g.same_price, &h.drg_coefficient);
    let gc = g.with_coefficient(slot, || {
        GroupCoefficient::new(g, base, point_rules, coef, coef_text)
    });
    let mut formula = String::with_capacity(gc.prefix.len() + 64);
    formula.text(&gc.prefix);
    // The class, the points, and for the rate method the exact points (its standard is priced from
    // them, rounded once).
    let (class, points, exact, ratio, formula) = if let Some(r) = r {
        let n = CaseNumbers {
            base,
            base_ratio: g.base_ratio,
            full: gc.full.clone().map_err(|e| e.to_string())?,
            full_points: gc.full_points,
            texts: &gc.bands,
            r,
        };
        let (class, points, exact, formula) = match rules.method {
            crate::policy::DrgMethod::Points => {
                let (class, points, formula) =
                    crate::drg::price_case_points(point_rules, &n, formula)
                        .map_err(|e| e.to_string())?;
                (class, points, None, formula)
            }
            crate::policy::DrgMethod::Rate => {
                let p = crate::drg::price_case_after(point_rules, &n, formula)
                    .map_err(|e| e.to_string())?;
                (p.class, p.points, Some(p.exact), p.formula)
            }
        };
        let class = match class {
            _ if extreme => Class::Extreme,
            crate::drg::CaseClass::Normal => Class::Normal,
            crate::drg::CaseClass::Low => Class::Low,
            crate::drg::CaseClass::Uplifted => Class::Uplifted,
            crate::drg::CaseClass::High => Class::High,
        };
        (class, points, exact, Some(r), formula)
    } else {
        let exact = money(gc.full.clone())?;
        let p = Points::from_ratio(exact, e.stages.points).map_err(|e| e.to_string())?;
        formula
            .text("normal (no group mean cost: bands not tested): ")
            .text(&g.base_text)
            .text(" × ")
            .text(coef_value_text);
        (Class::Normal, p, Some(exact), None, formula)
    };
    let value = match (rules.method, exact) {
        (crate::policy::DrgMethod::Rate, Some(exact)) => {
            // From the unrounded points: the standard is rounded once, to the fen.
            let rate = rules.base_rate_yuan.map(|y| y.0).unwrap_or_default();
            let exact = money(
                exact
                    .checked_mul(Ratio::int(i128::from(rate.0)))
                    .and_then(|x| x.checked_div(rules.points_per_weight.0)),
            )?;
            Value::Standard(e.amount(exact)?)
        }
        _ => Value::Points(points),
    };
    let mut formula = formula;
    if let (Value::Standard(f), Some(exact)) = (value, exact) {
        formula
            .text("; rate ")
            .fen(rules.base_rate_yuan.map(|y| y.0).unwrap_or_default())
            .text(" per weight × ")
            .ratio(exact)
            .text(" / ")
            .ratio(rules.points_per_weight.0)
            .text(" = ")
            .fen(f);
    }
    Ok(Outcome::Priced(Priced {
        route: Route::Drg,
        line: g.line.clone(),
        class,
        ratio,
        value,
        weight: Some(w.weight),
        formula,
        note: String::new(),
    }))
}
