//! The steps that claim a case by the policy's lines (carve-outs, fixed rates, per-diem,
//! exclusions), fee-for-service, and the bundle fallbacks.

use super::compiled::{scan, Group};
use super::{Notes, Outcome};
use crate::case::Case;
use crate::engine::Engine;
use crate::formula::FormulaText as _;
use crate::money::Ratio;
use crate::policy::{Fallback, FallbackPay, FfsBasis};
use crate::price::{Class, Priced, Route, Value};

fn fund_actual(case: &Case) -> crate::money::Fen {
    case.fund_amount
        .unwrap_or(case.total_cost - case.patient_share)
}

/// The carve-out step: the first line the case names or whose diagnosis prefix it has.
#[inline(never)]
pub(super) fn carve_out(e: &Engine, case: &Case) -> Option<Priced> {
    let i = e.routes.carve_out(&e.policy, case)?;
    let c = &e.policy.carve_outs[i];
    Some(Priced {
        route: Route::CarveOut,
        line: e.routes.carve_out_lines[i].clone(),
        class: Class::Actual,
        ratio: None,
        value: Value::Fund(fund_actual(case)),
        weight: None,
        formula: {
            let mut f = String::with_capacity(48 + c.name.len());
            f.text("carve-out ")
                .text(&c.name)
                .text(": actual fund cost ")
                .fen(fund_actual(case));
            f
        },
        note: String::new(),
    })
}

/// The fixed-rate step: the first line whose criteria all hold, at the amount for the hospital's
/// level.
#[inline(never)]
pub(super) fn fixed_rate(
    e: &Engine,
    case: &Case,
    level: u8,
    group: Option<&Group>,
) -> Result<Option<Priced>, String> {
    let Some(i) = e.routes.fixed_rate(&e.policy, case, group) else {
        return Ok(None);
    };
    let f = &e.policy.fixed_rates[i];
    let line = &e.routes.fixed_lines[i];
    let Some(amount) = line.amount(level) else {
        return Err(format!(
            "fixed rate {} has no amount for level {level}",
            f.name
        ));
    };
    let mut formula = String::with_capacity(line.head.len() + 16);
    formula.text(&line.head).fen(amount);
    Ok(Some(Priced {
        route: Route::FixedRate,
        line: line.line.clone(),
        class: Class::Standard,
        ratio: None,
        value: Value::Standard(amount),
        weight: None,
        formula,
        note: String::new(),
    }))
}

/// The per-diem step: the first eligible line, when the case has a stay (eligible lines passed for
/// want of one are noted).
#[inline(never)]
pub(super) fn per_diem(
    e: &Engine,
    case: &Case,
    notes: &mut Notes,
) -> Result<Option<Priced>, String> {
    match e.routes.per_diem(case) {
        Some(lines) if lines.is_empty() => Ok(None),
        Some(lines) => per_diem_first(e, case, notes, lines.iter()),
        None => per_diem_first(e, case, notes, scan::per_diem(&e.policy, case)),
    }
}

fn per_diem_first(
    e: &Engine,
    case: &Case,
    notes: &mut Notes,
    eligible: impl Iterator<Item = usize>,
) -> Result<Option<Priced>, String> {
    for i in eligible {
        let line = &e.policy.per_diem[i];
        let Some(los) = case.los else {
            notes.push(&format!("per-diem {}: eligible but no LOS", line.name));
            continue;
        };
        let name = &e.routes.per_diem_lines[i];
        return crate::per_diem::price_line(line, name, los, |r| e.amount(r), e.stages.points)
            .map(Some);
    }
    Ok(None)
}

/// The exclusion step: stays at most / at least the policy's days, paid fee-for-service.
#[inline(never)]
pub(super) fn exclusion(e: &Engine, case: &Case) -> Result<Option<Priced>, String> {
    let Some(x) = &e.policy.exclusions else {
        return Ok(None);
    };
    let Some(los) = case.los else { return Ok(None) };
    let (op, bound) = if x.los_at_most.is_some_and(|m| los <= m) {
        (" <= ", x.los_at_most.unwrap_or(0))
    } else if x.los_at_least.is_some_and(|m| los >= m) {
        (" >= ", x.los_at_least.unwrap_or(0))
    } else {
        return Ok(None);
    };
    let mut p = ffs(e, case, Route::Exclusion)?;
    let mut formula = String::with_capacity(32 + p.formula.len());
    formula
        .text("excluded (LOS ")
        .int(i64::from(los))
        .text(op)
        .int(i64::from(bound))
        .text("): ")
        .text(&p.formula);
    p.formula = formula;
    Ok(Some(p))
}

/// Fee-for-service pricing of a case on `route`.
#[inline(never)]
pub(crate) fn ffs(e: &Engine, case: &Case, route: Route) -> Result<Priced, String> {
    let f = &e.policy.ffs;
    let base = match f.basis {
        FfsBasis::CostMinusPatientShare => case.total_cost - case.patient_share,
        FfsBasis::FundAmount => case.fund_amount.ok_or_else(|| {
            "ffs.basis = \"fund_amount\" but the case has no fund_amount".to_string()
        })?,
    };
    let what = |t: &mut String| match f.basis {
        FfsBasis::CostMinusPatientShare => {
            t.fen(case.total_cost).text(" − ").fen(case.patient_share);
        }
        FfsBasis::FundAmount => {
            t.text("fund amount");
        }
    };
    let mut formula = String::with_capacity(64);
    let fen = match f.ratio {
        Some(r) => {
            let v = e.amount(
                Ratio::int(i128::from(base.0))
                    .checked_mul(r.0)
                    .map_err(|e| e.to_string())?,
            )?;
            formula.text("ffs: (");
            what(&mut formula);
            formula.text(") ").fen(base).text(" × ").ratio(r.0);
            v
        }
        None => {
            formula.text("ffs: ");
            what(&mut formula);
            formula.text(" = ").fen(base);
            base
        }
    };
    Ok(Priced {
        route,
        line: case.bundle.code().into(),
        class: Class::Actual,
        ratio: None,
        value: Value::Fund(fen),
        weight: None,
        formula,
        note: String::new(),
    })
}

/// A bundle case that falls back: a cost share, or a pass to fee-for-service.
#[inline(never)]
pub(crate) fn fallback(
    e: &Engine,
    case: &Case,
    f: &Fallback,
    route: Route,
    what: &str,
) -> Result<Outcome, String> {
    match f.pay {
        FallbackPay::Ffs => Ok(Outcome::Pass {
            note: format!("{what}: paid fee-for-service"),
        }),
        FallbackPay::CostShare => {
            let share = f.share.map(|s| s.0).unwrap_or(Ratio::ONE);
            let fen = e.amount(
                Ratio::int(i128::from(case.total_cost.0))
                    .checked_mul(share)
                    .map_err(|e| e.to_string())?,
            )?;
            Ok(Outcome::Priced(Priced {
                route,
                line: case.bundle.code().into(),
                class: Class::CostShare,
                ratio: None,
                value: Value::Standard(fen),
                weight: None,
                formula: {
                    let mut t = String::with_capacity(48 + what.len());
                    t.text(what)
                        .text(": total cost ")
                        .fen(case.total_cost)
                        .text(" × ")
                        .ratio(share);
                    t
                },
                note: String::new(),
            }))
        }
    }
}
