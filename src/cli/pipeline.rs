//! The streaming CSV pipeline shared by the row-by-row commands (`group`, `dip group`).
//!
//! A reader thread parses raw CSV rows into reusable chunks; each chunk is processed and formatted in
//! parallel (rayon, sub-chunks keep their order); the main thread writes the formatted bytes in input
//! order. Memory is bounded by a few chunks whatever the file size. Every row is handed to the
//! processor, which must write exactly one output row for it and count it under one status.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::time::Instant;

use rayon::prelude::*;

use crate::io::csv::{flush_to, write_row};

const CHUNK: usize = 16 * 1024;
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
    File::create(p)
        .map(|f| Box::new(f) as Box<dyn Write>)
        .map_err(|e| format!("cannot create output {}: {e}", p.display()))
}

/// A byte-based progress bar on standard error for long runs over a file, only when standard error is
/// a terminal (scripts and CI stay quiet).
fn progress_bar(input: &Path) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || input.as_os_str() == "-" {
        return None;
    }
    let len = std::fs::metadata(input).ok()?.len();
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} ({eta})",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Streams `input` to `output`.
///
/// `columns` reads the header row into whatever the processor needs (an error aborts with a message).
/// `process(columns, rows, first_line, out, counts)` formats one output row per input row into `out`
/// and counts each under a status index of `statuses`. `label` names the command in the summary line.
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
    C: Sync,
    H: FnOnce(&csv::ByteRecord) -> Result<C, String>,
    P: Fn(&C, &[csv::ByteRecord], u64, &mut Vec<u8>, &mut Counts) + Sync,
{
    let started = Instant::now();
    let input_name = input.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .buffer_capacity(1 << 20)
        .from_reader(BufReader::with_capacity(1 << 20, open_input(input)?));
    let mut header = csv::ByteRecord::new();
    match reader.read_byte_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Err(format!("input {input_name} is empty: no header row")),
        Err(e) => return Err(format!("cannot read input {input_name}: {e}")),
    }
    let cols = columns(&header).map_err(|e| format!("{input_name}: {e}"))?;

    let output_name = output.display().to_string();
    let mut out = BufWriter::with_capacity(1 << 20, open_output(output)?);
    let mut head = Vec::new();
    write_row(&mut head, out_header.iter().copied());
    flush_to(&mut out, &head, &output_name)?;

    let progress = progress_bar(input);
    let mut counts = Counts::new(statuses);
    type Chunk = (u64, Vec<csv::ByteRecord>, usize);
    let (full_tx, full_rx) = mpsc::sync_channel::<Result<Chunk, String>>(2);
    let (empty_tx, empty_rx) = mpsc::channel::<Vec<csv::ByteRecord>>();
    for _ in 0..3 {
        let _ = empty_tx.send(vec![csv::ByteRecord::new(); CHUNK]);
    }
    let reader_progress = progress.clone();
    std::thread::scope(|scope| -> Result<(), String> {
        scope.spawn(move || {
            let progress = reader_progress;
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
                if let Some(p) = &progress {
                    p.set_position(reader.position().byte());
                }
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
                    let mut bytes = Vec::with_capacity(rows.len() * 64);
                    let mut c = Counts::new(statuses);
                    process(
                        &cols,
                        rows,
                        first + (k * SUB_CHUNK) as u64,
                        &mut bytes,
                        &mut c,
                    );
                    (bytes, c)
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
