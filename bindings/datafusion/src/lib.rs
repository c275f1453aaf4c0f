//! CHS-DRG grouping inside [DataFusion](https://datafusion.apache.org) SQL: the scalar function
//! `drg_group(...)` returns, for each row, the same status and groups as `drgdip group`.
//!
//! Three items do the work:
//! - [`DrgGroup`]: the scalar UDF ([`ScalarUDFImpl`]) holding a compiled [`Scheme`] and the
//!   grouping [`Options`];
//! - [`register`] / [`register_scheme_file`]: put `drg_group` into a [`SessionContext`];
//! - [`result_fields`]: the struct it returns, `{status, mdc, adrg, drg, drg_name, reason}`; one
//!   field is `drg_group(...)['drg']` (DataFusion 55 refuses `drg_group(...).drg`).
//!
//! The arguments are the record's columns in this order ([`ARGUMENTS`]):
//! `drg_group(gender, age, age_days, weight, dept, los, leaving_type, diagnoses, procedures
//! [, icu_hours])`. Each value is read as `drgdip group` reads a Parquet file: it becomes the text a
//! CSV file would hold in its place ([`drgdip::io::parquet::text`]; a null is an empty field) and
//! the record is parsed from that text ([`drgdip::io::csv::Columns::record`]), so any column type
//! the CLI reads is accepted (Int64, Decimal128, Date32, Utf8, Utf8View, numbers as text, …) and
//! the answer is the CLI's, row for row. A row that cannot be grouped gets a status and a reason,
//! never a query error.
//!
//! ```
//! use std::sync::Arc;
//!
//! use datafusion::arrow::array::{AsArray, StructArray};
//! use datafusion::prelude::SessionContext;
//! use grouper::{Options, Scheme};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let scheme = Scheme::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/demo/scheme.json"))
//!     .unwrap();
//! let ctx = SessionContext::new();
//! drgdip_datafusion::register(&ctx, Arc::new(scheme), Options::default());
//!
//! // A man of 70, 8 days, heart failure: grouped.
//! let df = ctx
//!     .sql(
//!         "SELECT drg_group('1', 70, NULL, NULL, '', 8, '1', 'I50.900', '') AS g",
//!     )
//!     .await
//!     .unwrap();
//! let batches = df.collect().await.unwrap();
//! let g: &StructArray = batches[0].column(0).as_struct();
//! let status = g.column_by_name("status").unwrap().as_string::<i32>();
//! assert_eq!(status.value(0), "SUCCESS");
//! # });
//! ```
#![deny(missing_docs)]

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, StringBuilder, StructArray};
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{plan_err, Result as DfResult};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;
use drgdip::io::csv::{Columns, INPUT_COLUMNS};
use drgdip::io::parquet::{text, Text};
use drgdip::io::row::Row;
use grouper::{Grouper, Grouping, MappingMode, Options, Scheme, SchemeError};

/// The name the function is registered under.
pub const NAME: &str = "drg_group";

/// The arguments of `drg_group`, in order: the CLI's input columns after `id`; the last
/// (`icu_hours`) may be left out, as the CLI's input may lack that column.
pub const ARGUMENTS: &[&str] = INPUT_COLUMNS.split_at(1).1;

/// The fields of the struct `drg_group` returns, all `Utf8`.
pub const RESULT_FIELDS: [&str; 6] = ["status", "mdc", "adrg", "drg", "drg_name", "reason"];

/// A scheme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scheme file cannot be read, is not an `opendrg-scheme/1` document, or is inconsistent
    /// (the message names the file and the place).
    #[error("drg_group: {0}")]
    Scheme(#[from] SchemeError),
}

/// The struct `drg_group` returns: `status` (never null), then `mdc`, `adrg`, `drg`, `drg_name` and
/// `reason`, each null where `drgdip group` writes an empty field.
pub fn result_fields() -> Fields {
    RESULT_FIELDS
        .iter()
        .map(|&name| Field::new(name, DataType::Utf8, name != "status"))
        .collect()
}

/// The scalar UDF `drg_group`: groups each row with a scheme, as `drgdip group` does.
///
/// Build it with [`DrgGroup::new`] and turn it into a [`ScalarUDF`] with `ScalarUDF::from`, or let
/// [`register`] do both. Two `DrgGroup`s are equal when they have the same name, the same scheme (the
/// same `Arc`) and the same options.
#[derive(Debug)]
pub struct DrgGroup {
    name: String,
    scheme: Arc<Scheme>,
    options: Options,
    columns: Columns,
    signature: Signature,
}

impl DrgGroup {
    /// `drg_group` over this scheme; `options` as the CLI's flags (`Options::default()`: codes
    /// mapped through the scheme's code maps, like `drgdip group` without flags).
    pub fn new(scheme: Arc<Scheme>, options: Options) -> DrgGroup {
        let header = Row::from(INPUT_COLUMNS.to_vec());
        let columns = Columns::from_header(&header).expect("INPUT_COLUMNS name every column");
        DrgGroup {
            name: NAME.to_string(),
            scheme,
            options,
            columns,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    /// The same function under another name (`drg_group` by default): to register several schemes
    /// in one context, e.g. `drg_group_bj` beside `drg_group`.
    pub fn with_name(mut self, name: impl Into<String>) -> DrgGroup {
        self.name = name.into();
        self
    }

    /// The scheme.
    pub fn scheme(&self) -> &Arc<Scheme> {
        &self.scheme
    }

    /// The grouping options.
    pub fn options(&self) -> Options {
        self.options
    }
}

impl PartialEq for DrgGroup {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && Arc::ptr_eq(&self.scheme, &other.scheme)
            && self.options == other.options
    }
}

impl Eq for DrgGroup {}

impl Hash for DrgGroup {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        Arc::as_ptr(&self.scheme).hash(state);
        self.options.map_codes.hash(state);
        (self.options.mapping_mode == MappingMode::PerCode).hash(state);
    }
}

