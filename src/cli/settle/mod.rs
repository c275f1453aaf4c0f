//! `drgdip settle`: group and settle a period's cases under a region policy, and write the statement
//! (`cases.csv`, `hospitals.csv`, `summary.json`, `rejected.csv`) to a directory.
//!
//! The policy names its tables (scheme, DRG weights or history, DIP catalog) relative to its own
//! file; without `--policy` the embedded demo policy and its embedded tables are used, so the
//! command runs on a fresh checkout.

use crate::io::row::Row;
use std::collections::{HashMap, HashSet};
use std::io::BufReader;
use std::path::{Path, PathBuf};

use clap::Args;
use grouper::dip::{CompiledCatalog, DipCatalog, DipPolicy};
use grouper::{Grouper, Options, Scheme};
use settlement::engine::GroupWeight;
use settlement::money::{Fen, Ratio};
use settlement::policy::{BundleMethod, Policy};
use settlement::settle::{Enrolment, Inputs};

mod read;
mod spill;
mod stream;
mod write;

pub use stream::{run, Outcome};

use super::pipeline::open_input;
use crate::io::csv::Columns;

/// The demo region, embedded so `settle` and `demo` run without any file.
pub mod demo {
    /// Demo policy.
    pub const POLICY: &str = include_str!("../../../data/demo/policy.toml");
    /// Demo scheme.
    pub const SCHEME: &[u8] = include_bytes!("../../../data/demo/scheme.json");
    /// Demo DRG weights.
    pub const DRG_WEIGHTS: &str = include_str!("../../../data/demo/drg-weights.csv");
    /// Demo DIP catalog.
    pub const DIP_CATALOG: &str = include_str!("../../../data/demo/dip-catalog.json");

    /// An embedded table by its file name.
    pub fn table(name: &str) -> Option<&'static [u8]> {
        match name.rsplit('/').next()? {
            "scheme.json" => Some(SCHEME),
            "drg-weights.csv" => Some(DRG_WEIGHTS.as_bytes()),
            "dip-catalog.json" => Some(DIP_CATALOG.as_bytes()),
            _ => None,
        }
    }
}

/// The tables and inputs beside the cases and the policy, shared by `settle`, `compare` and
/// `sweep` (which pass them on to each policy they settle).
#[derive(Args, Debug, Clone, Default)]
pub struct SideInputs {
    /// CHS-DRG scheme (JSON) for a DRG policy; the policy's `tables.scheme` when omitted
    #[arg(long)]
    pub scheme: Option<PathBuf>,
    /// DRG weights CSV (drg,weight,mean_cost), overriding the policy's table
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Discharge history (CSV, the `gen --years` columns, or grouped with a `drg` column) to calibrate
    /// DRG weights from, grouped with the active scheme; overrides the policy's weight table (the
    /// weights are written to the output directory)
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// DIP catalog, overriding the policy's table
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Approved special-review cases: a CSV with an `id` column
    #[arg(long)]
    pub special_review: Option<PathBuf>,
    /// Capitation enrolment: CSV with columns hospital, program, person_months and optionally spending
    #[arg(long)]
    pub enrolment: Option<PathBuf>,
    /// Assessment scores: CSV payee,score (0-100)
    #[arg(long)]
    pub assessment: Option<PathBuf>,
    /// Paid so far this year (year period): CSV hospital,paid (yuan)
    #[arg(long)]
    pub paid_to_date: Option<PathBuf>,
    /// Group codes as given, without the scheme's code maps
    #[arg(long)]
    pub no_map_codes: bool,
}

impl SideInputs {
    /// The `settle` arguments for one policy (the grouping loader and side-input reader take them).
    pub fn settle_args(&self, policy: &Path, cases: &Path, out: &Path) -> SettleArgs {
        SettleArgs {
            policy: Some(policy.to_path_buf()),
            cases: cases.to_path_buf(),
            out: out.to_path_buf(),
            report: None,
            uncompressed_spill: false,
            side: self.clone(),
        }
    }
}

/// Arguments of `drgdip settle`.
#[derive(Args, Debug, Clone)]
pub struct SettleArgs {
    /// Region policy (drgdip-policy/1 TOML); the embedded demo policy when omitted
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Cases (CSV, or Parquet when the name ends in `.parquet`) with the grouping columns and id, hospital, fund_type, locality,
    /// discharge_date, total_cost, patient_share (optional: hospital_level, service_line, los, dept,
    /// fund_amount, carve_out, special_review); `-` reads standard input
    #[arg(long)]
    pub cases: PathBuf,
    /// Output directory (created)
    #[arg(long)]
    pub out: PathBuf,
    /// Also write a self-contained HTML report (policy, pools, indicators, charts) to this file
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Store the rows kept on disk between the read and the close as they are, not LZ4-compressed:
    /// less CPU, but about six times the disk (about as much as `cases.csv`); slower once the
    /// spill outgrows the page cache's share of dirty pages (10 million rows: 40 s against 36 s)
    #[arg(long)]
    pub uncompressed_spill: bool,
    /// Tables and inputs beside the cases.
    #[command(flatten)]
    pub side: SideInputs,
}

