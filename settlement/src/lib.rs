//! Settlement of DRG / DIP payments: budgets, point values, per-diem, capitation, fee-for-service,
//! surplus retention and overspend sharing.
//!
//! Built so far:
//! - [`money`]: integer fen ([`money::Fen`]), exact ratios ([`money::Ratio`]), the rounding rules
//!   ([`money::Rounding`], half away from zero by default) and largest-remainder allocation
//!   ([`money::allocate`]) that every stage uses so that closed pools reconcile to the fen;
//! - [`points`]: 4-decimal points and the CMI;
//! - [`drg`]: the DRG point method per case (low-rate, normal-band uplift, high-rate bands as data)
//!   and the rate method (base rate × weight × coefficient, in fen);
//! - [`coefficient`]: hospital coefficients as named components with provenance (product or sum);
//! - [`budget`]: closing a pool by point value, to the fen.
//!
//! Still to come (the settlement issue): the region policy file, case routing (carve-outs, fixed
//! rates, per-diem, exclusions, special review, fee-for-service), DIP settlement, per-diem,
//! capitation, risk sharing and the monthly/annual cycle. Nothing here settles a whole month yet.
//!
//! ```
//! use settlement::money::{allocate, Fen, Ratio, Rounding};
//!
//! // A pool of 1,000,000.00 yuan over three hospitals' points 1200.5 : 800.25 : 999.25.
//! let pool = Fen::from_yuan("1000000").unwrap();
//! let parts = allocate(pool, &[120_050, 80_025, 99_925]).unwrap();
//! assert_eq!(parts.iter().copied().sum::<Fen>(), pool); // to the fen
//!
//! // A point value as an exact ratio, applied to one case's points and rounded once.
//! let point_value = Ratio::new(pool.0 as i128, 3_000_00).unwrap(); // fen per 0.01 point
//! let case = point_value.checked_mul("1.5".parse::<Ratio>().unwrap().mul_int(100)).unwrap();
//! assert_eq!(case.round(Rounding::HalfAwayFromZero).unwrap(), Fen(50_000));
//! ```
#![deny(missing_docs)]

pub mod budget;
pub mod case;
mod close;
pub mod coefficient;
pub mod dip;
pub mod drg;
pub mod engine;
pub mod money;
pub mod per_diem;
pub mod points;
pub mod policy;
pub mod price;
mod route;
pub mod settle;
pub mod share;
