//! The read of a `settle` run (step 1 of [`super::stream`]): every row is read, grouped and priced
//! in parallel tasks of [`TASK_ROWS`] rows; each task seals its spill block and formats its
//! rejections itself, and a gathering thread takes the tasks' results in input order (slips,
//! hospital codes, spill blocks, `rejected.csv` rows) while the next chunk is being priced, so the
//! serial part of the read overlaps the parallel part.

use crate::io::row::Row;
use std::collections::HashSet;
use std::io::Write;
use std::sync::mpsc;

use grouper::dip::DipGrouper;
use grouper::Grouper;
use rayon::prelude::*;
use settlement::case::{Bundle, Case, DrgOutcome, DrgResult};
use settlement::engine::{Engine, Rejection};
use settlement::money::Fen;
use settlement::price::{Priced, Pricing, Value};
use settlement::signals::Stay;
use settlement::slip::{Approved, Hospitals, Key, Slip, APPROVED};

use super::spill::{self, Block, Formula, Spill, Variant};
use crate::cli::pipeline::for_each_chunk;
use crate::io::cases::{dip_bundle, drg_bundle, empty_case, SettleColumns};
use crate::io::csv::{Checked, Columns, DipColumns};
use crate::io::rows::RowReader;
use crate::io::signals::run::RunStays;
use crate::io::signals::{stay_lenient, SignalColumns};
use crate::io::statement;
use crate::report::kpi::Facts;

/// Rejections kept in memory for the report (all are in `rejected.csv`).
pub const REJECTIONS_KEPT: usize = 1000;
/// Rows per parallel task.
const TASK_ROWS: usize = 1024;

/// The grouper a run uses, with the columns it reads.
pub enum G<'a> {
    /// CHS-DRG.
    Drg(Grouper<'a>, Columns),
    /// DIP.
    Dip(DipGrouper<'a>, DipColumns),
}

/// Reads, groups and prices one row.
pub struct Pricer<'a> {
    /// The grouper.
    pub g: G<'a>,
    /// The settlement columns.
    pub cols: SettleColumns,
    /// The engine.
    pub engine: &'a Engine,
    /// Approved special-review case ids.
    pub approved: &'a HashSet<String>,
    /// The columns the policy's `[signals]` read, when it has any.
    pub signals: Option<SignalColumns>,
    /// Whether spill blocks are compressed.
    pub compress_spill: bool,
}

/// A priced row: its pool, the level its hospital is priced at, and the pricing.
type PricedRow = (usize, u8, Pricing);

impl Pricer<'_> {
    /// Reads a row into `case` (its strings reused from the row before) and prices it.
    fn price(&self, row: &Row, line: u64, case: &mut Case) -> Result<PricedRow, Rejection> {
        let approved = |id: &str| !self.approved.is_empty() && self.approved.contains(id);
        let checked = Checked::new(row);
        let bundle = match &self.g {
            G::Drg(gr, c) => c.record_checked(checked).map(|r| drg_bundle(&gr.group(&r))),
            G::Dip(gr, c) => c.record_checked(checked).map(|r| dip_bundle(&gr.group(&r))),
        };
        bundle
            .and_then(|b| {
                self.cols.fill(checked, &approved, case)?;
                case.bundle = b;
                Ok(())
            })
            .map_err(|reason| Rejection {
                id: self.cols.id_lossy(row),
                reason: format!("line {line}: {reason}"),
            })?;
        self.engine.price_case(case)
    }

    /// The input columns the run reads.
    pub fn columns_read(&self) -> Vec<usize> {
        let mut c = self.cols.located();
        c.extend(self.signals.iter().flat_map(SignalColumns::located));
        c.extend(match &self.g {
            G::Drg(_, x) => x.located(),
            G::Dip(_, x) => x.located(),
        });
        c
    }
}

/// What the read keeps of a priced row in memory (the rest goes to the spill).
struct First {
    key: Key,
    row: u32,
    /// Index into the task's [`Read::hospitals`].
    hospital: u32,
    pool: usize,
    value: Value,
    patient_share: Fen,
    approved: Option<(String, Value)>,
    /// Boxed: only a `[signals]` run has stays, and the others should not move its size about.
    stay: Option<Box<(Stay, Option<String>)>>,
}

