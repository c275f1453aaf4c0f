//! Calibration from history: `drgdip dip build-catalog` (DIP groups and scores) and `drgdip drg
//! weights` (DRG relative weights). Rows are read by column name; a row that cannot be used is
//! counted with its line and reason, never dropped silently.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use grouper::calibrate::drg::{DrgWeigher, DrgWeight};
use grouper::calibrate::{Rejections, Trim, YearShare, YearWeights};
use grouper::dip::calibrate::{
    DipCalibration, DipCalibrator, HistoryRecord, CORE_COVERAGE_GUIDELINE,
};
use grouper::dip::{DipCatalog, DipHospital};
use grouper::Codes;

use super::pipeline::open_output;
use crate::io::csv::{write_row, NamedColumns, DRG_COST_COLUMNS, HISTORY_COLUMNS};
use crate::io::rows::RowReader;

/// Arguments of `drgdip dip build-catalog`.
#[derive(Args, Debug)]
pub struct BuildCatalogArgs {
    /// History CSV (or Parquet, `.parquet`) with columns year, diagnoses, procedures, total_cost
    /// (others ignored); `-` reads standard input
    #[arg(long)]
    pub input: PathBuf,
    /// Where to write the catalog (drgdip-dip/1 JSON); `-` writes standard output
    #[arg(long)]
    pub output: PathBuf,
    /// A combination with at least this many cases (all years) becomes a core group
    #[arg(long, default_value_t = 15)]
    pub min_cases: u64,
    /// Score scale K: score = group mean / all-case mean x K
    #[arg(long, default_value_t = 100.0)]
    pub k: f64,
    /// Year weights, oldest to newest; fewer years present use the last weights
    #[arg(long, default_value = "1:2:7")]
    pub year_weights: YearWeights,
    /// Outlier trimming within each group: none, iqr, or pLO-HI (e.g. p5-95)
    #[arg(long, default_value = "none")]
    pub trim: Trim,
    /// A catalog whose procedure dictionary and excluded procedures are used and copied
    #[arg(long)]
    pub dictionary: Option<PathBuf>,
    /// Write the calibration report (JSON) here
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// A JSON list of hospitals (DipHospital: code, factor, mean-cost factors, point prices) copied
    /// into the catalog so `dip group` can settle with it
    #[arg(long)]
    pub hospitals: Option<PathBuf>,
    /// The catalog's name
    #[arg(long, default_value = "calibrated DIP catalog")]
    pub name: String,
}

/// Arguments of `drgdip drg weights`.
#[derive(Args, Debug)]
pub struct DrgWeightsArgs {
    /// Grouped costs CSV (or Parquet, `.parquet`) with columns year, drg, total_cost and optionally
    /// status (only SUCCESS rows are used); `-` reads standard input
    #[arg(long)]
    pub input: PathBuf,
    /// Weights CSV (drg, cases, mean_cost, weight); `-` writes standard output
    #[arg(long)]
    pub output: PathBuf,
    /// Year weights, oldest to newest; fewer years present use the last weights
    #[arg(long, default_value = "1:2:7")]
    pub year_weights: YearWeights,
    /// Outlier trimming within each DRG: none, iqr, or pLO-HI (e.g. p5-95)
    #[arg(long, default_value = "none")]
    pub trim: Trim,
    /// Write the report (JSON) here
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// Reads a CSV or Parquet file ([`RowReader`]) by column name, calling `row(columns, line, fields)`
/// for each row, in input order; the fields are an error (the reason) for a row with the wrong
/// number of fields or a field that is not UTF-8.
fn read_csv<const N: usize>(
    input: &Path,
    names: &'static [&'static str; N],
    optional: &[&str],
    mut row: impl FnMut(&NamedColumns<N>, u64, Result<[&str; N], String>),
) -> Result<(), String> {
    let mut reader = RowReader::open(input)?;
    let cols = NamedColumns::from_header(reader.header(), names, optional)
        .map_err(|e| format!("{}: {e}", reader.name()))?;
    reader.read_only(&cols.located())?;
    let mut chunk = Vec::new();
    loop {
        let first = reader.rows_read() + 2;
        let n = reader.next_chunk(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        for (k, rec) in chunk[..n].iter().enumerate() {
            let line = rec.line().unwrap_or(first + k as u64);
            row(
                &cols,
                line,
                cols.fields(rec).map_err(|e| format!("unreadable row: {e}")),
            );
        }
    }
}

fn parse_year(s: &str) -> Result<i32, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("year: {s:?} is not a year"))
}

