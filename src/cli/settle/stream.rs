//! The `settle` run over a cases file of any size, reading it once, with memory bounded by a
//! 48-byte [`Slip`] per case:
//!
//! 1. read, group and price every row (in parallel, chunk by chunk); keep its slip in memory, and
//!    its `cases.csv` row without the fund payment (plus the few numbers the statements count) in
//!    a spill file ([`spill`]); rejected rows go to `rejected.csv` at once;
//! 2. with a policy `[signals]`: detect over the run's stays, and scale the slips' points where
//!    the readmission rule says so ([`Adjustments`]);
//! 3. close the pools on the slips ([`close_pools`]): every case's fund payment to the fen;
//! 4. read the spill back and write `cases.csv` in input order with the points and fund payments,
//!    counting the per-hospital sums and the report's figures; duplicate ids go to `rejected.csv`;
//! 5. finish the statements ([`statements`]) and write `hospitals.csv` and `summary.json` (and the
//!    signal files).

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use grouper::dip::DipGrouper;
use grouper::{Grouper, Options};
use rayon::prelude::*;
use settlement::close::funds::close_pools;
use settlement::close::statements;
use settlement::engine::Engine;
use settlement::settle::{Counts, Settlement};
use settlement::slip::{DUPLICATE, NOT_HONOURED};

use super::read::{read_all, Gathered, Outputs, Pricer, G, REJECTIONS_KEPT};
use super::spill::{self, Spill};
use super::write::{write_all, Closed, Files, DUPLICATE_ROW};
use super::{inputs, load_grouping, Grouping, SettleArgs, Source};
use crate::cli::pipeline::progress_bar;
use crate::io::cases::SettleColumns;
use crate::io::csv::{Columns, DipColumns};
use crate::io::rows::RowReader;
use crate::io::signals::adjust::Adjustments;
use crate::io::signals::SignalColumns;
use crate::io::statement;
use crate::report::kpi::Figures;

/// A settle run's results: the statements (without the cases, which are in `cases.csv`) and the
/// report's figures.
pub struct Outcome {
    /// Pools, hospitals, counts and the first rejections.
    pub settlement: Settlement,
    /// Figures for the report.
    pub figures: Figures,
}

