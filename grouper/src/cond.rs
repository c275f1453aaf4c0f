//! Conditions: the compiled form of a scheme's `Cond` JSON (MDC entry tests, ADRG tests, DRG split
//! predicates) and their evaluation against one record.
//!
//! A condition is a small typed tree. Leaves read interned code ids (membership is one bit test in a
//! precomputed per-code row of the scheme's list matrix), precomputed CC/MCC flags, or numeric
//! fields. `all` / `any` short-circuit left to right like the reference, which matters: a guarded
//! comparison (`age_days_present & age_days <= 28`) never reads a missing value.

use std::fmt::Write as _;

use crate::codes::CodeId;
use crate::record::{Num, Record};
use crate::scheme::Scheme;

/// A comparison operator of a numeric leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Op {
    /// Parses the scheme's spelling.
    pub fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "==" => Op::Eq,
            "!=" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            _ => return None,
        })
    }

    /// The scheme's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    #[inline]
    fn apply(self, a: f64, b: f64) -> bool {
        match self {
            Op::Eq => a == b,
            Op::Ne => a != b,
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
        }
    }
}

/// Which numeric field of the record a leaf reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// Age in years.
    Age,
    /// Age in days.
    AgeDays,
    /// Birth weight in grams.
    Weight,
    /// Length of stay in days.
    Los,
    /// ICU hours (missing reads as 0).
    IcuHours,
}

impl Field {
    /// The record column name of this field.
    pub fn name(self) -> &'static str {
        match self {
            Field::Age => "age",
            Field::AgeDays => "age_days",
            Field::Weight => "weight",
            Field::Los => "los",
            Field::IcuHours => "icu_hours",
        }
    }

    #[inline]
    fn read(self, r: &Record<'_>) -> Num {
        match self {
            Field::Age => r.age,
            Field::AgeDays => r.age_days,
            Field::Weight => r.weight,
            Field::Los => r.los,
            Field::IcuHours => match r.icu_hours {
                Num::Missing => Num::Value(0.0),
                n => n,
            },
        }
    }
}

/// Which positions of a code list a membership leaf looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// Only the first (principal) code.
    Principal,
    /// Any code.
    Any,
    /// Any code after the first.
    Secondary,
}

/// A reference to a code list: its index in the scheme's list table and its column in the per-kind
/// membership matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListRef {
    /// Index into [`Scheme`]'s list table (for names in traces).
    pub id: u32,
    /// Column in the membership matrix of the list's kind.
    pub column: u32,
}

/// A compiled condition.
#[derive(Clone, Debug)]
pub enum Cond {
    /// Always this value.
    Const(bool),
    /// All hold (short-circuit, left to right).
    All(Box<[Cond]>),
    /// Any holds (short-circuit, left to right).
    Any(Box<[Cond]>),
    /// Negation.
    Not(Box<Cond>),
    /// Diagnosis membership.
    Dx(Position, ListRef),
    /// Procedure membership.
    Proc(Position, ListRef),
    /// At least one procedure.
    HasProcedures,
    /// At least one diagnosis.
    HasDiagnoses,
    /// Number of diagnoses compared with a value.
    DxCount(Op, f64),
    /// Number of procedures compared with a value.
    ProcCount(Op, f64),
    /// Gender text equals the value.
    GenderIs(Box<str>),
    /// A numeric field compared with a value; a missing field is an error.
    Cmp(Field, Op, f64),
    /// The field is not missing (weight: and not zero).
    Present(Field),
    /// Weight is not missing (zero allowed).
    WeightNotNull,
    /// Leaving type is one of the values.
    LeavingTypeIn(Box<[Box<str>]>),
    /// Department is one of the values.
    DeptIn(Box<[Box<str>]>),
    /// A secondary diagnosis is an MCC not excluded by the principal.
    HasMcc,
    /// A secondary diagnosis is a CC not excluded by the principal.
    HasCc,
    /// At least `min` distinct body sites among the diagnoses found in site map `map`.
    TraumaSites {
        /// Index of the site map.
        map: u32,
        /// Minimum number of distinct sites.
        min: u32,
    },
    /// The reference raises here; evaluating it stops grouping with an error.
    UpstreamError(Box<str>),
}