/// Whether values of this type have no text form (lists, structs, maps, intervals, …).
fn unreadable_type(t: &DataType) -> bool {
    let empty = datafusion::arrow::array::new_empty_array(t);
    let none = text(empty.as_ref()).is_none();
    none
}

impl ScalarUDFImpl for DrgGroup {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> DfResult<Vec<DataType>> {
        if !(ARGUMENTS.len() - 1..=ARGUMENTS.len()).contains(&arg_types.len()) {
            return plan_err!(
                "{} takes {} or {} arguments, {}; got {}",
                self.name,
                ARGUMENTS.len() - 1,
                ARGUMENTS.len(),
                ARGUMENTS.join(", "),
                arg_types.len()
            );
        }
        for (k, t) in arg_types.iter().enumerate() {
            if unreadable_type(t) {
                return plan_err!(
                    "{}: argument {} ({}) has type {t}, which has no text form; pass a string, \
                     a number, a decimal or a date (a list of codes as one string, separated by |)",
                    self.name,
                    k + 1,
                    ARGUMENTS[k]
                );
            }
        }
        Ok(arg_types.to_vec())
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Struct(result_fields()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<DfResult<Vec<ArrayRef>>>()?;
        Ok(ColumnarValue::Array(Arc::new(
            self.group_arrays(&arrays, rows)?,
        )))
    }
}

impl DrgGroup {
    /// Groups `rows` rows given as one array per argument.
    fn group_arrays(&self, arrays: &[ArrayRef], rows: usize) -> DfResult<StructArray> {
        let mut texts: Vec<Text<'_>> = Vec::with_capacity(arrays.len());
        for (k, a) in arrays.iter().enumerate() {
            match text(a.as_ref()) {
                Some(t) => texts.push(t),
                None => {
                    return plan_err!(
                        "{}: argument {} ({}) has type {}, which has no text form",
                        self.name,
                        k + 1,
                        ARGUMENTS.get(k).unwrap_or(&"?"),
                        a.data_type()
                    )
                }
            }
        }
        let grouper = Grouper::with_options(&self.scheme, self.options);
        let mut out: Vec<StringBuilder> = RESULT_FIELDS
            .iter()
            .map(|_| StringBuilder::with_capacity(rows, rows * 8))
            .collect();
        // Each row becomes the CSV row `drgdip group` would read: the id (not an argument: the
        // result does not echo it), the arguments, and an empty `icu_hours` when it is left out.
        let mut row = Row::with_capacity(256, INPUT_COLUMNS.len());
        let mut scratch = Vec::with_capacity(64);
        for i in 0..rows {
            row.clear();
            row.push_field(b"");
            for t in &texts {
                scratch.clear();
                t(i, &mut scratch);
                row.push_field(&scratch);
            }
            while row.len() < INPUT_COLUMNS.len() {
                row.push_field(b"");
            }
            match self.columns.record(&row) {
                Ok(rec) => append(&mut out, &grouper.group(&rec)),
                Err(problem) => append(&mut out, &Grouping::unreadable(problem)),
            }
        }
        let columns: Vec<ArrayRef> = out
            .iter_mut()
            .map(|b| Arc::new(b.finish()) as ArrayRef)
            .collect();
        Ok(StructArray::try_new(result_fields(), columns, None)?)
    }
}

/// Appends one result: the status, then each field or a null where the CLI writes an empty field.
fn append(out: &mut [StringBuilder], g: &Grouping<'_>) {
    out[0].append_value(g.status.as_str());
    for (b, v) in out[1..5].iter_mut().zip([g.mdc, g.adrg, g.drg, g.drg_name]) {
        if v.is_empty() {
            b.append_null();
        } else {
            b.append_value(v);
        }
    }
    match &g.reason {
        Some(r) => out[5].append_value(r.to_string()),
        None => out[5].append_null(),
    }
}

/// Registers `drg_group` over `scheme` in `ctx`; `Options::default()` maps codes, as the CLI does
/// by default.
pub fn register(ctx: &SessionContext, scheme: Arc<Scheme>, options: Options) {
    ctx.register_udf(ScalarUDF::from(DrgGroup::new(scheme, options)));
}

/// Loads a scheme (`opendrg-scheme/1` JSON, e.g. `data/demo/scheme.json` or
/// `../shared/schemes/opendrg/chs_drg_11.json`) and registers `drg_group` over it with code
/// mapping on; returns the scheme.
pub fn register_scheme_file(
    ctx: &SessionContext,
    path: impl AsRef<Path>,
) -> Result<Arc<Scheme>, Error> {
    let scheme = Arc::new(Scheme::load(path)?);
    register(ctx, Arc::clone(&scheme), Options::default());
    Ok(scheme)
}
