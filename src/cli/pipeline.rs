//! The streaming pipeline shared by the row-by-row commands (`group`, `dip group`), CSV or Parquet
//! in and out.
//!
//! A reader thread reads raw rows (CSV rows, or Parquet rows as text) into reusable chunks; each chunk is processed and formatted in
//! parallel (rayon, sub-chunks keep their order); the main thread writes the formatted bytes in input
//! order. Memory is bounded by a few chunks whatever the file size. Every row is handed to the
//! processor, which must write exactly one output row for it and count it under one status.

use crate::io::row::Row;
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::time::Instant;

use rayon::prelude::*;

use crate::io::rows::{ProgressUnit, RowReader, RowWriter, CHUNK_ROWS};

const SUB_CHUNK: usize = 1024;

/// Counts of output rows by status, for a fixed list of status names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counts {
    names: &'static [&'static str],
    /// Count per status, in the order of the names.
    pub counts: Vec<u64>,
}

impl Counts {
    /// Zero counts for these statuses.
    pub fn new(names: &'static [&'static str]) -> Self {
        Counts {
            names,
            counts: vec![0; names.len()],
        }
    }

    fn add(&mut self, o: &Counts) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
    }

    /// Total rows.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The count of a status name.
    pub fn get(&self, name: &str) -> u64 {
        self.names
            .iter()
            .position(|n| *n == name)
            .map_or(0, |i| self.counts[i])
    }

    /// `SUCCESS 18074, FAIL 545, …` (zero counts left out).
    pub fn summary(&self) -> String {
        self.names
            .iter()
            .zip(&self.counts)
            .filter(|(_, n)| **n > 0)
            .map(|(s, n)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The input columns a processor reads, by index in the header, so that a Parquet input decodes only
/// those (the others come out as empty fields; a CSV row is read whole anyway).
pub trait ColumnsRead {
    /// The columns read, in any order.
    fn columns_read(&self) -> Vec<usize>;
}

/// Opens an input file, or standard input for `-`.
pub fn open_input(p: &Path) -> Result<Box<dyn Read + Send>, String> {
    if p.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    File::open(p)
        .map(|f| Box::new(f) as Box<dyn Read + Send>)
        .map_err(|e| format!("cannot open input {}: {e}", p.display()))
}

/// Creates an output file, or writes standard output for `-`.
pub fn open_output(p: &Path) -> Result<Box<dyn Write>, String> {
    if p.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdout()));
    }
    crate::io::create_output(p)
        .map(|f| Box::new(f) as Box<dyn Write>)
        .map_err(|e| format!("cannot create output {}: {e}", p.display()))
}

/// A progress bar on standard error for long runs over a file (bytes of a CSV file, rows of a
/// Parquet file), only when standard error is a terminal (scripts and CI stay quiet).
pub(crate) fn progress_bar(input: &Path, reader: &mut RowReader) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || input.as_os_str() == "-" {
        return None;
    }
    let (unit, total) = reader.progress_total();
    let bar =
        indicatif::ProgressBar::with_draw_target(total, indicatif::ProgressDrawTarget::stderr());
    let template = match unit {
        ProgressUnit::Bytes => "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} ({eta})",
        ProgressUnit::Rows => "{elapsed_precise} [{wide_bar}] {pos}/{len} rows ({eta})",
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    let hook = bar.clone();
    reader.on_progress(move |p| hook.set_position(p.done));
    Some(bar)
}

