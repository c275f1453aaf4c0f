//! A case as settlement sees it: who treated whom under which fund, what it cost, what the patient
//! paid by item, and what the grouper made of it. The settlement crate does not group: the caller
//! (the CLI, or an embedding billing system) fills [`Bundle`] from a DRG or DIP grouping.

use crate::money::{Fen, Ratio};
use crate::points::Points;

/// One discharge to settle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// Case id (unique in a run).
    pub id: String,
    /// Hospital code.
    pub hospital: String,
    /// Hospital level from the case row, used when the policy does not list the hospital.
    pub hospital_level: Option<u8>,
    /// Fund type (`employee`, `resident`).
    pub fund_type: String,
    /// Locality (`local`, `provincial`, `national`).
    pub locality: String,
    /// Service line (`inpatient`, `outpatient`).
    pub service_line: String,
    /// Discharge date, `YYYY-MM-DD`.
    pub discharge_date: String,
    /// Length of stay in days.
    pub los: Option<u32>,
    /// Department.
    pub dept: String,
    /// Principal diagnosis.
    pub principal: String,
    /// Procedure codes.
    pub procedures: Vec<String>,
    /// Total cost (医疗总费用).
    pub total_cost: Fen,
    /// The patient's item-based share (个人负担, under the patient's own benefit rules).
    pub patient_share: Fen,
    /// Fund amount computed item by item, when the input carries it (for fee-for-service).
    pub fund_amount: Option<Fen>,
    /// The carve-out line named by the input (`carve_out` column), if any; a name the policy has
    /// no `[[carve_outs]]` line for rejects the case.
    pub carve_out: Option<String>,
    /// On the approved 特例单议 list.
    pub special_review: bool,
    /// The grouping.
    pub bundle: Bundle,
}

/// What the grouper made of the case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// A DRG grouping.
    Drg(DrgResult),
    /// A DIP grouping.
    Dip(DipResult),
}

/// DRG grouping outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrgResult {
    /// `Grouped`, `Ambiguous` (QY) or `Ungroupable`.
    pub outcome: DrgOutcome,
    /// DRG code (or the status name when not grouped).
    pub code: String,
    /// Why the case did not group, for the record.
    pub reason: String,
}

/// DRG outcome classes that settle differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrgOutcome {
    /// A DRG.
    Grouped,
    /// 歧义组 (QY).
    Ambiguous,
    /// 0000: failed, invalid or unmappable.
    Ungroupable,
}

/// DIP grouping outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DipResult {
    /// Group code; empty when not grouped.
    pub code: String,
    /// Whether a group was found.
    pub grouped: bool,
    /// Core, basic, comprehensive or blank.
    pub kind: DipKind,
    /// 病种分值 (catalog scale).
    pub score: Points,
    /// Auxiliary coefficient (1 when none).
    pub aux_factor: Ratio,
    /// Auxiliary entry name, if any.
    pub aux_name: String,
    /// 基层病种系数 of a basic group (replaces the hospital factor).
    pub basic_factor: Option<Ratio>,
    /// The standard cost for the deviation test (prior-year same-level mean), if known.
    pub standard_cost: Option<Fen>,
    /// Why the case did not group.
    pub reason: String,
}

/// DIP group kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DipKind {
    /// 核心病种.
    Core,
    /// 基层病种.
    Basic,
    /// 综合病种.
    Comprehensive,
    /// 空白病组.
    Blank,
}

impl Bundle {
    /// The group code as written in outputs.
    pub fn code(&self) -> &str {
        match self {
            Bundle::Drg(d) => &d.code,
            Bundle::Dip(d) => &d.code,
        }
    }
}
