//! The write of a `settle` run (step 4 of [`super::stream`]): the spill is read back block by
//! block, each case gets its points and fund payment in parallel tasks (which also count the
//! statements' sums and the report's figures), and `cases.csv` is written in input order. Three
//! stages overlap: a thread reads the spill, the tasks format, and a thread writes the files and
//! merges the sums.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::sync::mpsc;

use rayon::prelude::*;
use settlement::close::tally::{Settled, Tally};
use settlement::engine::{Engine, Rejection};
use settlement::money::{Fen, Rounding};
use settlement::price::Value;
use settlement::slip::Hospitals;

use super::read::REJECTIONS_KEPT;
use super::spill::{self, Blocks};
use crate::io::signals::adjust::Adjustments;
use crate::io::statement::{self, Head};
use crate::report::kpi::{Figures, HospitalFigures};

/// Spill blocks handed out together to the threads.
const BLOCKS_AT_ONCE: usize = 16;

/// Bytes of `cases.csv` text a byte of spill records becomes, a little more than usual (about 2.1
/// on generated data: a formula's head and the ratio are stored once in a block or as numbers, and
/// written out in full).
const TEXT_PER_SPILL_BYTE: usize = 3;
/// Fund of a row rejected as a duplicate id.
pub const DUPLICATE_ROW: i64 = i64::MIN;

/// What the close decided per row, for the write.
pub struct Closed<'a> {
    /// Fund payment by input row ([`DUPLICATE_ROW`] for a duplicate id).
    pub fund_by_row: &'a [i64],
    /// Rows of approved special-review cases over the quota (paid without review).
    pub not_honoured: &'a HashSet<u32>,
    /// Hospitals, sorted.
    pub table: &'a Hospitals,
    /// Payee of each hospital.
    pub payees: &'a [&'a str],
    /// Readmission points adjustments.
    pub adjustments: &'a Adjustments,
    /// Points rounding.
    pub rounding: Rounding,
}

/// What the write produced beside the files.
pub struct Written {
    /// Cases settled.
    pub settled: u64,
    /// Rows rejected as duplicate ids.
    pub rejected: u64,
    /// The first of those rejections.
    pub kept: Vec<Rejection>,
    /// Per-hospital sums.
    pub tally: Tally,
    /// The report's figures.
    pub figures: Figures,
}

/// What one parallel task of the write produced.
struct Part {
    cases: Vec<u8>,
    rejected: Vec<u8>,
    kept: Vec<Rejection>,
    rejections: u64,
    settled: u64,
    tally: Tally,
    figures: Figures,
}

impl Part {
    fn new(hospitals: usize, pools: usize, cases: Vec<u8>) -> Part {
        Part {
            cases,
            rejected: Vec::new(),
            kept: Vec::new(),
            rejections: 0,
            settled: 0,
            tally: Tally::new(hospitals, pools),
            figures: Figures::default(),
        }
    }

    fn reject(&mut self, r: Rejection) {
        statement::rejected_row(&mut self.rejected, &r);
        self.rejections += 1;
        if self.kept.len() < REJECTIONS_KEPT {
            self.kept.push(r);
        }
    }
}

/// `buf`, or a new buffer when `buf` is smaller than a block's `cases.csv` text usually is (its
/// spill records' `spill_bytes` times [`TEXT_PER_SPILL_BYTE`]): a buffer grown by doubling is
/// copied at each step, and a buffer taken fresh costs no copy.
fn room_for_text(buf: Vec<u8>, spill_bytes: usize) -> Vec<u8> {
    let want = spill_bytes * TEXT_PER_SPILL_BYTE;
    if buf.capacity() >= want {
        buf
    } else {
        Vec::with_capacity(want)
    }
}

/// One block's cases with their points and fund payments.
fn write_block(
    engine: &Engine,
    closed: &Closed<'_>,
    b: &[u8],
    raw: &mut Vec<u8>,
    cases: Vec<u8>,
) -> Result<Part, String> {
    let policy = &engine.policy;
    let (nh, np) = (closed.table.len(), policy.pools.len());
    let rows = spill::open(b, raw)?;
    let mut part = Part::new(nh, np, room_for_text(cases, rows.len()));
    let mut records = spill::Reader::new(rows);
    let mut by_hospital = vec![HospitalFigures::default(); nh];
    while let Some(rec) = records.next_record() {
        let rec = rec?;
        let fund = closed.fund_by_row[rec.row as usize];
        if fund == DUPLICATE_ROW {
            let id = String::from_utf8_lossy(rec.id);
            part.reject(Rejection {
                id: id.to_string(),
                reason: format!("duplicate case id {id:?}: settled once, this row rejected"),
            });
            continue;
        }
        let fund = Fen(fund);
        let v = match &rec.variants {
            [_, Some(fallback)] if closed.not_honoured.contains(&rec.row) => fallback,
            [Some(primary), _] => primary,
            _ => return Err("the settle spill file is damaged".to_string()),
        };
        let hospital = closed
            .table
            .get(rec.hospital)
            .ok_or("the settle spill file is damaged")?;
        let mut facts = v.facts;
        facts.fund = fund;
        // A readmission adjustment changes the points and says so in the formula.
        let mut value = v.value;
        let mut adjusted = None;
        if let (Value::Points(_), Some(_)) = (value, closed.adjustments.of_key(rec.key)) {
            let mut p = settlement::price::Priced {
                value,
                formula: v.formula.text(),
                ..settlement::price::Priced::placeholder()
            };
            closed
                .adjustments
                .apply_to_priced(rec.key, &mut p, closed.rounding)?;
            value = p.value;
            adjusted = Some(p.formula);
        }
        let formula = match &adjusted {
            Some(f) => [f.as_bytes(), b"".as_slice()],
            None => [v.formula.head, v.formula.tail],
        };
        part.tally.add(&Settled {
            hospital,
            key: rec.key,
            level: rec.level,
            payee: closed.payees[hospital as usize],
            pool: rec.pool,
            route: facts.route,
            class: facts.class,
            points: match value {
                Value::Points(p) => Some(p),
                _ => None,
            },
            weight: facts.weight,
            fund,
            total_cost: facts.total_cost,
            patient_share: rec.patient_share,
        });
        let slot = by_hospital
            .get_mut(hospital as usize)
            .ok_or("the settle spill file is damaged")?;
        part.figures.add_case_to(policy, rec.pool, &facts, slot);
        let pool = policy
            .pools
            .get(rec.pool)
            .ok_or("the settle spill file is damaged")?;
        statement::case_row_head(
            &mut part.cases,
            &Head {
                id: rec.id,
                hospital: rec.hospital.as_bytes(),
                pool: &pool.id,
                route: facts.route,
                line: v.line,
                class: facts.class,
                ratio: v.ratio,
                weight: facts.weight,
            },
        );
        statement::case_row_points(&mut part.cases, value);
        statement::case_row_mid(&mut part.cases, v.value, rec.total_cost, rec.patient_share);
        statement::case_row_fund(&mut part.cases, fund);
        statement::case_row_tail_parts(&mut part.cases, formula, v.note);
        part.settled += 1;
    }
    for (i, h) in by_hospital.into_iter().enumerate() {
        part.figures.add_hospital(closed.table.code(i as u32), h);
    }
    Ok(part)
}