/// Streams `input` to `output`, each CSV or Parquet by its file name ([`crate::io::rows`]).
///
/// `columns` reads the header row into whatever the processor needs (an error aborts with a message).
/// `process(columns, rows, first_line, out, counts)` formats one output row per input row into `out`
/// as CSV and counts each under a status index of `statuses`; `first_line` is the line of the first
/// row counting the header as line 1 (for Parquet, the row number + 1). `label` names the command in
/// the summary line. A Parquet output has text (Utf8) columns.
pub fn run<C, H, P>(
    label: &str,
    input: &Path,
    output: &Path,
    out_header: &[&str],
    statuses: &'static [&'static str],
    columns: H,
    process: P,
) -> Result<Counts, String>
where
    C: Sync + ColumnsRead,
    H: FnOnce(&Row) -> Result<C, String>,
    P: Fn(&C, &[Row], u64, &mut Vec<u8>, &mut Counts) + Sync,
{
    let started = Instant::now();
    let mut reader = RowReader::open(input)?;
    let input_name = reader.name().to_string();
    let cols = columns(reader.header()).map_err(|e| format!("{input_name}: {e}"))?;
    reader.read_only(&cols.columns_read())?;
    let unsupported = reader.unsupported_columns();
    if !unsupported.is_empty() {
        eprintln!(
            "drgdip {label}: note: {input_name}: columns read as empty (no text form): {}",
            unsupported.join(", ")
        );
    }
    let out = RowWriter::create(output, out_header, &[])?;

    let progress = progress_bar(input, &mut reader);
    let mut counts = Counts::new(statuses);
    let (done_tx, done_rx) = mpsc::sync_channel::<Vec<Vec<u8>>>(2);
    let out = std::thread::scope(|scope| -> Result<RowWriter, String> {
        // The writer (a Parquet sink encodes and compresses) works beside the processing.
        let writer = scope.spawn(move || -> Result<RowWriter, String> {
            let mut out = out;
            for parts in done_rx {
                for bytes in &parts {
                    out.write_csv(bytes)?;
                }
            }
            Ok(out)
        });
        let processed = for_each_chunk(reader, |first, rows| {
            let parts: Vec<(Vec<u8>, Counts)> = rows
                .par_chunks(SUB_CHUNK)
                .enumerate()
                .map(|(k, rows)| {
                    let mut bytes = Vec::with_capacity(rows.len() * 64);
                    let mut c = Counts::new(statuses);
                    // Lines count the header as line 1.
                    let line = first + 2 + (k * SUB_CHUNK) as u64;
                    process(&cols, rows, line, &mut bytes, &mut c);
                    (bytes, c)
                })
                .collect();
            for (_, c) in &parts {
                counts.add(c);
            }
            // A closed channel means the writer failed: its error is the one to report.
            done_tx
                .send(parts.into_iter().map(|p| p.0).collect())
                .map_err(|_| "the writer stopped".to_string())
        });
        drop(done_tx);
        let out = writer
            .join()
            .unwrap_or_else(|_| Err("the writer thread panicked".into()))?;
        processed.map(|_| out)
    })?;
    out.finish()?;
    if let Some(p) = &progress {
        p.finish_and_clear();
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "drgdip {label}: {} rows in {:.2}s ({:.0} rows/s): {}",
        counts.total(),
        secs,
        counts.total() as f64 / secs.max(1e-9),
        counts.summary()
    );
    Ok(counts)
}

/// Reads `reader` on a thread of its own and hands each chunk of rows to `f` with the index of its
/// first row (0-based, header excluded), so reading overlaps the work on the previous chunk.
/// Returns the number of rows read.
pub fn for_each_chunk(
    mut reader: RowReader,
    mut f: impl FnMut(u64, &[Row]) -> Result<(), String>,
) -> Result<u64, String> {
    type Chunk = (u64, Vec<Row>, usize);
    let (full_tx, full_rx) = mpsc::sync_channel::<Result<Chunk, String>>(2);
    let (empty_tx, empty_rx) = mpsc::channel::<Vec<Row>>();
    for _ in 0..3 {
        let _ = empty_tx.send(vec![Row::new(); CHUNK_ROWS]);
    }
    std::thread::scope(|scope| {
        // Owned here, so every way out (errors too) drops it and the reader thread stops.
        let empty_tx = empty_tx;
        scope.spawn(move || loop {
            let Ok(mut buf) = empty_rx.recv() else { return };
            let first = reader.rows_read();
            match reader.next_chunk(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    if full_tx.send(Ok((first, buf, n))).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = full_tx.send(Err(e));
                    return;
                }
            }
        });
        let mut rows = 0u64;
        for msg in full_rx {
            let (first, buf, n) = msg?;
            f(first, &buf[..n])?;
            rows = first + n as u64;
            let _ = empty_tx.send(buf);
        }
        Ok(rows)
    })
}
