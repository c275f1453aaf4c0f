//! CC / MCC (并发症或合并症 / 严重并发症或合并症) with exclusion tables.
//!
//! Each secondary diagnosis may be an MCC or a CC, and belongs to one exclusion table; the principal
//! diagnosis names at most one exclusion table (CCE). A secondary counts only when its table differs
//! from the principal's:
//!
//! ```text
//! excl    = CCE[principal]
//! has_mcc = any secondary x: x in MCC and not (excl and excl == MCC[x])
//! has_cc  = any secondary x: x in CC  and not (excl and excl == CC[x])
//! ```

use crate::codes::{CodeId, CodeTable};

/// Dense per-diagnosis tables; table ids are 1-based, 0 means "not in this table".
#[derive(Clone, Debug, Default)]
pub(crate) struct CcTables {
    pub mcc: Vec<u32>,
    pub cc: Vec<u32>,
    pub cce: Vec<u32>,
    /// Exclusion-table names, index = table id (0 = none).
    pub names: Vec<Box<str>>,
}

/// How one secondary diagnosis counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CcHit {
    /// The secondary diagnosis code.
    pub code: String,
    /// Its exclusion table.
    pub table: String,
    /// True when the principal's exclusion table is the same, so it does not count.
    pub excluded: bool,
}

/// The CC/MCC evaluation of a record, for traces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CcReport {
    /// The principal diagnosis's exclusion table, if any.
    pub exclusion_table: Option<String>,
    /// Secondary diagnoses found in the MCC table.
    pub mcc: Vec<CcHit>,
    /// Secondary diagnoses found in the CC table.
    pub cc: Vec<CcHit>,
    /// Result of `has_mcc`.
    pub has_mcc: bool,
    /// Result of `has_cc`.
    pub has_cc: bool,
}

#[inline]
fn table(t: &[u32], id: CodeId) -> u32 {
    t.get(id.index()).copied().unwrap_or(0)
}

impl CcTables {
    /// `(has_mcc, has_cc)` for a diagnosis list (first = principal).
    #[inline]
    pub(crate) fn flags(&self, dx: &[CodeId]) -> (bool, bool) {
        let Some((&principal, secondary)) = dx.split_first() else {
            return (false, false);
        };
        let excl = table(&self.cce, principal);
        let counts = |t: u32| t != 0 && !(excl != 0 && excl == t);
        let mut mcc = false;
        let mut cc = false;
        for &x in secondary {
            mcc |= counts(table(&self.mcc, x));
            cc |= counts(table(&self.cc, x));
        }
        (mcc, cc)
    }

    /// The same evaluation, itemised.
    pub(crate) fn report(&self, dx: &[CodeId], codes: &CodeTable) -> CcReport {
        let (has_mcc, has_cc) = self.flags(dx);
        let mut r = CcReport {
            has_mcc,
            has_cc,
            ..CcReport::default()
        };
        let Some((&principal, secondary)) = dx.split_first() else {
            return r;
        };
        let excl = table(&self.cce, principal);
        if excl != 0 {
            r.exclusion_table = Some(self.names[excl as usize].to_string());
        }
        for &x in secondary {
            for (t, out) in [(&self.mcc, &mut r.mcc), (&self.cc, &mut r.cc)] {
                let tid = table(t, x);
                if tid != 0 {
                    out.push(CcHit {
                        code: codes.name(x).to_string(),
                        table: self.names[tid as usize].to_string(),
                        excluded: excl != 0 && excl == tid,
                    });
                }
            }
        }
        r
    }
}
