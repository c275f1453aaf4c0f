//! `drgdip gen`: deterministic demo discharge records (see [`crate::gen`]).

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use clap::Args;

use super::pipeline::open_output;
use crate::gen::{self, Accepted, GenOptions, GenSummary};

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
    /// Output CSV; `-` writes standard output
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
    let mut out = BufWriter::with_capacity(1 << 20, open_output(&args.out)?);
    let summary = gen::generate(&opts, &accepted, &mut out)?;
    out.flush()
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let years = match args.years {
        Some((a, b)) if a != b => format!("{a}-{b}"),
        Some((a, _)) => a.to_string(),
        None => "2025".into(),
    };
    eprintln!(
        "drgdip gen: {} cases ({} deliberately bad) from {} case types at {} hospitals, {years} months 1-{}, seed {} -> {}",
        summary.cases,
        summary.bad_rows,
        summary.case_types,
        args.hospitals,
        args.months,
        args.seed,
        args.out.display()
    );
    Ok(summary)
}
