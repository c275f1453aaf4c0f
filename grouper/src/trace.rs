//! Trace: why a record landed where it did — codes as mapped, the CC/MCC evaluation with exclusion
//! tables, every MDC entry test, every rule and DRG branch tried with the outcome of each leaf.
//!
//! Traces are built by an [`Observer`] that the grouping walk calls at each decision. The untraced path
//! uses [`NoTrace`], whose methods are empty and compile away.

use std::fmt;

use crate::cc::CcReport;
use crate::cond::{Cond, Ctx};
use crate::scheme::{Branch, DrgId, Mdc, Rule, Scheme};

/// One decision of the grouping walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceStep {
    /// An MDC entry test. `entered` is `None` when the test stopped on an error.
    Mdc {
        /// MDC name.
        mdc: String,
        /// Outcome.
        entered: Option<bool>,
        /// The condition with each leaf's outcome.
        why: String,
    },
    /// An ADRG rule's test.
    Rule {
        /// MDC name.
        mdc: String,
        /// Rule name (`AH1_1`).
        rule: String,
        /// Outcome (`None`: stopped on an error).
        matched: Option<bool>,
        /// The condition with each leaf's outcome.
        why: String,
    },
    /// A DRG branch of a matched rule.
    Branch {
        /// Rule name.
        rule: String,
        /// The branch's code.
        drg: String,
        /// Outcome (`None`: stopped on an error).
        matched: Option<bool>,
        /// The condition with each leaf's outcome.
        why: String,
    },
    /// A matched rule none of whose branches held returned its fallback code.
    Otherwise {
        /// Rule name.
        rule: String,
        /// The fallback code.
        drg: String,
    },
    /// A matched rule none of whose branches held and without fallback: grouping continues.
    FallThrough {
        /// Rule name.
        rule: String,
    },
    /// An ambiguous-case (QY) test.
    Qy {
        /// MDC name.
        mdc: String,
        /// The QY code.
        code: String,
        /// Outcome (`None`: stopped on an error).
        matched: Option<bool>,
        /// The condition with each leaf's outcome.
        why: String,
    },
    /// Zhejiang's retry: regrouping with one secondary procedure as the only procedure.
    Retry {
        /// The procedure used.
        procedure: String,
    },
}

/// The full explanation of one grouping.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// Code-map substitutions made (`diagnoses[1] K80.100 -> K80.101`).
    pub mapping: Vec<String>,
    /// Diagnoses as grouped (after mapping).
    pub diagnoses: Vec<String>,
    /// Procedures as grouped (after mapping).
    pub procedures: Vec<String>,
    /// The CC/MCC evaluation.
    pub cc: CcReport,
    /// Every decision, in order.
    pub steps: Vec<TraceStep>,
}

fn outcome(o: Option<bool>) -> &'static str {
    match o {
        Some(true) => "yes",
        Some(false) => "no",
        None => "error",
    }
}

impl Trace {
    /// The trace on one line (`; `-separated), for a CSV cell. MDCs not entered are listed by name
    /// only; everything inside an entered MDC is shown in full.
    pub fn one_line(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.mapping.is_empty() {
            parts.push(format!("mapped {}", self.mapping.join(", ")));
        }
        parts.push(self.cc_line());
        let mut skipped: Vec<&str> = Vec::new();
        for s in &self.steps {
            if let TraceStep::Mdc {
                mdc,
                entered: Some(false),
                ..
            } = s
            {
                skipped.push(mdc);
                continue;
            }
            if !skipped.is_empty() {
                parts.push(format!("not entered {}", skipped.join(",")));
                skipped.clear();
            }
            parts.push(step_line(s));
        }
        if !skipped.is_empty() {
            parts.push(format!("not entered {}", skipped.join(",")));
        }
        parts.join("; ")
    }

