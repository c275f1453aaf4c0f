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

mod bundle;
pub(crate) mod compiled;
mod lines;

use crate::case::{Bundle, Case};
use crate::engine::{Engine, HospitalRules};
use crate::policy::Step;
use crate::price::{Priced, Pricing, Route};

pub(crate) use lines::{fallback, ffs};

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
    let primary = walk(e, case, h, case.special_review)?;
    if primary.route != Route::SpecialReview {
        return Ok(Pricing {
            primary,
            without_review: None,
        });
    }
    let mut fallback = walk(e, case, h, false)?;
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

/// The notes of the steps a case passed, joined with `; ` as they come.
#[derive(Default)]
struct Notes {
    text: String,
    count: usize,
}

impl Notes {
    fn push(&mut self, note: &str) {
        if self.count > 0 {
            self.text.push_str("; ");
        }
        self.text.push_str(note);
        self.count += 1;
    }
}

/// Walks the route order for a case; `approved` stands for the case's `special_review` (the second
/// walk of an approved case goes without it).
fn walk(e: &Engine, case: &Case, h: &HospitalRules, approved: bool) -> Result<Priced, String> {
    let routes = &e.routes;
    // The group code's entry, looked up once for the fixed-rate and bundle steps.
    let group = routes.group(case.bundle.code());
    let mut notes = Notes::default();
    for step in &routes.order {
        let claimed = match step {
            Step::CarveOut => lines::carve_out(e, case),
            Step::FixedRate => lines::fixed_rate(e, case, h.level, group)?,
            Step::PerDiem => lines::per_diem(e, case, &mut notes)?,
            Step::Exclusion => lines::exclusion(e, case)?,
            Step::Bundle => {
                let out = match &case.bundle {
                    Bundle::Drg(d) => bundle::drg(e, case, h, d, group, approved)?,
                    Bundle::Dip(d) => crate::dip::price(e, case, h, d, approved)?,
                };
                match out {
                    Outcome::Priced(_) if approved && routes.review_after_bundle => {
                        notes.push("approved for special review");
                        None
                    }
                    Outcome::Priced(p) => Some(p),
                    Outcome::Pass { note } => {
                        notes.push(&note);
                        None
                    }
                }
            }
            Step::SpecialReview if approved => Some(ffs(e, case, Route::SpecialReview)?),
            Step::SpecialReview => None,
            Step::Ffs => Some(ffs(e, case, Route::Ffs)?),
        };
        if let Some(mut p) = claimed {
            p.note = notes.text;
            return Ok(p);
        }
    }
    Err("routing.order ends without ffs".into())
}
