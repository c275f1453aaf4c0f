//! A settlement run: cases are priced as they arrive ([`Ledger::add`], pure per case), then the run
//! closes ([`Ledger::close`]): the special-review quota, capitation, each pool's point value,
//! payments to the fen (pool → hospital → case by largest remainder), risk sharing per pool and
//! payee, the deposit and the clearing. Whatever a pool pays in money (rate-priced cases, FFS,
//! carve-outs, capitation) comes off its distributable amount before its point value is solved, so
//! a pool closing by point value pays out exactly its distributable amount.
//!
//! Results do not depend on the order or the batching of the cases: everything that allocates or
//! ranks works on cases sorted by (hospital, id) and hospitals sorted by code.

use std::collections::{HashMap, HashSet};

use crate::case::Case;
use crate::engine::{Engine, Rejection};
use crate::money::{allocate, Fen, MoneyError, Ratio};
use crate::points::Points;
use crate::policy::{Basis, Closure, Period};
use crate::price::{Priced, Pricing, Value};

/// A priced case waiting for the close.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Case id.
    pub id: String,
    /// Hospital.
    pub hospital: String,
    /// Hospital level.
    pub level: u8,
    /// Payee (consortium or hospital).
    pub payee: String,
    /// Pool index.
    pub pool: usize,
    /// Total cost.
    pub total_cost: Fen,
    /// Patient share.
    pub patient_share: Fen,
    /// Pricing.
    pub pricing: Pricing,
}

/// Enrolment in a capitation programme (one row per hospital and programme).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enrolment {
    /// Hospital.
    pub hospital: String,
    /// Programme, as in the policy's `[[capitation]]`.
    pub program: String,
    /// Person-months enrolled in the period.
    pub person_months: u64,
    /// Actual fund spending for the panel, for the year-end reconciliation.
    pub spending: Option<Fen>,
}

/// Inputs beside the cases.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// Capitation enrolment.
    pub enrolment: Vec<Enrolment>,
    /// Assessment scores (0-100) by payee or hospital.
    pub assessment: HashMap<String, Ratio>,
    /// Amount paid so far this year by hospital (for the clearing).
    pub paid_to_date: Option<HashMap<String, Fen>>,
}

/// The run cannot close.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettleError {
    /// Cases paid in money (rates, FFS, carve-outs) and capitation exceed what a pool closing by
    /// point value can distribute.
    #[error("pool {pool}: cases and capitation paid outside points ({other}) exceed the distributable amount ({distributable}); raise the budget or move those lines to their own pool")]
    Overspent {
        /// Pool id.
        pool: String,
        /// Paid outside points (cases and capitation).
        other: Fen,
        /// Distributable.
        distributable: Fen,
    },
    /// A rule scaled by the assessment score has no score for a payee.
    #[error("{rule}: no assessment score for payee {payee:?} (give --assessment)")]
    MissingAssessment {
        /// The policy key that needs the score.
        rule: &'static str,
        /// The payee (or hospital) without one.
        payee: String,
    },
    /// An enrolment row names an unknown programme.
    #[error("enrolment: programme {0:?} is not a [[capitation]] of the policy")]
    UnknownProgram(String),
    /// Arithmetic.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Cases collected for a run.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Priced cases.
    pub entries: Vec<Entry>,
    /// Rejected cases.
    pub rejected: Vec<Rejection>,
    ids: HashSet<String>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Prices a case and records it (or its rejection).
    pub fn add(&mut self, engine: &Engine, case: &Case) {
        let r = engine.price(case);
        self.push(case, r);
    }

    /// Records a case priced elsewhere (e.g. on another thread) with [`Engine::price`].
    pub fn push(
        &mut self,
        case: &Case,
        priced: Result<(usize, crate::engine::HospitalRules, Pricing), Rejection>,
    ) {
        match priced {
            Err(r) => self.rejected.push(r),
            Ok(_) if !self.ids.insert(case.id.clone()) => self.rejected.push(Rejection {
                id: case.id.clone(),
                reason: format!(
                    "duplicate case id {:?}: settled once, this row rejected",
                    case.id
                ),
            }),
            Ok((pool, h, pricing)) => self.entries.push(Entry {
                id: case.id.clone(),
                hospital: case.hospital.clone(),
                level: h.level,
                payee: h.payee,
                pool,
                total_cost: case.total_cost,
                patient_share: case.patient_share,
                pricing,
            }),
        }
    }

    /// Records an input row that could not even be read as a case.
    pub fn reject(&mut self, id: String, reason: String) {
        self.rejected.push(Rejection { id, reason });
    }

    /// Takes in a ledger filled separately (another batch of the run, another thread): its cases
    /// follow this ledger's, so a case id already settled here is rejected as a duplicate, as if
    /// the rows had come in one stream, this ledger's first. The close does not depend on how the
    /// cases were batched.
    pub fn merge(&mut self, other: Ledger) {
        for e in other.entries {
            if self.ids.insert(e.id.clone()) {
                self.entries.push(e);
            } else {
                self.rejected.push(Rejection {
                    reason: format!(
                        "duplicate case id {:?}: settled once, this row rejected",
                        e.id
                    ),
                    id: e.id,
                });
            }
        }
        self.rejected.extend(other.rejected);
    }

    /// Closes the run.
    pub fn close(self, engine: &Engine, inputs: &Inputs) -> Result<Settlement, SettleError> {
        crate::close::close(engine, self.entries, self.rejected, inputs)
    }
}

