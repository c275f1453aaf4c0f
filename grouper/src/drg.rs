//! DRG grouping: record -> (code mapping) -> validation -> MDC -> ADRG -> DRG, following the
//! reference pipeline (FORMAT.md §2): MDCs in scheme order with fall-through, steps in order,
//! first true DRG branch wins, `otherwise` fallback or fall-through, QY steps, Zhejiang's retry.

use rayon::prelude::*;
use smallvec::SmallVec;

use crate::codes::{CodeId, CodeKind, NO_AUX};
use crate::cond::{Ctx, Stop};
use crate::grouping::{Grouping, Reason, Status};
use crate::record::Record;
use crate::scheme::{DrgId, FixedResult, Scheme, Step};
use crate::trace::{NoTrace, Observer, Trace};
use crate::validate;

/// How code mapping (national clinical codes -> insurance codes) treats repeated codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MappingMode {
    /// Every code is replaced by its own map target. The correct behaviour, and the default.
    #[default]
    PerCode,
    /// The reference's defect (FORMAT.md §2.1): each code's target is written to the *first*
    /// occurrence of that code in the partly mapped list, so a chain `k->t, t->u` turns `[k, t]`
    /// into `[u, t]`. Only for reproducing the reference.
    ReferenceFirstOccurrence,
}

/// Per-call grouping options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Map input codes through the scheme's code maps first (unknown codes are then rejected with
    /// `ZD_NOT_MAPPING` / `SS_NOT_MAPPING`). On by default.
    pub map_codes: bool,
    /// How mapping treats repeated codes.
    pub mapping_mode: MappingMode,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            map_codes: true,
            mapping_mode: MappingMode::PerCode,
        }
    }
}

type CodeVec = SmallVec<[CodeId; 16]>;

/// Groups records with one compiled [`Scheme`]. Cheap to create and to copy; `Sync`, so one grouper
/// serves every thread.
#[derive(Clone, Copy, Debug)]
pub struct Grouper<'s> {
    scheme: &'s Scheme,
    options: Options,
}

/// Where the walk stopped with an error: what stopped it and at which MDC / rule.
struct Halt {
    stop: Stop,
    at: String,
}

impl<'s> Grouper<'s> {
    /// A grouper with default options (code mapping on).
    pub fn new(scheme: &'s Scheme) -> Self {
        Grouper {
            scheme,
            options: Options::default(),
        }
    }

    /// A grouper with the given default options.
    pub fn with_options(scheme: &'s Scheme, options: Options) -> Self {
        Grouper { scheme, options }
    }

