//! Fixtures: where the shared reference material lives, and reading vector files.

use std::path::PathBuf;

use grouper::{Codes, Num, Record};

/// The shared reference folder: `$DRGDIP_SHARED`, else `../shared` beside the checkout.
pub fn shared_dir() -> PathBuf {
    if let Ok(d) = std::env::var("DRGDIP_SHARED") {
        return PathBuf::from(d);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
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

/// One row of a vector file: the input fields and the reference answers.
#[derive(Debug, Clone)]
pub struct VectorRow {
    pub id: String,
    pub gender: String,
    pub age: String,
    pub age_days: String,
    pub weight: String,
    pub dept: String,
    pub los: String,
    pub leaving_type: String,
    pub diagnoses: String,
    pub procedures: String,
    pub icu_hours: String,
    /// status, mdc, adrg, drg with code mapping on.
    pub mapped: [String; 4],
    /// The same with code mapping off.
    pub unmapped: [String; 4],
}

impl VectorRow {
    pub fn record(&self) -> Record<'_> {
        Record {
            id: &self.id,
            gender: &self.gender,
            age: Num::parse(&self.age),
            age_days: Num::parse(&self.age_days),
            weight: Num::parse(&self.weight),
            dept: &self.dept,
            los: Num::parse(&self.los),
            leaving_type: &self.leaving_type,
            diagnoses: Codes::Joined(&self.diagnoses),
            procedures: Codes::Joined(&self.procedures),
            icu_hours: Num::parse(&self.icu_hours),
        }
    }
}

/// Reads a vector CSV by column name.
pub fn read_vectors(path: &std::path::Path) -> Vec<VectorRow> {
    let mut rdr =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = rdr.headers().expect("header row").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{}: no column {name}", path.display()))
    };
    // The input columns of the CLI, then the reference's answers with and without mapping.
    let names: Vec<&str> = drgdip::io::csv::INPUT_COLUMNS
        .iter()
        .copied()
        .chain([
            "status",
            "mdc",
            "adrg",
            "drg",
            "status_nomap",
            "mdc_nomap",
            "adrg_nomap",
            "drg_nomap",
        ])
        .collect();
    let idx: Vec<usize> = names.iter().map(|n| col(n)).collect();
    rdr.records()
        .enumerate()
        .map(|(i, rec)| {
            let rec = rec.unwrap_or_else(|e| panic!("{}: row {}: {e}", path.display(), i + 2));
            let f = |k: usize| rec.get(idx[k]).unwrap_or("").to_string();
            VectorRow {
                id: f(0),
                gender: f(1),
                age: f(2),
                age_days: f(3),
                weight: f(4),
                dept: f(5),
                los: f(6),
                leaving_type: f(7),
                diagnoses: f(8),
                procedures: f(9),
                icu_hours: f(10),
                mapped: [f(11), f(12), f(13), f(14)],
                unmapped: [f(15), f(16), f(17), f(18)],
            }
        })
        .collect()
}

/// The four compared fields of a grouping.
pub fn fields(g: &grouper::Grouping<'_>) -> [String; 4] {
    [
        g.status.as_str().to_string(),
        g.mdc.to_string(),
        g.adrg.to_string(),
        g.drg.to_string(),
    ]
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `drgdip` binary built for these tests.
pub fn drgdip() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_drgdip"))
}

/// A file `name` in a temporary directory of its own for the test module `module` (and process).
pub fn tmp(module: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("drgdip-{module}-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs a command, asserting success; returns its standard error.
pub fn ok(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{cmd:?} failed: {err}");
    err
}

/// A CSV file as its header and rows of text.
pub fn read_csv(p: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rdr = csv::Reader::from_path(p).unwrap();
    let header = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let rows = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The position of a column, or a panic naming it.
pub fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}
