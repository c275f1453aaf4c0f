//! Per-hospital sums of settled cases, added one case at a time (in any order, on any thread, then
//! merged), from which the statements are finished.

use crate::money::Fen;
use crate::points::Points;
use crate::price::{Class, Priced, Route, Value};
use crate::slip::Key;

/// A settled case as the statements count it.
#[derive(Clone, Copy, Debug)]
pub struct Settled<'a> {
    /// Hospital index (code order).
    pub hospital: u32,
    /// Fingerprint of the case id.
    pub key: Key,
    /// Hospital level the case was priced at.
    pub level: u8,
    /// Payee (consortium or the hospital).
    pub payee: &'a str,
    /// Pool index.
    pub pool: usize,
    /// Route.
    pub route: Route,
    /// Class.
    pub class: Class,
    /// Points, for a case priced in points.
    pub points: Option<Points>,
    /// CMI weight.
    pub weight: Option<Points>,
    /// Fund payment.
    pub fund: Fen,
    /// Total cost.
    pub total_cost: Fen,
    /// Patient share.
    pub patient_share: Fen,
}

/// Bundle (DRG/DIP) cases of one hospital in one pool: what risk sharing works on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BundleSums {
    /// Cases.
    pub cases: u64,
    /// Fund paid.
    pub paid: Fen,
    /// Σ (total cost − patient share).
    pub cost: Fen,
    /// Σ max(0, total cost − patient share): the weights sharing is split back by.
    pub cost_weight: u128,
}

/// One hospital's sums.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HospitalSums {
    /// The smallest case key seen, whose level and payee the statement shows.
    pub first: Option<Key>,
    /// Level.
    pub level: u8,
    /// Payee.
    pub payee: String,
    /// Cases.
    pub cases: u64,
    /// Cases by route.
    pub cases_by_route: [u64; 8],
    /// Fund paid by route.
    pub paid_by_route: [Fen; 8],
    /// Bundle cases by class: low, high, extreme.
    pub outliers: [u64; 3],
    /// Σ points.
    pub points: Points,
    /// Σ weights of bundle cases with one, and how many.
    pub weights: (Points, u64),
    /// Σ total cost.
    pub total_cost: Fen,
    /// Σ patient share.
    pub patient_share: Fen,
    /// Σ fund payments.
    pub payment: Fen,
    /// Bundle sums per pool.
    pub bundle: Vec<BundleSums>,
}

impl<'a> Settled<'a> {
    /// A settled case from its pricing.
    #[allow(clippy::too_many_arguments)]
    pub fn of(
        hospital: u32,
        key: Key,
        level: u8,
        payee: &'a str,
        pool: usize,
        p: &Priced,
        fund: Fen,
        total_cost: Fen,
        patient_share: Fen,
    ) -> Settled<'a> {
        Settled {
            hospital,
            key,
            level,
            payee,
            pool,
            route: p.route,
            class: p.class,
            points: match p.value {
                Value::Points(x) => Some(x),
                _ => None,
            },
            weight: p.weight,
            fund,
            total_cost,
            patient_share,
        }
    }
}

/// Sums per hospital index.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// By hospital index.
    pub hospitals: Vec<HospitalSums>,
}

impl Tally {
    /// Empty sums for `hospitals` hospitals and `pools` pools.
    pub fn new(hospitals: usize, pools: usize) -> Tally {
        Tally {
            hospitals: vec![
                HospitalSums {
                    bundle: vec![BundleSums::default(); pools],
                    ..HospitalSums::default()
                };
                hospitals
            ],
        }
    }

    /// Counts one settled case.
    pub fn add(&mut self, c: &Settled<'_>) {
        let h = &mut self.hospitals[c.hospital as usize];
        if h.first.is_none_or(|k| c.key < k) {
            h.first = Some(c.key);
            h.level = c.level;
            c.payee.clone_into(&mut h.payee);
        }
        let r = c.route.index();
        h.cases += 1;
        h.cases_by_route[r] += 1;
        h.paid_by_route[r] += c.fund;
        if let Some(x) = c.points {
            h.points += x;
        }
        h.total_cost += c.total_cost;
        h.patient_share += c.patient_share;
        h.payment += c.fund;
        if c.route.is_bundle() {
            match c.class {
                Class::Low => h.outliers[0] += 1,
                Class::High => h.outliers[1] += 1,
                Class::Extreme => h.outliers[2] += 1,
                _ => {}
            }
            if let Some(w) = c.weight {
                h.weights.0 += w;
                h.weights.1 += 1;
            }
            let cost = c.total_cost - c.patient_share;
            let b = &mut h.bundle[c.pool];
            b.cases += 1;
            b.paid += c.fund;
            b.cost += cost;
            b.cost_weight += cost.0.max(0) as u128;
        }
    }

    /// Adds sums kept apart (another thread, another batch).
    pub fn merge(&mut self, other: Tally) {
        for (h, o) in self.hospitals.iter_mut().zip(other.hospitals) {
            if o.cases == 0 {
                continue;
            }
            if let Some(k) = o.first {
                if h.first.is_none_or(|f| k < f) {
                    h.first = Some(k);
                    h.level = o.level;
                    h.payee = o.payee;
                }
            }
            h.cases += o.cases;
            for r in 0..8 {
                h.cases_by_route[r] += o.cases_by_route[r];
                h.paid_by_route[r] += o.paid_by_route[r];
            }
            for i in 0..3 {
                h.outliers[i] += o.outliers[i];
            }
            h.points += o.points;
            h.weights.0 += o.weights.0;
            h.weights.1 += o.weights.1;
            h.total_cost += o.total_cost;
            h.patient_share += o.patient_share;
            h.payment += o.payment;
            for (b, x) in h.bundle.iter_mut().zip(o.bundle) {
                b.cases += x.cases;
                b.paid += x.paid;
                b.cost += x.cost;
                b.cost_weight += x.cost_weight;
            }
        }
    }
}