/// What one parallel task of the read produced.
#[derive(Default)]
struct Read {
    firsts: Vec<First>,
    /// The hospital codes of the task's cases, each once (a task sees a handful).
    hospitals: Vec<String>,
    block: Option<spill::Sealed>,
    rejected: Vec<u8>,
    rejections: u64,
    kept: Vec<Rejection>,
    error: Option<String>,
}

impl Read {
    fn reject(&mut self, r: Rejection) {
        statement::rejected_row(&mut self.rejected, &r);
        self.rejections += 1;
        if self.kept.len() < REJECTIONS_KEPT {
            self.kept.push(r);
        }
    }

    /// The task-local index of a hospital code.
    fn hospital(&mut self, code: &str) -> u32 {
        match self.hospitals.iter().position(|h| h == code) {
            Some(i) => i as u32,
            None => {
                self.hospitals.push(code.to_string());
                (self.hospitals.len() - 1) as u32
            }
        }
    }
}

/// Prices the rows of one task: slips' data, the sealed spill block, rejections.
fn read_task(pricer: &Pricer<'_>, first: u64, rows: &[Row], pool: &spill::Buffers) -> Read {
    // The block's buffer comes from the pool and goes back once written: a fresh quarter-megabyte
    // per task would cost page faults.
    let mut block = Block::new(pool.take());
    let mut out = read_rows(pricer, first, rows, &mut block);
    match Spill::seal(block.into_rows(), pricer.compress_spill, pool) {
        Ok(sealed) => out.block = Some(sealed),
        Err(e) => out.error = Some(e),
    }
    out
}

fn read_rows(pricer: &Pricer<'_>, first: u64, rows: &[Row], block: &mut Block) -> Read {
    let engine = pricer.engine;
    let mut out = Read {
        firsts: Vec::with_capacity(rows.len()),
        ..Read::default()
    };
    let (mut ratio, mut ratio2) = (Vec::new(), Vec::new());
    let mut case = empty_case(Bundle::Drg(DrgResult {
        outcome: DrgOutcome::Ungroupable,
        code: String::new(),
        reason: String::new(),
    }));
    for (k, row) in rows.iter().enumerate() {
        let r = first + k as u64;
        let Ok(row_no) = u32::try_from(r) else {
            out.error = Some(format!("more than {} rows in one run", u32::MAX));
            return out;
        };
        let (pool, level, mut pricing): PricedRow = match pricer.price(row, r + 2, &mut case) {
            Ok(p) => p,
            Err(rejection) => {
                out.reject(rejection);
                continue;
            }
        };
        let key = Key::of(&case.id);
        let stay = pricer
            .signals
            .as_ref()
            .map(|cols| Box::new(stay_lenient(cols, row, &case, engine)));
        let variant = |p: &'_ Priced, ratio: &mut Vec<u8>| {
            ratio.clear();
            if let Some(x) = p.ratio {
                statement::ratio_text(ratio, x);
            }
            (Facts::of(p, case.total_cost, Fen::ZERO), p.value)
        };
        let primary = &pricing.primary;
        let (facts, value) = variant(primary, &mut ratio);
        let fallback = pricing.without_review.take();
        let second = fallback.as_ref().map(|p| (p, variant(p, &mut ratio2)));
        let mut variants = vec![Variant {
            facts,
            value,
            line: primary.line.as_bytes(),
            ratio: &ratio,
            formula: Formula::split(&primary.formula),
            note: primary.note.as_bytes(),
        }];
        if let Some((p, (facts, value))) = second {
            variants.push(Variant {
                facts,
                value,
                line: p.line.as_bytes(),
                ratio: &ratio2,
                formula: Formula::split(&p.formula),
                note: p.note.as_bytes(),
            });
        }
        block.push(
            &spill::Case {
                row: row_no,
                level,
                total_cost: case.total_cost,
                patient_share: case.patient_share,
                pool,
                hospital: &case.hospital,
                id: &case.id,
            },
            &variants,
        );
        drop(variants);
        let approved = fallback.map(|p| (case.id.clone(), p.value));
        let hospital = out.hospital(&case.hospital);
        out.firsts.push(First {
            key,
            row: row_no,
            hospital,
            pool,
            value: primary.value,
            patient_share: case.patient_share,
            approved,
            stay,
        });
    }
    out
}

