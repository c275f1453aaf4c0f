//! `drgdip gen`: deterministic demo discharge records (see [`crate::gen`]).

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use clap::Args;

use super::pipeline::open_output;
use crate::gen::{self, Accepted, GenOptions, GenSummary};
use crate::io::parquet::{ColumnType, ParquetSink};
use crate::io::rows::Format;

/// The Parquet type of a generated column: whole numbers as `Int64`, dates as `Date32`, money (yuan
/// with two decimals) as `Decimal128(18, 2)`, codes and names as text. Read back, every value has the
/// text of the CSV output, so the same seed gives the same rows in both formats.
pub fn column_type(name: &str) -> ColumnType {
    match name {
        "hospital_level" | "age" | "age_days" | "weight" | "los" | "icu_hours" | "year" => {
            ColumnType::Int64
        }
        "birth_date" | "admit_date" | "discharge_date" => ColumnType::Date,
        "total_cost" | "patient_share" | "outpatient_cost" => ColumnType::Decimal(2),
        _ => ColumnType::Utf8,
    }
}

/// Arguments of `drgdip gen`.
#[derive(Args, Debug)]
pub struct GenArgs {
    /// Draw codes from this scheme (opendrg-scheme/1) so records group under it; default: the
    /// embedded demo scheme (data/demo/scheme.json)
    #[arg(long)]
    pub scheme: Option<PathBuf>,
    /// Number of hospitals H01, H02, …: the first 3 tertiary, the next 7 secondary, the rest primary
    #[arg(long, default_value_t = 20)]
    pub hospitals: usize,
    /// Number of records to write
    #[arg(long)]
    pub cases: u64,
    /// Discharges fall in the first N months (1-12) of each year
    #[arg(long, default_value_t = 1)]
    pub months: u32,
    /// Seed of the generator: the same arguments and seed give the same bytes on every machine
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Spread the records over these years (`2024` or `2022-2024`) and add a `year` column; default:
    /// 2025, no year column
    #[arg(long, value_parser = parse_years)]
    pub years: Option<(i32, i32)>,
    /// Output CSV, or Parquet when the name ends in `.parquet` (typed columns); `-` writes standard
    /// output (CSV)
    #[arg(long)]
    pub out: PathBuf,
}

/// Parses `2024` or `2022-2024`.
fn parse_years(s: &str) -> Result<(i32, i32), String> {
    let year = |y: &str| -> Result<i32, String> {
        match y.trim().parse::<i32>() {
            Ok(v) if (1900..=2100).contains(&v) => Ok(v),
            _ => Err(format!(
                "{y:?} is not a year (1900-2100); write e.g. 2025 or 2022-2024"
            )),
        }
    };
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (year(a)?, year(b)?),
        None => (year(s)?, year(s)?),
    };
    if a > b {
        return Err(format!("{s:?}: the first year is after the last"));
    }
    Ok((a, b))
}

/// Runs `drgdip gen`; returns what was written.
pub fn run(args: &GenArgs) -> Result<GenSummary, String> {
    let accepted = match &args.scheme {
        Some(p) => {
            let name = p.display().to_string();
            grouper::Scheme::load(p).map_err(|e| e.to_string())?;
            let json = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read scheme {name}: {e}"))?;
            Accepted::from_scheme_json(&json, &name)?
        }
        None => Accepted::from_scheme_json(gen::DEMO_SCHEME, "data/demo/scheme.json (embedded)")?,
    };
    let opts = GenOptions {
        hospitals: args.hospitals,
        cases: args.cases,
        months: args.months,
        seed: args.seed,
        years: args.years,
    };
    let summary = if Format::of(&args.out) == Format::Parquet {
        // The generator writes CSV; the sink parses it back into typed columns as it goes.
        let mut header = gen::COLUMNS.to_vec();
        if opts.years.is_some() {
            header.push("year");
        }
        let types: Vec<ColumnType> = header.iter().map(|h| column_type(h)).collect();
        let mut sink = ParquetSink::create(&args.out, &header, &types)?.with_header_row();
        let summary = gen::generate(&opts, &accepted, &mut sink)?;
        sink.finish()?;
        summary
    } else {
        let mut out = BufWriter::with_capacity(1 << 20, open_output(&args.out)?);
        let summary = gen::generate(&opts, &accepted, &mut out)?;
        out.flush()
            .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
        summary
    };
    let years = match args.years {
        Some((a, b)) if a != b => format!("{a}-{b}"),
        Some((a, _)) => a.to_string(),
        None => "2025".into(),
    };
    eprintln!(
        "drgdip gen: {} cases ({} deliberately bad, {} readmissions) from {} case types at {} hospitals, {years} months 1-{}, seed {} -> {}",
        summary.cases,
        summary.bad_rows,
        summary.readmissions,
        summary.case_types,
        args.hospitals,
        args.months,
        args.seed,
        args.out.display()
    );
    Ok(summary)
}
