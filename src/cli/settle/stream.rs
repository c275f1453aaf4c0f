//! The `settle` run over a cases file of any size, in two passes with memory bounded by a 48-byte
//! [`Slip`] per case:
//!
//! 1. read, group and price every row (in parallel, chunk by chunk) and keep only its slip;
//! 2. close the pools on the slips ([`close_pools`]): every case's fund payment to the fen;
//! 3. read the file again, group and price each row again (pricing is pure, so it is the same) and
//!    write its `cases.csv` row with the fund payment from step 2, or its `rejected.csv` row, while
//!    the per-hospital sums and the report's figures are counted;
//! 4. finish the statements ([`statements`]) and write `hospitals.csv` and `summary.json`.
//!
//! Standard input is read once into a temporary file in the output directory, since it cannot be
//! read twice.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use grouper::dip::DipGrouper;
use grouper::{Grouper, Options};
use rayon::prelude::*;
use settlement::case::Case;
use settlement::close::funds::close_pools;
use settlement::close::statements;
use settlement::close::tally::{Settled, Tally};
use settlement::engine::{Engine, HospitalRules, Rejection};
use settlement::money::Fen;
use settlement::points::Points;
use settlement::price::{Pricing, Value};
use settlement::settle::{CaseResult, Counts, Settlement};
use settlement::slip::{Approved, Hospitals, Key, Slip, APPROVED, DUPLICATE, NOT_HONOURED};

use super::{inputs, load_grouping, Grouping, SettleArgs, Source};
use crate::cli::pipeline::{for_each_chunk, progress_bar};
use crate::io::cases::{dip_bundle, drg_bundle, SettleColumns};
use crate::io::csv::{Columns, DipColumns};
use crate::io::rows::RowReader;
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

/// Rejections kept in memory for the report (all are in `rejected.csv`).
const REJECTIONS_KEPT: usize = 1000;
/// Rows per parallel task.
const TASK_ROWS: usize = 1024;
/// Fund of a row not settled in pass 1.
const NOT_PRICED: i64 = i64::MIN;
/// Fund of a row rejected as a duplicate id.
const DUPLICATE_ROW: i64 = i64::MIN + 1;

enum G<'a> {
    Drg(Grouper<'a>, Columns),
    Dip(DipGrouper<'a>, DipColumns),
}

/// Reads, groups and prices one row.
struct Pricer<'a> {
    g: G<'a>,
    cols: SettleColumns,
    engine: &'a Engine,
    approved: &'a HashSet<String>,
}

type PricedRow = (Case, usize, HospitalRules, Pricing);

impl Pricer<'_> {
    fn price(&self, row: &csv::ByteRecord, line: u64) -> Result<PricedRow, Rejection> {
        let approved = |id: &str| self.approved.contains(id);
        let bundle = match &self.g {
            G::Drg(gr, c) => c.record(row).map(|r| drg_bundle(&gr.group(&r))),
            G::Dip(gr, c) => c.record(row).map(|r| dip_bundle(&gr.group(&r))),
        };
        let case = bundle
            .and_then(|b| self.cols.case(row, &approved, b))
            .map_err(|reason| Rejection {
                id: self.cols.id_lossy(row),
                reason: format!("line {line}: {reason}"),
            })?;
        let (pool, h, pricing) = self.engine.price(&case)?;
        Ok((case, pool, h, pricing))
    }

    fn columns_read(&self) -> Vec<usize> {
        let mut c = self.cols.located();
        c.extend(match &self.g {
            G::Drg(_, x) => x.located(),
            G::Dip(_, x) => x.located(),
        });
        c
    }
}

/// What pass 1 keeps of a row.
enum First {
    Priced {
        key: Key,
        hospital: String,
        pool: usize,
        value: Value,
        patient_share: Fen,
        approved: Option<(String, Value)>,
    },
    Rejected,
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
    let spool = spool_stdin(&args.cases, &args.out)?;
    let cases_path = spool.as_ref().map_or(args.cases.clone(), |s| s.0.clone());
    let options = Options {
        map_codes: !args.no_map_codes,
        ..Options::default()
    };
    let name = args.cases.display().to_string();
    let open = || -> Result<(RowReader, Pricer<'_>), String> {
        let reader = RowReader::open(&cases_path)?;
        let header = reader.header().clone();
        let head = |e: crate::io::csv::HeaderError| format!("{name}: {e}");
        let g = match &grouping {
            Grouping::Drg(s) => G::Drg(
                Grouper::with_options(s, options),
                Columns::from_header(&header).map_err(head)?,
            ),
            Grouping::Dip(c, p) => G::Dip(
                DipGrouper::new(c, p),
                DipColumns::from_header(&header).map_err(head)?,
            ),
        };
        let pricer = Pricer {
            g,
            cols: SettleColumns::from_header(&header).map_err(head)?,
            engine: &engine,
            approved: &approved,
        };
        let mut reader = reader;
        reader.read_only(&pricer.columns_read())?;
        Ok((reader, pricer))
    };

