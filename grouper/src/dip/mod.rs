//! DIP (按病种分值, Diagnosis-Intervention Packet) grouping and scoring.
//!
//! - [`DipCatalog`] (`catalog`): the catalog as data — core, basic, comprehensive and blank groups,
//!   auxiliary entries, procedure dictionary, CC/MCC table, hospital coefficients; `import` reads the
//!   public `dip-catalog/1` format.
//! - [`DipPolicy`] (`policy`): every regional difference as a switch, with presets.
//! - [`DipGrouper`] (`choose`): candidate generation (core, basic, comprehensive by prefix then range,
//!   blank), pruning by tie-breaks, then the type priority table; `aux` applies the auxiliary catalog
//!   and `score` the deviation bands and settlement score. Every candidate and the rule that removed
//!   it is in the trace.
//! - [`calibrate`]: builds a catalog (core and comprehensive groups with scores) from history.

pub mod aux;
pub mod calibrate;
pub mod catalog;
mod choose;
pub mod expr;
pub mod import;
pub mod policy;
pub mod score;

pub use aux::Band;
pub use catalog::{
    CompiledCatalog, Complication, DipCatalog, DipGroup, DipHospital, GroupKind, ProcedureAttr,
    Severity, Supplement, SupplementKind, TreatmentType, DIP_FORMAT,
};
pub use choose::{Candidate, DipGrouper, DipGrouping, DipStatus};
pub use policy::DipPolicy;
pub use score::Deviation;

use crate::codes::Codes;
use crate::record::Num;

/// A DIP catalog or policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DipError {
    /// The file could not be read.
    #[error("cannot read {file}: {message}")]
    Io {
        /// The file.
        file: String,
        /// The OS error.
        message: String,
    },
    /// The content is invalid.
    #[error("{file}: at {path}: {problem}")]
    Invalid {
        /// The file.
        file: String,
        /// JSON path of the problem (empty for the whole document).
        path: String,
        /// What is wrong.
        problem: String,
    },
}

/// Insurance type of a case (险种): picks the mean-cost factor and the point price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Insurance {
    /// 职工医保.
    #[default]
    Employee,
    /// 居民医保.
    Resident,
}

impl Insurance {
    /// Parses `employee` / `resident` (also `职工` / `居民`, `1` / `2`).
    pub fn parse(s: &str) -> Option<Insurance> {
        match s.trim() {
            "employee" | "职工" | "1" => Some(Insurance::Employee),
            "resident" | "居民" | "2" => Some(Insurance::Resident),
            _ => None,
        }
    }
}

/// One discharge record as DIP grouping sees it (borrowed; building one allocates nothing).
#[derive(Clone, Copy, Debug, Default)]
pub struct DipRecord<'a> {
    /// Record id.
    pub id: &'a str,
    /// Hospital code (key into the catalog's hospitals).
    pub hospital: &'a str,
    /// Insurance type; `None` when the input did not say or was not understood.
    pub insurance: Option<Insurance>,
    /// Age in years (used when dates are missing).
    pub age: Num,
    /// Age in days (used when dates are missing).
    pub age_days: Num,
    /// Length of stay (used when dates are missing).
    pub los: Num,
    /// Birth date `YYYY-MM-DD`, or empty.
    pub birth_date: &'a str,
    /// Admission date `YYYY-MM-DD`, or empty.
    pub admit_date: &'a str,
    /// Discharge date `YYYY-MM-DD`, or empty.
    pub discharge_date: &'a str,
    /// Leaving type (5 = death).
    pub leaving_type: &'a str,
    /// Diagnoses, first = principal.
    pub diagnoses: Codes<'a>,
    /// Procedures, first = principal.
    pub procedures: Codes<'a>,
    /// Total cost in yuan.
    pub total_cost: Num,
}