/// The files the write appends to.
pub struct Files<'a> {
    /// `cases.csv` (its header written).
    pub cases: &'a mut (dyn Write + Send),
    /// Its path, for messages.
    pub cases_path: &'a Path,
    /// `rejected.csv`.
    pub rejected: &'a mut (dyn Write + Send),
    /// Its path, for messages.
    pub rejected_path: &'a Path,
}

/// Writes every case of the spill to `cases.csv` (duplicate ids to `rejected.csv`), counting the
/// sums the statements need.
pub fn write_all(
    engine: &Engine,
    closed: &Closed<'_>,
    mut blocks: Blocks,
    buffers: &spill::Buffers,
    files: Files<'_>,
) -> Result<Written, String> {
    let (nh, np) = (closed.table.len(), engine.policy.pools.len());
    // The `cases.csv` texts go round a pool of their own: their buffers are twice the size of the
    // spill's, and one of those taken for a text would grow.
    let texts = spill::Buffers::default();
    let texts = &texts;
    let (batch_tx, batch_rx) = mpsc::sync_channel::<Result<Vec<Vec<u8>>, String>>(2);
    let (part_tx, part_rx) = mpsc::sync_channel::<Vec<Part>>(2);
    std::thread::scope(|scope| {
        // The spill is read ahead of the tasks.
        scope.spawn(move || loop {
            let mut batch = Vec::with_capacity(BLOCKS_AT_ONCE);
            let end = loop {
                if batch.len() == BLOCKS_AT_ONCE {
                    break Ok(false);
                }
                match blocks.next_block(buffers) {
                    Ok(Some(b)) => batch.push(b),
                    Ok(None) => break Ok(true),
                    Err(e) => break Err(e),
                }
            };
            let end = match end {
                Ok(end) => end,
                Err(e) => {
                    let _ = batch_tx.send(Err(e));
                    return;
                }
            };
            if !batch.is_empty() && batch_tx.send(Ok(batch)).is_err() {
                return;
            }
            if end {
                return;
            }
        });
        // The files are written, and the sums merged, behind the tasks.
        let writer = scope.spawn(move || -> Result<Written, String> {
            let Files {
                cases,
                cases_path,
                rejected,
                rejected_path,
            } = files;
            let mut w = Written {
                settled: 0,
                rejected: 0,
                kept: Vec::new(),
                tally: Tally::new(nh, np),
                figures: Figures::default(),
            };
            for parts in part_rx {
                for part in parts {
                    cases
                        .write_all(&part.cases)
                        .map_err(|e| format!("cannot write {}: {e}", cases_path.display()))?;
                    texts.give(part.cases);
                    rejected
                        .write_all(&part.rejected)
                        .map_err(|e| format!("cannot write {}: {e}", rejected_path.display()))?;
                    w.settled += part.settled;
                    w.rejected += part.rejections;
                    let room = REJECTIONS_KEPT - w.kept.len().min(REJECTIONS_KEPT);
                    w.kept.extend(part.kept.into_iter().take(room));
                    w.tally.merge(part.tally);
                    w.figures.merge(part.figures);
                }
            }
            Ok(w)
        });
        let formatted = (|| -> Result<(), String> {
            for batch in batch_rx {
                let batch = batch?;
                let parts: Vec<Result<Part, String>> = batch
                    .par_iter()
                    .map(|b| {
                        thread_local! {
                            static RAW: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
                        }
                        RAW.with_borrow_mut(|raw| write_block(engine, closed, b, raw, texts.take()))
                    })
                    .collect();
                for b in batch {
                    buffers.give(b);
                }
                let parts = parts.into_iter().collect::<Result<Vec<Part>, String>>()?;
                // A closed channel means the writer failed: its error is the one to report.
                if part_tx.send(parts).is_err() {
                    return Ok(());
                }
            }
            Ok(())
        })();
        drop(part_tx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err("the writing thread panicked".into()))?;
        formatted.map(|()| written)
    })
}
