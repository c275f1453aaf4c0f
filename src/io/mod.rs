//! Input and output formats of the CLI (kept out of the engine crates).

pub mod csv;