/// Writes pretty JSON (made by `serde_json::to_string_pretty`) and a newline.
fn write_json(path: &Path, json: serde_json::Result<String>) -> Result<(), String> {
    let json = json.map_err(|e| e.to_string())?;
    let mut out = open_output(path)?;
    out.write_all(json.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `2022 (w 0.1, 120 cases), …`
fn years_line(years: &[YearShare]) -> String {
    years
        .iter()
        .map(|y| format!("{} (w {:.4}, {} cases)", y.year, y.weight, y.cases))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Prints the rejection counts and the first few examples to standard error.
fn print_rejections(r: &Rejections) {
    if r.count == 0 {
        return;
    }
    eprintln!("  rejected {} rows: {}", r.count, r.summary());
    for x in r.examples.iter().take(5) {
        eprintln!("    line {}: {}", x.line, x.reason);
    }
}

/// Reads a JSON list of hospitals, saying which entry is wrong.
fn load_hospitals(path: &Path) -> Result<Vec<DipHospital>, String> {
    let name = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read hospitals {name}: {e}"))?;
    let hospitals: Vec<DipHospital> = serde_json::from_slice(&bytes).map_err(|e| {
        format!("hospitals {name}: expected a JSON list of {{code, factor, mean_cost_factor_employee, mean_cost_factor_resident, basic_mean_cost_factor_employee, basic_mean_cost_factor_resident, point_price_employee, point_price_resident}}: {e}")
    })?;
    let mut seen = std::collections::HashSet::new();
    for (i, h) in hospitals.iter().enumerate() {
        if h.code.trim().is_empty() {
            return Err(format!("hospitals {name}: entry {i} has an empty code"));
        }
        if !seen.insert(h.code.as_str()) {
            return Err(format!(
                "hospitals {name}: hospital {:?} is listed twice",
                h.code
            ));
        }
    }
    Ok(hospitals)
}

/// Runs `drgdip dip build-catalog`; returns the report.
pub fn build_catalog(
    args: &BuildCatalogArgs,
) -> Result<grouper::dip::calibrate::DipCalibrationReport, String> {
    let dictionary = match &args.dictionary {
        Some(p) => Some(DipCatalog::load(p).map_err(|e| e.to_string())?),
        None => None,
    };
    let params = DipCalibration {
        min_cases: args.min_cases,
        k: args.k,
        year_weights: args.year_weights.clone(),
        trim: args.trim,
        name: args.name.clone(),
        source: args.input.display().to_string(),
    };
    let mut cal = DipCalibrator::new(params, dictionary.as_ref()).map_err(|e| e.to_string())?;
    read_csv(&args.input, &HISTORY_COLUMNS, &[], |_, line, f| {
        match f.and_then(|f| parse_year(f[0]).map(|y| (y, f))) {
            Ok((year, f)) => {
                let principal = Codes::Joined(f[1]).iter_dx().next().unwrap_or("");
                let r = HistoryRecord {
                    year,
                    principal,
                    procedures: Codes::Joined(f[2]),
                    total_cost: f[3],
                };
                cal.add(line, &r);
            }
            Err(reason) => cal.reject(line, reason),
        }
    })?;
    let (mut catalog, report) = cal.finish().map_err(|e| e.to_string())?;
    if let Some(p) = &args.hospitals {
        catalog.hospitals = load_hospitals(p)?;
    }
    let out = args.output.display().to_string();
    catalog
        .clone()
        .compile(&out)
        .map_err(|e| format!("the built catalog does not compile (a bug): {e}"))?;
    write_json(&args.output, serde_json::to_string_pretty(&catalog))?;
    if let Some(p) = &args.report {
        write_json(p, serde_json::to_string_pretty(&report))?;
    }
    eprintln!(
        "drgdip dip build-catalog: {} rows read, {} cases used, {} rejected; years {}",
        report.rows_read,
        report.cases_used,
        report.rejections.count,
        years_line(&report.years)
    );
    print_rejections(&report.rejections);
    eprintln!(
        "  {} core groups (>= {} cases), {} comprehensive groups; core coverage {:.2}% of cases ({} the guideline of {:.0}%)",
        report.core_groups,
        report.min_cases,
        report.comprehensive_groups,
        report.core_coverage * 100.0,
        if report.meets_coverage_guideline { "meets" } else { "below" },
        CORE_COVERAGE_GUIDELINE * 100.0
    );
    eprintln!(
        "  all-case mean {:.2} yuan, K {}, trim {} ({} cases trimmed) -> {out}",
        report.overall_mean_cost, report.k, report.trim, report.trimmed
    );
    Ok(report)
}

/// Runs `drgdip drg weights`; returns the weights.
pub fn drg_weights(args: &DrgWeightsArgs) -> Result<Vec<DrgWeight>, String> {
    let mut w = DrgWeigher::new(args.year_weights.clone(), args.trim);
    read_csv(
        &args.input,
        &DRG_COST_COLUMNS,
        &["status"],
        |cols, line, f| {
            let f = match f {
                Ok(f) => f,
                Err(reason) => return w.reject(line, reason),
            };
            if cols.has("status") && f[3].trim() != "SUCCESS" {
                return w.skip_not_grouped();
            }
            match parse_year(f[0]) {
                Ok(year) => w.add(line, year, f[1], f[2]),
                Err(reason) => w.reject(line, reason),
            }
        },
    )?;
    let (weights, report) = w.finish().map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    write_row(&mut buf, ["drg", "cases", "mean_cost", "weight"]);
    for x in &weights {
        write_row(
            &mut buf,
            [
                x.drg.as_str(),
                &x.cases.to_string(),
                &format!("{:.2}", x.mean_cost),
                &format!("{:.4}", x.weight),
            ],
        );
    }
    let mut out = open_output(&args.output)?;
    out.write_all(&buf)
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    if let Some(p) = &args.report {
        write_json(p, serde_json::to_string_pretty(&report))?;
    }
    eprintln!(
        "drgdip drg weights: {} rows read, {} cases used, {} not grouped, {} rejected; years {}",
        report.rows_read,
        report.cases_used,
        report.skipped_not_grouped,
        report.rejections.count,
        years_line(&report.years)
    );
    print_rejections(&report.rejections);
    eprintln!(
        "  {} DRGs, all-case mean {:.2} yuan, trim {} ({} cases trimmed) -> {}",
        report.drgs,
        report.overall_mean_cost,
        report.trim,
        report.trimmed,
        args.output.display()
    );
    Ok(weights)
}