/// Where a policy came from: a file (tables beside it) or the embedded demo.
pub struct Source {
    /// The policy.
    pub policy: Policy,
    /// Its directory, `None` for the embedded demo.
    pub dir: Option<PathBuf>,
    /// A name for messages.
    pub origin: String,
}

impl Source {
    /// Loads `--policy`, or the embedded demo.
    pub fn load(path: Option<&Path>) -> Result<Source, String> {
        match path {
            None => Ok(Source {
                policy: Policy::from_toml(demo::POLICY, "embedded demo policy")
                    .map_err(|e| e.to_string())?,
                dir: None,
                origin: "embedded demo policy (data/demo/policy.toml)".into(),
            }),
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| format!("cannot read policy {}: {e}", p.display()))?;
                let origin = p.display().to_string();
                Ok(Source {
                    policy: Policy::from_toml(&text, &origin).map_err(|e| e.to_string())?,
                    dir: Some(
                        p.parent()
                            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
                    ),
                    origin,
                })
            }
        }
    }

    /// Reads a table the policy names (relative to the policy file, or embedded).
    pub fn table(&self, rel: &str) -> Result<(Vec<u8>, String), String> {
        match &self.dir {
            Some(d) => {
                let p = d.join(rel);
                std::fs::read(&p)
                    .map(|b| (b, p.display().to_string()))
                    .map_err(|e| {
                        format!(
                            "{}: table {rel}: cannot read {}: {e}",
                            self.origin,
                            p.display()
                        )
                    })
            }
            None => demo::table(rel)
                .map(|b| (b.to_vec(), format!("embedded {rel}")))
                .ok_or_else(|| format!("the embedded demo has no table {rel}")),
        }
    }
}

/// Reads a DRG weight table (`drg,weight,mean_cost`, other columns ignored).
pub fn read_weights(bytes: &[u8], origin: &str) -> Result<HashMap<String, GroupWeight>, String> {
    let mut r = csv::Reader::from_reader(bytes);
    let headers = r.headers().map_err(|e| format!("{origin}: {e}"))?.clone();
    let col = |n: &str| {
        headers
            .iter()
            .position(|h| h.trim() == n)
            .ok_or_else(|| format!("{origin}: no column {n:?} (need drg, weight, mean_cost)"))
    };
    let (c_drg, c_w, c_m) = (col("drg")?, col("weight")?, col("mean_cost")?);
    let mut map = HashMap::new();
    for (i, row) in r.records().enumerate() {
        let row = row.map_err(|e| format!("{origin}: {e}"))?;
        let line = i + 2;
        let get = |c: usize| row.get(c).unwrap_or("").trim();
        let weight = get(c_w)
            .parse()
            .map_err(|e| format!("{origin} line {line}: weight: {e}"))?;
        let mean_cost = match get(c_m) {
            "" => Fen::ZERO,
            t => Fen::from_yuan(t).map_err(|e| format!("{origin} line {line}: mean_cost: {e}"))?,
        };
        if map
            .insert(get(c_drg).to_string(), GroupWeight { weight, mean_cost })
            .is_some()
        {
            return Err(format!("{origin} line {line}: DRG {} twice", get(c_drg)));
        }
    }
    Ok(map)
}

fn read_small_csv(path: &Path, need: &[&str]) -> Result<Vec<Vec<String>>, String> {
    let name = path.display().to_string();
    let mut r = csv::Reader::from_reader(BufReader::new(open_input(path)?));
    let headers = r.headers().map_err(|e| format!("{name}: {e}"))?.clone();
    let mut idx = Vec::new();
    for n in need {
        idx.push(headers.iter().position(|h| h.trim() == *n));
    }
    if let Some(k) = idx.iter().take(1).position(Option::is_none) {
        return Err(format!("{name}: no column {:?}", need[k]));
    }
    let mut rows = Vec::new();
    for row in r.records() {
        let row = row.map_err(|e| format!("{name}: {e}"))?;
        rows.push(
            idx.iter()
                .map(|c| c.and_then(|c| row.get(c)).unwrap_or("").trim().to_string())
                .collect(),
        );
    }
    Ok(rows)
}

