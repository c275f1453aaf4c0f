//! DRG point method (点数法), per case: base points × hospital coefficient, with the low-rate,
//! high-rate and normal-band rules as data (`settlement-policy.md` B3–B4).
//!
//! With `r = case cost / group mean cost`:
//!
//! ```text
//! low     r <= low (or <)        points = base × coef × r, never more than base × coef      (pro-rata)
//! uplift  above < r <= up_to     points = base × coef' × (r + add)   (Zhejiang: (0.4, 0.8] -> r + 0.2;
//!                                coef' = coef or 1, a parameter: the text leaves it open)
//! high    r >= multiple (or >)   points = base × coef + base × (r − multiple)
//!                                multiple chosen by the band of base points the group falls in
//! normal  otherwise              points = base × coef
//! ```
//!
//! None of the thresholds has a national default: the low bound is Zhejiang's, the high-rate bands
//! and formula are widely cited but unverified, so every one is a required parameter.

use crate::formula::FormulaText as _;
use crate::money::{MoneyError, Ratio, Rounding};
use crate::points::Points;

/// A boundary of a band: a ratio and whether equality is inside the band.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bound {
    /// The ratio (case cost / group mean).
    pub ratio: Ratio,
    /// Whether a case exactly at the ratio is in the band.
    pub inclusive: bool,
}

/// A high-rate band: groups whose base points are at most `up_to_base_points` (or any, for `None`)
/// are high-rate cases from `multiple` × the group mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HighBand {
    /// Upper bound of base points for this band (inclusive); `None` = no bound.
    pub up_to_base_points: Option<Points>,
    /// The multiple of the group mean at which the high-rate rule starts.
    pub multiple: Ratio,
    /// Whether a case exactly at the multiple is high-rate.
    pub inclusive: bool,
}

/// The normal-band uplift (Zhejiang 2025: `0.4 < r <= 0.8` -> `r + 0.2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Uplift {
    /// Lower bound (exclusive).
    pub above: Ratio,
    /// Upper bound (inclusive).
    pub up_to: Ratio,
    /// Added to r.
    pub add: Ratio,
    /// Whether the hospital coefficient multiplies the uplifted points.
    pub applies_coefficient: bool,
}

/// The case rules of a DRG point method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrgPointRules {
    /// Low-rate bound, if the region has low-rate cases.
    pub low: Option<Bound>,
    /// High-rate bands, checked in order; the first whose base-point bound fits applies.
    pub high: Vec<HighBand>,
    /// Normal-band uplift, if any.
    pub uplift: Option<Uplift>,
    /// Rounding of case points to 4 decimals.
    pub rounding: Rounding,
}

/// The class a case was priced in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseClass {
    /// Within the bands.
    Normal,
    /// Low-rate (低倍率), pro-rata.
    Low,
    /// Normal band with the uplift.
    Uplifted,
    /// High-rate (高倍率).
    High,
}

impl CaseClass {
    /// `normal`, `low`, `uplifted`, `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseClass::Normal => "normal",
            CaseClass::Low => "low",
            CaseClass::Uplifted => "uplifted",
            CaseClass::High => "high",
        }
    }
}

/// A priced case: its class, points, cost ratio and the formula with its numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedCase {
    /// Class.
    pub class: CaseClass,
    /// Case points, rounded to 4 decimals.
    pub points: Points,
    /// Case points before rounding: the rate method prices these, so that a standard is rounded
    /// once, to the fen (`rate × weight × coefficient`), not once to points and again to fen.
    pub exact: Ratio,
    /// r = cost / group mean.
    pub ratio: Ratio,
    /// The formula as applied, with numbers, for the case's explanation.
    pub formula: String,
}

fn below(r: Ratio, b: Bound) -> bool {
    let c = cmp(r, b.ratio);
    c.is_lt() || (b.inclusive && c.is_eq())
}

fn cmp(a: Ratio, b: Ratio) -> std::cmp::Ordering {
    // Denominators are positive: compare a.n × b.d with b.n × a.d.
    a.compare(b)
}

