//! Scheme: a regional CHS-DRG grouping scheme, loaded from `opendrg-scheme/1` JSON and compiled into
//! an immutable, `Send + Sync` in-memory form.
//!
//! Compilation interns every code to a [`CodeId`], turns each code list into one column of a per-kind
//! membership matrix (one row of bits per code, so "is this code in list L" is a single bit test on a
//! row the record touches anyway), turns CC/MCC/exclusion tables and body-site maps into dense arrays
//! indexed by code id, and conditions into typed [`Cond`] trees. Nothing of the JSON is kept.

mod compile;
mod raw;

use std::path::Path;

use ahash::AHashMap;

use crate::cc::CcTables;
use crate::codes::{CodeId, CodeKind, CodeTable};
use crate::cond::{Cond, Prefilter};
use crate::error::SchemeError;
use crate::trauma::SiteMap;

/// Index of a DRG-level result code in a scheme (a DRG such as `FT31`, an ADRG code returned as a
/// result, or an ambiguous `xQY` code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DrgId(pub u32);

/// A result code with the strings a grouping reports for it.
#[derive(Clone, Debug)]
pub struct DrgInfo {
    /// The code as returned by a rule (`FT31`, `FT3`, `GQY`).
    pub code: Box<str>,
    /// The MDC reported (`MDC` + first letter).
    pub mdc: Box<str>,
    /// The ADRG reported (`FT3`; `QY` for ambiguous codes).
    pub adrg: Box<str>,
    /// Name from the scheme's DRG table, or empty.
    pub name: Box<str>,
    /// True for an ambiguous (歧义) `xQY` code.
    pub ambiguous: bool,
}

/// The `mdc / adrg / drg` triple a scheme reports for a non-grouped status.
#[derive(Clone, Debug)]
pub struct FixedResult {
    /// MDC column.
    pub mdc: Box<str>,
    /// ADRG column.
    pub adrg: Box<str>,
    /// DRG column.
    pub drg: Box<str>,
}

/// Record-level behaviour of a scheme (`pipeline` in the JSON).
#[derive(Clone, Debug)]
pub struct Pipeline {
    /// Accepted gender texts.
    pub gender_valid: Vec<Box<str>>,
    /// Age in years that makes a newborn (age_days then required).
    pub newborn_age_years: f64,
    /// A newborn at most this many days old must have a birth weight.
    pub newborn_weight_required_max_age_days: f64,
    /// Result for a record failing validation.
    pub check_failed: FixedResult,
    /// Result for a record whose codes cannot be mapped.
    pub mapping_failed: FixedResult,
    /// Result for a record no MDC groups.
    pub no_mdc: FixedResult,
    /// Zhejiang: when nothing groups and there are two or more procedures, regroup with each
    /// secondary procedure in turn as the only procedure.
    pub retry_each_secondary_procedure: bool,
}

/// A rule's DRG branch.
#[derive(Clone, Debug)]
pub(crate) struct Branch {
    pub drg: DrgId,
    pub when: Cond,
}

/// An ADRG rule: entry test, ordered DRG branches, optional fallback code.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub name: Box<str>,
    pub pre: Prefilter,
    pub when: Cond,
    pub branches: Box<[Branch]>,
    pub otherwise: Option<DrgId>,
}

/// One step inside an MDC.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Rule(Rule),
    Qy { drg: DrgId, when: Cond },
}

/// A major diagnostic category with its entry test and steps, in evaluation order.
#[derive(Clone, Debug)]
pub(crate) struct Mdc {
    pub name: Box<str>,
    pub pre: Prefilter,
    pub entry: Cond,
    pub steps: Vec<Step>,
}

/// A list's name and kind, for traces and errors.
#[derive(Clone, Debug)]
pub(crate) struct ListInfo {
    pub name: Box<str>,
}

/// Membership of codes in the lists of one kind: one row of `words` 64-bit words per code id, one
/// bit per list column. Row 0 (unknown code) is all zeros.
#[derive(Clone, Debug, Default)]
pub(crate) struct ListMatrix {
    words: usize,
    bits: Vec<u64>,
}

impl ListMatrix {
    pub(crate) fn new(codes: usize, columns: usize) -> Self {
        let words = columns.div_ceil(64).max(1);
        ListMatrix {
            words,
            bits: vec![0; codes * words],
        }
    }

    pub(crate) fn insert(&mut self, code: CodeId, column: u32) {
        let c = column as usize;
        self.bits[code.index() * self.words + c / 64] |= 1u64 << (c % 64);
    }

    #[inline]
    pub(crate) fn contains(&self, code: CodeId, column: u32) -> bool {
        let c = column as usize;
        match self.bits.get(code.index() * self.words + c / 64) {
            Some(w) => w & (1u64 << (c % 64)) != 0,
            None => false,
        }
    }
}

