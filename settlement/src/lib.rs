//! Settlement of DRG / DIP payments: budgets, point values, per-diem, capitation, fee-for-service,
//! surplus retention and overspend sharing.
//!
//! **Nothing is implemented here yet.** This crate is a placeholder so that the workspace has its final
//! shape; the settlement engine is tracked as its own issue. It exports no items, so nothing can be mistaken
//! for a working payment calculation.
#![deny(missing_docs)]
