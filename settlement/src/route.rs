//! Case routing: the policy's `[routing].order` is walked step by step, and the first step that
//! claims the case prices it. Steps that pass a case say why (the case's `note`).
//!
//! - `carve_out`: the case's `carve_out` column names a line, or its principal diagnosis is listed:
//!   paid at actual fund cost.
//! - `fixed_rate`: every criterion the line gives holds (diagnosis, procedure, group, stay).
//! - `per_diem`: eligible by department / diagnosis / stay ([`crate::per_diem::eligible`]).
//! - `exclusion`: stay at most / at least the given days: fee-for-service.
//! - `bundle`: DRG or DIP pricing; passes QY / ungroupable cases whose fallback is `ffs`, unapproved
//!   extreme cases whose rule is `ffs`, and approved special-review cases when review comes later.
//! - `special_review`: approved cases, paid fee-for-service (the quota is applied when the pools
//!   close, since it depends on all the hospital's cases; a case over the quota is paid as the
//!   same walk prices it without the approval).
//! - `ffs`: everything left.

use crate::case::{Bundle, Case, DrgOutcome, DrgResult};
use crate::engine::{Engine, HospitalRules};
use crate::formula::FormulaText as _;
use crate::money::Ratio;
use crate::points::Points;
use crate::policy::{ExtremePay, Fallback, FallbackPay, FfsBasis, Step};
use crate::price::{Class, Priced, Pricing, Route, Value};

/// What the bundle step did.
pub(crate) enum Outcome {
    /// Priced.
    Priced(Priced),
    /// Passed on to the next step, with why.
    Pass { note: String },
}

/// Routes a case. An approved special-review case that the review step claims also gets the
/// pricing it would have without approval (`without_review`): the same walk with the approval
/// removed, so a case over its hospital's quota is paid exactly as an unapproved case (its bundle
/// price, or fee-for-service where the policy pays unapproved cases so, e.g. extreme cost).
pub(crate) fn route(e: &Engine, case: &Case, h: &HospitalRules) -> Result<Pricing, String> {
    let primary = walk(e, case, h)?;
    if primary.route != Route::SpecialReview {
        return Ok(Pricing {
            primary,
            without_review: None,
        });
    }
    let mut plain = case.clone();
    plain.special_review = false;
    let mut fallback = walk(e, &plain, h)?;
    let over = "special review over the hospital's quota";
    fallback.note = if fallback.note.is_empty() {
        over.to_string()
    } else {
        format!("{over}; {}", fallback.note)
    };
    Ok(Pricing {
        primary,
        without_review: Some(fallback),
    })
}

fn walk(e: &Engine, case: &Case, h: &HospitalRules) -> Result<Priced, String> {
    let order = &e.order;
    let review_after_bundle = order
        .iter()
        .position(|s| *s == Step::SpecialReview)
        .is_some_and(|r| order.iter().position(|s| *s == Step::Bundle) < Some(r));
    let mut notes: Vec<String> = Vec::new();
    for step in order {
        let claimed = match step {
            Step::CarveOut => carve_out(e, case)?,
            Step::FixedRate => fixed_rate(e, case, h.level)?,
            Step::PerDiem => per_diem(e, case, &mut notes)?,
            Step::Exclusion => exclusion(e, case)?,
            Step::Bundle => {
                let out = match &case.bundle {
                    Bundle::Drg(d) => drg(e, case, h, d)?,
                    Bundle::Dip(d) => crate::dip::price(e, case, h, d)?,
                };
                match out {
                    Outcome::Priced(_) if case.special_review && review_after_bundle => {
                        notes.push("approved for special review".into());
                        None
                    }
                    Outcome::Priced(p) => Some(p),
                    Outcome::Pass { note } => {
                        notes.push(note);
                        None
                    }
                }
            }
            Step::SpecialReview if case.special_review => Some(ffs(e, case, Route::SpecialReview)?),
            Step::SpecialReview => None,
            Step::Ffs => Some(ffs(e, case, Route::Ffs)?),
        };
        if let Some(mut p) = claimed {
            p.note = notes.join("; ");
            return Ok(p);
        }
    }
    Err("routing.order ends without ffs".into())
}

fn fund_actual(case: &Case) -> crate::money::Fen {
    case.fund_amount
        .unwrap_or(case.total_cost - case.patient_share)
}

fn carve_out(e: &Engine, case: &Case) -> Result<Option<Priced>, String> {
    let line = e.policy.carve_outs.iter().find(|c| {
        case.carve_out.as_deref() == Some(c.name.as_str())
            || c.diagnoses
                .iter()
                .any(|d| case.principal.starts_with(d.as_str()))
    });
    Ok(line.map(|c| Priced {
        route: Route::CarveOut,
        line: c.name.clone(),
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
    }))
}