/// Runs `drgdip settle`.
pub fn run(args: &SettleArgs) -> Result<Outcome, String> {
    let started = Instant::now();
    let src = Source::load(args.policy.as_deref())?;
    let (grouping, weights, table_name) = load_grouping(&src, args)?;
    let (inputs, approved) = inputs(args)?;
    let engine = Engine::new(src.policy.clone(), weights).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let options = Options {
        map_codes: !args.side.no_map_codes,
        ..Options::default()
    };
    let name = args.cases.display().to_string();
    let mut reader = RowReader::open(&args.cases)?;
    let header = reader.header().clone();
    let head_err = |e: crate::io::csv::HeaderError| format!("{name}: {e}");
    let g = match &grouping {
        Grouping::Drg(s) => G::Drg(
            Grouper::with_options(s, options),
            Columns::from_header(&header).map_err(head_err)?,
        ),
        Grouping::Dip(c, p) => G::Dip(
            DipGrouper::new(c, p),
            DipColumns::from_header(&header).map_err(head_err)?,
        ),
    };
    let pricer = Pricer {
        g,
        cols: SettleColumns::from_header(&header).map_err(head_err)?,
        engine: &engine,
        approved: &approved,
        signals: match &engine.policy.signals {
            Some(r) => Some(
                SignalColumns::from_header(&header)
                    .map_err(head_err)?
                    .only_for(r),
            ),
            None => None,
        },
        compress_spill: !args.uncompressed_spill,
    };
    reader.read_only(&pricer.columns_read())?;
    // Reserve the slips once: growing a vector of millions by doubling would hold the old and the
    // new copy at once. Untouched capacity costs address space, not memory, so a CSV file is
    // reserved for its largest possible row count (a case row is longer than 64 bytes).
    let expected = match reader.progress_total() {
        (crate::io::rows::ProgressUnit::Rows, Some(n)) => n,
        (crate::io::rows::ProgressUnit::Bytes, Some(b)) => b / 64,
        _ => 0,
    };
    let out_file = |n: &str| -> Result<(PathBuf, std::io::BufWriter<std::fs::File>), String> {
        let p = args.out.join(n);
        let f = crate::io::create_output(&p)
            .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        // Small: the large pieces (a block's case rows) are written straight from their buffers.
        Ok((p, std::io::BufWriter::with_capacity(64 << 10, f)))
    };
    let fail = |p: &Path| {
        let p = p.display().to_string();
        move |e: std::io::Error| format!("cannot write {p}: {e}")
    };
    // `cases.csv` is written last, but an old one is removed now, on a thread of its own: freeing
    // a large file's cached pages can take a while, and the read need not wait for it.
    let cases_p = args.out.join("cases.csv");
    let cases_file = {
        let p = cases_p.clone();
        std::thread::spawn(move || crate::io::create_output(&p))
    };
    let (rejected_p, mut rejected_w) = out_file("rejected.csv")?;
    let mut head = Vec::new();
    statement::rejected_header(&mut head);
    rejected_w.write_all(&head).map_err(fail(&rejected_p))?;

    // 1. Read: slips in memory, rows in the spill.
    let bar = progress_bar(&args.cases, &mut reader);
    let mut spill = Spill::create(&args.out)?;
    let buffers = spill::Buffers::default();
    let gathered = read_all(
        reader,
        &pricer,
        usize::try_from(expected).unwrap_or(0),
        Outputs {
            name: &name,
            spill: &mut spill,
            rejected: &mut rejected_w,
            rejected_path: &rejected_p,
            buffers: &buffers,
        },
    )?;
    let Gathered {
        mut table,
        mut slips,
        approved: mut approved_cases,
        rejected,
        mut kept,
        stays,
        rows,
    } = gathered;
    let mut counts = Counts {
        rejected,
        ..Counts::default()
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let read = started.elapsed().as_secs_f64();

    // 2. Supervision signals over the whole run, then the readmission points adjustments the
    // policy asks for (before the pools close, so the point value reflects them).
    let signals = match &engine.policy.signals {
        Some(rules) => Some(
            stays
                .detect(rules)
                .map_err(|e| format!("{name}: signals: {e}"))?,
        ),
        None => None,
    };
    let adjustments = signals
        .as_ref()
        .map_or_else(Adjustments::default, |(s, _)| Adjustments::new(s));
    let rounding = engine.stages.points;
    adjustments.apply_to_slips(&mut slips, &mut approved_cases, rounding)?;

    // 3. Close the pools.
    let remap = table.sort();
    slips
        .par_iter_mut()
        .for_each(|s| s.hospital = remap[s.hospital as usize]);
    for a in &mut approved_cases {
        a.hospital = remap[a.hospital as usize];
    }
    let funds = close_pools(
        &engine,
        &mut slips,
        &mut approved_cases,
        table.len(),
        &inputs,
    )
    .map_err(|e| e.to_string())?;
    // Scattered in parallel (the slips are in the close's order, not the input's).
    let fund_by_row: Vec<AtomicI64> = (0..rows)
        .into_par_iter()
        .map(|_| AtomicI64::new(DUPLICATE_ROW))
        .collect();
    slips
        .par_iter()
        .filter(|s| s.flags & DUPLICATE == 0)
        .for_each(|s| fund_by_row[s.row as usize].store(s.value, Ordering::Relaxed));
    let fund_by_row: Vec<i64> = fund_by_row.into_iter().map(AtomicI64::into_inner).collect();
    let not_honoured: HashSet<u32> = slips
        .iter()
        .filter(|s| s.flags & NOT_HONOURED != 0)
        .map(|s| s.row)
        .collect();
    drop(slips);
    let payees: Vec<&str> = table.codes().iter().map(|c| engine.payee_of(c)).collect();
    let closed = started.elapsed().as_secs_f64();

    // 4. cases.csv from the spill, with the fund payments; the sums for the statements.
    let mut cases_w = cases_file
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the thread creating it panicked")))
        .map(|f| std::io::BufWriter::with_capacity(64 << 10, f))
        .map_err(fail(&cases_p))?;
    head.clear();
    statement::cases_header(&mut head);
    cases_w.write_all(&head).map_err(fail(&cases_p))?;
    let policy = &engine.policy;
    let written = write_all(
        &engine,
        &Closed {
            fund_by_row: &fund_by_row,
            not_honoured: &not_honoured,
            table: &table,
            payees: &payees,
            adjustments: &adjustments,
            rounding,
        },
        spill.reopen()?,
        &buffers,
        Files {
            cases: &mut cases_w,
            cases_path: &cases_p,
            rejected: &mut rejected_w,
            rejected_path: &rejected_p,
        },
    )?;
    counts.settled += written.settled;
    counts.rejected += written.rejected;
    let room = REJECTIONS_KEPT - kept.len().min(REJECTIONS_KEPT);
    kept.extend(written.kept.into_iter().take(room));
    let (tally, mut figures) = (written.tally, written.figures);
    drop(spill);
    cases_w.flush().map_err(fail(&cases_p))?;
    rejected_w.flush().map_err(fail(&rejected_p))?;
    if counts.settled + counts.rejected != rows {
        return Err(format!(
            "{name}: {rows} rows read but {} settled and {} rejected",
            counts.settled, counts.rejected
        ));
    }
    let written = started.elapsed().as_secs_f64();

    // 5. Statements.
    let (pools, hospitals) =
        statements(&engine, table.codes(), tally, funds, &inputs).map_err(|e| e.to_string())?;
    figures.add_hospitals(policy, &hospitals);
    let settlement = Settlement {
        period: policy.policy.period,
        pools,
        hospitals,
        cases: Vec::new(),
        rejected: kept,
        counts,
    };
    statement::write_summaries(&args.out, &engine, &settlement, &src.origin, &table_name)?;
    if let Some((s, signal_counts)) = &signals {
        crate::io::signals::write::write_run(&args.out, s, signal_counts)?;
    }
    if let Some(path) = &args.report {
        crate::report::write_run(
            path,
            &engine,
            &settlement,
            &figures,
            &src.origin,
            &table_name,
        )?;
    }
    eprintln!(
        "drgdip settle: {} cases in, {} settled, {} rejected, in {:.2}s (read {:.2}s, close {:.2}s, write {:.2}s) -> {}",
        counts.settled + counts.rejected,
        counts.settled,
        counts.rejected,
        started.elapsed().as_secs_f64(),
        read,
        closed - read,
        written - closed,
        args.out.display()
    );
    Ok(Outcome {
        settlement,
        figures,
    })
}
