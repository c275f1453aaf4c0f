//! `drgdip group`: CSV or Parquet in, CSV or Parquet out, one output row per input row in input order.
//!
//! Streams through [`super::pipeline`]: bounded memory, parallel grouping, input order kept.

use crate::io::row::Row;
use std::path::PathBuf;

use clap::Args;
use grouper::{Grouper, Grouping, MappingMode, Options, Scheme};

use super::pipeline::{self, ColumnsRead, Counts};
use crate::io::csv::{locate_extra, write_field, write_kept, Columns};

/// Arguments of `drgdip group`.
#[derive(Args, Debug)]
pub struct GroupArgs {
    /// Scheme file (opendrg-scheme/1 JSON), e.g. ../shared/schemes/opendrg/chs_drg_11.json
    #[arg(long)]
    pub scheme: PathBuf,
    /// Input CSV, or Parquet when the name ends in `.parquet`, with columns id,gender,age,age_days,
    /// weight,dept,los,leaving_type,diagnoses,procedures and optionally icu_hours; `-` reads standard
    /// input (CSV)
    #[arg(long)]
    pub input: PathBuf,
    /// Output CSV, or Parquet when the name ends in `.parquet` (id,status,mdc,adrg,drg,drg_name,
    /// reason, and trace with --trace); `-` writes standard output (CSV)
    #[arg(long)]
    pub output: PathBuf,
    /// Map codes through the scheme's code maps before grouping (the default)
    #[arg(long, overrides_with = "no_map_codes")]
    pub map_codes: bool,
    /// Group codes as given, without mapping
    #[arg(long, overrides_with = "map_codes")]
    pub no_map_codes: bool,
    /// Reproduce the reference grouper's first-occurrence mapping defect (for comparisons only)
    #[arg(long)]
    pub reference_mapping: bool,
    /// Add a `trace` column explaining every decision
    #[arg(long)]
    pub trace: bool,
    /// Copy these input columns (comma-separated names) to the output, after `reason`
    #[arg(long, value_delimiter = ',')]
    pub keep: Vec<String>,
}

/// Status names in output order (indexes are `Status::index`).
const STATUSES: [&str; 8] = [
    "SUCCESS",
    "FAIL",
    "QY",
    "CHECK_FAILED",
    "ZD_NOT_MAPPING",
    "SS_NOT_MAPPING",
    "EXCEPTION",
    "UNREADABLE",
];

/// The record columns and the kept ones.
impl ColumnsRead for (Columns, Vec<usize>) {
    fn columns_read(&self) -> Vec<usize> {
        let mut read = self.0.located();
        read.extend(&self.1);
        read
    }
}

/// Formats one result row.
fn format_row(
    out: &mut Vec<u8>,
    id: &str,
    g: &Grouping<'_>,
    kept: (&Row, &[usize]),
    trace: Option<&str>,
) {
    write_field(out, id);
    for f in [g.status.as_str(), g.mdc, g.adrg, g.drg, g.drg_name] {
        out.push(b',');
        write_field(out, f);
    }
    out.push(b',');
    if let Some(r) = &g.reason {
        write_field(out, &r.to_string());
    }
    write_kept(out, kept.0, kept.1);
    if let Some(t) = trace {
        out.push(b',');
        write_field(out, t);
    }
    out.push(b'\n');
}

/// Groups and formats a slice of raw rows.
fn process(
    grouper: &Grouper<'_>,
    (cols, kept): &(Columns, Vec<usize>),
    rows: &[Row],
    first_line: u64,
    trace: bool,
    out: &mut Vec<u8>,
    counts: &mut Counts,
) {
    for (i, row) in rows.iter().enumerate() {
        match cols.record(row) {
            Ok(rec) => {
                if trace {
                    let (g, t) = grouper.group_traced(&rec);
                    counts.counts[g.status.index()] += 1;
                    format_row(out, rec.id, &g, (row, kept), Some(&t.one_line()));
                } else {
                    let g = grouper.group(&rec);
                    counts.counts[g.status.index()] += 1;
                    format_row(out, rec.id, &g, (row, kept), None);
                }
            }
            Err(problem) => {
                let line = first_line + i as u64;
                let g = Grouping::unreadable(format!("line {line}: {problem}"));
                counts.counts[g.status.index()] += 1;
                format_row(
                    out,
                    &cols.id_lossy(row),
                    &g,
                    (row, kept),
                    trace.then_some(""),
                );
            }
        }
    }
}

/// Runs `drgdip group`; returns the counts by status.
pub fn run(args: &GroupArgs) -> Result<Counts, String> {
    let scheme = Scheme::load(&args.scheme).map_err(|e| e.to_string())?;
    let options = Options {
        map_codes: !args.no_map_codes,
        mapping_mode: if args.reference_mapping {
            MappingMode::ReferenceFirstOccurrence
        } else {
            MappingMode::PerCode
        },
    };
    let grouper = Grouper::with_options(&scheme, options);
    let mut header = vec!["id", "status", "mdc", "adrg", "drg", "drg_name", "reason"];
    header.extend(args.keep.iter().map(String::as_str));
    if args.trace {
        header.push("trace");
    }
    pipeline::run(
        "group",
        &args.input,
        &args.output,
        &header,
        &STATUSES,
        |h| {
            let cols = Columns::from_header(h).map_err(|e| e.to_string())?;
            Ok((cols, locate_extra(h, &args.keep)?))
        },
        |cols, rows, first, out, counts| {
            process(&grouper, cols, rows, first, args.trace, out, counts)
        },
    )
}

#[cfg(test)]
mod tests {
    use grouper::Status;

    #[test]
    fn status_names_follow_status_indexes() {
        for s in Status::ALL {
            assert_eq!(super::STATUSES[s.index()], s.as_str());
        }
    }
}