fn fixed_rate(e: &Engine, case: &Case, level: u8) -> Result<Option<Priced>, String> {
    let level = Some(level);
    for f in &e.policy.fixed_rates {
        let dx = f.diagnoses.is_empty()
            || f.diagnoses
                .iter()
                .any(|d| case.principal.starts_with(d.as_str()));
        let px = f.procedures.is_empty()
            || f.procedures
                .iter()
                .any(|p| case.procedures.iter().any(|c| c.starts_with(p.as_str())));
        let grp = f.groups.is_empty() || f.groups.iter().any(|g| g == case.bundle.code());
        let stay = f
            .max_los
            .is_none_or(|m| case.los.is_some_and(|los| los <= m));
        if !(dx && px && grp && stay) {
            continue;
        }
        let by_level = level.and_then(|l| f.amount_by_level.get(&l.to_string()));
        let Some(amount) = by_level.or(f.amount_yuan.as_ref()) else {
            return Err(format!(
                "fixed rate {} has no amount for level {}",
                f.name,
                level.map_or("?".into(), |l| l.to_string())
            ));
        };
        return Ok(Some(Priced {
            route: Route::FixedRate,
            line: f.name.clone(),
            class: Class::Standard,
            ratio: None,
            value: Value::Standard(amount.0),
            weight: None,
            formula: {
                let mut t = String::with_capacity(32 + f.name.len() + f.kind.len());
                t.text("fixed rate ")
                    .text(&f.name)
                    .text(" (")
                    .text(&f.kind)
                    .text("): ")
                    .fen(amount.0);
                t
            },
            note: String::new(),
        }));
    }
    Ok(None)
}

fn per_diem(e: &Engine, case: &Case, notes: &mut Vec<String>) -> Result<Option<Priced>, String> {
    for line in &e.policy.per_diem {
        if !crate::per_diem::eligible(line, case) {
            continue;
        }
        let Some(los) = case.los else {
            notes.push(format!("per-diem {}: eligible but no LOS", line.name));
            continue;
        };
        return crate::per_diem::price(line, los, |r| e.amount(r), e.stages.points).map(Some);
    }
    Ok(None)
}

fn exclusion(e: &Engine, case: &Case) -> Result<Option<Priced>, String> {
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
        line: case.bundle.code().to_string(),
        class: Class::Actual,
        ratio: None,
        value: Value::Fund(fen),
        weight: None,
        formula,
        note: String::new(),
    })
}

/// A bundle case that falls back: a cost share, or a pass to fee-for-service.
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
                line: case.bundle.code().to_string(),
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

fn drg(e: &Engine, case: &Case, h: &HospitalRules, d: &DrgResult) -> Result<Outcome, String> {
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
    let Some(w) = e.weight(&d.code) else {
        let what = format!(
            "DRG {} has no weight in the table (drg.ungroupable)",
            d.code
        );
        return fallback(e, case, &rules.ungroupable, Route::Drg, &what);
    };
    let money = |r: Result<Ratio, crate::money::MoneyError>| r.map_err(|e| e.to_string());
    let base = Points::from_ratio(
        money(w.weight.ratio().checked_mul(rules.points_per_weight.0))?,
        e.stages.points,
    )
    .map_err(|e| e.to_string())?;
    let same_price = rules.same_price_groups.contains(&d.code);
    let coef = if same_price {
        Ratio::ONE
    } else {
        h.drg_coefficient.value
    };
    let coef_text = if same_price {
        "1 (同病同价)"
    } else {
        h.drg_coefficient.quoted.as_str()
    };
    let mut extreme = false;
    if w.mean_cost.0 > 0 {
        if let Some(x) = rules.extreme {
            let r = money(Ratio::new(
                i128::from(case.total_cost.0),
                i128::from(w.mean_cost.0),
            ))?;
            let c = r.compare(x.ratio.0);
            if c.is_gt() || (x.inclusive && c.is_eq()) {
                extreme = true;
                if !case.special_review && x.unapproved == ExtremePay::Ffs {
                    return Ok(Outcome::Pass {
                        note: format!(
                            "extreme cost r {} (drg.extreme): paid fee-for-service",
                            r.approx_text(4)
                        ),
                    });
                }
            }
        }
    }
    // The formula is written once, into one string: the DRG and its base, then the band.
    let mut formula = String::with_capacity(160);
    formula
        .text("DRG ")
        .text(&d.code)
        .text(" weight ")
        .points(w.weight)
        .text(" → base ")
        .points(base)
        .text(" pts; coefficient ")
        .text(coef_text)
        .text("; ");
    let (class, points, exact, ratio, formula) = if w.mean_cost.0 > 0 {
        let p = crate::drg::price_case_after(
            point_rules,
            base,
            coef,
            case.total_cost.0,
            w.mean_cost.0,
            formula,
        )
        .map_err(|e| e.to_string())?;
        let class = match p.class {
            _ if extreme => Class::Extreme,
            crate::drg::CaseClass::Normal => Class::Normal,
            crate::drg::CaseClass::Low => Class::Low,
            crate::drg::CaseClass::Uplifted => Class::Uplifted,
            crate::drg::CaseClass::High => Class::High,
        };
        (class, p.points, p.exact, Some(p.ratio), p.formula)
    } else {
        let exact = money(base.ratio().checked_mul(coef))?;
        let p = Points::from_ratio(exact, e.stages.points).map_err(|e| e.to_string())?;
        formula
            .text("normal (no group mean cost: bands not tested): ")
            .points(base)
            .text(" × ")
            .ratio(coef);
        (Class::Normal, p, exact, None, formula)
    };
    let value = match rules.method {
        crate::policy::DrgMethod::Points => Value::Points(points),
        crate::policy::DrgMethod::Rate => {
            // From the unrounded points: the standard is rounded once, to the fen.
            let rate = rules.base_rate_yuan.map(|y| y.0).unwrap_or_default();
            let exact = money(
                exact
                    .checked_mul(Ratio::int(i128::from(rate.0)))
                    .and_then(|x| x.checked_div(rules.points_per_weight.0)),
            )?;
            Value::Standard(e.amount(exact)?)
        }
    };
    let mut formula = formula;
    if let Value::Standard(f) = value {
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
        line: d.code.clone(),
        class,
        ratio,
        value,
        weight: Some(w.weight),
        formula,
        note: String::new(),
    }))
}