/// A cheap necessary condition extracted from a condition at compile time: the leaf evaluated
/// first. When it is false the whole condition is false *and* nothing else would have been
/// evaluated, so checking it inline before the full evaluation changes no result (not even which
/// error a missing value raises). Most MDC entries and ADRG tests start with a principal-code test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prefilter {
    /// No cheap necessary condition: always evaluate.
    None,
    /// The principal diagnosis must be in the list at this column.
    PrincipalDx(u32),
    /// The principal procedure must be in the list at this column.
    PrincipalProc(u32),
}

impl Prefilter {
    /// The prefilter of a condition: its first-evaluated leaf if that is a principal-code test.
    pub fn of(c: &Cond) -> Prefilter {
        match c {
            Cond::Dx(Position::Principal, l) => Prefilter::PrincipalDx(l.column),
            Cond::Proc(Position::Principal, l) => Prefilter::PrincipalProc(l.column),
            Cond::All(xs) => xs.first().map_or(Prefilter::None, Prefilter::of),
            _ => Prefilter::None,
        }
    }

    /// False only when the condition is certainly false.
    #[inline(always)]
    pub(crate) fn passes(self, s: &Scheme, c: &Ctx<'_, '_>) -> bool {
        match self {
            Prefilter::None => true,
            Prefilter::PrincipalDx(col) => {
                c.dx.first().is_some_and(|&d| s.dx_lists.contains(d, col))
            }
            Prefilter::PrincipalProc(col) => c
                .procs
                .first()
                .is_some_and(|&p| s.proc_lists.contains(p, col)),
        }
    }
}

/// Why evaluation stopped without a boolean.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// A numeric comparison read a missing or non-numeric field.
    Missing(Field, Num),
    /// The scheme marks this point as raising in the reference implementation.
    Upstream(Box<str>),
}

/// Everything a condition reads about one record, resolved once.
pub(crate) struct Ctx<'r, 'a> {
    pub rec: &'r Record<'a>,
    pub dx: &'r [CodeId],
    pub procs: &'r [CodeId],
    pub has_mcc: bool,
    pub has_cc: bool,
}

impl Cond {
    /// Evaluates the condition. Short-circuits like the reference.
    #[inline]
    pub(crate) fn eval(&self, s: &Scheme, c: &Ctx<'_, '_>) -> Result<bool, Stop> {
        Ok(match self {
            Cond::Const(b) => *b,
            Cond::All(xs) => {
                for x in xs.iter() {
                    if !x.eval(s, c)? {
                        return Ok(false);
                    }
                }
                true
            }
            Cond::Any(xs) => {
                for x in xs.iter() {
                    if x.eval(s, c)? {
                        return Ok(true);
                    }
                }
                false
            }
            Cond::Not(x) => !x.eval(s, c)?,
            Cond::Dx(p, l) => members(c.dx, *p, |id| s.dx_lists.contains(id, l.column)),
            Cond::Proc(p, l) => members(c.procs, *p, |id| s.proc_lists.contains(id, l.column)),
            Cond::HasProcedures => !c.procs.is_empty(),
            Cond::HasDiagnoses => !c.dx.is_empty(),
            Cond::DxCount(op, v) => op.apply(c.dx.len() as f64, *v),
            Cond::ProcCount(op, v) => op.apply(c.procs.len() as f64, *v),
            Cond::GenderIs(g) => c.rec.gender == &**g,
            Cond::Cmp(f, op, v) => match f.read(c.rec) {
                Num::Value(x) => op.apply(x, *v),
                n => return Err(Stop::Missing(*f, n)),
            },
            Cond::Present(Field::Weight) => matches!(c.rec.weight, Num::Value(w) if w != 0.0),
            Cond::Present(f) => !f.read(c.rec).is_missing(),
            Cond::WeightNotNull => !c.rec.weight.is_missing(),
            Cond::LeavingTypeIn(vs) => vs.iter().any(|v| **v == *c.rec.leaving_type),
            Cond::DeptIn(vs) => vs.iter().any(|v| **v == *c.rec.dept),
            Cond::HasMcc => c.has_mcc,
            Cond::HasCc => c.has_cc,
            Cond::TraumaSites { map, min } => {
                s.site_maps[*map as usize].distinct_sites(c.dx) >= *min
            }
            Cond::UpstreamError(e) => return Err(Stop::Upstream(e.clone())),
        })
    }