/// The texts of a formula's band part for one group (base points) and coefficient, around the
/// case's cost ratio `r`: `normal` whole, the other bands as the text before r and after it.
/// Callers that price many cases of a group keep them (the numbers in them are the group's and the
/// hospital's, not the case's).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BandTexts {
    /// `normal: {base} × {coefficient}`.
    pub normal: String,
    /// `low: {base} × {coefficient} × r ` and ` (capped at {base} × {coefficient})`.
    pub low: (String, String),
    /// `uplift: {base} × {coefficient, or 1} × (r ` and ` + {add})` (empty without an uplift).
    pub uplift: (String, String),
    /// `high: {base} × {coefficient} + {base} × (r ` and ` − {multiple})`, the multiple of the high
    /// band the base points fall in (empty without one).
    pub high: (String, String),
}

impl BandTexts {
    /// The texts for `base` points and `coefficient` under `rules`.
    pub fn new(rules: &DrgPointRules, base: Points, coefficient: Ratio) -> BandTexts {
        let mut bc = String::new();
        bc.points(base).text(" × ").ratio(coefficient);
        let mut t = BandTexts::default();
        t.normal.text("normal: ").text(&bc);
        t.low.0.text("low: ").text(&bc).text(" × r ");
        t.low.1.text(" (capped at ").text(&bc).text(")");
        if let Some(u) = rules.uplift {
            t.uplift.0.text("uplift: ").points(base).text(" × ");
            if u.applies_coefficient {
                t.uplift.0.ratio(coefficient);
            } else {
                t.uplift.0.ratio(Ratio::ONE);
            }
            t.uplift.0.text(" × (r ");
            t.uplift.1.text(" + ").ratio(u.add).text(")");
        }
        if let Some(band) = high_band(rules, base) {
            t.high
                .0
                .text("high: ")
                .text(&bc)
                .text(" + ")
                .points(base)
                .text(" × (r ");
            t.high.1.text(" − ").ratio(band.multiple).text(")");
        }
        t
    }
}

/// The high-rate band of a group: the first whose base-point bound fits.
fn high_band(rules: &DrgPointRules, base: Points) -> Option<&HighBand> {
    rules
        .high
        .iter()
        .find(|h| h.up_to_base_points.is_none_or(|m| base <= m))
}

/// A case's numbers for [`price_case_after`], with the texts its formula quotes (the caller has
/// them from the group and the hospital, computed once).
#[derive(Clone, Copy, Debug)]
pub struct CaseNumbers<'a> {
    /// The group's base points.
    pub base: Points,
    /// `base` as a ratio.
    pub base_ratio: Ratio,
    /// base × the hospital coefficient (1 for a 同病同价 group).
    pub full: Ratio,
    /// `full` rounded to points, when the caller has it (formed once for the group and the
    /// coefficient); `None`: rounded for the case.
    pub full_points: Option<Points>,
    /// The band texts for the base points and the coefficient.
    pub texts: &'a BandTexts,
    /// r = case cost / group mean cost.
    pub r: Ratio,
}

/// Prices one case. `cost` and `group_mean` are in the same unit (fen); `group_mean` must be positive.
pub fn price_case(
    rules: &DrgPointRules,
    base: Points,
    coefficient: Ratio,
    cost: i64,
    group_mean: i64,
) -> Result<PricedCase, MoneyError> {
    let r = Ratio::new(i128::from(cost), i128::from(group_mean))?;
    let full = base.ratio().checked_mul(coefficient)?;
    let texts = BandTexts::new(rules, base, coefficient);
    let n = CaseNumbers {
        base,
        base_ratio: base.ratio(),
        full,
        full_points: None,
        texts: &texts,
        r,
    };
    price_case_after(rules, &n, String::new())
}

/// [`price_case`] from a case's numbers, its formula written after `prefix` (the caller's part of
/// the explanation), so a case's formula is one allocation.
pub fn price_case_after(
    rules: &DrgPointRules,
    n: &CaseNumbers<'_>,
    prefix: String,
) -> Result<PricedCase, MoneyError> {
    let mut formula = prefix;
    let band = Band::of(rules, n, &mut formula);
    let exact = band.exact(n)?;
    Ok(PricedCase {
        class: band.class(),
        points: Points::from_ratio(exact, rules.rounding)?,
        exact,
        ratio: n.r,
        formula,
    })
}

