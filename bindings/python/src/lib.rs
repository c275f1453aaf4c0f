//! `drgdip` for Python: the CLI's grouping, pricing and point-value closure over Arrow record
//! batches, for pyarrow, pandas and Spark's `mapInArrow`.
//!
//! - [`drg::DrgGrouper`]: a CHS-DRG scheme; `group_batch` gives what `drgdip group` gives;
//! - [`dip::DipGrouper`]: a DIP catalog and policy; `group_batch` gives what `drgdip dip group` gives;
//! - [`settle::Policy`]: a settlement policy; `price_batch` groups and prices each case as
//!   `drgdip settle` does (points, or a fund amount, and its pool), and [`settle::settle`] closes
//!   the pools from per-hospital sums of those columns.
//!
//! Batches come in through the Arrow PyCapsule interface (anything with `__arrow_c_array__` or
//! `__arrow_c_stream__`: pyarrow record batches and tables, Spark's `mapInArrow` batches, polars,
//! …) without a copy, and go out as `pyarrow.RecordBatch`. Each input value is read as the text a
//! CSV file would hold, by the same code the CLI reads Parquet with
//! ([`drgdip::io::parquet::batch_rows`]), then parsed into a record by the CLI's own column
//! readers, so a batch and a CSV or Parquet file of the same rows give the same results.
//!
//! The contract of every batch function: one output row per input row, in input order, each
//! depending on its input row only (any split into batches or partitions gives the same rows); a
//! row that cannot be read or grouped gets a status and a reason, never an exception. Exceptions
//! are for the batch as a whole (a required column missing) and say which column. A call uses one
//! thread unless `threads=` asks for more.

mod batch;
mod dip;
mod drg;
mod settle;

use pyo3::prelude::*;

/// The Python module `drgdip`.
#[pymodule]
#[pyo3(name = "drgdip")]
fn drgdip_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<drg::DrgGrouper>()?;
    m.add_class::<dip::DipGrouper>()?;
    m.add_class::<settle::Policy>()?;
    m.add_function(wrap_pyfunction!(settle::settle, m)?)?;
    Ok(())
}
