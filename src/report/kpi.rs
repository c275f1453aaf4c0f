//! The figures a report shows, computed once from a [`Settlement`] and its [`Policy`]: totals by
//! route, outlier and grouping counts, and the payment-reform KPIs the seed plans track, each with
//! its definition (`../shared/docs/seed-plans.md` §3.1 and capability 15).
//!
//! Money stays in integer fen; shares are exact integer fractions, formatted only at the end.

use std::collections::BTreeMap;

use settlement::money::Fen;
use settlement::points::Points;
use settlement::policy::Policy;
use settlement::price::{Class, Route};
use settlement::settle::Settlement;

/// Cases, total cost and fund payment of a set of cases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Cases.
    pub cases: u64,
    /// Σ total cost.
    pub total_cost: Fen,
    /// Σ fund payment.
    pub fund: Fen,
}

impl Totals {
    fn add(&mut self, cost: Fen, fund: Fen) {
        self.cases += 1;
        self.total_cost += cost;
        self.fund += fund;
    }
}

/// An exact share `num / den` (zero when `den` is zero).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Share {
    /// Numerator.
    pub num: i128,
    /// Denominator.
    pub den: i128,
}

impl Share {
    /// A share of two counts or two amounts of fen.
    pub fn of(num: impl Into<i128>, den: impl Into<i128>) -> Share {
        Share {
            num: num.into(),
            den: den.into(),
        }
    }

    /// The share in tenths of a percent, rounded half away from zero; `None` when `den` is zero.
    pub fn per_mille(self) -> Option<i128> {
        if self.den == 0 {
            return None;
        }
        let (n, d) = (self.num * 1000, self.den);
        let q = (2 * n.abs() + d.abs()) / (2 * d.abs());
        Some(if (n < 0) != (d < 0) { -q } else { q })
    }

    /// `92.1%`, or `–` when there is nothing to divide by.
    pub fn percent(self) -> String {
        match self.per_mille() {
            None => "–".into(),
            Some(p) => {
                let sign = if p < 0 { "-" } else { "" };
                format!("{sign}{}.{}%", p.abs() / 10, p.abs() % 10)
            }
        }
    }

    /// Whether the share is at least `pct` percent (exact).
    pub fn at_least(self, pct: i128) -> bool {
        self.den > 0 && self.num * 100 >= pct * self.den
    }

    /// The share as a decimal fraction with `places` decimals, rounded half away from zero
    /// (`0.7234`); empty when there is nothing to divide by. For files read by programs.
    pub fn fraction(self, places: u32) -> String {
        match settlement::money::Ratio::new(self.num, self.den) {
            Ok(r) if self.den != 0 => r.approx(places),
            _ => String::new(),
        }
    }
}

/// A target a region set for a KPI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The share must be at least this many percent.
    pub at_least_pct: i128,
    /// Who set it, with the citation.
    pub label: &'static str,
}

/// One KPI with its value and definition.
#[derive(Clone, Debug)]
pub struct Kpi {
    /// A stable key for files (`by_disease_share`, `method_mix.drg`, `cmi.level1`).
    pub key: String,
    /// Name.
    pub name: String,
    /// The value shown.
    pub value: String,
    /// The value for programs: a share as a fraction with 6 decimals, a CMI with 4; empty when
    /// there is nothing to divide by.
    pub number: String,
    /// The share behind the value, when it is one (for targets).
    pub share: Option<Share>,
    /// Numbers behind the value (`numerator / denominator`).
    pub detail: String,
    /// The definition, written next to the value.
    pub definition: &'static str,
    /// Targets, if any region sets one.
    pub targets: Vec<Target>,
}

/// Everything a report needs beyond the settlement's own fields.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    /// All settled cases by route ([`Route::ALL`] order).
    pub by_route: [Totals; 8],
    /// Inpatient cases (pool service line `inpatient`) by route.
    pub inpatient_by_route: [Totals; 8],
    /// Total cost by route per hospital.
    pub hospital_cost_by_route: BTreeMap<String, [Fen; 8]>,
    /// Cases the grouper could not group (paid by the `ungroupable` fallback).
    pub ungroupable: u64,
    /// Ambiguous (QY) cases.
    pub ambiguous: u64,
    /// DIP blank-group cases.
    pub blank: u64,
    /// Extreme-cost cases passed to fee-for-service.
    pub extreme_ffs: u64,
    /// Bundle cases (DRG or DIP route).
    pub bundle_cases: u64,
    /// Bundle cases by class: low, high, extreme.
    pub outliers: [u64; 3],
    /// Σ weights of bundle cases with one, and how many (for the CMI).
    pub bundle_weight: (Points, u64),
    /// The same by hospital code.
    pub weights_by_hospital: BTreeMap<String, (Points, u64)>,
    /// The same by hospital level (the CMI by level), once the statements are known.
    pub weights_by_level: BTreeMap<u8, (Points, u64)>,
    /// Bundle cases by cost ratio r in bins of [`RATIO_BIN`] from 0, the last bin holding every
    /// r ≥ 10 (display only).
    pub ratio_bins: Vec<u64>,
    /// Bundle cases with a cost ratio.
    pub ratio_cases: u64,
    /// Special review: approved, honoured, quota (Σ over hospitals).
    pub review: (u64, u64, u64),
    /// Fund payments (cases + capitation + sharing) to level-1 hospitals, and to all.
    pub primary_fund: Fen,
    /// Fund payments to all hospitals.
    pub all_fund: Fen,
}

