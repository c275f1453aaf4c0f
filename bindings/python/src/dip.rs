//! `drgdip.DipGrouper`: a DIP catalog and grouping policy, grouping and scoring record batches as
//! `drgdip dip group` does a file.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, StringBuilder};
use arrow_array::ArrayRef;
use drgdip::cli::dip::{load_catalog, load_policy, OUTPUT_COLUMNS};
use drgdip::grouper::dip::{
    CompiledCatalog, DipGrouper as Grouper, DipGrouping, DipPolicy, DipStatus,
};
use drgdip::io::csv::DipColumns;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::batch;

/// Output columns holding numbers (`Float64`); the others are strings.
const NUMERIC: [&str; 7] = [
    "dip_score",
    "supplement_factor",
    "avg_amount",
    "deviation_factor",
    "settle_score",
    "settle_amount",
    "standard_amount",
];

/// A DIP catalog (`drgdip-dip/1` or `dip-catalog/1` JSON) with a grouping policy (a preset:
/// `national`, `nodedip-base`, `nodedip-xiaogan`, or a `.toml` / `.json` file of switches).
///
/// `DipGrouper(catalog, *, policy="national")`, the options of `drgdip dip group`.
#[pyclass(frozen, module = "drgdip")]
pub struct DipGrouper {
    catalog: CompiledCatalog,
    policy: DipPolicy,
    origin: String,
}

#[pymethods]
impl DipGrouper {
    /// The output columns of `group_batch`.
    #[classattr]
    const OUTPUT_COLUMNS: [&'static str; 16] = OUTPUT_COLUMNS;

    /// The output schema in Spark's DDL, for `mapInArrow(f, DipGrouper.SPARK_SCHEMA)`.
    #[classattr]
    const SPARK_SCHEMA: &'static str = "id string, status string, dip_code string, \
        dip_type string, treatment_type string, dip_score double, supplement_type string, \
        supplement_name string, supplement_factor double, avg_amount double, deviation string, \
        deviation_factor double, settle_score double, settle_amount double, \
        standard_amount double, reason string";

    #[new]
    #[pyo3(signature = (catalog, *, policy = "national"))]
    fn new(catalog: PathBuf, policy: &str) -> PyResult<DipGrouper> {
        Ok(DipGrouper {
            catalog: load_catalog(&catalog).map_err(PyValueError::new_err)?,
            policy: load_policy(policy).map_err(PyValueError::new_err)?,
            origin: catalog.display().to_string(),
        })
    }

    /// Groups and scores a record batch (or every batch of a table or stream) and returns one
    /// `pyarrow.RecordBatch` with the columns of `drgdip dip group` (`OUTPUT_COLUMNS`): one row
    /// per input row, in input order. The numbers (`dip_score`, `supplement_factor`,
    /// `avg_amount`, `deviation_factor`, `settle_score`, `settle_amount`, `standard_amount`) are
    /// `float64`, null where the CLI writes an empty field, and the same values the CLI prints;
    /// the other columns are strings. Input columns are found by name (`../shared/dip/FORMAT.md`
    /// §2.1): `id, hos_code, insurance_type, diagnoses, procedures, total_cost` and optionally
    /// `age, age_days, birth_date, admit_date, discharge_date, los, leaving_type`.
    #[pyo3(signature = (batch, *, threads = None))]
    fn group_batch(
        &self,
        py: Python<'_>,
        batch: &Bound<'_, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Py<PyAny>> {
        let threads = batch::threads(threads)?;
        let (schema, batches) = batch::import(batch)?;
        let cols = DipColumns::from_header(&batch::header(&schema))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let slots = batch::slots(&schema, &cols.located())?;
        let grouper = Grouper::new(&self.catalog, &self.policy);
        let columns = py.detach(|| -> PyResult<Vec<ArrayRef>> {
            let rows = batch::map_rows(&batches, &slots, threads, |row| match cols.record(row) {
                Ok(rec) => (rec.id.to_string(), grouper.group(&rec)),
                Err(problem) => (cols.id_lossy(row), DipGrouping::unreadable(problem)),
            })?;
            Ok(build(&rows))
        })?;
        batch::export(py, OUTPUT_COLUMNS.into_iter().zip(columns).collect())
    }

    fn __repr__(&self) -> String {
        format!("DipGrouper({:?})", self.origin)
    }
}

/// One output cell.
enum Cell<'a> {
    Text(&'a str),
    Num(Option<f64>),
}

/// The cells of one row, in [`OUTPUT_COLUMNS`] order: what `drgdip dip group` writes (its
/// `format_row`), numbers as numbers.
fn cells<'a>(id: &'a str, g: &'a DipGrouping<'_>) -> [Cell<'a>; 16] {
    use Cell::{Num, Text};
    let status = Text(g.status.as_str());
    match (g.status, g.group) {
        (DipStatus::Ok, Some(group)) => {
            let s = g.supplement;
            [
                Text(id),
                status,
                Text(&group.code),
                Text(g.kind.map_or("", |k| k.as_str())),
                Text(g.treatment_type.map_or("", |t| t.as_str())),
                Num(Some(group.score)),
                Text(s.map_or("", |s| s.kind.as_str())),
                Text(s.map_or("", |s| s.band.as_str())),
                Num(s.map(|s| s.factor)),
                Num(Some(g.standard_cost)),
                Text(g.deviation.map_or("", |d| d.as_str())),
                Num(Some(g.deviation_factor)),
                Num(Some(g.settle_score)),
                Num(Some(g.settle_amount)),
                Num(Some(g.standard_amount)),
                Text(""),
            ]
        }
        _ => [
            Text(id),
            status,
            Text(""),
            Text(""),
            Text(""),
            Num(None),
            Text(""),
            Text(""),
            Num(None),
            Num(None),
            Text(""),
            Num(None),
            Num(None),
            Num(None),
            Num(None),
            Text(g.reason.as_deref().unwrap_or("")),
        ],
    }
}

/// The output columns of grouped rows.
fn build(rows: &[(String, DipGrouping<'_>)]) -> Vec<ArrayRef> {
    enum B {
        S(StringBuilder),
        F(Float64Builder),
    }
    let mut b: Vec<B> = OUTPUT_COLUMNS
        .iter()
        .map(|c| {
            if NUMERIC.contains(c) {
                B::F(Float64Builder::with_capacity(rows.len()))
            } else {
                B::S(StringBuilder::with_capacity(rows.len(), rows.len() * 6))
            }
        })
        .collect();
    for (id, g) in rows {
        for (b, cell) in b.iter_mut().zip(cells(id, g)) {
            match (b, cell) {
                (B::S(b), Cell::Text(t)) => b.append_value(t),
                (B::F(b), Cell::Num(v)) => b.append_option(v),
                // The kinds follow NUMERIC, which lists exactly the Num cells.
                (B::S(b), Cell::Num(_)) => b.append_null(),
                (B::F(b), Cell::Text(_)) => b.append_null(),
            }
        }
    }
    b.into_iter()
        .map(|b| match b {
            B::S(mut b) => Arc::new(b.finish()) as ArrayRef,
            B::F(mut b) => Arc::new(b.finish()) as ArrayRef,
        })
        .collect()
}