/// What the read gathered: the slips and what goes with them.
#[derive(Default)]
pub struct Gathered {
    /// Hospital codes (by first appearance; sorted before the close).
    pub table: Hospitals,
    /// One slip per priced case, in input order.
    pub slips: Vec<Slip>,
    /// Approved special-review cases.
    pub approved: Vec<Approved>,
    /// Rows rejected.
    pub rejected: u64,
    /// The first rejections.
    pub kept: Vec<Rejection>,
    /// Stays for the supervision signals (a `[signals]` policy).
    pub stays: RunStays,
    /// Rows read.
    pub rows: u64,
}

impl Gathered {
    /// Takes one task's results (in input order).
    fn take(&mut self, t: Read, out: &mut Outputs<'_>) -> Result<(), String> {
        if let Some(e) = t.error {
            return Err(format!("{}: {e}", out.name));
        }
        let local: Vec<u32> = t.hospitals.iter().map(|h| self.table.intern(h)).collect();
        for f in t.firsts {
            let h = local[f.hospital as usize];
            let mut slip = Slip::new(f.key, f.row, h, f.pool, f.value, f.patient_share);
            if let Some((id, fallback)) = f.approved {
                slip.flags |= APPROVED;
                self.approved.push(Approved {
                    row: f.row,
                    id,
                    hospital: h,
                    fallback,
                });
            }
            self.slips.push(slip);
            if let Some(s) = f.stay {
                self.stays.push(*s);
            }
        }
        if let Some(sealed) = t.block {
            out.spill.write(&sealed)?;
            out.buffers.give(sealed.into_buffer());
        }
        out.rejected
            .write_all(&t.rejected)
            .map_err(|e| format!("cannot write {}: {e}", out.rejected_path.display()))?;
        self.rejected += t.rejections;
        let room = REJECTIONS_KEPT - self.kept.len().min(REJECTIONS_KEPT);
        self.kept.extend(t.kept.into_iter().take(room));
        Ok(())
    }
}

/// Where the read writes.
pub struct Outputs<'a> {
    /// The input's name, for messages.
    pub name: &'a str,
    /// The spill file.
    pub spill: &'a mut Spill,
    /// `rejected.csv`.
    pub rejected: &'a mut (dyn Write + Send),
    /// Its path, for messages.
    pub rejected_path: &'a std::path::Path,
    /// Buffers shared with the tasks.
    pub buffers: &'a spill::Buffers,
}

/// Reads, groups and prices every row of `reader`: the slips in memory (reserved for `expected`
/// rows), the rows in the spill, the rejections in `rejected.csv`.
pub fn read_all(
    reader: RowReader,
    pricer: &Pricer<'_>,
    expected: usize,
    mut out: Outputs<'_>,
) -> Result<Gathered, String> {
    let buffers = out.buffers;
    let gathered = Gathered {
        // Reserved once: growing a vector of millions by doubling would hold the old and the new
        // copy at once.
        slips: Vec::with_capacity(expected),
        ..Gathered::default()
    };
    let (tx, rx) = mpsc::sync_channel::<Vec<Read>>(2);
    std::thread::scope(|scope| {
        let gatherer = scope.spawn(|| -> Result<Gathered, String> {
            let mut g = gathered;
            for tasks in rx {
                for t in tasks {
                    g.take(t, &mut out)?;
                }
            }
            Ok(g)
        });
        let read = for_each_chunk(reader, |first, rows| {
            let tasks: Vec<Read> = rows
                .par_chunks(TASK_ROWS)
                .enumerate()
                .map(|(t, rows)| read_task(pricer, first + (t * TASK_ROWS) as u64, rows, buffers))
                .collect();
            // A closed channel means the gatherer stopped on an error: that error is the one to
            // report.
            tx.send(tasks).map_err(|_| String::new())
        });
        drop(tx);
        let g = gatherer
            .join()
            .unwrap_or_else(|_| Err("the gathering thread panicked".into()))?;
        let rows = read?;
        Ok(Gathered { rows, ..g })
    })
}
