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
use settlement::signals::Stay;
use settlement::slip::{Approved, Hospitals, Key, Slip, APPROVED, DUPLICATE, NOT_HONOURED};

use super::spill::{self, Spill, Variant};
use super::{inputs, load_grouping, Grouping, SettleArgs, Source};
use crate::cli::pipeline::{for_each_chunk, progress_bar};
use crate::io::cases::{dip_bundle, drg_bundle, SettleColumns};
use crate::io::csv::{Columns, DipColumns};
use crate::io::rows::RowReader;
use crate::io::signals::adjust::Adjustments;
use crate::io::signals::run::RunStays;
use crate::io::signals::{stay_lenient, SignalColumns};
use crate::io::statement;
use crate::report::kpi::{Facts, Figures};

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
/// Spill blocks handed out together to the threads when the spill is read back.
const BLOCKS_AT_ONCE: usize = 16;
/// Fund of a row rejected as a duplicate id.
const DUPLICATE_ROW: i64 = i64::MIN;

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
    /// The columns the policy's `[signals]` read, when it has any.
    signals: Option<SignalColumns>,
    /// Whether spill blocks are compressed.
    compress_spill: bool,
}

type PricedRow = (Case, usize, HospitalRules, Pricing);

impl Pricer<'_> {
    fn price(&self, row: &csv::ByteRecord, line: u64) -> Result<PricedRow, Rejection> {
        let approved = |id: &str| !self.approved.is_empty() && self.approved.contains(id);
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
    hospital: String,
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
}

/// Prices the rows of one task: slips' data, the sealed spill block, rejections.
fn read_task(
    pricer: &Pricer<'_>,
    engine: &Engine,
    first: u64,
    rows: &[csv::ByteRecord],
    pool: &spill::Buffers,
) -> Read {
    // The block's buffer comes from the pool and goes back once written: a fresh quarter-megabyte
    // per task would cost page faults.
    let mut block = pool.take();
    let mut out = read_rows(pricer, engine, first, rows, &mut block);
    match Spill::seal(block, pricer.compress_spill, pool) {
        Ok(sealed) => out.block = Some(sealed),
        Err(e) => out.error = Some(e),
    }
    out
}

