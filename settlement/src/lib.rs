//! Settlement of DRG / DIP payments: a region's multi-payment structure as data (budgets, point
//! values, per-diem, capitation, fee-for-service, surplus retention and overspend sharing), exact to
//! the fen.
//!
//! The flow of a period (see `docs/POLICY.md` for every policy key):
//!
//! - [`policy`]: the region policy file (`drgdip-policy/1`, TOML), validated at load;
//! - [`case`]: a case as settlement sees it (money, fund type, locality, flags, the grouping);
//! - [`engine`]: the compiled policy; [`engine::Engine::price`] routes and prices one case (pure,
//!   thread-safe): carve-outs, fixed rates, [`per_diem`], exclusions, the [`drg`] or [`dip`] bundle,
//!   special review, fee-for-service, each result a [`price::Priced`] with its formula;
//! - [`settle`]: a [`settle::Ledger`] collects priced cases (batches filled apart join with
//!   [`settle::Ledger::merge`]) and closes the run: the special-review quota, capitation, each
//!   pool's point value ([`budget`] and largest-remainder allocation from [`money`]), payments
//!   pool → hospital → case to the fen, [`share`] (surplus retention, overspend sharing), the
//!   deposit and the clearing;
//! - [`money`], [`points`], [`coefficient`]: exact fen, ratios, rounding rules and named coefficients;
//! - [`signals`]: supervision signals (readmission, low-standard admission, upcoding, cost transfer,
//!   unusual LOS) over grouped stays, each with its evidence, by the rules of the policy's
//!   `[signals]` (`docs/SIGNALS.md`). They change no payment except the readmission rule's
//!   `earlier_points_share`, a [`signals::PointsAdjustment`] the caller applies before the close.
//!
//! Worked examples an analyst can read and extend are the crate's scenario files
//! (`tests/scenarios/*.toml`: a policy, cases and the fen expected, each with its hand
//! computation); `tests/props.rs` checks conservation, monotonicity and batch independence over
//! random policies.
//!
//! ```
//! use settlement::case::{Bundle, Case, DrgOutcome, DrgResult};
//! use settlement::engine::{Engine, GroupWeight};
//! use settlement::money::Fen;
//! use settlement::policy::Policy;
//! use settlement::settle::{Inputs, Ledger};
//!
//! let policy = Policy::from_toml(r#"
//!     schema = "drgdip-policy/1"
//!     [policy]
//!     name = "example"
//!     region = "example"
//!     version = "1"
//!     effective_from = "2025-01-01"
//!     bundle = "drg"
//!     period = "month"
//!     [[pools]]
//!     id = "inpatient"
//!     fund_types = ["*"]
//!     localities = ["*"]
//!     service_line = "inpatient"
//!     budget_yuan = 100000
//!     reserve_share = 0.05
//!     closure = "point_value"
//!     basis = "fund"
//!     [drg]
//!     method = "points"
//!     points_per_weight = 100
//!     ambiguous = { pay = "ffs" }
//!     ungroupable = { pay = "ffs" }
//!     source = "example"
//!     [ffs]
//!     basis = "cost_minus_patient_share"
//!     source = "example"
//! "#, "example").unwrap();
//! let weights = [("ES35".to_string(), GroupWeight { weight: "0.4".parse().unwrap(), mean_cost: Fen(700_000) })];
//! let engine = Engine::new(policy, weights.into_iter().collect()).unwrap();
//!
//! let case = |id: &str, hospital: &str| Case {
//!     id: id.into(), hospital: hospital.into(), hospital_level: Some(2),
//!     fund_type: "employee".into(), locality: "local".into(), service_line: "inpatient".into(),
//!     discharge_date: "2025-01-20".into(), los: Some(6), dept: String::new(),
//!     principal: "J18.900".into(), procedures: vec![],
//!     total_cost: Fen(650_000), patient_share: Fen(150_000), fund_amount: None,
//!     carve_out: None, special_review: false,
//!     bundle: Bundle::Drg(DrgResult { outcome: DrgOutcome::Grouped, code: "ES35".into(), reason: String::new() }),
//! };
//! let mut ledger = Ledger::new();
//! for (id, h) in [("1", "H1"), ("2", "H1"), ("3", "H2")] {
//!     ledger.add(&engine, &case(id, h));
//! }
//! let run = ledger.close(&engine, &Inputs::default()).unwrap();
//! // 95,000.00 yuan distributable over 3 × 40 points: every fen is paid, none more.
//! assert_eq!(run.pools[0].paid, Fen(9_500_000));
//! assert_eq!(run.case_total(), Fen(9_500_000));
//! // H1 has 80 of the 120 points: 6,333,333⅓ fen; H2 6,333,333⅔ / 2: the leftover fen goes to H2's
//! // larger remainder (⅔).
//! assert_eq!(run.hospitals[0].payment, Fen(6_333_333));
//! assert_eq!(run.hospitals[1].payment, Fen(3_166_667));
//! ```
#![deny(missing_docs)]

pub mod budget;
pub mod case;
pub mod close;
pub mod coefficient;
pub mod dip;
pub mod drg;
pub mod engine;
mod formula;
mod lookup;
pub mod money;
pub mod per_diem;
pub mod points;
pub mod policy;
pub mod price;
mod route;
pub mod settle;
pub mod share;
pub mod signals;
pub mod slip;