/// A compiled grouping scheme. Load once, share across threads (`&Scheme` or `Arc<Scheme>`).
pub struct Scheme {
    pub(crate) version: Box<str>,
    pub(crate) origin: Box<str>,
    pub(crate) pipeline: Pipeline,
    pub(crate) dx: CodeTable,
    pub(crate) proc: CodeTable,
    pub(crate) dx_lists: ListMatrix,
    pub(crate) proc_lists: ListMatrix,
    pub(crate) lists: Vec<ListInfo>,
    pub(crate) mdcs: Vec<Mdc>,
    /// Column of the OR-procedure (手术) list in the procedure matrix, if the scheme names one.
    pub(crate) or_list: Option<u32>,
    pub(crate) cc: CcTables,
    pub(crate) site_maps: Vec<SiteMap>,
    /// Code map targets by input id (`NOT_MAPPED` when the code is not a map key).
    pub(crate) dx_map: Vec<u32>,
    pub(crate) proc_map: Vec<u32>,
    pub(crate) dx_names: Vec<Box<str>>,
    pub(crate) proc_names: Vec<Box<str>>,
    pub(crate) drgs: Vec<DrgInfo>,
    pub(crate) drg_index: AHashMap<Box<str>, DrgId>,
    pub(crate) warnings: Vec<String>,
}

/// Marker in `dx_map` / `proc_map` for a code that is not a map key.
pub(crate) const NOT_MAPPED: u32 = crate::codes::NO_AUX;

impl Scheme {
    /// Loads and compiles a scheme file.
    pub fn load(path: impl AsRef<Path>) -> Result<Scheme, SchemeError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| SchemeError::Io {
            file: path.display().to_string(),
            source,
        })?;
        Scheme::from_json_slice(&bytes, &path.display().to_string())
    }

    /// Compiles a scheme from JSON bytes; `origin` names the source in errors (a file name).
    pub fn from_json_slice(bytes: &[u8], origin: &str) -> Result<Scheme, SchemeError> {
        let raw: raw::RawScheme =
            serde_json::from_slice(bytes).map_err(|source| SchemeError::Json {
                file: origin.to_string(),
                source,
            })?;
        compile::compile(raw, origin)
    }

    /// The scheme's version name (`chs_drg_11`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Where the scheme was loaded from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Record-level behaviour.
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// Load-time warnings (unreachable DRG branches, …). Never fatal.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Number of MDCs, ADRG rules and result codes.
    pub fn counts(&self) -> (usize, usize, usize) {
        let rules = self
            .mdcs
            .iter()
            .flat_map(|m| &m.steps)
            .filter(|s| matches!(s, Step::Rule(_)))
            .count();
        (self.mdcs.len(), rules, self.drgs.len())
    }

    /// The result code table.
    pub fn drgs(&self) -> &[DrgInfo] {
        &self.drgs
    }

    /// Looks up a result code (`FT31`).
    pub fn drg(&self, code: &str) -> Option<DrgId> {
        self.drg_index.get(code).copied()
    }

    /// Info for a result code id.
    pub fn drg_info(&self, id: DrgId) -> &DrgInfo {
        &self.drgs[id.0 as usize]
    }

    /// Interned id of a code (unknown codes give [`CodeId::UNKNOWN`]).
    pub fn code_id(&self, kind: CodeKind, code: &str) -> CodeId {
        match kind {
            CodeKind::Dx => self.dx.get(code),
            CodeKind::Proc => self.proc.get(code),
        }
    }

    /// The text of a code id.
    pub fn code_name(&self, kind: CodeKind, id: CodeId) -> &str {
        match kind {
            CodeKind::Dx => self.dx.name(id),
            CodeKind::Proc => self.proc.name(id),
        }
    }

    /// The descriptive name (中文名) of a code, or empty.
    pub fn code_title(&self, kind: CodeKind, id: CodeId) -> &str {
        let names = match kind {
            CodeKind::Dx => &self.dx_names,
            CodeKind::Proc => &self.proc_names,
        };
        names.get(id.index()).map_or("", |s| s)
    }

    /// Whether `code` is an accepted input when code mapping is on (a key of the code map).
    pub fn is_map_key(&self, kind: CodeKind, code: &str) -> bool {
        let (table, map) = match kind {
            CodeKind::Dx => (&self.dx, &self.dx_map),
            CodeKind::Proc => (&self.proc, &self.proc_map),
        };
        map.get(table.get(code).index())
            .is_some_and(|&t| t != NOT_MAPPED)
    }

    pub(crate) fn list_name(&self, id: u32) -> &str {
        &self.lists[id as usize].name
    }

    #[inline]
    pub(crate) fn map_code(&self, kind: CodeKind, id: CodeId) -> Option<CodeId> {
        let map = match kind {
            CodeKind::Dx => &self.dx_map,
            CodeKind::Proc => &self.proc_map,
        };
        match map.get(id.index()) {
            Some(&t) if t != NOT_MAPPED => Some(CodeId(t)),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (mdcs, rules, drgs) = self.counts();
        f.debug_struct("Scheme")
            .field("version", &self.version)
            .field("mdcs", &mdcs)
            .field("rules", &rules)
            .field("result_codes", &drgs)
            .field("dx_codes", &self.dx.len())
            .field("proc_codes", &self.proc.len())
            .finish()
    }
}
