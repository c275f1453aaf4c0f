//! What a case is worth before the pool closes: the route it took, its class, and either points (to
//! be priced by the pool's point value) or an amount (a rate or an actual cost), with the formula.

use std::sync::Arc;

use crate::money::{Fen, Ratio};
use crate::points::Points;

/// The route a case took.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// Carve-out, at actual cost.
    CarveOut,
    /// Fixed per-case rate.
    FixedRate,
    /// Per-diem.
    PerDiem,
    /// Excluded from the bundle, paid fee-for-service.
    Exclusion,
    /// DRG bundle.
    Drg,
    /// DIP bundle.
    Dip,
    /// 特例单议, paid fee-for-service.
    SpecialReview,
    /// Fee-for-service fallback.
    Ffs,
}

impl Route {
    /// All routes, in output order.
    pub const ALL: [Route; 8] = [
        Route::CarveOut,
        Route::FixedRate,
        Route::PerDiem,
        Route::Exclusion,
        Route::Drg,
        Route::Dip,
        Route::SpecialReview,
        Route::Ffs,
    ];

    /// Name in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Route::CarveOut => "carve_out",
            Route::FixedRate => "fixed_rate",
            Route::PerDiem => "per_diem",
            Route::Exclusion => "exclusion",
            Route::Drg => "drg",
            Route::Dip => "dip",
            Route::SpecialReview => "special_review",
            Route::Ffs => "ffs",
        }
    }

    /// The 医保结算清单 payment-method code (1 按项目, 2 单病种, 3 DIP, 4 DRG, 5 按床日, 9 其他).
    pub fn method_code(self) -> u8 {
        match self {
            Route::CarveOut => 9,
            Route::FixedRate => 2,
            Route::PerDiem => 5,
            Route::Exclusion | Route::SpecialReview | Route::Ffs => 1,
            Route::Drg => 4,
            Route::Dip => 3,
        }
    }

    /// Whether the route is a DRG/DIP bundle (the payments risk sharing applies to).
    pub fn is_bundle(self) -> bool {
        matches!(self, Route::Drg | Route::Dip)
    }

    /// Index in [`Route::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The class a case was priced in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Within the bands.
    Normal,
    /// Low-rate / 费用超低.
    Low,
    /// Normal band with an uplift.
    Uplifted,
    /// High-rate / 费用超高.
    High,
    /// Extreme cost (above the review threshold).
    Extreme,
    /// DIP blank group.
    Blank,
    /// Paid on a share of its actual cost (QY cost share, unscored DIP group).
    CostShare,
    /// Paid at actual (fund) cost.
    Actual,
    /// Paid a fixed standard (fixed rate, per-diem).
    Standard,
}

impl Class {
    /// Name in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Normal => "normal",
            Class::Low => "low",
            Class::Uplifted => "uplifted",
            Class::High => "high",
            Class::Extreme => "extreme",
            Class::Blank => "blank",
            Class::CostShare => "cost_share",
            Class::Actual => "actual",
            Class::Standard => "standard",
        }
    }
}

/// What the case is worth before closure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// Points, priced by the pool's point value.
    Points(Points),
    /// A total-cost standard: the fund pays it less the patient's share (never below zero).
    Standard(Fen),
    /// Fund money, paid as is.
    Fund(Fen),
}

/// A priced case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Priced {
    /// Route.
    pub route: Route,
    /// The line or group: carve-out / fixed-rate / per-diem line name, DRG or DIP code. Shared:
    /// the engine holds each line name and DRG code once, and cases point at it.
    pub line: Arc<str>,
    /// Class.
    pub class: Class,
    /// Cost ratio r = cost / standard, when one was computed.
    pub ratio: Option<Ratio>,
    /// Value.
    pub value: Value,
    /// Weight for the CMI (DRG weight, DIP score / K) of bundle cases; `None` for cases without
    /// one (QY / ungroupable cost shares, unscored DIP groups), which stay out of the CMI.
    pub weight: Option<Points>,
    /// The formula with its numbers.
    pub formula: String,
    /// Why the case left earlier routes (`QY: drg.ambiguous = ffs`), empty when it did not.
    pub note: String,
}

impl Priced {
    /// An empty value to move a pricing out of a collection (allocates nothing: the empty line is
    /// the standard library's shared empty `Arc<str>`).
    pub fn placeholder() -> Priced {
        Priced {
            route: Route::Ffs,
            line: Arc::default(),
            class: Class::Actual,
            ratio: None,
            value: Value::Fund(Fen::ZERO),
            weight: None,
            formula: String::new(),
            note: String::new(),
        }
    }
}

/// A case's pricing: what it is paid, and for an approved special-review case what it would be paid
/// if the hospital's quota is used up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pricing {
    /// The pricing applied (subject to the quota for special review).
    pub primary: Priced,
    /// For an approved special-review case: the pricing without review.
    pub without_review: Option<Priced>,
}
