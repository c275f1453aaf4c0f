//! Input and output formats of the CLI (kept out of the engine crates): [`csv`] (columns by name,
//! raw rows, the field writer), [`parquet`] (Parquet files as rows of text and back), [`rows`] (open
//! a row input or output as CSV or Parquet by its file name), [`cases`] and [`statement`] (the
//! settlement's case rows and output tables), [`signals`] (the supervision signals' columns, stays,
//! points adjustments and output files).

pub mod cases;
pub mod csv;
pub mod parquet;
pub mod rows;
pub mod signals;
pub mod statement;