/// What the figures need of one settled case (a streamed run keeps these, not the pricing text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// Route.
    pub route: Route,
    /// Class.
    pub class: Class,
    /// CMI weight.
    pub weight: Option<Points>,
    /// Cost-ratio bin ([`RATIO_BIN`] wide; the last holds r ≥ 10).
    pub ratio_bin: Option<u8>,
    /// The grouper could not group the case.
    pub ungroupable: bool,
    /// Ambiguous (QY).
    pub ambiguous: bool,
    /// Extreme cost passed to fee-for-service.
    pub extreme_ffs: bool,
    /// Total cost.
    pub total_cost: Fen,
    /// Fund payment.
    pub fund: Fen,
}

impl Facts {
    /// The facts of a pricing.
    pub fn of(p: &settlement::price::Priced, total_cost: Fen, fund: Fen) -> Facts {
        let text = [p.formula.as_str(), p.note.as_str()];
        let ungroupable = text.iter().any(|t| is_ungroupable(t));
        Facts {
            route: p.route,
            class: p.class,
            weight: p.weight,
            ratio_bin: p.ratio.map(|x| {
                let v = x.to_f64();
                if v.is_finite() {
                    ((v.max(0.0) / RATIO_BIN).floor() as usize).min(RATIO_BINS - 1) as u8
                } else {
                    (RATIO_BINS - 1) as u8
                }
            }),
            ungroupable,
            ambiguous: !ungroupable && text.iter().any(|t| is_ambiguous(t)),
            extreme_ffs: PHRASES.any(&p.note, 4..5),
            total_cost,
            fund,
        }
    }
}

