//! Per-diem (按床日): a stay is paid day by day, each day at the rate (or points) of the band it
//! falls in: `pay(LOS) = Σ_b rate_b × |[1, LOS] ∩ [from_b, to_b]|`, then capped per stay. A stay of
//! 0 days (admitted and discharged the same day) counts as one day.

use std::sync::Arc;

use crate::case::Case;
use crate::formula::FormulaText as _;
use crate::money::Ratio;
use crate::points::Points;
use crate::policy::PerDiem;
use crate::price::{Class, Priced, Route, Value};

/// Whether a case is eligible for a per-diem line: by department or principal diagnosis (any listed;
/// neither listed = any case), and by a minimum stay when one is set.
pub fn eligible(line: &PerDiem, case: &Case) -> bool {
    let by_list = (line.depts.is_empty() && line.diagnoses.is_empty())
        || line.depts.contains(&case.dept)
        || line
            .diagnoses
            .iter()
            .any(|p| case.principal.starts_with(p.as_str()));
    by_list
        && line
            .min_los
            .is_none_or(|m| case.los.is_some_and(|los| los >= m))
}

/// Prices a stay of `los` days on a line; `round` turns exact fen into fen.
pub fn price(
    line: &PerDiem,
    los: u32,
    round: impl Fn(Ratio) -> Result<crate::money::Fen, String>,
    points_rounding: crate::money::Rounding,
) -> Result<Priced, String> {
    let name: Arc<str> = line.name.as_str().into();
    price_line(line, &name, los, round, points_rounding)
}

/// [`price`], the case's line being `name` (the line's name, shared).
pub(crate) fn price_line(
    line: &PerDiem,
    name: &Arc<str>,
    los: u32,
    round: impl Fn(Ratio) -> Result<crate::money::Fen, String>,
    points_rounding: crate::money::Rounding,
) -> Result<Priced, String> {
    let days = los.max(1);
    let mut total = Ratio::ZERO;
    // `per-diem {name}: {days} days = {n} d × {rate} + {n} d × {points} pts + …`
    let mut formula = String::with_capacity(48 + line.name.len());
    formula
        .text("per-diem ")
        .text(&line.name)
        .text(": ")
        .int(i64::from(days))
        .text(" days = ");
    for (i, b) in line.bands.iter().enumerate() {
        let end = b.to.unwrap_or(u32::MAX).min(days);
        if end < b.from {
            break;
        }
        let n = end - b.from + 1;
        if i > 0 {
            formula.text(" + ");
        }
        formula.int(i64::from(n)).text(" d × ");
        let unit = match (b.rate_yuan, b.points) {
            (Some(r), _) => {
                formula.fen(r.0);
                Ratio::int(i128::from(r.0 .0))
            }
            (None, Some(p)) => {
                formula.points(p.0).text(" pts");
                p.0.ratio()
            }
            (None, None) => {
                return Err(format!("per-diem line {}: band without a rate", line.name))
            }
        };
        total = total
            .checked_add(unit.mul_int(i128::from(n)))
            .map_err(|e| e.to_string())?;
    }
    let points_form = line.bands.first().is_some_and(|b| b.points.is_some());
    let value = if points_form {
        Value::Points(Points::from_ratio(total, points_rounding).map_err(|e| e.to_string())?)
    } else {
        let mut fen = round(total)?;
        if let Some(cap) = line.cap_yuan {
            if fen > cap.0 {
                formula.text(", capped at ").fen(cap.0);
                fen = cap.0;
            }
        }
        Value::Standard(fen)
    };
    Ok(Priced {
        route: Route::PerDiem,
        line: name.clone(),
        class: Class::Standard,
        ratio: None,
        value,
        weight: None,
        formula,
        note: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Fen, Rounding};
    use crate::policy::{DayBand, Yuan};

    fn line() -> PerDiem {
        let band = |from, to, y: i64| DayBand {
            from,
            to,
            rate_yuan: Some(Yuan(Fen(y * 100))),
            points: None,
        };
        PerDiem {
            name: "psychiatry".into(),
            depts: vec!["精神科".into()],
            diagnoses: vec!["F20".into()],
            min_los: None,
            bands: vec![
                band(1, Some(60), 300),
                band(61, Some(180), 250),
                band(181, None, 200),
            ],
            cap_yuan: Some(Yuan(Fen(5_000_000))),
            source: "test".into(),
        }
    }

    fn pay(los: u32) -> Value {
        price(
            &line(),
            los,
            |r| {
                r.round(Rounding::HalfAwayFromZero)
                    .map_err(|e| e.to_string())
            },
            Rounding::HalfAwayFromZero,
        )
        .unwrap()
        .value
    }

    #[test]
    fn bands_on_both_sides_of_each_boundary() {
        assert_eq!(
            pay(0),
            Value::Standard(Fen(30_000)),
            "same-day stay = 1 day"
        );
        assert_eq!(pay(60), Value::Standard(Fen(1_800_000)));
        assert_eq!(pay(61), Value::Standard(Fen(1_825_000)));
        assert_eq!(pay(180), Value::Standard(Fen(4_800_000)));
        assert_eq!(pay(181), Value::Standard(Fen(4_820_000)));
        // 60 × 300 + 120 × 250 + 10 × 200 = 50,000 yuan: exactly the cap; one more day is capped.
        assert_eq!(pay(190), Value::Standard(Fen(5_000_000)));
        assert_eq!(pay(191), Value::Standard(Fen(5_000_000)));
    }
}