    // Pass 1: slips.
    let (mut reader, pricer) = open()?;
    let bar = progress_bar(&args.cases, &mut reader);
    let mut table = Hospitals::new();
    let mut slips: Vec<Slip> = Vec::new();
    let mut approved_cases: Vec<Approved> = Vec::new();
    let rows = for_each_chunk(reader, |first, rows| {
        let firsts: Vec<First> = rows
            .par_iter()
            .enumerate()
            .map(|(k, row)| match pricer.price(row, first + k as u64 + 2) {
                Err(_) => First::Rejected,
                Ok((case, pool, _, pricing)) => First::Priced {
                    key: Key::of(&case.id),
                    approved: pricing
                        .without_review
                        .as_ref()
                        .map(|f| (case.id.clone(), f.value)),
                    hospital: case.hospital,
                    pool,
                    value: pricing.primary.value,
                    patient_share: case.patient_share,
                },
            })
            .collect();
        for (k, f) in firsts.into_iter().enumerate() {
            let row = u32::try_from(first + k as u64)
                .map_err(|_| format!("{name}: more than {} rows in one run", u32::MAX))?;
            if let First::Priced {
                key,
                hospital,
                pool,
                value,
                patient_share,
                approved,
            } = f
            {
                let h = table.intern(&hospital);
                let mut slip = Slip::new(key, row, h, pool, value, patient_share);
                if let Some((id, fallback)) = approved {
                    slip.flags |= APPROVED;
                    approved_cases.push(Approved {
                        row,
                        id,
                        hospital: h,
                        fallback,
                    });
                }
                slips.push(slip);
            }
        }
        Ok(())
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let pass1 = started.elapsed().as_secs_f64();

    // Close the pools.
    let remap = table.sort();
    for s in &mut slips {
        s.hospital = remap[s.hospital as usize];
    }
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
    let mut fund_by_row = vec![NOT_PRICED; rows as usize];
    let mut not_honoured = HashSet::new();
    for s in &slips {
        fund_by_row[s.row as usize] = if s.flags & DUPLICATE != 0 {
            DUPLICATE_ROW
        } else {
            s.value
        };
        if s.flags & NOT_HONOURED != 0 {
            not_honoured.insert(s.row);
        }
    }
    drop(slips);
    let closed = started.elapsed().as_secs_f64();

    // Pass 2: statements row by row.
    let (mut reader, pricer) = open()?;
    let bar = progress_bar(&args.cases, &mut reader);
    let out_file = |n: &str| -> Result<(PathBuf, std::io::BufWriter<std::fs::File>), String> {
        let p = args.out.join(n);
        let f =
            std::fs::File::create(&p).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        Ok((p, std::io::BufWriter::with_capacity(1 << 20, f)))
    };
    let (cases_p, mut cases_w) = out_file("cases.csv")?;
    let (rejected_p, mut rejected_w) = out_file("rejected.csv")?;
    let mut head = Vec::new();
    statement::cases_header(&mut head);
    let fail = |p: &Path| {
        let p = p.display().to_string();
        move |e: std::io::Error| format!("cannot write {p}: {e}")
    };
    cases_w.write_all(&head).map_err(fail(&cases_p))?;
    head.clear();
    statement::rejected_header(&mut head);
    rejected_w.write_all(&head).map_err(fail(&rejected_p))?;
    let (nh, np) = (table.len(), engine.policy.pools.len());
    let mut tally = Tally::new(nh, np);
    let mut figures = Figures::default();
    let mut counts = Counts::default();
    let mut kept: Vec<Rejection> = Vec::new();
    let policy = &engine.policy;
    let rows2 = for_each_chunk(reader, |first, rows| {
        let parts: Vec<Result<Part, String>> = rows
            .par_chunks(TASK_ROWS)
            .enumerate()
            .map(|(t, rows)| {
                let mut part = Part::new(nh, np);
                let first = first + (t * TASK_ROWS) as u64;
                for (k, row) in rows.iter().enumerate() {
                    let r = first + k as u64;
                    let fund = fund_by_row.get(r as usize).copied().unwrap_or(NOT_PRICED);
                    match pricer.price(row, r + 2) {
                        Err(rejection) => {
                            if fund != NOT_PRICED {
                                return Err(changed(&name, r));
                            }
                            part.reject(rejection);
                        }
                        Ok(_) if fund == NOT_PRICED => return Err(changed(&name, r)),
                        Ok((case, _, _, _)) if fund == DUPLICATE_ROW => part.reject(Rejection {
                            reason: format!(
                                "duplicate case id {:?}: settled once, this row rejected",
                                case.id
                            ),
                            id: case.id,
                        }),
                        Ok((case, pool, h, mut pricing)) => {
                            let priced = match pricing.without_review.take() {
                                Some(f) if not_honoured.contains(&(r as u32)) => f,
                                _ => pricing.primary,
                            };
                            let hospital =
                                table.get(&case.hospital).ok_or_else(|| changed(&name, r))?;
                            let fund = Fen(fund);
                            part.tally.add(&Settled {
                                hospital,
                                key: Key::of(&case.id),
                                level: h.level,
                                payee: &h.payee,
                                pool,
                                priced: &priced,
                                fund,
                                total_cost: case.total_cost,
                                patient_share: case.patient_share,
                            });
                            part.figures.add_case(
                                policy,
                                &case.hospital,
                                pool,
                                &priced,
                                case.total_cost,
                                fund,
                            );
                            let points = match priced.value {
                                Value::Points(p) => p,
                                _ => Points::ZERO,
                            };
                            let c = CaseResult {
                                id: case.id,
                                hospital: case.hospital,
                                pool,
                                total_cost: case.total_cost,
                                patient_share: case.patient_share,
                                priced,
                                points,
                                fund,
                            };
                            statement::case_row(&mut part.cases, &engine, &c);
                            part.settled += 1;
                        }
                    }
                }
                Ok(part)
            })
            .collect();
        for part in parts {
            let part = part?;
            cases_w.write_all(&part.cases).map_err(fail(&cases_p))?;
            rejected_w
                .write_all(&part.rejected)
                .map_err(fail(&rejected_p))?;
            counts.settled += part.settled;
            counts.rejected += part.rejections;
            let room = REJECTIONS_KEPT - kept.len().min(REJECTIONS_KEPT);
            kept.extend(part.kept.into_iter().take(room));
            tally.merge(part.tally);
            figures.merge(part.figures);
        }
        Ok(())
    })?;
    if rows2 != rows {
        return Err(changed(&name, rows2.min(rows)));
    }
    cases_w.flush().map_err(fail(&cases_p))?;
    rejected_w.flush().map_err(fail(&rejected_p))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Some((p, _)) = &spool {
        let _ = std::fs::remove_file(p);
    }
    let written = started.elapsed().as_secs_f64();

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
        "drgdip settle: {} cases in, {} settled, {} rejected, in {:.2}s (pass 1 {:.2}s, close {:.2}s, pass 2 {:.2}s) -> {}",
        counts.settled + counts.rejected,
        counts.settled,
        counts.rejected,
        started.elapsed().as_secs_f64(),
        pass1,
        closed - pass1,
        written - closed,
        args.out.display()
    );
    Ok(Outcome {
        settlement,
        figures,
    })
}

/// What one parallel task of pass 2 produced.
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
    fn new(hospitals: usize, pools: usize) -> Part {
        Part {
            cases: Vec::with_capacity(TASK_ROWS * 220),
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

fn changed(name: &str, row: u64) -> String {
    format!(
        "{name}: row {} read differently the second time: the file changed during the run",
        row + 1
    )
}

/// Standard input, copied to a file in `out` (removed at the end) so it can be read twice.
fn spool_stdin(cases: &Path, out: &Path) -> Result<Option<(PathBuf, ())>, String> {
    if cases.as_os_str() != "-" {
        return Ok(None);
    }
    let p = out.join(".cases-from-stdin.csv");
    let mut f =
        std::fs::File::create(&p).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    std::io::copy(&mut std::io::stdin().lock(), &mut f)
        .map_err(|e| format!("cannot copy standard input to {}: {e}", p.display()))?;
    Ok(Some((p, ())))
}