/// [`price_case_after`] for the points method, which needs the rounded points only: the class,
/// the points and the formula, without the exact points. An uplifted case's points are rounded
/// from the product of the parts as they are ([`Ratio::mul_sum_round`]), a normal case's are the
/// caller's `full_points`; the others', and any that do not fit in 64 bits, are the exact points
/// rounded, as [`price_case_after`] gives them.
pub(crate) fn price_case_points(
    rules: &DrgPointRules,
    n: &CaseNumbers<'_>,
    prefix: String,
) -> Result<(CaseClass, Points, String), MoneyError> {
    let mut formula = prefix;
    let band = Band::of(rules, n, &mut formula);
    let points = match band {
        Band::Uplift(u) => {
            let bc = if u.applies_coefficient {
                n.full
            } else {
                n.base_ratio
            };
            bc.mul_sum_round(n.r, u.add, crate::points::SCALE, rules.rounding)
                .map(Points)
        }
        Band::Normal => n.full_points,
        Band::Low | Band::High(_) => None,
    };
    let points = match points {
        Some(p) => p,
        None => Points::from_ratio(band.exact(n)?, rules.rounding)?,
    };
    Ok((band.class(), points, formula))
}

/// The band a case falls in, with what its rule needs.
#[derive(Clone, Copy, Debug)]
enum Band {
    Low,
    High(HighBand),
    Uplift(Uplift),
    Normal,
}

impl Band {
    /// The band of a case, its part of the formula written to `formula`.
    fn of(rules: &DrgPointRules, n: &CaseNumbers<'_>, formula: &mut String) -> Band {
        let (base, r, t) = (n.base, n.r, n.texts);
        if let Some(low) = rules.low {
            if below(r, low) {
                formula.text(&t.low.0).approx(r, 4).text(&t.low.1);
                return Band::Low;
            }
        }
        if let Some(band) = high_band(rules, base) {
            let c = cmp(r, band.multiple);
            if c.is_gt() || (band.inclusive && c.is_eq()) {
                formula.text(&t.high.0).approx(r, 4).text(&t.high.1);
                return Band::High(*band);
            }
        }
        if let Some(u) = rules.uplift {
            if cmp(r, u.above).is_gt() && !cmp(r, u.up_to).is_gt() {
                formula.text(&t.uplift.0).approx(r, 4).text(&t.uplift.1);
                return Band::Uplift(u);
            }
        }
        formula.text(&t.normal);
        Band::Normal
    }

    fn class(self) -> CaseClass {
        match self {
            Band::Low => CaseClass::Low,
            Band::High(_) => CaseClass::High,
            Band::Uplift(_) => CaseClass::Uplifted,
            Band::Normal => CaseClass::Normal,
        }
    }

    /// The case's points before rounding.
    fn exact(self, n: &CaseNumbers<'_>) -> Result<Ratio, MoneyError> {
        let (b, full, r) = (n.base_ratio, n.full, n.r);
        match self {
            Band::Low => {
                // Pro rata, never more than base × coefficient.
                let pro_rata = full.checked_mul(r)?;
                Ok(if cmp(pro_rata, full).is_gt() {
                    full
                } else {
                    pro_rata
                })
            }
            Band::High(band) => {
                let excess = r.checked_add(band.multiple.mul_int(-1))?;
                full.checked_add(b.checked_mul(excess)?)
            }
            Band::Uplift(u) => {
                // base × coefficient is `full`; without the coefficient, base × 1 is `b`.
                let bc = if u.applies_coefficient { full } else { b };
                bc.checked_mul(r.checked_add(u.add)?)
            }
            Band::Normal => Ok(full),
        }
    }
}

