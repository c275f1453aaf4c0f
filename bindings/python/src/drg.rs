//! `drgdip.DrgGrouper`: a CHS-DRG scheme, grouping record batches as `drgdip group` groups a file.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::ArrayRef;
use drgdip::grouper::{Grouper, Grouping, MappingMode, Options, Scheme};
use drgdip::io::csv::Columns;
use drgdip::io::row::Row;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::batch;

/// The output columns, as `drgdip group` writes them.
pub const OUTPUT_COLUMNS: [&str; 7] = ["id", "status", "mdc", "adrg", "drg", "drg_name", "reason"];

/// A CHS-DRG scheme loaded for grouping (`opendrg-scheme/1` JSON).
///
/// `DrgGrouper(scheme, *, map_codes=True, reference_mapping=False)` takes the options of
/// `drgdip group`: codes are mapped through the scheme's code maps first unless
/// `map_codes=False`; `reference_mapping=True` reproduces the reference grouper's
/// first-occurrence mapping defect (comparisons only).
#[pyclass(frozen, module = "drgdip")]
pub struct DrgGrouper {
    scheme: Scheme,
    origin: String,
    options: Options,
}

#[pymethods]
impl DrgGrouper {
    /// The output columns of `group_batch`.
    #[classattr]
    const OUTPUT_COLUMNS: [&'static str; 7] = OUTPUT_COLUMNS;

    /// The output schema in Spark's DDL, for `mapInArrow(f, DrgGrouper.SPARK_SCHEMA)`.
    #[classattr]
    const SPARK_SCHEMA: &'static str = "id string, status string, mdc string, adrg string, \
                                        drg string, drg_name string, reason string";

    #[new]
    #[pyo3(signature = (scheme, *, map_codes = true, reference_mapping = false))]
    fn new(scheme: PathBuf, map_codes: bool, reference_mapping: bool) -> PyResult<DrgGrouper> {
        let origin = scheme.display().to_string();
        let scheme = Scheme::load(&scheme).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(DrgGrouper {
            scheme,
            origin,
            options: Options {
                map_codes,
                mapping_mode: if reference_mapping {
                    MappingMode::ReferenceFirstOccurrence
                } else {
                    MappingMode::PerCode
                },
            },
        })
    }

    /// Groups a record batch (or every batch of a table or stream) and returns one
    /// `pyarrow.RecordBatch` with the columns `id, status, mdc, adrg, drg, drg_name, reason`
    /// (strings; empty where the CLI writes an empty field): one row per input row, in input
    /// order. Input columns are found by name: `id, gender, age, age_days, weight, dept, los,
    /// leaving_type, diagnoses, procedures` and optionally `icu_hours`; others are ignored.
    #[pyo3(signature = (batch, *, threads = None))]
    fn group_batch(
        &self,
        py: Python<'_>,
        batch: &Bound<'_, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Py<PyAny>> {
        let threads = batch::threads(threads)?;
        let (schema, batches) = batch::import(batch)?;
        let cols = Columns::from_header(&batch::header(&schema))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let slots = batch::slots(&schema, &cols.located())?;
        let grouper = Grouper::with_options(&self.scheme, self.options);
        let columns = py.detach(|| -> PyResult<Vec<ArrayRef>> {
            let rows = batch::map_rows(&batches, &slots, threads, |row| {
                group_row(&grouper, &cols, row)
            })?;
            Ok(build(&rows))
        })?;
        batch::export(py, OUTPUT_COLUMNS.into_iter().zip(columns).collect())
    }

    fn __repr__(&self) -> String {
        format!(
            "DrgGrouper({:?}, map_codes={})",
            self.origin,
            if self.options.map_codes {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// Groups one row as `drgdip group` does; an unreadable row is an `UNREADABLE` result (without
/// the CLI's line number, which depends on the batching).
fn group_row<'s>(grouper: &Grouper<'s>, cols: &Columns, row: &Row) -> (String, Grouping<'s>) {
    match cols.record(row) {
        Ok(rec) => (rec.id.to_string(), grouper.group(&rec)),
        Err(problem) => (cols.id_lossy(row), Grouping::unreadable(problem)),
    }
}

/// The output columns of grouped rows.
fn build(rows: &[(String, Grouping<'_>)]) -> Vec<ArrayRef> {
    let mut b: Vec<StringBuilder> = (0..OUTPUT_COLUMNS.len())
        .map(|_| StringBuilder::with_capacity(rows.len(), rows.len() * 8))
        .collect();
    let mut reason = String::new();
    for (id, g) in rows {
        reason.clear();
        if let Some(r) = &g.reason {
            use std::fmt::Write as _;
            let _ = write!(reason, "{r}");
        }
        for (k, v) in [
            id.as_str(),
            g.status.as_str(),
            g.mdc,
            g.adrg,
            g.drg,
            g.drg_name,
            &reason,
        ]
        .into_iter()
        .enumerate()
        {
            b[k].append_value(v);
        }
    }
    b.iter_mut()
        .map(|b| Arc::new(b.finish()) as ArrayRef)
        .collect()
}