    /// Renders the condition with the outcome of every leaf for this record, for traces:
    /// `all(principal_dx_in L0006 [I21.000]: yes, has_mcc: no)`.
    pub(crate) fn explain(&self, s: &Scheme, c: &Ctx<'_, '_>, out: &mut String) {
        let outcome = |r: Result<bool, Stop>| match r {
            Ok(true) => "yes".to_string(),
            Ok(false) => "no".to_string(),
            Err(Stop::Missing(f, _)) => format!("error: {} is missing or not a number", f.name()),
            Err(Stop::Upstream(e)) => format!("error: {e}"),
        };
        match self {
            Cond::Const(b) => {
                let _ = write!(out, "{b}");
            }
            Cond::All(xs) | Cond::Any(xs) => {
                out.push_str(if matches!(self, Cond::All(_)) {
                    "all("
                } else {
                    "any("
                });
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    x.explain(s, c, out);
                }
                out.push(')');
            }
            Cond::Not(x) => {
                out.push_str("not(");
                x.explain(s, c, out);
                out.push(')');
            }
            _ => {
                self.describe_leaf(s, c, out);
                let _ = write!(out, ": {}", outcome(self.eval(s, c)));
            }
        }
    }

    fn describe_leaf(&self, s: &Scheme, c: &Ctx<'_, '_>, out: &mut String) {
        let pos = |p: Position| match p {
            Position::Principal => "principal",
            Position::Any => "any",
            Position::Secondary => "secondary",
        };
        let _ = match self {
            Cond::Dx(p, l) => {
                let hit = first_member(c.dx, *p, |id| s.dx_lists.contains(id, l.column));
                let shown = hit.map_or(String::new(), |id| format!(" [{}]", s.dx.name(id)));
                write!(out, "{}_dx_in {}{}", pos(*p), s.list_name(l.id), shown)
            }
            Cond::Proc(p, l) => {
                let hit = first_member(c.procs, *p, |id| s.proc_lists.contains(id, l.column));
                let shown = hit.map_or(String::new(), |id| format!(" [{}]", s.proc.name(id)));
                write!(out, "{}_proc_in {}{}", pos(*p), s.list_name(l.id), shown)
            }
            Cond::HasProcedures => write!(out, "has_procedures"),
            Cond::HasDiagnoses => write!(out, "has_diagnoses"),
            Cond::DxCount(op, v) => write!(out, "dx_count {} {v} [{}]", op.as_str(), c.dx.len()),
            Cond::ProcCount(op, v) => {
                write!(out, "proc_count {} {v} [{}]", op.as_str(), c.procs.len())
            }
            Cond::GenderIs(g) => write!(out, "gender == {g:?} [{:?}]", c.rec.gender),
            Cond::Cmp(f, op, v) => {
                write!(
                    out,
                    "{} {} {v} [{}]",
                    f.name(),
                    op.as_str(),
                    show(f.read(c.rec))
                )
            }
            Cond::Present(f) => write!(out, "{}_present", f.name()),
            Cond::WeightNotNull => write!(out, "weight_not_null"),
            Cond::LeavingTypeIn(vs) => {
                write!(out, "leaving_type in {vs:?} [{:?}]", c.rec.leaving_type)
            }
            Cond::DeptIn(vs) => write!(out, "dept in {vs:?} [{:?}]", c.rec.dept),
            Cond::HasMcc => write!(out, "has_mcc"),
            Cond::HasCc => write!(out, "has_cc"),
            Cond::TraumaSites { map, min } => {
                let m = &s.site_maps[*map as usize];
                write!(
                    out,
                    "trauma_sites({}) >= {min} [{}]",
                    m.name,
                    m.distinct_sites(c.dx)
                )
            }
            Cond::UpstreamError(e) => write!(out, "upstream_error({e})"),
            Cond::Const(_) | Cond::All(_) | Cond::Any(_) | Cond::Not(_) => Ok(()),
        };
    }
}

fn show(n: Num) -> String {
    match n {
        Num::Missing => "missing".into(),
        Num::Invalid => "not a number".into(),
        Num::Value(v) => v.to_string(),
    }
}

#[inline]
fn members(codes: &[CodeId], p: Position, hit: impl Fn(CodeId) -> bool) -> bool {
    first_member(codes, p, hit).is_some()
}

#[inline]
fn first_member(codes: &[CodeId], p: Position, hit: impl Fn(CodeId) -> bool) -> Option<CodeId> {
    let scan = match p {
        Position::Principal => codes.get(..1).unwrap_or(&[]),
        Position::Any => codes,
        Position::Secondary => codes.get(1..).unwrap_or(&[]),
    };
    scan.iter().copied().find(|&id| hit(id))
}
