//! DIP case pricing (按病种分值), exact: `points = score × deviation coefficient × factor × auxiliary
//! coefficient`, with `r = total cost / standard cost` (the prior-year same-level mean):
//!
//! ```text
//! low      r < low (or <=)            coefficient r            (× hf when factor_on_deviation)
//! extreme  r > extreme (or >=)        approved: special review; else bundle / ffs / hf (济宁)
//! high     r > high (or >=)           r − m + 1 (× hf when factor_on_deviation)   or r − m + hf
//! normal                              hf
//! blank    空白病组                    r × blank_share            (no hf; FFS without a blank_share
//!                                                                 or a standard cost)
//! unscored score 0                    paid at actual cost (total cost as the standard)
//! ```
//!
//! hf is the hospital factor, or the group's 基层系数 for a basic group (同病同价).

use crate::case::{Case, DipKind, DipResult};
use crate::engine::{Engine, HospitalRules};
use crate::formula::FormulaText as _;
use crate::money::{MoneyError, Ratio};
use crate::points::Points;
use crate::policy::{DipHighPlus, ExtremePay, RatioBound};
use crate::price::{Class, Priced, Route, Value};
use crate::route::Outcome;

fn cmp(a: Ratio, b: Ratio) -> std::cmp::Ordering {
    a.compare(b)
}

fn below(r: Ratio, b: RatioBound) -> bool {
    let c = cmp(r, b.ratio.0);
    c.is_lt() || (b.inclusive && c.is_eq())
}

fn above(r: Ratio, b: RatioBound) -> bool {
    let c = cmp(r, b.ratio.0);
    c.is_gt() || (b.inclusive && c.is_eq())
}

