//! Arrow batches in and out, rows of text in between, and the threads a call may use.
//!
//! A batch function receives any object with `__arrow_c_array__` (one record batch) or
//! `__arrow_c_stream__` (a table, a reader: all its batches, in order), imported through the Arrow
//! C data interface without copying the buffers. Its columns are found by name in the schema, as
//! the CLI finds them in a CSV header, and each row is turned into the text fields a CSV row would
//! hold by the CLI's own Parquet reader ([`drgdip::io::parquet::batch_rows`]), one chunk of
//! [`CHUNK`] rows at a time: a record borrows its fields from those texts.

use std::sync::Arc;

use arrow_array::ffi_stream::ArrowArrayStreamReader;
use arrow_array::{ArrayRef, RecordBatch, RecordBatchReader};
use arrow_pyarrow::{FromPyArrow, ToPyArrow};
use arrow_schema::{ArrowError, Field, Schema, SchemaRef};
use drgdip::io::row::Row;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use rayon::prelude::*;

/// Rows turned into text at a time (one task when a call uses several threads).
pub const CHUNK: usize = 1024;

/// The record batches of a Python object, with their schema.
pub fn import(obj: &Bound<'_, PyAny>) -> PyResult<(SchemaRef, Vec<RecordBatch>)> {
    if obj.hasattr("__arrow_c_array__")? {
        let b = RecordBatch::from_pyarrow_bound(obj)?;
        return Ok((b.schema(), vec![b]));
    }
    if obj.hasattr("__arrow_c_stream__")? {
        let reader = ArrowArrayStreamReader::from_pyarrow_bound(obj)?;
        let schema = reader.schema();
        let batches = reader
            .collect::<Result<Vec<_>, ArrowError>>()
            .map_err(|e| PyValueError::new_err(format!("cannot read the Arrow stream: {e}")))?;
        return Ok((schema, batches));
    }
    Err(PyTypeError::new_err(format!(
        "expected Arrow data (an object with __arrow_c_array__ or __arrow_c_stream__, such as a \
         pyarrow.RecordBatch or pyarrow.Table), got {}; convert a pandas DataFrame with \
         pyarrow.Table.from_pandas(df)",
        obj.get_type().name()?
    )))
}

/// The header row of a schema: its field names, as a CSV header would hold them.
pub fn header(schema: &Schema) -> Row {
    schema
        .fields()
        .iter()
        .map(|f| f.name().as_bytes())
        .collect()
}

/// The slots [`drgdip::io::parquet::batch_rows`] decodes: the located columns only (the others
/// stay empty fields, as in the CLI). A located column whose type has no text form (a list, a
/// struct) is an error naming it, where the CLI would read it as empty with a note.
pub fn slots(schema: &Schema, located: &[usize]) -> PyResult<Vec<Option<usize>>> {
    let mut slots = vec![None; schema.fields().len()];
    for &c in located {
        let f = schema.field(c);
        if !drgdip::io::parquet::has_text_form(f.data_type()) {
            return Err(PyTypeError::new_err(format!(
                "column {:?} has type {}, which has no text form: give it as a string (codes \
                 joined with '|'), a number or a date",
                f.name(),
                f.data_type()
            )));
        }
        slots[c] = Some(c);
    }
    Ok(slots)
}

/// The thread count of a call: one unless asked.
pub fn threads(threads: Option<usize>) -> PyResult<usize> {
    match threads {
        None => Ok(1),
        Some(0) => Err(PyValueError::new_err(
            "threads must be at least 1 (the default, 1, suits a Spark task)",
        )),
        Some(n) => Ok(n),
    }
}

/// Runs `f` on a pool of `n` threads of its own (never rayon's global pool, which would start one
/// thread per core in every Spark executor process).
pub fn on_threads<T: Send>(n: usize, f: impl FnOnce() -> T + Send) -> PyResult<T> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(|e| PyValueError::new_err(format!("cannot start {n} threads: {e}")))?;
    Ok(pool.install(f))
}

/// Maps every row of the batches, in order, to `f(row)`, where `row` holds the text of each
/// column of `slots`. With `threads > 1`, chunks of rows are mapped in parallel and put back in
/// order.
pub fn map_rows<T: Send>(
    batches: &[RecordBatch],
    slots: &[Option<usize>],
    threads: usize,
    f: impl Fn(&Row) -> T + Sync,
) -> PyResult<Vec<T>> {
    let chunk = |(b, first): (&RecordBatch, usize)| -> Vec<T> {
        let n = CHUNK.min(b.num_rows() - first);
        let mut rows = vec![Row::new(); n];
        let mut scratch = Vec::with_capacity(256);
        drgdip::io::parquet::batch_rows(b, slots, first, &mut rows, &mut scratch);
        rows.iter().map(&f).collect()
    };
    let tasks: Vec<(&RecordBatch, usize)> = batches
        .iter()
        .flat_map(|b| {
            (0..b.num_rows())
                .step_by(CHUNK)
                .map(move |first| (b, first))
        })
        .collect();
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let parts: Vec<Vec<T>> = if threads == 1 {
        tasks.into_iter().map(chunk).collect()
    } else {
        on_threads(threads, || tasks.into_par_iter().map(chunk).collect())?
    };
    let mut out = Vec::with_capacity(total);
    for p in parts {
        out.extend(p);
    }
    Ok(out)
}

/// A record batch of named columns, to Python.
pub fn export(py: Python<'_>, columns: Vec<(&str, ArrayRef)>) -> PyResult<Py<PyAny>> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
        .collect();
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns.into_iter().map(|c| c.1).collect(),
    )
    .map_err(|e| PyValueError::new_err(format!("cannot build the output batch: {e}")))?;
    Ok(batch.to_pyarrow(py)?.unbind())
}
