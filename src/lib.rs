//! `drgdip`: a CHS-DRG / DIP payment engine. This facade re-exports the engine crates and holds the
//! command-line interface and its IO formats.
//!
//! - [`grouper`]: load a regional scheme, group discharge records (MDC -> ADRG -> DRG) with traces.
//! - [`settlement`]: payment and budget settlement (placeholder for now).
//! - [`cli`]: the `drgdip` subcommands; [`io`]: CSV and Parquet reading and writing.
//! - [`gen`]: the deterministic demo-region record generator (`drgdip gen`).
//! - [`report`]: the HTML settlement report and the terminal tables (`settle --report`, `demo`).
//! - [`scenario`]: the same cases under several policies or along a parameter (`compare`, `sweep`).
#![deny(missing_docs)]

pub mod cli;
pub mod gen;
pub mod io;
pub mod report;
pub mod scenario;

pub use grouper;
pub use settlement;