/// Prices a DIP case (`approved`: on the special-review list for this walk).
#[inline(never)]
pub(crate) fn price(
    e: &Engine,
    case: &Case,
    h: &HospitalRules,
    d: &DipResult,
    approved: bool,
) -> Result<Outcome, String> {
    let rules = e
        .policy
        .dip
        .as_ref()
        .ok_or("the policy has no [dip] section")?;
    let m = |r: Result<Ratio, MoneyError>| r.map_err(|e| e.to_string());
    if !d.grouped {
        return Ok(Outcome::Pass {
            note: format!("not grouped by DIP ({}): paid fee-for-service", d.reason),
        });
    }
    let weight = Points::from_ratio(
        m(d.score.ratio().checked_div(rules.score_scale.0))?,
        e.stages.points,
    )
    .ok();
    let line: std::sync::Arc<str> = d.code.as_str().into();
    let priced = |class, ratio, value, formula: String| Priced {
        route: Route::Dip,
        line: line.clone(),
        class,
        ratio,
        value,
        weight,
        formula,
        note: String::new(),
    };
    if d.score.0 == 0 {
        // No score, no weight: the case stays out of the CMI.
        return Ok(Outcome::Priced(Priced {
            weight: None,
            ..priced(
                Class::CostShare,
                None,
                Value::Standard(case.total_cost),
                format!(
                    "DIP {}: unscored group, paid at actual cost {}",
                    d.code, case.total_cost
                ),
            )
        }));
    }
    let (hf, basic) = match (d.kind, d.basic_factor) {
        (DipKind::Basic, Some(b)) => (b, Some(b)),
        _ => (h.dip_factor.value, None),
    };
    let aux = d.aux_factor;
    let t = Texts {
        basic,
        quoted: &h.dip_factor.quoted,
        aux,
        aux_name: &d.aux_name,
        factor_on_deviation: rules.factor_on_deviation,
    };
    let s = d.score.ratio();
    let pts = |x: Ratio| {
        Points::from_ratio(x, e.stages.points)
            .map(Value::Points)
            .map_err(|e| e.to_string())
    };
    let standard = d.standard_cost.filter(|s| s.0 > 0);
    if d.kind == DipKind::Blank && (rules.blank_share.is_none() || standard.is_none()) {
        let why = if rules.blank_share.is_none() {
            "no dip.blank_share"
        } else {
            "no standard cost to form r"
        };
        return Ok(Outcome::Pass {
            note: format!("DIP blank group {}: paid fee-for-service ({why})", d.code),
        });
    }
    let mut formula = String::with_capacity(160);
    formula
        .text("DIP ")
        .text(&d.code)
        .text(" score ")
        .points(d.score);
    let Some(standard) = standard else {
        let p = m(s.checked_mul(hf).and_then(|x| x.checked_mul(aux)))?;
        formula.text(" × ");
        t.hf(&mut formula).text(" × ");
        t.aux(&mut formula)
            .text(" (no standard cost: deviation not tested)");
        return Ok(Outcome::Priced(priced(
            Class::Normal,
            None,
            pts(p)?,
            formula,
        )));
    };
    let r = m(Ratio::new(
        i128::from(case.total_cost.0),
        i128::from(standard.0),
    ))?;
    // The head: `DIP {code} score {score}, r = {cost} / {standard} = {r}`.
    formula
        .text(", r = ")
        .fen(case.total_cost)
        .text(" / ")
        .fen(standard)
        .text(" = ")
        .approx(r, 4);
    if let (DipKind::Blank, Some(b)) = (d.kind, rules.blank_share) {
        let p = m(s.checked_mul(r).and_then(|x| x.checked_mul(b.0)))?;
        formula.text("; blank group: score × r × ").ratio(b.0);
        return Ok(Outcome::Priced(priced(
            Class::Blank,
            Some(r),
            pts(p)?,
            formula,
        )));
    }
    let dev_factor = if rules.factor_on_deviation {
        hf
    } else {
        Ratio::ONE
    };
    if below(r, rules.low) {
        let p = m(s
            .checked_mul(r)
            .and_then(|x| x.checked_mul(dev_factor))
            .and_then(|x| x.checked_mul(aux)))?;
        formula.text("; low: score × r × ");
        t.dev(&mut formula).text(" × ");
        t.aux(&mut formula);
        return Ok(Outcome::Priced(priced(
            Class::Low,
            Some(r),
            pts(p)?,
            formula,
        )));
    }
    let high = |class, mut formula: String| -> Result<Outcome, String> {
        let m_ = rules.high.ratio.0;
        formula.text("; high: score × ");
        let coef = match rules.high_plus {
            DipHighPlus::One => {
                formula.text("(r − ").ratio(m_).text(" + 1) × ");
                t.dev(&mut formula);
                m(r.checked_add(m_.mul_int(-1))
                    .and_then(|x| x.checked_add(Ratio::ONE))
                    .and_then(|x| x.checked_mul(dev_factor)))?
            }
            DipHighPlus::HospitalFactor => {
                formula.text("(r − ").ratio(m_).text(" + ");
                t.hf(&mut formula).text(")");
                m(r.checked_add(m_.mul_int(-1))
                    .and_then(|x| x.checked_add(hf)))?
            }
        };
        let p = m(s.checked_mul(coef).and_then(|x| x.checked_mul(aux)))?;
        formula.text(" × ");
        t.aux(&mut formula);
        Ok(Outcome::Priced(priced(class, Some(r), pts(p)?, formula)))
    };
    if let Some(x) = rules.extreme {
        let bound = RatioBound {
            ratio: x.ratio,
            inclusive: x.inclusive,
        };
        if above(r, bound) {
            if approved {
                return high(Class::Extreme, formula);
            }
            return match x.unapproved {
                ExtremePay::Bundle => high(Class::Extreme, formula),
                ExtremePay::Ffs => Ok(Outcome::Pass {
                    note: format!(
                        "extreme cost r {} (dip.extreme): paid fee-for-service",
                        r.approx_text(4)
                    ),
                }),
                ExtremePay::HospitalFactor => {
                    let p = m(s.checked_mul(hf).and_then(|x| x.checked_mul(aux)))?;
                    formula.text("; extreme, not approved: score × ");
                    t.hf(&mut formula).text(" × ");
                    t.aux(&mut formula);
                    Ok(Outcome::Priced(priced(
                        Class::Extreme,
                        Some(r),
                        pts(p)?,
                        formula,
                    )))
                }
            };
        }
    }
    if above(r, rules.high) {
        return high(Class::High, formula);
    }
    let p = m(s.checked_mul(hf).and_then(|x| x.checked_mul(aux)))?;
    formula.text("; normal: score × ");
    t.hf(&mut formula).text(" × ");
    t.aux(&mut formula);
    Ok(Outcome::Priced(priced(
        Class::Normal,
        Some(r),
        pts(p)?,
        formula,
    )))
}

/// The factor and auxiliary texts a DIP formula quotes.
struct Texts<'a> {
    /// The group's 基层系数, when it replaces the hospital factor.
    basic: Option<Ratio>,
    /// The hospital factor as formulas quote it.
    quoted: &'a str,
    aux: Ratio,
    aux_name: &'a str,
    factor_on_deviation: bool,
}

impl Texts<'_> {
    /// `基层系数 0.9` or `hf 0.85 [level 0.85 = 0.85]`.
    fn hf<'f>(&self, f: &'f mut String) -> &'f mut String {
        match self.basic {
            Some(b) => f.text("基层系数 ").ratio(b),
            None => f.text("hf ").text(self.quoted),
        }
    }

    /// The factor on deviation cases: the hospital factor's text, or that it does not apply.
    fn dev<'f>(&self, f: &'f mut String) -> &'f mut String {
        if self.factor_on_deviation {
            self.hf(f)
        } else {
            f.text("(no hf on deviation cases)")
        }
    }

    /// `aux 1.1 (name)`, or `aux 1` without a name.
    fn aux<'f>(&self, f: &'f mut String) -> &'f mut String {
        f.text("aux ").ratio(self.aux);
        if !self.aux_name.is_empty() {
            f.text(" (").text(self.aux_name).text(")");
        }
        f
    }
}
