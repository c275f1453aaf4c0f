//! Input and output formats of the CLI (kept out of the engine crates).

pub mod cases;
pub mod csv;
pub mod statement;
