//! Record validation (the reference's `check`): gender, age, newborn age in days and birth weight,
//! at least one diagnosis. A failure gives `CHECK_FAILED` with the first problem found, in the
//! reference's order.

use crate::codes::CodeId;
use crate::grouping::Reason;
use crate::record::{Num, Record};
use crate::scheme::Pipeline;

fn invalid(field: &'static str, problem: impl Into<String>) -> Option<Reason> {
    Some(Reason::Invalid {
        field,
        problem: problem.into(),
    })
}

/// The first validation problem of a record, if any.
pub(crate) fn check(p: &Pipeline, r: &Record<'_>, dx: &[CodeId]) -> Option<Reason> {
    if !p.gender_valid.iter().any(|g| **g == *r.gender) {
        return if r.gender.is_empty() {
            invalid("gender", "missing")
        } else {
            invalid(
                "gender",
                format!("'{}' is not one of {}", r.gender, p.gender_valid.join("/")),
            )
        };
    }
    let age = match r.age {
        Num::Missing => return invalid("age", "missing"),
        Num::Invalid => return invalid("age", "not a number"),
        Num::Value(a) if a.fract() != 0.0 => {
            return invalid("age", format!("{a} is not a whole number of years"))
        }
        Num::Value(a) => a,
    };
    if age == p.newborn_age_years {
        let days = match r.age_days {
            Num::Missing => return invalid("age_days", "missing for a patient under one year"),
            Num::Invalid => return invalid("age_days", "not a number"),
            Num::Value(d) => d,
        };
        if days <= p.newborn_weight_required_max_age_days {
            match r.weight {
                Num::Missing => {
                    return invalid(
                        "weight",
                        format!(
                            "birth weight missing for a newborn of {days} days (required up to {} days)",
                            p.newborn_weight_required_max_age_days
                        ),
                    )
                }
                Num::Invalid => return invalid("weight", "not a number"),
                Num::Value(_) => {}
            }
        }
    }
    if dx.is_empty() {
        return invalid("diagnoses", "no diagnosis");
    }
    None
}