/// Reads the inputs beside the cases (`--special-review`, `--enrolment`, `--assessment`,
/// `--paid-to-date`): the settlement inputs and the approved special-review ids.
pub(crate) fn inputs(args: &SettleArgs) -> Result<(Inputs, HashSet<String>), String> {
    let mut inputs = Inputs::default();
    let mut approved = HashSet::new();
    if let Some(p) = &args.side.special_review {
        approved = read_small_csv(p, &["id"])?
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
    }
    if let Some(p) = &args.side.enrolment {
        for r in read_small_csv(p, &["hospital", "program", "person_months", "spending"])? {
            inputs.enrolment.push(Enrolment {
                person_months: r[2]
                    .parse()
                    .map_err(|_| format!("{}: person_months {:?}", p.display(), r[2]))?,
                spending: match r[3].as_str() {
                    "" => None,
                    t => Some(
                        Fen::from_yuan(t).map_err(|e| format!("{}: spending: {e}", p.display()))?,
                    ),
                },
                hospital: r[0].clone(),
                program: r[1].clone(),
            });
        }
    }
    if let Some(p) = &args.side.assessment {
        for r in read_small_csv(p, &["payee", "score"])? {
            let s: Ratio = r[1]
                .parse()
                .map_err(|e| format!("{}: score {:?}: {e}", p.display(), r[1]))?;
            inputs.assessment.insert(r[0].clone(), s);
        }
    }
    if let Some(p) = &args.side.paid_to_date {
        let mut m = HashMap::new();
        for r in read_small_csv(p, &["hospital", "paid"])? {
            m.insert(
                r[0].clone(),
                Fen::from_yuan(&r[1]).map_err(|e| format!("{}: paid: {e}", p.display()))?,
            );
        }
        inputs.paid_to_date = Some(m);
    }
    Ok((inputs, approved))
}

/// The grouping a policy settles with: a CHS-DRG scheme, or a compiled DIP catalog and its switches.
pub enum Grouping {
    /// DRG.
    Drg(Scheme),
    /// DIP.
    Dip(CompiledCatalog, DipPolicy),
}

/// Loads the grouping tables and DRG weights a policy names (or the overriding options); returns
/// them with the table's name for the statements. Shared by `settle`, `compare`, `sweep` and the
/// Python bindings' `Policy`, so a policy resolves its tables the same way everywhere. Weights
/// calibrated from a history are written to `args.out`.
pub fn load_grouping(
    src: &Source,
    args: &SettleArgs,
) -> Result<(Grouping, HashMap<String, GroupWeight>, String), String> {
    let t = &src.policy.tables;
    match src.policy.policy.bundle {
        BundleMethod::Drg => {
            let (scheme, name) = match (&args.side.scheme, &t.scheme) {
                (Some(p), _) => (
                    Scheme::load(p).map_err(|e| e.to_string())?,
                    p.display().to_string(),
                ),
                (None, Some(rel)) => {
                    let (bytes, name) = src.table(rel)?;
                    (
                        Scheme::from_json_slice(&bytes, &name).map_err(|e| e.to_string())?,
                        name,
                    )
                }
                (None, None) => {
                    return Err(format!(
                        "{}: no scheme: give --scheme or tables.scheme",
                        src.origin
                    ))
                }
            };
            let years = t.history_year_weights.as_deref().unwrap_or("1:2:7");
            let map = !args.side.no_map_codes;
            let weights = match (
                &args.side.weights,
                &args.side.history,
                &t.drg_weights,
                &t.drg_history,
            ) {
                (Some(p), _, _, _) => {
                    let b = std::fs::read(p)
                        .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
                    read_weights(&b, &p.display().to_string())?
                }
                (None, Some(h), _, _) => calibrate_weights(&scheme, h, years, map, &args.out)?,
                (None, None, Some(rel), _) => {
                    let (b, name) = src.table(rel)?;
                    read_weights(&b, &name)?
                }
                (None, None, None, Some(rel)) => {
                    let h = src
                        .dir
                        .as_ref()
                        .map(|d| d.join(rel))
                        .ok_or("the embedded demo has no DRG history")?;
                    calibrate_weights(&scheme, &h, years, map, &args.out)?
                }
                (None, None, None, None) => {
                    return Err(format!(
                    "{}: no DRG weights: give --weights, tables.drg_weights or tables.drg_history",
                    src.origin
                ))
                }
            };
            Ok((Grouping::Drg(scheme), weights, name))
        }
        BundleMethod::Dip => {
            let (bytes, name) = match (&args.side.catalog, &t.dip_catalog) {
                (Some(p), _) => (
                    std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
                    p.display().to_string(),
                ),
                (None, Some(rel)) => src.table(rel)?,
                (None, None) => {
                    return Err(format!(
                        "{}: no DIP catalog: give --catalog or tables.dip_catalog",
                        src.origin
                    ))
                }
            };
            let catalog = DipCatalog::from_slice(&bytes, &name).map_err(|e| e.to_string())?;
            let compiled = catalog.compile(&name).map_err(|e| e.to_string())?;
            let grouping = t.dip_grouping.as_deref().unwrap_or("national");
            let policy = match DipPolicy::preset(grouping) {
                Some(p) => p,
                None => {
                    let p = src
                        .dir
                        .as_ref()
                        .map_or_else(|| PathBuf::from(grouping), |d| d.join(grouping));
                    super::dip::load_policy(&p.display().to_string())?
                }
            };
            Ok((Grouping::Dip(compiled, policy), HashMap::new(), name))
        }
    }
}

