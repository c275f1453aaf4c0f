//! `drgdip`: a CHS-DRG / DIP payment engine. This facade re-exports the engine crates; the binary of
//! the same name is the command-line interface.
//!
//! - [`grouper`]: load a regional scheme, group discharge records (MDC -> ADRG -> DRG) with traces.
//! - [`settlement`]: payment and budget settlement (placeholder for now).
#![deny(missing_docs)]

pub use grouper;
pub use settlement;