/// A settled case.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// Id.
    pub id: String,
    /// Hospital.
    pub hospital: String,
    /// Pool index.
    pub pool: usize,
    /// Total cost.
    pub total_cost: Fen,
    /// Patient share.
    pub patient_share: Fen,
    /// The pricing applied.
    pub priced: Priced,
    /// Points (zero for amount-priced cases).
    pub points: Points,
    /// Fund payment.
    pub fund: Fen,
}

/// A pool after the close.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolResult {
    /// Id.
    pub id: String,
    /// Budget.
    pub budget: Fen,
    /// Reserve.
    pub reserve: Fen,
    /// budget − reserve.
    pub distributable: Fen,
    /// Paid to cases and capitation (before sharing).
    pub paid: Fen,
    /// `point_value`, `rate` or `actual`.
    pub closure: &'static str,
    /// Basis of its points.
    pub basis: Basis,
    /// Fen per point (solved or announced), if points were priced.
    pub point_value: Option<Ratio>,
    /// Σ points.
    pub total_points: Points,
    /// Paid for points.
    pub points_paid: Fen,
    /// Paid outside points (rates, FFS, carve-outs, per-diem rates).
    pub other_paid: Fen,
    /// Capitation paid.
    pub capitation: Fen,
    /// Net risk-sharing adjustment (year period).
    pub sharing: Fen,
    /// Fen handed out one by one by largest remainder when the points share was split over hospitals.
    pub remainder_fen: i64,
    /// Cases.
    pub cases: u64,
    /// distributable − paid − sharing (what is left, or overspent when negative).
    pub balance: Fen,
}

/// One hospital's statement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HospitalResult {
    /// Code.
    pub code: String,
    /// Level.
    pub level: u8,
    /// Payee.
    pub payee: String,
    /// Cases.
    pub cases: u64,
    /// Cases by route ([`crate::price::Route::ALL`] order).
    pub cases_by_route: [u64; 8],
    /// Fund paid by route.
    pub paid_by_route: [Fen; 8],
    /// Bundle cases by class: low, high, extreme.
    pub outliers: [u64; 3],
    /// Σ points of point-priced cases.
    pub points: Points,
    /// CMI over bundle cases.
    pub cmi: Option<Ratio>,
    /// Σ total cost.
    pub total_cost: Fen,
    /// Σ patient share.
    pub patient_share: Fen,
    /// Σ (total cost − patient share): the fund cost item by item.
    pub item_fund_cost: Fen,
    /// Σ case payments.
    pub payment: Fen,
    /// Capitation.
    pub capitation: Fen,
    /// Bundle payment − bundle item fund cost.
    pub surplus: Fen,
    /// Sharing adjustment (year period).
    pub sharing: Fen,
    /// Sharing explanation.
    pub sharing_formula: String,
    /// payment + capitation + sharing − forfeited deposit.
    pub entitlement: Fen,
    /// Deposit withheld (month) or forfeited (year).
    pub deposit: Fen,
    /// Month: payment − deposit. Year: the entitlement.
    pub net: Fen,
    /// Paid so far (year period, when given).
    pub paid_to_date: Option<Fen>,
    /// entitlement − paid so far (negative: recovery).
    pub clearing: Option<Fen>,
    /// Approved special-review cases, and how many the quota honoured.
    pub review: (u64, u64),
}

/// The outcome of a run.
#[derive(Clone, Debug)]
pub struct Settlement {
    /// Period settled.
    pub period: Period,
    /// Pools in policy order.
    pub pools: Vec<PoolResult>,
    /// Hospitals by code.
    pub hospitals: Vec<HospitalResult>,
    /// Cases by (hospital, id); empty in a streamed run, which writes them as it goes.
    pub cases: Vec<CaseResult>,
    /// Rejected cases (a streamed run keeps only the first ones; `counts` has them all).
    pub rejected: Vec<Rejection>,
    /// Cases settled and rejected.
    pub counts: Counts,
}

/// How many cases a run settled and rejected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Settled.
    pub settled: u64,
    /// Rejected (unreadable rows, invalid cases, duplicate ids).
    pub rejected: u64,
}

impl Settlement {
    /// Cases settled.
    pub fn settled(&self) -> u64 {
        self.counts.settled
    }

    /// Cases rejected.
    pub fn rejected_count(&self) -> u64 {
        self.counts.rejected
    }

    /// Σ over every case of its fund payment.
    pub fn case_total(&self) -> Fen {
        self.cases.iter().map(|c| c.fund).sum()
    }
}

/// Splits `total` over `weights` (largest remainder) and returns the parts with the number of fen
/// handed out one by one.
pub(crate) fn allocate_counted(
    total: Fen,
    weights: &[u128],
) -> Result<(Vec<Fen>, i64), MoneyError> {
    let parts = allocate(total, weights)?;
    let sum: u128 = weights.iter().sum();
    let floors: i128 = if sum == 0 {
        0
    } else {
        weights
            .iter()
            .map(|&w| (u128::from(total.0.unsigned_abs()) * w / sum) as i128)
            .sum()
    };
    Ok((parts, i128::from(total.0.abs()) as i64 - floors as i64))
}

/// A pool's closure kind name and whether its points are solved.
pub(crate) fn closure_name(c: Closure, has_points: bool) -> &'static str {
    match (c, has_points) {
        (Closure::PointValue, true) => "point_value",
        (Closure::PointValue, false) => "actual",
        (Closure::Rate, _) => "rate",
    }
}

/// The fund payment of an amount-priced case: a standard less the patient's share (never below
/// zero), fund money as it is; zero for a case priced in points (its pool's close pays those).
pub fn amount_fund(v: Value, patient_share: Fen) -> Fen {
    match v {
        Value::Standard(f) => Fen((f - patient_share).0.max(0)),
        Value::Fund(f) => f,
        Value::Points(_) => Fen::ZERO,
    }
}