    /// The scheme.
    pub fn scheme(&self) -> &'s Scheme {
        self.scheme
    }

    /// The default options.
    pub fn options(&self) -> Options {
        self.options
    }

    /// Groups one record with the grouper's options.
    #[inline]
    pub fn group(&self, r: &Record<'_>) -> Grouping<'s> {
        self.run(r, &self.options, &mut NoTrace)
    }

    /// Groups one record with other options (e.g. mapping off for this call only).
    pub fn group_with(&self, r: &Record<'_>, options: &Options) -> Grouping<'s> {
        self.run(r, options, &mut NoTrace)
    }

    /// Groups one record and explains every decision.
    pub fn group_traced(&self, r: &Record<'_>) -> (Grouping<'s>, Trace) {
        self.group_traced_with(r, &self.options)
    }

    /// [`Grouper::group_traced`] with other options.
    pub fn group_traced_with(&self, r: &Record<'_>, options: &Options) -> (Grouping<'s>, Trace) {
        let mut t = Trace::default();
        let g = self.run(r, options, &mut t);
        (g, t)
    }

    /// Groups a slice in parallel (rayon); results are in input order.
    pub fn group_slice(&self, records: &[Record<'_>]) -> Vec<Grouping<'s>> {
        records
            .par_iter()
            .with_min_len(256)
            .map(|r| self.group(r))
            .collect()
    }

    /// Groups a stream of records in parallel, `chunk` records at a time, yielding results in input
    /// order. Memory is bounded by one chunk of records and results.
    pub fn group_iter<'r, I>(&self, records: I, chunk: usize) -> GroupIter<'s, 'r, I::IntoIter>
    where
        I: IntoIterator<Item = Record<'r>>,
    {
        GroupIter {
            grouper: *self,
            source: records.into_iter(),
            chunk: chunk.max(1),
            ready: std::collections::VecDeque::new(),
        }
    }

    fn fixed(&self, status: Status, f: &'s FixedResult, reason: Reason) -> Grouping<'s> {
        Grouping {
            status,
            mdc: &f.mdc,
            adrg: &f.adrg,
            drg: &f.drg,
            drg_name: "",
            drg_id: None,
            reason: Some(reason),
        }
    }

    /// Resolves one code list to ids; with mapping on, an unmapped code returns its position.
    fn resolve<'a>(
        &self,
        kind: CodeKind,
        codes: impl Iterator<Item = &'a str>,
        options: &Options,
        out: &mut CodeVec,
        trace: Option<&mut Vec<String>>,
    ) -> Result<(), Reason> {
        let s = self.scheme;
        let table = match kind {
            CodeKind::Dx => &s.dx,
            CodeKind::Proc => &s.proc,
        };
        let per_code = options.mapping_mode == MappingMode::PerCode;
        let mut original: Option<CodeVec> = trace.as_ref().map(|_| CodeVec::new());
        for (position, code) in codes.enumerate() {
            // One probe gives the id and the code-map target (stored as the entry's aux data).
            let (id, target) = table.lookup(code);
            if let Some(o) = original.as_mut() {
                o.push(id);
            }
            if !options.map_codes {
                out.push(id);
                continue;
            }
            if target == NO_AUX {
                return Err(Reason::NotMapped {
                    kind,
                    position,
                    code: code.to_string(),
                });
            }
            out.push(if per_code { CodeId(target) } else { id });
        }
        if !options.map_codes {
            return Ok(());
        }
        if !per_code {
            // The reference's defect: each code's target goes to its first occurrence.
            for i in 0..out.len() {
                let x = out[i];
                let first = out.iter().position(|&y| y == x).unwrap_or(i);
                out[first] = s.map_code(kind, x).unwrap_or(x);
            }
        }
        let before = original;
        if let (Some(t), Some(before)) = (trace, before) {
            let what = match kind {
                CodeKind::Dx => "diagnoses",
                CodeKind::Proc => "procedures",
            };
            for (i, (a, b)) in before.iter().zip(out.iter()).enumerate() {
                if a != b {
                    t.push(format!(
                        "{what}[{i}] {} -> {}",
                        table.name(*a),
                        table.name(*b)
                    ));
                }
            }
        }
        Ok(())
    }

    fn run<O: Observer + TraceSink>(
        &self,
        r: &Record<'_>,
        options: &Options,
        obs: &mut O,
    ) -> Grouping<'s> {
        let s = self.scheme;
        let p = &s.pipeline;
        let mut dx = CodeVec::new();
        let mut procs = CodeVec::new();
        if let Err(reason) = self.resolve(
            CodeKind::Dx,
            r.diagnoses.iter_dx(),
            options,
            &mut dx,
            obs.mapping_log(),
        ) {
            return self.fixed(Status::ZdNotMapping, &p.mapping_failed, reason);
        }
        if let Err(reason) = self.resolve(
            CodeKind::Proc,
            r.procedures.iter_proc(),
            options,
            &mut procs,
            obs.mapping_log(),
        ) {
            return self.fixed(Status::SsNotMapping, &p.mapping_failed, reason);
        }
        obs.codes(s, &dx, &procs);
        if let Some(reason) = validate::check(p, r, &dx) {
            return self.fixed(Status::CheckFailed, &p.check_failed, reason);
        }
        let (has_mcc, has_cc) = s.cc.flags(&dx);
        let mut ctx = Ctx {
            rec: r,
            dx: &dx,
            procs: &procs,
            has_mcc,
            has_cc,
        };
        let mut entered = 0u64;
        let mut outcome = self.walk(&ctx, obs, &mut entered);
        if matches!(outcome, Ok(None)) && p.retry_each_secondary_procedure && procs.len() >= 2 {
            for p1 in &procs[1..] {
                obs.retry(s.proc.name(*p1));
                ctx.procs = std::slice::from_ref(p1);
                outcome = self.walk(&ctx, obs, &mut entered);
                if !matches!(outcome, Ok(None)) {
                    break;
                }
            }
        }
        match outcome {
            Ok(Some(id)) => {
                let info = s.drg_info(id);
                let reason = info.ambiguous.then(|| {
                    // Name the OR procedure that made the case ambiguous (else the principal one).
                    let or = s
                        .or_list
                        .and_then(|col| ctx.procs.iter().find(|&&p| s.proc_lists.contains(p, col)));
                    let shown = or.or(ctx.procs.first()).map_or("", |&p| s.proc.name(p));
                    Reason::Ambiguous {
                        mdc: info.mdc.to_string(),
                        procedure: shown.to_string(),
                    }
                });
                Grouping {
                    status: if info.ambiguous {
                        Status::Qy
                    } else {
                        Status::Success
                    },
                    mdc: &info.mdc,
                    adrg: &info.adrg,
                    drg: &info.code,
                    drg_name: &info.name,
                    drg_id: Some(id),
                    reason,
                }
            }
            Ok(None) => {
                let names: Vec<&str> = s
                    .mdcs
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i < 64 && entered & (1u64 << i) != 0)
                    .map(|(_, m)| &*m.name)
                    .collect();
                let reason = Reason::NotGrouped {
                    principal: s.dx.name(dx[0]).to_string(),
                    entered: names.join(","),
                };
                self.fixed(Status::Fail, &p.no_mdc, reason)
            }
            Err(Halt { stop, at }) => match stop {
                Stop::Missing(field, _) => self.fixed(
                    Status::CheckFailed,
                    &p.check_failed,
                    Reason::MissingValue {
                        field: field.name(),
                        rule: at,
                    },
                ),
                Stop::Upstream(error) => self.fixed(
                    Status::Exception,
                    &p.check_failed,
                    Reason::SchemeDefect {
                        rule: at,
                        error: error.to_string(),
                    },
                ),
            },
        }
    }

    /// One pass over the MDCs. `Ok(None)`: nothing produced a code.
    fn walk<O: Observer>(
        &self,
        c: &Ctx<'_, '_>,
        obs: &mut O,
        entered: &mut u64,
    ) -> Result<Option<DrgId>, Halt> {
        let s = self.scheme;
        let halt = |stop, at: String| Halt { stop, at };
        for (mi, m) in s.mdcs.iter().enumerate() {
            if !O::TRACING && !m.pre.passes(s, c) {
                continue;
            }
            let e = m.entry.eval(s, c);
            obs.mdc(s, m, c, e.as_ref().ok().copied());
            if !e.map_err(|st| halt(st, format!("{} entry", m.name)))? {
                continue;
            }
            if mi < 64 {
                *entered |= 1u64 << mi;
            }
            for step in &m.steps {
                match step {
                    Step::Rule(rule) => {
                        if !O::TRACING && !rule.pre.passes(s, c) {
                            continue;
                        }
                        let ok = rule.when.eval(s, c);
                        obs.rule(s, m, rule, c, ok.as_ref().ok().copied());
                        if !ok.map_err(|st| halt(st, format!("{}/{}", m.name, rule.name)))? {
                            continue;
                        }
                        for b in rule.branches.iter() {
                            let ok = b.when.eval(s, c);
                            obs.branch(s, rule, b, c, ok.as_ref().ok().copied());
                            let at = || {
                                format!(
                                    "{}/{} branch {}",
                                    m.name,
                                    rule.name,
                                    s.drg_info(b.drg).code
                                )
                            };
                            if ok.map_err(|st| halt(st, at()))? {
                                return Ok(Some(b.drg));
                            }
                        }
                        obs.end_of_rule(s, rule);
                        if let Some(o) = rule.otherwise {
                            return Ok(Some(o));
                        }
                    }
                    Step::Qy { drg, when } => {
                        let ok = when.eval(s, c);
                        obs.qy(s, m, *drg, when, c, ok.as_ref().ok().copied());
                        let at = || format!("{} QY {}", m.name, s.drg_info(*drg).code);
                        if ok.map_err(|st| halt(st, at()))? {
                            return Ok(Some(*drg));
                        }
                    }
                }
            }
        }
        Ok(None)
    }
}

/// What a trace records besides walk decisions: mapping substitutions and the codes as grouped.
pub(crate) trait TraceSink {
    fn mapping_log(&mut self) -> Option<&mut Vec<String>> {
        None
    }
    fn codes(&mut self, _s: &Scheme, _dx: &[CodeId], _procs: &[CodeId]) {}
}

impl TraceSink for NoTrace {}

impl TraceSink for Trace {
    fn mapping_log(&mut self) -> Option<&mut Vec<String>> {
        Some(&mut self.mapping)
    }
    fn codes(&mut self, s: &Scheme, dx: &[CodeId], procs: &[CodeId]) {
        self.diagnoses = dx.iter().map(|&d| s.dx.name(d).to_string()).collect();
        self.procedures = procs.iter().map(|&p| s.proc.name(p).to_string()).collect();
        self.cc = s.cc.report(dx, &s.dx);
    }
}

/// Iterator returned by [`Grouper::group_iter`].
pub struct GroupIter<'s, 'r, I: Iterator<Item = Record<'r>>> {
    grouper: Grouper<'s>,
    source: I,
    chunk: usize,
    ready: std::collections::VecDeque<Grouping<'s>>,
}

impl<'s, 'r, I: Iterator<Item = Record<'r>>> Iterator for GroupIter<'s, 'r, I> {
    type Item = Grouping<'s>;

    fn next(&mut self) -> Option<Grouping<'s>> {
        if self.ready.is_empty() {
            let batch: Vec<Record<'r>> = self.source.by_ref().take(self.chunk).collect();
            if batch.is_empty() {
                return None;
            }
            self.ready.extend(self.grouper.group_slice(&batch));
        }
        self.ready.pop_front()
    }
}