    fn cc_line(&self) -> String {
        let hits = |v: &[crate::cc::CcHit]| {
            v.iter()
                .map(|h| {
                    format!(
                        "{}(table {}{})",
                        h.code,
                        h.table,
                        if h.excluded { ", excluded" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        format!(
            "principal exclusion table {}; MCC [{}] -> has_mcc={}; CC [{}] -> has_cc={}",
            self.cc.exclusion_table.as_deref().unwrap_or("none"),
            hits(&self.cc.mcc),
            self.cc.has_mcc,
            hits(&self.cc.cc),
            self.cc.has_cc
        )
    }
}

fn step_line(s: &TraceStep) -> String {
    match s {
        TraceStep::Mdc { mdc, entered, why } => {
            format!("{mdc} entry {}: {why}", outcome(*entered))
        }
        TraceStep::Rule {
            mdc,
            rule,
            matched,
            why,
        } => format!("{mdc}/{rule} {}: {why}", outcome(*matched)),
        TraceStep::Branch {
            rule,
            drg,
            matched,
            why,
        } => format!("{rule} -> {drg} {}: {why}", outcome(*matched)),
        TraceStep::Otherwise { rule, drg } => format!("{rule} no branch held -> fallback {drg}"),
        TraceStep::FallThrough { rule } => {
            format!("{rule} no branch held, no fallback -> next rule")
        }
        TraceStep::Qy {
            mdc,
            code,
            matched,
            why,
        } => format!("{mdc} ambiguity test {code} {}: {why}", outcome(*matched)),
        TraceStep::Retry { procedure } => format!("retry with {procedure} as only procedure"),
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "diagnoses: {}", self.diagnoses.join(" | "))?;
        writeln!(f, "procedures: {}", self.procedures.join(" | "))?;
        for m in &self.mapping {
            writeln!(f, "mapped: {m}")?;
        }
        writeln!(f, "{}", self.cc_line())?;
        for s in &self.steps {
            writeln!(f, "{}", step_line(s))?;
        }
        Ok(())
    }
}

/// Receives the decisions of the grouping walk.
pub(crate) trait Observer {
    /// True when every decision must be evaluated and reported (no shortcuts).
    const TRACING: bool = true;
    fn mdc(&mut self, _s: &Scheme, _m: &Mdc, _c: &Ctx<'_, '_>, _entered: Option<bool>) {}
    fn rule(&mut self, _s: &Scheme, _m: &Mdc, _r: &Rule, _c: &Ctx<'_, '_>, _ok: Option<bool>) {}
    fn branch(&mut self, _s: &Scheme, _r: &Rule, _b: &Branch, _c: &Ctx<'_, '_>, _ok: Option<bool>) {
    }
    fn end_of_rule(&mut self, _s: &Scheme, _r: &Rule) {}
    fn qy(
        &mut self,
        _s: &Scheme,
        _m: &Mdc,
        _d: DrgId,
        _w: &Cond,
        _c: &Ctx<'_, '_>,
        _ok: Option<bool>,
    ) {
    }
    fn retry(&mut self, _procedure: &str) {}
}

/// The observer of the untraced path.
pub(crate) struct NoTrace;
impl Observer for NoTrace {
    const TRACING: bool = false;
}

fn why(s: &Scheme, cond: &Cond, c: &Ctx<'_, '_>) -> String {
    let mut out = String::new();
    cond.explain(s, c, &mut out);
    out
}

impl Observer for Trace {
    fn mdc(&mut self, s: &Scheme, m: &Mdc, c: &Ctx<'_, '_>, entered: Option<bool>) {
        self.steps.push(TraceStep::Mdc {
            mdc: m.name.to_string(),
            entered,
            why: why(s, &m.entry, c),
        });
    }
    fn rule(&mut self, s: &Scheme, m: &Mdc, r: &Rule, c: &Ctx<'_, '_>, ok: Option<bool>) {
        self.steps.push(TraceStep::Rule {
            mdc: m.name.to_string(),
            rule: r.name.to_string(),
            matched: ok,
            why: why(s, &r.when, c),
        });
    }
    fn branch(&mut self, s: &Scheme, r: &Rule, b: &Branch, c: &Ctx<'_, '_>, ok: Option<bool>) {
        self.steps.push(TraceStep::Branch {
            rule: r.name.to_string(),
            drg: s.drg_info(b.drg).code.to_string(),
            matched: ok,
            why: why(s, &b.when, c),
        });
    }
    fn end_of_rule(&mut self, s: &Scheme, r: &Rule) {
        self.steps.push(match r.otherwise {
            Some(d) => TraceStep::Otherwise {
                rule: r.name.to_string(),
                drg: s.drg_info(d).code.to_string(),
            },
            None => TraceStep::FallThrough {
                rule: r.name.to_string(),
            },
        });
    }
    fn qy(&mut self, s: &Scheme, m: &Mdc, d: DrgId, w: &Cond, c: &Ctx<'_, '_>, ok: Option<bool>) {
        self.steps.push(TraceStep::Qy {
            mdc: m.name.to_string(),
            code: s.drg_info(d).code.to_string(),
            matched: ok,
            why: why(s, w, c),
        });
    }
    fn retry(&mut self, procedure: &str) {
        self.steps.push(TraceStep::Retry {
            procedure: procedure.to_string(),
        });
    }
}