/// The phrases [`Facts::of`] looks for, searched with prebuilt finders (a formula is read by the
/// million, and `str::contains` builds its searcher on every call).
struct Phrases([memchr::memmem::Finder<'static>; 5]);

static PHRASES: std::sync::LazyLock<Phrases> = std::sync::LazyLock::new(|| {
    Phrases(
        [
            "ungroupable",
            "not grouped by DIP",
            "QY (",
            ".ambiguous",
            "extreme cost",
        ]
        .map(memchr::memmem::Finder::new),
    )
});

impl Phrases {
    fn any(&self, text: &str, which: std::ops::Range<usize>) -> bool {
        self.0[which]
            .iter()
            .any(|f| f.find(text.as_bytes()).is_some())
    }
}

/// Whether a case's pricing says the grouper could not group it.
fn is_ungroupable(text: &str) -> bool {
    PHRASES.any(text, 0..2)
}

/// Whether a case's pricing says it was ambiguous (QY).
fn is_ambiguous(text: &str) -> bool {
    PHRASES.any(text, 2..4)
}

/// One hospital's part of the [`Figures`] while cases are counted.
#[derive(Clone, Copy, Debug, Default)]
pub struct HospitalFigures {
    /// Whether it has a case.
    pub seen: bool,
    /// Total cost by route.
    pub cost_by_route: [Fen; 8],
    /// Σ weights of its bundle cases with one, and how many.
    pub weights: Option<(Points, u64)>,
}

/// Width of a cost-ratio bin.
pub const RATIO_BIN: f64 = 0.1;
/// Cost-ratio bins: 0 ≤ r < 10 by 0.1, then r ≥ 10.
pub const RATIO_BINS: usize = 101;

impl Figures {
    /// Computes the figures of a settlement that holds its cases (an in-memory run).
    pub fn compute(policy: &Policy, s: &Settlement) -> Figures {
        let mut f = Figures::default();
        for c in &s.cases {
            let facts = Facts::of(&c.priced, c.total_cost, c.fund);
            f.add_case(policy, &c.hospital, c.pool, &facts);
        }
        f.add_hospitals(policy, &s.hospitals);
        f
    }

    /// Counts one settled case.
    pub fn add_case(&mut self, policy: &Policy, hospital: &str, pool: usize, c: &Facts) {
        let mut h = HospitalFigures::default();
        self.add_case_to(policy, pool, c, &mut h);
        self.add_hospital(hospital, h);
    }

    /// [`Figures::add_case`] with the hospital's figures kept by the caller (by hospital index,
    /// say, while millions of cases stream in), to hand over with [`Figures::add_hospital`].
    pub fn add_case_to(
        &mut self,
        policy: &Policy,
        pool: usize,
        c: &Facts,
        h: &mut HospitalFigures,
    ) {
        let r = c.route.index();
        self.by_route[r].add(c.total_cost, c.fund);
        if policy
            .pools
            .get(pool)
            .is_some_and(|x| x.service_line == "inpatient")
        {
            self.inpatient_by_route[r].add(c.total_cost, c.fund);
        }
        h.seen = true;
        h.cost_by_route[r] += c.total_cost;
        if c.ungroupable {
            self.ungroupable += 1;
        } else if c.ambiguous {
            self.ambiguous += 1;
        }
        if c.extreme_ffs {
            self.extreme_ffs += 1;
        }
        let bundle = c.route.is_bundle();
        match c.class {
            Class::Blank => self.blank += 1,
            Class::Low if bundle => self.outliers[0] += 1,
            Class::High if bundle => self.outliers[1] += 1,
            Class::Extreme if bundle => self.outliers[2] += 1,
            _ => {}
        }
        if bundle {
            self.bundle_cases += 1;
            if let Some(w) = c.weight {
                self.bundle_weight.0 += w;
                self.bundle_weight.1 += 1;
                let e = h.weights.get_or_insert_with(Default::default);
                e.0 += w;
                e.1 += 1;
            }
            if let Some(i) = c.ratio_bin {
                if self.ratio_bins.is_empty() {
                    self.ratio_bins = vec![0; RATIO_BINS];
                }
                self.ratio_bins[usize::from(i).min(RATIO_BINS - 1)] += 1;
                self.ratio_cases += 1;
            }
        }
    }

    /// Adds a hospital's figures kept with [`Figures::add_case_to`].
    pub fn add_hospital(&mut self, hospital: &str, h: HospitalFigures) {
        if !h.seen {
            return;
        }
        let costs = match self.hospital_cost_by_route.get_mut(hospital) {
            Some(e) => e,
            None => self
                .hospital_cost_by_route
                .entry(hospital.to_string())
                .or_insert([Fen::ZERO; 8]),
        };
        for (a, b) in costs.iter_mut().zip(h.cost_by_route) {
            *a += b;
        }
        if let Some((w, n)) = h.weights {
            let e = self
                .weights_by_hospital
                .entry(hospital.to_string())
                .or_default();
            e.0 += w;
            e.1 += n;
        }
    }

    /// Adds figures counted apart (another thread or batch of the same run).
    pub fn merge(&mut self, o: Figures) {
        for r in 0..8 {
            let (a, b) = (&mut self.by_route[r], o.by_route[r]);
            a.cases += b.cases;
            a.total_cost += b.total_cost;
            a.fund += b.fund;
            let (a, b) = (&mut self.inpatient_by_route[r], o.inpatient_by_route[r]);
            a.cases += b.cases;
            a.total_cost += b.total_cost;
            a.fund += b.fund;
        }
        for (h, costs) in o.hospital_cost_by_route {
            let e = self
                .hospital_cost_by_route
                .entry(h)
                .or_insert([Fen::ZERO; 8]);
            for r in 0..8 {
                e[r] += costs[r];
            }
        }
        self.ungroupable += o.ungroupable;
        self.ambiguous += o.ambiguous;
        self.blank += o.blank;
        self.extreme_ffs += o.extreme_ffs;
        self.bundle_cases += o.bundle_cases;
        for i in 0..3 {
            self.outliers[i] += o.outliers[i];
        }
        self.bundle_weight.0 += o.bundle_weight.0;
        self.bundle_weight.1 += o.bundle_weight.1;
        for (h, (w, n)) in o.weights_by_hospital {
            let e = self.weights_by_hospital.entry(h).or_default();
            e.0 += w;
            e.1 += n;
        }
        if self.ratio_bins.is_empty() {
            self.ratio_bins = o.ratio_bins;
        } else {
            for (a, b) in self.ratio_bins.iter_mut().zip(o.ratio_bins) {
                *a += b;
            }
        }
        self.ratio_cases += o.ratio_cases;
    }

    /// The hospital-level figures (special review, fund at level-1 hospitals), once the
    /// statements are done.
    pub fn add_hospitals(
        &mut self,
        policy: &Policy,
        hospitals: &[settlement::settle::HospitalResult],
    ) {
        let quota_share = policy.special_review.as_ref().map(|q| q.quota_share.0);
        for h in hospitals {
            if let Some(&(w, n)) = self.weights_by_hospital.get(&h.code) {
                let e = self.weights_by_level.entry(h.level).or_default();
                e.0 += w;
                e.1 += n;
            }
            self.review.0 += h.review.0;
            self.review.1 += h.review.1;
            if let Some(q) = quota_share {
                let x = q.mul_int(i128::from(h.cases));
                self.review.2 += u64::try_from(x.numer() / x.denom()).unwrap_or(0);
            }
            let paid = h.payment + h.capitation + h.sharing;
            self.all_fund += paid;
            if h.level == 1 {
                self.primary_fund += paid;
            }
        }
    }

    /// Σ over the inpatient routes `routes` of total cost, and the inpatient total.
    pub fn inpatient_cost_share(&self, routes: &[Route]) -> Share {
        let num: Fen = routes
            .iter()
            .map(|r| self.inpatient_by_route[r.index()].total_cost)
            .sum();
        let den: Fen = self.inpatient_by_route.iter().map(|t| t.total_cost).sum();
        Share::of(num.0, den.0)
    }

    /// Inpatient cases settled.
    pub fn inpatient_cases(&self) -> u64 {
        self.inpatient_by_route.iter().map(|t| t.cases).sum()
    }

    /// The CMI over all bundle cases (mean weight), for display.
    pub fn cmi(&self) -> Option<f64> {
        match self.bundle_weight.1 {
            0 => None,
            n => Some(self.bundle_weight.0.ratio().to_f64() / n as f64),
        }
    }
}

/// The routes the 按病种 KPI counts: DRG, DIP and fixed per-case rates (单病种).
pub const BY_DISEASE: [Route; 3] = [Route::Drg, Route::Dip, Route::FixedRate];
/// The routes paid fee-for-service (按项目).
pub const FEE_FOR_SERVICE: [Route; 3] = [Route::Ffs, Route::Exclusion, Route::SpecialReview];

/// The KPIs of a settlement, in display order.
pub fn kpis(s: &Settlement, f: &Figures) -> Vec<Kpi> {
    let money = |x: Share| {
        format!(
            "{} / {} yuan",
            super::yuan(Fen(x.num as i64)),
            super::yuan(Fen(x.den as i64))
        )
    };
    let count = |x: Share| {
        format!(
            "{} / {} cases",
            super::thousands(x.num as u64),
            super::thousands(x.den as u64)
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
            super::thousands(f.outliers[0]),
            super::thousands(f.outliers[1]),
            super::thousands(f.outliers[2]),
            super::thousands(f.bundle_cases),
            super::thousands(f.extreme_ffs)
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
            super::thousands(approved),
            super::thousands(honoured),
            super::thousands(quota)
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
            super::yuan(Fen(x.num as i64)),
            super::yuan(Fen(x.den as i64))
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
    for r in super::DISPLAY_ORDER {
        let share = f.inpatient_cost_share(&[r]);
        out.push(Kpi {
            key: format!("method_mix.{}", r.as_str()),
            name: format!(
                "Payment-method mix: {} share of inpatient cost",
                super::route_name(r)
            ),
            value: share.percent(),
            number: share.fraction(6),
            share: Some(share),
            detail: format!(
                "{}; {} cases",
                money(share),
                super::thousands(f.inpatient_by_route[r.index()].cases)
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
                super::points(sum),
                super::thousands(n)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_half_away_from_zero() {
        assert_eq!(Share::of(1, 3).percent(), "33.3%");
        assert_eq!(Share::of(2, 3).percent(), "66.7%");
        assert_eq!(Share::of(1, 2000).percent(), "0.1%"); // 0.05% rounds up
        assert_eq!(Share::of(-1, 2000).percent(), "-0.1%");
        assert_eq!(Share::of(5, 0).percent(), "–");
        assert!(Share::of(7, 10).at_least(70));
        assert!(!Share::of(699_999, 1_000_000).at_least(70));
        assert!(!Share::of(0, 0).at_least(0));
        assert_eq!(Share::of(2, 3).fraction(4), "0.6667");
        assert_eq!(Share::of(-1, 8).fraction(2), "-0.13");
        assert_eq!(Share::of(1, 0).fraction(4), "");
    }
}