/// Calibrates DRG weights from a discharge history grouped with the active scheme (or from a grouped
/// history with a `drg` column), writes them to `out/drg-weights.csv` for the record, and returns
/// them. The year comes from a `year` column, else from `discharge_date`.
fn calibrate_weights(
    scheme: &Scheme,
    history: &Path,
    years: &str,
    map_codes: bool,
    out: &Path,
) -> Result<HashMap<String, GroupWeight>, String> {
    use grouper::calibrate::drg::DrgWeigher;
    let name = history.display().to_string();
    let years = years
        .parse()
        .map_err(|e| format!("tables.history_year_weights: {e}"))?;
    let mut w = DrgWeigher::new(years, "none".parse().map_err(|e| format!("{e}"))?);
    let mut reader = crate::io::csv_scan::CsvRows::new(open_input(history)?);
    let mut header = Row::new();
    if !reader
        .read(&mut header)
        .map_err(|e| format!("{name}: {e}"))?
    {
        return Err(format!("{name} is empty"));
    }
    let find = |n: &str| header.iter().position(|h| h == n.as_bytes());
    let (c_year, c_date, c_cost, c_drg) = (
        find("year"),
        find("discharge_date"),
        find("total_cost").ok_or_else(|| format!("{name}: no column total_cost"))?,
        find("drg"),
    );
    let grouper = Grouper::with_options(
        scheme,
        Options {
            map_codes,
            ..Options::default()
        },
    );
    let cols = match c_drg {
        Some(_) => None,
        None => Some(Columns::from_header(&header).map_err(|e| format!("{name}: {e}"))?),
    };
    let mut row = Row::new();
    let mut line = 1u64;
    while reader.read(&mut row).map_err(|e| format!("{name}: {e}"))? {
        line += 1;
        let text = |c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .map(|b| String::from_utf8_lossy(b).trim().to_string())
                .unwrap_or_default()
        };
        let year_text = match c_year {
            Some(_) => text(c_year),
            None => text(c_date).chars().take(4).collect(),
        };
        let Ok(year) = year_text.parse::<i32>() else {
            w.reject(line, format!("year: {year_text:?} is not a year"));
            continue;
        };
        let cost = text(Some(c_cost));
        let drg = match &cols {
            None => text(c_drg),
            Some(cols) => match cols.record(&row) {
                Ok(r) => {
                    let g = grouper.group(&r);
                    if g.status != grouper::Status::Success {
                        w.skip_not_grouped();
                        continue;
                    }
                    g.drg.to_string()
                }
                Err(reason) => {
                    w.reject(line, reason);
                    continue;
                }
            },
        };
        w.add(line, year, &drg, &cost);
    }
    let (weights, report) = w.finish().map_err(|e| format!("{name}: {e}"))?;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut buf = Vec::new();
    crate::io::csv::write_row(&mut buf, ["drg", "cases", "mean_cost", "weight"]);
    let mut map = HashMap::new();
    for x in &weights {
        let mean = format!("{:.2}", x.mean_cost);
        let weight = format!("{:.4}", x.weight);
        crate::io::csv::write_row(
            &mut buf,
            [x.drg.as_str(), &x.cases.to_string(), &mean, &weight],
        );
        map.insert(
            x.drg.clone(),
            GroupWeight {
                weight: weight.parse().map_err(|e| format!("{name}: {e}"))?,
                mean_cost: Fen::from_yuan(&mean).map_err(|e| format!("{name}: {e}"))?,
            },
        );
    }
    let path = out.join("drg-weights.csv");
    std::fs::write(&path, buf).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!(
        "drgdip settle: weights calibrated from {name}: {} rows, {} cases used, {} not grouped, {} rejected, {} DRGs -> {}",
        report.rows_read,
        report.cases_used,
        report.skipped_not_grouped,
        report.rejections.count,
        report.drgs,
        path.display()
    );
    Ok(map)
}
