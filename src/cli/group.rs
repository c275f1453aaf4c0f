//! `drgdip group`: CSV in, CSV out, one output row per input row in input order.
//!
//! Pipeline: a reader thread parses raw CSV rows into reusable chunks; each chunk is grouped and
//! formatted in parallel (rayon, sub-chunks keep their order); the main thread writes the formatted
//! bytes. Memory is bounded by a few chunks whatever the file size.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Instant;

use clap::Args;
use grouper::{Grouper, Grouping, MappingMode, Options, Scheme, Status};
use rayon::prelude::*;

use crate::io::csv::{flush_to, write_field, Columns};

/// Arguments of `drgdip group`.
#[derive(Args, Debug)]
pub struct GroupArgs {
    /// Scheme file (opendrg-scheme/1 JSON), e.g. ../shared/schemes/opendrg/chs_drg_11.json
    #[arg(long)]
    pub scheme: PathBuf,
    /// Input CSV with columns id,gender,age,age_days,weight,dept,los,leaving_type,diagnoses,procedures
    /// and optionally icu_hours; `-` reads standard input
    #[arg(long)]
    pub input: PathBuf,
    /// Output CSV (id,status,mdc,adrg,drg,drg_name,reason, and trace with --trace); `-` writes
    /// standard output
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
}

const CHUNK: usize = 16 * 1024;
const SUB_CHUNK: usize = 1024;

/// Counts of output rows by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts(pub [u64; Status::ALL.len()]);

impl Counts {
    fn add(&mut self, o: &Counts) {
        for (a, b) in self.0.iter_mut().zip(o.0) {
            *a += b;
        }
    }

    /// Total rows.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// `SUCCESS 18074, FAIL 545, …` (statuses with a zero count left out).
    pub fn summary(&self) -> String {
        Status::ALL
            .iter()
            .zip(self.0)
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn open_input(p: &PathBuf) -> Result<Box<dyn Read + Send>, String> {
    if p.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    File::open(p)
        .map(|f| Box::new(f) as Box<dyn Read + Send>)
        .map_err(|e| format!("cannot open input {}: {e}", p.display()))
}

fn open_output(p: &PathBuf) -> Result<Box<dyn Write>, String> {
    if p.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdout()));
    }
    File::create(p)
        .map(|f| Box::new(f) as Box<dyn Write>)
        .map_err(|e| format!("cannot create output {}: {e}", p.display()))
}

/// Formats one result row.
fn format_row(out: &mut Vec<u8>, id: &str, g: &Grouping<'_>, trace: Option<&str>) {
    write_field(out, id);
    for f in [g.status.as_str(), g.mdc, g.adrg, g.drg, g.drg_name] {
        out.push(b',');
        write_field(out, f);
    }
    out.push(b',');
    if let Some(r) = &g.reason {
        write_field(out, &r.to_string());
    }
    if let Some(t) = trace {
        out.push(b',');
        write_field(out, t);
    }
    out.push(b'\n');
}

/// Groups and formats a slice of raw rows.
fn process(
    grouper: &Grouper<'_>,
    cols: &Columns,
    rows: &[csv::ByteRecord],
    first_line: u64,
    trace: bool,
) -> (Vec<u8>, Counts) {
    let mut out = Vec::with_capacity(rows.len() * 48);
    let mut counts = Counts::default();
    for (i, row) in rows.iter().enumerate() {
        match cols.record(row) {
            Ok(rec) => {
                if trace {
                    let (g, t) = grouper.group_traced(&rec);
                    counts.0[g.status.index()] += 1;
                    format_row(&mut out, rec.id, &g, Some(&t.one_line()));
                } else {
                    let g = grouper.group(&rec);
                    counts.0[g.status.index()] += 1;
                    format_row(&mut out, rec.id, &g, None);
                }
            }
            Err(problem) => {
                let line = first_line + i as u64;
                let g = Grouping::unreadable(format!("line {line}: {problem}"));
                counts.0[g.status.index()] += 1;
                let t = trace.then_some("");
                format_row(&mut out, &cols.id_lossy(row), &g, t);
            }
        }
    }
    (out, counts)
}

/// Runs `drgdip group`; returns the counts by status.
pub fn run(args: &GroupArgs) -> Result<Counts, String> {
    let started = Instant::now();
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

    let input = open_input(&args.input)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .buffer_capacity(1 << 20)
        .from_reader(BufReader::with_capacity(1 << 20, input));
    let mut header = csv::ByteRecord::new();
    let input_name = args.input.display().to_string();
    match reader.read_byte_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Err(format!("input {input_name} is empty: no header row")),
        Err(e) => return Err(format!("cannot read input {input_name}: {e}")),
    }
    let cols = Columns::from_header(&header).map_err(|e| format!("{input_name}: {e}"))?;

    let output_name = args.output.display().to_string();
    let mut out = BufWriter::with_capacity(1 << 20, open_output(&args.output)?);
    let mut head = Vec::new();
    crate::io::csv::write_row(
        &mut head,
        ["id", "status", "mdc", "adrg", "drg", "drg_name", "reason"]
            .into_iter()
            .chain(args.trace.then_some("trace")),
    );
    flush_to(&mut out, &head, &output_name)?;

    let mut counts = Counts::default();
    let (full_tx, full_rx) =
        mpsc::sync_channel::<Result<(u64, Vec<csv::ByteRecord>, usize), String>>(2);
    let (empty_tx, empty_rx) = mpsc::channel::<Vec<csv::ByteRecord>>();
    for _ in 0..3 {
        let _ = empty_tx.send(vec![csv::ByteRecord::new(); CHUNK]);
    }
    std::thread::scope(|scope| -> Result<(), String> {
        scope.spawn(move || {
            let mut line: u64 = 2;
            loop {
                let Ok(mut buf) = empty_rx.recv() else { return };
                let mut n = 0;
                while n < buf.len() {
                    match reader.read_byte_record(&mut buf[n]) {
                        Ok(true) => n += 1,
                        Ok(false) => break,
                        Err(e) => {
                            let _ =
                                full_tx.send(Err(format!("cannot read input {input_name}: {e}")));
                            return;
                        }
                    }
                }
                if n == 0 {
                    return;
                }
                let first = line;
                line += n as u64;
                if full_tx.send(Ok((first, buf, n))).is_err() {
                    return;
                }
            }
        });
        for msg in full_rx {
            let (first, buf, n) = msg?;
            let parts: Vec<(Vec<u8>, Counts)> = buf[..n]
                .par_chunks(SUB_CHUNK)
                .enumerate()
                .map(|(k, rows)| {
                    process(
                        &grouper,
                        &cols,
                        rows,
                        first + (k * SUB_CHUNK) as u64,
                        args.trace,
                    )
                })
                .collect();
            let _ = empty_tx.send(buf);
            for (bytes, c) in &parts {
                flush_to(&mut out, bytes, &output_name)?;
                counts.add(c);
            }
        }
        drop(empty_tx);
        Ok(())
    })?;
    out.flush()
        .map_err(|e| format!("cannot write {output_name}: {e}"))?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "drgdip group: {} rows in {:.2}s ({:.0} rows/s): {}",
        counts.total(),
        secs,
        counts.total() as f64 / secs.max(1e-9),
        counts.summary()
    );
    Ok(counts)
}