/// The DRG rate method (费率法) for one case: `base rate × weight × coefficient`, rounded once to the
/// fen. `base_rate` is the fen paid per 1.0 of weight.
pub fn rate_amount(
    base_rate: crate::money::Fen,
    weight: Points,
    coefficient: Ratio,
    rounding: Rounding,
) -> Result<crate::money::Fen, MoneyError> {
    Ratio::int(i128::from(base_rate.0))
        .checked_mul(weight.ratio())?
        .checked_mul(coefficient)?
        .round(rounding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Ratio {
        s.parse().unwrap()
    }

    fn fen(yuan: &str) -> i64 {
        crate::money::Fen::from_yuan(yuan).unwrap().0
    }

    fn zhejiang_like() -> DrgPointRules {
        DrgPointRules {
            low: Some(Bound {
                ratio: q("0.4"),
                inclusive: true,
            }),
            high: vec![
                HighBand {
                    up_to_base_points: Some(Points(1_000_000)),
                    multiple: q("3"),
                    inclusive: true,
                },
                HighBand {
                    up_to_base_points: None,
                    multiple: q("2"),
                    inclusive: true,
                },
            ],
            uplift: Some(Uplift {
                above: q("0.4"),
                up_to: q("0.8"),
                add: q("0.2"),
                applies_coefficient: true,
            }),
            rounding: Rounding::HalfAwayFromZero,
        }
    }

    #[test]
    fn every_class_on_both_sides_of_its_boundary() {
        let rules = zhejiang_like();
        let base = Points(800_000); // 80 points, band "up to 100": high from 3x
        let coef = q("1.1");
        let mean = fen("10000.00"); // 10,000 yuan in fen
        let p = |cost: i64| price_case(&rules, base, coef, cost, mean).unwrap();
        // r = 0.4 exactly: low (inclusive): 80 × 1.1 × 0.4 = 35.2
        assert_eq!(
            (p(fen("4000.00")).class, p(fen("4000.00")).points),
            (CaseClass::Low, Points(352_000))
        );
        // r = 0.40001: uplift: 80 × 1.1 × 0.60001 = 52.80088
        let just_above = p(fen("4000.10"));
        assert_eq!(just_above.class, CaseClass::Uplifted);
        assert_eq!(just_above.points, Points(528_009)); // 52.800880 rounded to 4 decimals
                                                        // r = 0.8: uplift (inclusive upper): 80 × 1.1 × 1.0 = 88
        assert_eq!(
            (p(fen("8000.00")).class, p(fen("8000.00")).points),
            (CaseClass::Uplifted, Points(880_000))
        );
        // r = 0.80001: normal: 88
        assert_eq!(
            (p(fen("8000.10")).class, p(fen("8000.10")).points),
            (CaseClass::Normal, Points(880_000))
        );
        // r = 3 exactly: high: 88 + 80 × 0 = 88
        assert_eq!(
            (p(fen("30000.00")).class, p(fen("30000.00")).points),
            (CaseClass::High, Points(880_000))
        );
        // r = 2.99999: normal
        assert_eq!(p(fen("29999.90")).class, CaseClass::Normal);
        // r = 4: 88 + 80 × 1 = 168
        assert_eq!(p(fen("40000.00")).points, Points(1_680_000));
        // A group above 100 base points is high from 2x.
        let big = price_case(&rules, Points(1_500_000), Ratio::ONE, fen("20000.00"), mean).unwrap();
        assert_eq!(
            (big.class, big.points),
            (CaseClass::High, Points(1_500_000))
        );
    }

    #[test]
    fn rate_method_rounds_once() {
        // Base rate 10,000.00 yuan per weight, weight 1.2345, coefficient 1.05:
        // 1,000,000 × 1.2345 × 1.05 = 1,296,225 fen exactly.
        let a = rate_amount(
            crate::money::Fen(1_000_000),
            Points(12_345),
            q("1.05"),
            Rounding::HalfAwayFromZero,
        );
        assert_eq!(a.unwrap(), crate::money::Fen(1_296_225));
        // 333.33 yuan × 0.3333 × 1 = 11,109.8889 fen -> 11,110.
        let b = rate_amount(
            crate::money::Fen(33_333),
            Points(3_333),
            Ratio::ONE,
            Rounding::HalfAwayFromZero,
        );
        assert_eq!(b.unwrap(), crate::money::Fen(11_110));
    }

    #[test]
    fn low_rate_is_capped_and_rules_are_optional() {
        let rules = DrgPointRules {
            low: Some(Bound {
                ratio: q("2"),
                inclusive: false,
            }),
            high: vec![],
            uplift: None,
            rounding: Rounding::HalfAwayFromZero,
        };
        // r = 1.5 is "low" under this odd rule but never pays more than base × coef.
        let c = price_case(&rules, Points(10_000), q("1.2"), 150, 100).unwrap();
        assert_eq!((c.class, c.points), (CaseClass::Low, Points(12_000)));
        let none = DrgPointRules {
            low: None,
            high: vec![],
            uplift: None,
            rounding: Rounding::HalfAwayFromZero,
        };
        assert_eq!(
            price_case(&none, Points(10_000), Ratio::ONE, 1, 100)
                .unwrap()
                .class,
            CaseClass::Normal
        );
        assert!(
            price_case(&none, Points(10_000), Ratio::ONE, 1, 0).is_err(),
            "a zero group mean is an error"
        );
    }

    proptest::proptest! {
        #[test]
        fn the_points_alone_are_the_exact_points_rounded(
            base in 1i64..5_000_000,
            coefficient in 500i128..1500,
            mean in 1i64..20_000_000,
            r_permille in 0i64..6000,
            jitter in 0i64..1000,
            applies in proptest::prelude::any::<bool>(),
            kept in proptest::prelude::any::<bool>(),
            rounding in 0usize..5,
        ) {
            let mut rules = zhejiang_like();
            rules.uplift = rules.uplift.map(|u| Uplift { applies_coefficient: applies, ..u });
            rules.rounding = [
                Rounding::HalfAwayFromZero,
                Rounding::HalfEven,
                Rounding::Floor,
                Rounding::Ceiling,
                Rounding::TowardZero,
            ][rounding];
            let (base, coefficient) = (Points(base), Ratio::new(coefficient, 1000).unwrap());
            let cost = mean * r_permille / 1000 + jitter;
            let full = base.ratio().checked_mul(coefficient).unwrap();
            let texts = BandTexts::new(&rules, base, coefficient);
            let n = CaseNumbers {
                base,
                base_ratio: base.ratio(),
                full,
                full_points: kept.then(|| Points::from_ratio(full, rules.rounding).unwrap()),
                texts: &texts,
                r: Ratio::new(i128::from(cost), i128::from(mean)).unwrap(),
            };
            let all = price_case_after(&rules, &n, "DRG x; ".into());
            let alone = price_case_points(&rules, &n, "DRG x; ".into());
            proptest::prop_assert_eq!(alone, all.map(|p| (p.class, p.points, p.formula)));
        }
    }

    #[test]
    fn formulas_are_what_format_wrote() {
        let rules = zhejiang_like();
        let base = Points(800_000);
        let coef = q("1.1");
        let mean = fen("10000.00");
        let f = |cost: &str| price_case(&rules, base, coef, fen(cost), mean).unwrap();
        let r = |cost: &str| Ratio::new(i128::from(fen(cost)), i128::from(mean)).unwrap();
        let a = |cost: &str| r(cost).approx_text(4);
        assert_eq!(
            f("4000.00").formula,
            format!(
                "low: {base} × {coef} × r {} (capped at {base} × {coef})",
                a("4000.00")
            )
        );
        assert_eq!(
            f("4000.10").formula,
            format!(
                "uplift: {base} × {coef} × (r {} + {})",
                a("4000.10"),
                q("0.2")
            )
        );
        assert_eq!(
            f("40000.00").formula,
            format!(
                "high: {base} × {coef} + {base} × (r {} − {})",
                a("40000.00"),
                q("3")
            )
        );
        assert_eq!(f("8000.10").formula, format!("normal: {base} × {coef}"));
        let mut no_coef = rules.clone();
        no_coef.uplift = no_coef.uplift.map(|u| Uplift {
            applies_coefficient: false,
            ..u
        });
        let u = price_case(&no_coef, base, coef, fen("6000.00"), mean).unwrap();
        assert_eq!(
            u.formula,
            format!("uplift: {base} × 1 × (r {} + 0.2)", a("6000.00"))
        );
    }
}
