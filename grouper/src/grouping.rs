//! The result of grouping one record: a [`Status`], the `mdc / adrg / drg` codes, and for every
//! non-success status a [`Reason`] naming the field and code that caused it.

use std::fmt;

use crate::codes::CodeKind;
use crate::scheme::DrgId;

/// Outcome of grouping. The names (`as_str`) are those of the reference grouper's `DrgGroupStatus`,
/// plus `EXCEPTION` (the scheme itself is defective at the rule reached) and `UNREADABLE` (the input
/// row could not be read at all).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// 分组成功: a DRG (or an ADRG code returned as the result).
    Success,
    /// 无法入组: no MDC produced a code.
    Fail,
    /// 歧义病案: an OR procedure is present but no surgical ADRG of the MDC matched.
    Qy,
    /// 信息校验不通过: a required field is missing or invalid.
    CheckFailed,
    /// 诊断不能转换为分组器支持的编码: a diagnosis is not in the code map.
    ZdNotMapping,
    /// 手术操作不能转换为分组器支持的编码: a procedure is not in the code map.
    SsNotMapping,
    /// The scheme marks the rule reached as raising in the reference (a scheme defect).
    Exception,
    /// The input row could not be read (bad UTF-8, wrong column count).
    Unreadable,
}

impl Status {
    /// All statuses, in a stable order (for counters).
    pub const ALL: [Status; 8] = [
        Status::Success,
        Status::Fail,
        Status::Qy,
        Status::CheckFailed,
        Status::ZdNotMapping,
        Status::SsNotMapping,
        Status::Exception,
        Status::Unreadable,
    ];

    /// The status name as written in output files.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Success => "SUCCESS",
            Status::Fail => "FAIL",
            Status::Qy => "QY",
            Status::CheckFailed => "CHECK_FAILED",
            Status::ZdNotMapping => "ZD_NOT_MAPPING",
            Status::SsNotMapping => "SS_NOT_MAPPING",
            Status::Exception => "EXCEPTION",
            Status::Unreadable => "UNREADABLE",
        }
    }

    /// Parses a status name.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Position in [`Status::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a record did not get a plain success. Each variant names the field and, where there is one,
/// the offending code or value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A code is not a key of the scheme's code map (mapping on).
    NotMapped {
        /// Diagnoses or procedures.
        kind: CodeKind,
        /// 0-based position in the list (0 = principal).
        position: usize,
        /// The code as submitted.
        code: String,
    },
    /// A field failed validation.
    Invalid {
        /// The field (`gender`, `age`, `age_days`, `weight`, `diagnoses`).
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A rule compared a numeric field that is missing or not a number.
    MissingValue {
        /// The field.
        field: &'static str,
        /// The MDC and rule that read it, e.g. `MDCB/BR1 branch BR19`.
        rule: String,
    },
    /// No MDC produced a code.
    NotGrouped {
        /// The principal diagnosis as used for grouping (after mapping).
        principal: String,
        /// MDCs whose entry test passed, comma-separated (empty: the principal is in no MDC table).
        entered: String,
    },
    /// Ambiguous: an OR procedure without a matching surgical ADRG.
    Ambiguous {
        /// The MDC.
        mdc: String,
        /// The OR procedure found (the principal procedure if the scheme names no OR list).
        procedure: String,
    },
    /// The scheme is defective at the rule reached.
    SchemeDefect {
        /// The MDC and rule.
        rule: String,
        /// The reference's error.
        error: String,
    },
    /// The input row could not be read.
    Unreadable {
        /// What the reader reported.
        problem: String,
    },
}

impl Reason {
    /// The input field the reason is about.
    pub fn field(&self) -> &str {
        match self {
            Reason::NotMapped {
                kind: CodeKind::Dx, ..
            } => "diagnoses",
            Reason::NotMapped {
                kind: CodeKind::Proc,
                ..
            } => "procedures",
            Reason::Invalid { field, .. } | Reason::MissingValue { field, .. } => field,
            Reason::NotGrouped { .. } => "diagnoses",
            Reason::Ambiguous { .. } => "procedures",
            Reason::SchemeDefect { .. } => "scheme",
            Reason::Unreadable { .. } => "row",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NotMapped {
                kind,
                position,
                code,
            } => {
                let what = match kind {
                    CodeKind::Dx => "diagnoses",
                    CodeKind::Proc => "procedures",
                };
                write!(
                    f,
                    "{what}[{position}] '{code}' is not in the scheme's code map"
                )
            }
            Reason::Invalid { field, problem } => write!(f, "{field}: {problem}"),
            Reason::MissingValue { field, rule } => {
                write!(
                    f,
                    "{field}: missing or not a number, but rule {rule} compares it"
                )
            }
            Reason::NotGrouped { principal, entered } if entered.is_empty() => {
                write!(f, "diagnoses[0] '{principal}' is in no MDC entry table")
            }
            Reason::NotGrouped { principal, entered } => write!(
                f,
                "diagnoses[0] '{principal}' entered {entered} but no ADRG rule matched"
            ),
            Reason::Ambiguous { mdc, procedure } => write!(
                f,
                "OR procedure '{procedure}' is present but no surgical ADRG of {mdc} matched"
            ),
            Reason::SchemeDefect { rule, error } => {
                write!(
                    f,
                    "scheme defect at {rule}: the reference grouper raises ({error})"
                )
            }
            Reason::Unreadable { problem } => write!(f, "unreadable row: {problem}"),
        }
    }
}

/// The grouping of one record. Code strings borrow from the scheme; only a [`Reason`] allocates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grouping<'s> {
    /// Outcome.
    pub status: Status,
    /// MDC (`MDCF`), or the scheme's placeholder for a non-grouped status.
    pub mdc: &'s str,
    /// ADRG (`FT3`, `QY` for ambiguous), or the placeholder.
    pub adrg: &'s str,
    /// DRG (`FT31`), or the placeholder.
    pub drg: &'s str,
    /// DRG name from the scheme, or empty.
    pub drg_name: &'s str,
    /// The result code's id when a rule produced one.
    pub drg_id: Option<DrgId>,
    /// Why the status is not a plain success.
    pub reason: Option<Reason>,
}

impl Grouping<'static> {
    /// The result for an input row that could not be read at all.
    pub fn unreadable(problem: impl Into<String>) -> Grouping<'static> {
        Grouping {
            status: Status::Unreadable,
            mdc: "",
            adrg: "",
            drg: "",
            drg_name: "",
            drg_id: None,
            reason: Some(Reason::Unreadable {
                problem: problem.into(),
            }),
        }
    }
}