fn read_rows(
    pricer: &Pricer<'_>,
    engine: &Engine,
    first: u64,
    rows: &[csv::ByteRecord],
    block: &mut Vec<u8>,
) -> Read {
    let mut out = Read {
        firsts: Vec::with_capacity(rows.len()),
        ..Read::default()
    };
    let (mut head, mut tail, mut head2, mut tail2) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (k, row) in rows.iter().enumerate() {
        let r = first + k as u64;
        let Ok(row_no) = u32::try_from(r) else {
            out.error = Some(format!("more than {} rows in one run", u32::MAX));
            return out;
        };
        let (case, pool, h, mut pricing): (Case, usize, HospitalRules, Pricing) =
            match pricer.price(row, r + 2) {
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
        let fallback = pricing.without_review.take();
        let mut c = CaseResult {
            id: case.id,
            hospital: case.hospital,
            pool,
            total_cost: case.total_cost,
            patient_share: case.patient_share,
            priced: pricing.primary,
            points: Points::ZERO,
            fund: Fen::ZERO,
        };
        // The row's text around its points and fund payment, and the facts the statements count.
        let texts = |c: &CaseResult, pre: &mut Vec<u8>, post: &mut Vec<u8>| {
            pre.clear();
            post.clear();
            statement::case_row_pre(pre, engine, c);
            statement::case_row_post(post, c);
            (
                Facts::of(&c.priced, c.total_cost, Fen::ZERO),
                c.priced.value,
            )
        };
        let (facts, value) = texts(&c, &mut head, &mut tail);
        let fallback = fallback.map(|f| {
            let original = std::mem::replace(&mut c.priced, f);
            let second = texts(&c, &mut head2, &mut tail2);
            (std::mem::replace(&mut c.priced, original), second)
        });
        let primary = Variant {
            facts,
            value,
            pre: &head,
            post: &tail,
            formula: &c.priced.formula,
            note: &c.priced.note,
        };
        let n = 1 + usize::from(fallback.is_some());
        let second = match &fallback {
            Some((p, (facts2, value2))) => Variant {
                facts: *facts2,
                value: *value2,
                pre: &head2,
                post: &tail2,
                formula: &p.formula,
                note: &p.note,
            },
            None => primary.clone(),
        };
        spill::push(
            block,
            row_no,
            h.level,
            key,
            c.total_cost,
            c.patient_share,
            pool,
            &c.hospital,
            &c.id,
            &[primary, second][..n],
        );
        let approved = fallback.map(|(p, _)| (c.id.clone(), p.value));
        out.firsts.push(First {
            key,
            row: row_no,
            hospital: c.hospital,
            pool,
            value: c.priced.value,
            patient_share: c.patient_share,
            approved,
            stay,
        });
    }
    out
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
        let f =
            std::fs::File::create(&p).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        // Small: the large pieces (a block's case rows) are written straight from their buffers.
        Ok((p, std::io::BufWriter::with_capacity(64 << 10, f)))
    };
    let fail = |p: &Path| {
        let p = p.display().to_string();
        move |e: std::io::Error| format!("cannot write {p}: {e}")
    };
    let (rejected_p, mut rejected_w) = out_file("rejected.csv")?;
    let mut head = Vec::new();
    statement::rejected_header(&mut head);
    rejected_w.write_all(&head).map_err(fail(&rejected_p))?;

    // 1. Read: slips in memory, rows in the spill.
    let bar = progress_bar(&args.cases, &mut reader);
    let mut spill = Spill::create(&args.out)?;
    let buffers = spill::Buffers::default();
    let mut table = Hospitals::new();
    let mut slips: Vec<Slip> = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    let mut approved_cases: Vec<Approved> = Vec::new();
    let mut counts = Counts::default();
    let mut kept: Vec<Rejection> = Vec::new();
    let mut stays = RunStays::default();
    let rows = for_each_chunk(reader, |first, rows| {
        let tasks: Vec<Read> = rows
            .par_chunks(TASK_ROWS)
            .enumerate()
            .map(|(t, rows)| {
                read_task(
                    &pricer,
                    &engine,
                    first + (t * TASK_ROWS) as u64,
                    rows,
                    &buffers,
                )
            })
            .collect();
        for t in tasks {
            if let Some(e) = t.error {
                return Err(format!("{name}: {e}"));
            }
            for f in t.firsts {
                let h = table.intern(&f.hospital);
                let mut slip = Slip::new(f.key, f.row, h, f.pool, f.value, f.patient_share);
                if let Some((id, fallback)) = f.approved {
                    slip.flags |= APPROVED;
                    approved_cases.push(Approved {
                        row: f.row,
                        id,
                        hospital: h,
                        fallback,
                    });
                }
                slips.push(slip);
                if let Some(s) = f.stay {
                    stays.push(*s);
                }
            }
            if let Some(sealed) = t.block {
                spill.write(&sealed)?;
                buffers.give(sealed.into_buffer());
            }
            rejected_w
                .write_all(&t.rejected)
                .map_err(fail(&rejected_p))?;
            counts.rejected += t.rejections;
            let room = REJECTIONS_KEPT - kept.len().min(REJECTIONS_KEPT);
            kept.extend(t.kept.into_iter().take(room));
        }
        Ok(())
    })?;
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
    let mut fund_by_row = vec![DUPLICATE_ROW; rows as usize];
    let mut not_honoured = HashSet::new();
    for s in &slips {
        if s.flags & DUPLICATE == 0 {
            fund_by_row[s.row as usize] = s.value;
        }
        if s.flags & NOT_HONOURED != 0 {
            not_honoured.insert(s.row);
        }
    }
    drop(slips);
    let payees: Vec<&str> = table.codes().iter().map(|c| engine.payee_of(c)).collect();
    let closed = started.elapsed().as_secs_f64();

    // 4. cases.csv from the spill, with the fund payments; the sums for the statements.
    let (cases_p, mut cases_w) = out_file("cases.csv")?;
    head.clear();
    statement::cases_header(&mut head);
    cases_w.write_all(&head).map_err(fail(&cases_p))?;
    let (nh, np) = (table.len(), engine.policy.pools.len());
    let mut tally = Tally::new(nh, np);
    let mut figures = Figures::default();
    let policy = &engine.policy;
    let mut blocks = spill.reopen()?;
    loop {
        let mut batch = Vec::with_capacity(BLOCKS_AT_ONCE);
        while batch.len() < BLOCKS_AT_ONCE {
            match blocks.next_block(&buffers)? {
                Some(b) => batch.push(b),
                None => break,
            }
        }
        if batch.is_empty() {
            break;
        }
        let parts: Vec<Result<Part, String>> = batch
            .par_iter()
            .map(|b| {
                thread_local! {
                    static RAW: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
                }
                RAW.with_borrow_mut(|raw| -> Result<Part, String> {
                let rows = spill::open(b, raw)?;
                let mut part = Part::new(nh, np, buffers.take());
                let mut records = spill::Reader::new(rows);
                while let Some(rec) = records.next_record() {
                    let rec = rec?;
                    let fund = fund_by_row[rec.row as usize];
                    if fund == DUPLICATE_ROW {
                        part.reject(Rejection {
                            id: rec.id.to_string(),
                            reason: format!(
                                "duplicate case id {:?}: settled once, this row rejected",
                                rec.id
                            ),
                        });
                        continue;
                    }
                    let fund = Fen(fund);
                    let v = match &rec.variants {
                        [_, Some(fallback)] if not_honoured.contains(&rec.row) => fallback,
                        [Some(primary), _] => primary,
                        _ => return Err("the settle spill file is damaged".to_string()),
                    };
                    let hospital = table
                        .get(rec.hospital)
                        .ok_or("the settle spill file is damaged")?;
                    let mut facts = v.facts;
                    facts.fund = fund;
                    // A readmission adjustment changes the points and says so in the formula.
                    let mut value = v.value;
                    let mut formula = std::borrow::Cow::Borrowed(v.formula);
                    if let (Value::Points(_), Some(_)) = (value, adjustments.of_key(rec.key)) {
                        let mut p = settlement::price::Priced {
                            value,
                            formula: v.formula.to_string(),
                            ..settlement::price::Priced::placeholder()
                        };
                        adjustments.apply_to_priced(rec.key, &mut p, rounding)?;
                        value = p.value;
                        formula = std::borrow::Cow::Owned(p.formula);
                    }
                    part.tally.add(&Settled {
                        hospital,
                        key: rec.key,
                        level: rec.level,
                        payee: payees[hospital as usize],
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
                    part.figures
                        .add_case(policy, rec.hospital, rec.pool, &facts);
                    part.cases.extend_from_slice(v.pre);
                    statement::case_row_points(&mut part.cases, value);
                    part.cases.extend_from_slice(v.post);
                    statement::case_row_fund(&mut part.cases, fund);
                    statement::case_row_tail(&mut part.cases, &formula, v.note);
                    part.settled += 1;
                }
                Ok(part)
                })
            })
            .collect();
        for b in batch {
            buffers.give(b);
        }
        for part in parts {
            let part = part?;
            cases_w.write_all(&part.cases).map_err(fail(&cases_p))?;
            buffers.give(part.cases);
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
    }
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
