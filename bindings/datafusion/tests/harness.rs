//! Fixtures: the shared folder, generated files, the CLI's answers and the query's answers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::{SessionConfig, SessionContext};
use drgdip::cli::gen::GenArgs;
use drgdip::cli::group::GroupArgs;
use grouper::{Options, Scheme};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The demo scheme.
pub fn demo_scheme() -> PathBuf {
    root().join("data/demo/scheme.json")
}

/// The shared reference folder: `$DRGDIP_SHARED`, else `../shared` beside the checkout.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("DRGDIP_SHARED") {
        Some(d) => PathBuf::from(d),
        None => root().join("../shared"),
    }
}

/// A file under the shared folder. In CI (`CI` set) a missing file fails the test; elsewhere the
/// test is skipped with a printed notice (returns `None`).
pub fn shared_file(rel: &str) -> Option<PathBuf> {
    let p = shared_dir().join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "reference file {} is missing; CI must have ../shared beside the checkout",
            p.display()
        );
    }
    eprintln!("NOTICE: skipping, reference file {} not found", p.display());
    None
}

/// A fresh path for a test's file.
pub fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("drgdip-datafusion");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    p
}

/// `drgdip gen --cases N --seed S [--scheme F] --out OUT` (Parquet when OUT ends in `.parquet`).
pub fn gen(out: &Path, cases: u64, seed: u64, scheme: Option<&Path>) {
    drgdip::cli::gen::run(&GenArgs {
        scheme: scheme.map(Path::to_path_buf),
        hospitals: 20,
        cases,
        months: 1,
        seed,
        years: None,
        out: out.to_path_buf(),
    })
    .unwrap_or_else(|e| panic!("drgdip gen {}: {e}", out.display()));
}

/// One result: `id` and `status, mdc, adrg, drg, drg_name, reason` with empty fields as `None`.
pub type Row = (String, [Option<String>; 6]);

/// `drgdip group --scheme S --input IN --output OUT.csv` (code mapping on), read back by id.
pub fn cli_group(scheme: &Path, input: &Path) -> BTreeMap<String, [Option<String>; 6]> {
    let out = tmp(&format!(
        "{}.cli.csv",
        input.file_name().unwrap().to_string_lossy()
    ));
    drgdip::cli::group::run(&GroupArgs {
        scheme: scheme.to_path_buf(),
        input: input.to_path_buf(),
        output: out.clone(),
        map_codes: false,
        no_map_codes: false,
        reference_mapping: false,
        trace: false,
        keep: Vec::new(),
    })
    .unwrap_or_else(|e| panic!("drgdip group {}: {e}", input.display()));
    read_cli_output(&out)
}

/// An output of `drgdip group`, by id.
pub fn read_cli_output(out: &Path) -> BTreeMap<String, [Option<String>; 6]> {
    let mut rdr = csv::Reader::from_path(out).unwrap();
    assert_eq!(
        rdr.headers().unwrap(),
        vec!["id", "status", "mdc", "adrg", "drg", "drg_name", "reason"]
    );
    let mut rows = BTreeMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let field = |k: usize| Some(r[k].to_string()).filter(|s| !s.is_empty());
        let fields = [field(1), field(2), field(3), field(4), field(5), field(6)];
        assert!(
            rows.insert(r[0].to_string(), fields).is_none(),
            "id {} twice in the CLI's output",
            &r[0]
        );
    }
    rows
}

/// A session with `drg_group` over the scheme at `path` (code mapping on).
pub fn session(path: &Path, config: SessionConfig) -> (SessionContext, Arc<Scheme>) {
    let ctx = SessionContext::new_with_config(config).enable_url_table();
    let scheme = drgdip_datafusion::register_scheme_file(&ctx, path).unwrap();
    (ctx, scheme)
}

/// A session with `drg_group` over `scheme` and these options.
pub fn session_with(scheme: Arc<Scheme>, options: Options) -> SessionContext {
    let ctx = SessionContext::new().enable_url_table();
    drgdip_datafusion::register(&ctx, scheme, options);
    ctx
}

/// Runs a query whose columns are `id` (any type that casts to text) and the struct `drg_group`
/// returns.
pub async fn query(ctx: &SessionContext, sql: &str) -> Vec<Row> {
    let batches = ctx
        .sql(sql)
        .await
        .unwrap_or_else(|e| panic!("planning {sql}: {e}"))
        .collect()
        .await
        .unwrap_or_else(|e| panic!("running {sql}: {e}"));
    rows(&batches)
}

/// The rows of batches of `(id, drg_group(...))`.
pub fn rows(batches: &[RecordBatch]) -> Vec<Row> {
    let mut out = Vec::new();
    for b in batches {
        assert_eq!(b.num_columns(), 2, "{:?}", b.schema());
        let ids = cast(b.column(0), &DataType::Utf8).unwrap();
        let ids: &StringArray = ids.as_string();
        let g = b.column(1).as_struct();
        let fields: Vec<&StringArray> = drgdip_datafusion::RESULT_FIELDS
            .iter()
            .map(|f| g.column_by_name(f).unwrap().as_string())
            .collect();
        for i in 0..b.num_rows() {
            let value = |k: usize| {
                let a = fields[k];
                a.is_valid(i).then(|| a.value(i).to_string())
            };
            out.push((
                ids.value(i).to_string(),
                [value(0), value(1), value(2), value(3), value(4), value(5)],
            ));
        }
    }
    out
}

/// The call over the columns `drgdip gen` writes.
pub const CALL: &str = "drg_group(gender, age, age_days, weight, dept, los, leaving_type, \
                        diagnoses, procedures, icu_hours)";

/// Asserts that the query's rows are the CLI's, row for row; returns the count per status.
pub fn assert_same(
    got: &[Row],
    want: &BTreeMap<String, [Option<String>; 6]>,
) -> BTreeMap<String, usize> {
    assert_eq!(got.len(), want.len(), "rows from SQL vs rows from the CLI");
    let mut counts = BTreeMap::new();
    for (id, fields) in got {
        let Some(expected) = want.get(id) else {
            panic!("id {id} from SQL is not in the CLI's output");
        };
        assert_eq!(fields, expected, "id {id}: SQL (left) vs CLI (right)");
        *counts
            .entry(fields[0].clone().unwrap_or_default())
            .or_insert(0) += 1;
    }
    counts
}
