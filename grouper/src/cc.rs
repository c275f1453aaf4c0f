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

/// Dense per-diagnosis tables: one packed word per code id holding its MCC table, CC table and
/// (as a principal) CCE table, so a secondary diagnosis costs one memory access. Table ids are
/// 1-based, 0 means "not in this table".
#[derive(Clone, Debug, Default)]
pub(crate) struct CcTables {
    attrs: Vec<u64>,
    /// Exclusion-table names, index = table id (0 = none).
    pub names: Vec<Box<str>>,
}

/// Which of a code's three table slots.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Slot {
    Mcc = 0,
    Cc = 1,
    Cce = 2,
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

impl CcTables {
    /// Empty tables for `codes` diagnosis ids.
    pub(crate) fn new(codes: usize) -> Self {
        CcTables {
            attrs: vec![0; codes],
            names: vec!["".into()],
        }
    }

    /// Sets a code's table in one slot.
    pub(crate) fn set(&mut self, id: CodeId, slot: Slot, table: u16) {
        let shift = 16 * slot as u32;
        let w = &mut self.attrs[id.index()];
        *w = (*w & !(0xFFFF << shift)) | (u64::from(table) << shift);
    }

    #[inline]
    fn word(&self, id: CodeId) -> u64 {
        self.attrs.get(id.index()).copied().unwrap_or(0)
    }

    #[inline]
    fn get(w: u64, slot: Slot) -> u32 {
        ((w >> (16 * slot as u32)) & 0xFFFF) as u32
    }

    /// `(has_mcc, has_cc)` for a diagnosis list (first = principal).
    #[inline]
    pub(crate) fn flags(&self, dx: &[CodeId]) -> (bool, bool) {
        let Some((&principal, secondary)) = dx.split_first() else {
            return (false, false);
        };
        let excl = Self::get(self.word(principal), Slot::Cce);
        let counts = |t: u32| t != 0 && !(excl != 0 && excl == t);
        let mut mcc = false;
        let mut cc = false;
        for &x in secondary {
            let w = self.word(x);
            mcc |= counts(Self::get(w, Slot::Mcc));
            cc |= counts(Self::get(w, Slot::Cc));
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
        let excl = Self::get(self.word(principal), Slot::Cce);
        if excl != 0 {
            r.exclusion_table = Some(self.names[excl as usize].to_string());
        }
        for &x in secondary {
            for (slot, out) in [(Slot::Mcc, &mut r.mcc), (Slot::Cc, &mut r.cc)] {
                let tid = Self::get(self.word(x), slot);
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
