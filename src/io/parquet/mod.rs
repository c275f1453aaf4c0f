//! Parquet files as rows of text, and rows of text as Parquet files.
//!
//! The commands work on rows of text fields ([`Row`](crate::io::row::Row)), as a CSV file holds them. Parquet
//! is read and written at that boundary, so every command that reads or writes CSV rows reads and
//! writes Parquet rows unchanged:
//!
//! - [`ParquetRows`] decodes record batches of at most [`BATCH_ROWS`] rows and turns each value into
//!   the text a CSV file would hold in its place (see [`ParquetRows`] for the text of each type);
//! - [`ParquetSink`] takes rows of text (fields, or CSV-formatted bytes) into Arrow builders, typed by
//!   [`ColumnType`], writes a record batch every [`BATCH_ROWS`] rows and a row group every
//!   [`ROW_GROUP_ROWS`] rows.
//!
//! Memory stays bounded by a batch and a row group whatever the file size. Most callers go through
//! [`crate::io::rows`], which picks CSV or Parquet by the file name.

mod format;
mod read;
mod text;
mod write;

pub use read::ParquetRows;
pub use text::{batch_rows, has_text_form, text, Text};
pub use write::{ColumnType, ParquetSink};

/// Rows per record batch, read or written.
pub const BATCH_ROWS: usize = 16 * 1024;

/// Rows per row group written.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;
