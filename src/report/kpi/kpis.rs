//! The KPI lists: the payment-reform indicators of a run, and the ones a scenario comparison shows.

use settlement::money::Fen;
use settlement::points::Points;
use settlement::price::Route;
use settlement::settle::Settlement;

use super::*;

/// The routes the 按病种 KPI counts: DRG, DIP and fixed per-case rates (单病种).
pub const BY_DISEASE: [Route; 3] = [Route::Drg, Route::Dip, Route::FixedRate];
/// The routes paid fee-for-service (按项目).
pub const FEE_FOR_SERVICE: [Route; 3] = [Route::Ffs, Route::Exclusion, Route::SpecialReview];

/// The KPIs of a settlement, in display order.
pub fn kpis(s: &Settlement, f: &Figures) -> Vec<Kpi> {
    let money = |x: Share| {
        format!(
            "{} / {} yuan",
            super::super::yuan(Fen(x.num as i64)),
            super::super::yuan(Fen(x.den as i64))
        )
    };
    let count = |x: Share| {
        format!(
            "{} / {} cases",
            super::super::thousands(x.num as u64),
            super::super::thousands(x.den as u64)
        )
    };
    let mut out = Vec::new();
    let by_disease = f.inpatient_cost_share(&BY_DISEASE);
    out.push(Kpi {
        key: "by_disease_share".into(),
        name: "DRG/DIP and by-disease share of inpatient cost (按病种付费占比)".into(),
        value: by_disease.percent(),
        number: by_disease.fraction(6),
        share: Some(by_disease),
        detail: money(by_disease),
        definition: "Σ total cost of inpatient cases settled on the DRG, DIP or fixed per-case rate \
            (单病种) routes ÷ Σ total cost of all settled inpatient cases. QY cases paid a cost share \
            stay on the DRG route and count; per-diem, carve-out and fee-for-service cases do not.",
        targets: vec![
            Target {
                at_least_pct: 70,
                label: "≥70% by 2025: national 14th FYP plan; Hechuan 000:L92, Liaoning 001:L108, \
                    Wenshan 003:L108, Yulin 004:L125",
            },
            Target {
                at_least_pct: 75,
                label: "≥75%: Jinan 002:L80",
            },
        ],
    });
    let ffs = f.inpatient_cost_share(&FEE_FOR_SERVICE);
    out.push(Kpi {
        key: "ffs_share".into(),
        name: "Fee-for-service share of inpatient cost (按项目付费占比)".into(),
        value: ffs.percent(),
        number: ffs.fraction(6),
        share: Some(ffs),
        detail: money(ffs),
        definition: "Σ total cost of inpatient cases paid item by item (the ffs, exclusion and \
            special-review routes) ÷ Σ total cost of all settled inpatient cases. The plans ask for \
            it to fall (Hechuan 000:L179); no number is set.",
        targets: vec![],
    });
    let cases = f.inpatient_cases();
    let ungroupable = Share::of(f.ungroupable, cases);
    out.push(Kpi {
        key: "ungroupable_rate".into(),
        name: "Ungroupable rate".into(),
        value: ungroupable.percent(),
        number: ungroupable.fraction(6),
        share: Some(ungroupable),
        detail: count(ungroupable),
        definition: "Settled cases the grouper could not place in a group (failed checks, codes \
            outside the scheme's map, no MDC, a group without a weight, or not grouped by DIP), \
            found by the pricing's note ÷ settled inpatient cases. Rows rejected before pricing are \
            counted under Rejected, not here.",
        targets: vec![],
    });
    let ambiguous = Share::of(f.ambiguous, cases);
    out.push(Kpi {
        key: "qy_rate".into(),
        name: "Ambiguous (QY) rate".into(),
        value: ambiguous.percent(),
        number: ambiguous.fraction(6),
        share: Some(ambiguous),
        detail: count(ambiguous),
        definition:
            "Settled cases grouped as ambiguous (歧义病案: an OR procedure unrelated to the \
            principal diagnosis) ÷ settled inpatient cases.",
        targets: vec![],
    });
    let outlier = Share::of(
        f.outliers[0] + f.outliers[1] + f.outliers[2],
        f.bundle_cases,
    );
    out.push(Kpi {
        key: "outlier_share".into(),
        name: "Outlier share of bundle cases".into(),
        value: outlier.percent(),
        number: outlier.fraction(6),
        share: Some(outlier),
        detail: format!(
            "low {} · high {} · extreme {} of {} bundle cases; extreme paid fee-for-service: {}",
            super::super::thousands(f.outliers[0]),
            super::super::thousands(f.outliers[1]),
            super::super::thousands(f.outliers[2]),
            super::super::thousands(f.bundle_cases),
            super::super::thousands(f.extreme_ffs)
        ),
        definition: "Bundle (DRG/DIP route) cases priced as low-cost, high-cost or extreme-cost \
            outliers (偏差病例) ÷ bundle cases. Extreme cases the policy pays fee-for-service leave \
            the bundle and are counted apart.",
        targets: vec![],
    });
    let (approved, honoured, quota) = f.review;
    out.push(Kpi {
        key: "review_quota_use".into(),
        name: "Special-review quota use (特例单议)".into(),
        value: if quota == 0 {
            "–".into()
        } else {
            Share::of(honoured, quota).percent()
        },
        number: Share::of(honoured, quota).fraction(6),
        share: None,
        detail: format!(
            "{} approved, {} honoured, quota {}",
            super::super::thousands(approved),
            super::super::thousands(honoured),
            super::super::thousands(quota)
        ),
        definition: "Approved special-review cases honoured ÷ the quota, Σ over hospitals of \
            ⌊quota share × the hospital's settled cases⌋. Approved cases beyond a hospital's quota \
            are priced as if not approved.",
        targets: vec![],
    });
    let primary = Share::of(f.primary_fund.0, f.all_fund.0);
    out.push(Kpi {
        key: "primary_share".into(),
        name: "Primary-care share of fund payments (基层占比)".into(),
        value: primary.percent(),
        number: primary.fraction(6),
        share: Some(primary),
        detail: money(primary),
        definition: "Fund payments (cases, capitation and sharing) to level-1 hospitals ÷ fund \
            payments to all hospitals in this run. Wenshan tracks the fund's share at primary \
            institutions, to rise steadily from 16% (003:L116).",
        targets: vec![],
    });
    let paid: Fen = s.hospitals.iter().map(|h| h.payment).sum();
    let item: Fen = s.hospitals.iter().map(|h| h.item_fund_cost).sum();
    let cover = Share::of(paid.0, item.0);
    out.push(Kpi {
        key: "payment_over_item_cost".into(),
        name: "Case payments ÷ item-based fund cost".into(),
        value: cover.percent(),
        number: cover.fraction(6),
        share: Some(cover),
        detail: money(cover),
        definition:
            "Σ fund payments for cases ÷ Σ (total cost − patient share) of the same cases: \
            what the fund pays under the policy against what it would pay item by item. Below \
            100% the hospitals as a whole absorb the difference.",
        targets: vec![],
    });
    out
}

