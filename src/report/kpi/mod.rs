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

mod kpis;
mod phrases;

pub use kpis::{kpis, scenario_kpis, BY_DISEASE, FEE_FOR_SERVICE};

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
        let formula = phrases::said(&p.formula);
        let note = if p.note.is_empty() {
            0
        } else {
            phrases::said(&p.note)
        };
        let said = formula | note;
        let ungroupable = said & phrases::UNGROUPABLE != 0;
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
            ambiguous: !ungroupable && said & phrases::AMBIGUOUS != 0,
            extreme_ffs: note & phrases::EXTREME != 0,
            total_cost,
            fund,
        }
    }
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