/// The KPIs of one scenario of a comparison or a sweep: [`kpis`], then the DRG/DIP bundle share
/// alone, the payment-method mix (each route's share of inpatient cost), and the CMI over all bundle
/// cases and by hospital level.
pub fn scenario_kpis(s: &Settlement, f: &Figures) -> Vec<Kpi> {
    let mut out = kpis(s, f);
    let money = |x: Share| {
        format!(
            "{} / {} yuan",
            super::super::yuan(Fen(x.num as i64)),
            super::super::yuan(Fen(x.den as i64))
        )
    };
    let bundle = f.inpatient_cost_share(&[Route::Drg, Route::Dip]);
    out.push(Kpi {
        key: "bundle_share".into(),
        name: "DRG/DIP bundle share of inpatient cost".into(),
        value: bundle.percent(),
        number: bundle.fraction(6),
        share: Some(bundle),
        detail: money(bundle),
        definition: "Σ total cost of inpatient cases settled on the DRG or DIP route ÷ Σ total \
            cost of all settled inpatient cases: the by-disease share without the fixed per-case \
            rates (单病种), for plans whose label names DRG/DIP alone.",
        targets: vec![],
    });
    for r in super::super::DISPLAY_ORDER {
        let share = f.inpatient_cost_share(&[r]);
        out.push(Kpi {
            key: format!("method_mix.{}", r.as_str()),
            name: format!(
                "Payment-method mix: {} share of inpatient cost",
                super::super::route_name(r)
            ),
            value: share.percent(),
            number: share.fraction(6),
            share: Some(share),
            detail: format!(
                "{}; {} cases",
                money(share),
                super::super::thousands(f.inpatient_by_route[r.index()].cases)
            ),
            definition: "Σ total cost of the inpatient cases this route settled ÷ Σ total cost of \
                all settled inpatient cases (method code of the 医保结算清单 in cases.csv). The \
                routes add up to 100%; the plans ask for the fee-for-service part to fall \
                (Hechuan 000:L179).",
            targets: vec![],
        });
    }
    let cmi = |key: String, name: String, sum: Points, n: u64| {
        let mean = Share::of(sum.0, i128::from(n) * i128::from(settlement::points::SCALE));
        Kpi {
            key,
            name,
            value: if n == 0 {
                "–".into()
            } else {
                mean.fraction(4)
            },
            number: mean.fraction(4),
            share: None,
            detail: format!(
                "Σ weights {} over {} bundle cases",
                super::super::points(sum),
                super::super::thousands(n)
            ),
            definition: "Case-mix index: the mean weight of bundle (DRG/DIP route) cases with a \
                weight (DRG relative weight; DIP score ÷ the catalog's K). QY cost shares and \
                unscored DIP groups have no weight and stay out. By level: the cases of the \
                hospitals of that level.",
            targets: vec![],
        }
    };
    out.push(cmi(
        "cmi".into(),
        "CMI, all hospitals".into(),
        f.bundle_weight.0,
        f.bundle_weight.1,
    ));
    for (level, (sum, n)) in &f.weights_by_level {
        out.push(cmi(
            format!("cmi.level{level}"),
            format!("CMI, level-{level} hospitals"),
            *sum,
            *n,
        ));
    }
    out
}
