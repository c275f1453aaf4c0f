//! A stay as the signal rules see it: who, where, when, what group, what it cost, and the group's
//! reference numbers. The caller fills it from its case rows and the grouping; a field the caller
//! cannot fill stays `None`, and the rules that need it count the stay as not assessed instead of
//! guessing.

use crate::money::{Fen, Ratio};

use super::Date;

/// One inpatient stay (住院病例) to check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stay {
    /// Case id, unique among the stays checked together.
    pub id: String,
    /// Patient (insured person) id; readmissions pair stays of one patient.
    pub patient: Option<String>,
    /// Hospital code.
    pub hospital: String,
    /// Admission day.
    pub admit_date: Option<Date>,
    /// Discharge day.
    pub discharge_date: Option<Date>,
    /// Length of stay in days, as the caller counts it (the signals never derive it from dates).
    pub los: Option<u32>,
    /// DRG or DIP group code; empty when the stay did not group (such stays are never compared).
    pub group: String,
    /// ADRG of a DRG group (`ES3` for `ES31`); `None` for DIP.
    pub adrg: Option<String>,
    /// How the group's split reads, when the ADRG is split by complications; `None` when the caller
    /// does not know (a regional scheme whose last digit means something else, DIP).
    pub split: Option<Split>,
    /// Principal diagnosis code.
    pub principal: String,
    /// Total cost of the stay (医疗总费用).
    pub total_cost: Fen,
    /// The group's standard cost (the cost the group's weight or score stands for: the DRG mean cost,
    /// the DIP standard cost).
    pub group_standard: Option<Fen>,
    /// For a stay in a CC or MCC split: the standard cost of the same ADRG's split without CC/MCC
    /// (the group the stay would fall in if its CC/MCC diagnoses were not coded).
    pub uncomplicated_standard: Option<Fen>,
    /// The group's mean length of stay in days (fractional, e.g. `7.3`).
    pub group_mean_los: Option<Ratio>,
    /// The patient's outpatient spending in the cost-transfer window around the stay (see
    /// [`super::CostTransferRule::window`]).
    pub outpatient_cost_around: Option<Fen>,
}

/// The CC/MCC split of a DRG within its ADRG.
///
/// In the national CHS-DRG scheme the last digit of a DRG code says it (the OpenDRG scheme format,
/// §2.1 CC/MCC): `1` with a major complication or comorbidity (伴严重并发症或合并症, MCC), `3` with a
/// complication or comorbidity (伴并发症或合并症, CC), `5` without (不伴), `9` not split. Some
/// regional schemes use other digits for splits by age, LOS or ICU hours; there the caller must map
/// the codes itself (or leave [`Stay::split`] empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Split {
    /// Suffix `1`: the split with an MCC.
    Mcc,
    /// Suffix `3`: the split with a CC (or an MCC, where the ADRG has no MCC split).
    Cc,
    /// Suffix `5`: the split without CC/MCC.
    Without,
    /// Suffix `9`: the ADRG is not split.
    Unsplit,
}

impl Split {
    /// The split of a national CHS-DRG code by its last digit (`ES31` → [`Split::Mcc`]); `None` for
    /// codes that are not four characters or end in another digit.
    pub fn from_chs_drg_code(code: &str) -> Option<Split> {
        let b = code.as_bytes();
        if b.len() != 4 {
            return None;
        }
        match b[3] {
            b'1' => Some(Split::Mcc),
            b'3' => Some(Split::Cc),
            b'5' => Some(Split::Without),
            b'9' => Some(Split::Unsplit),
            _ => None,
        }
    }

    /// The code of the split without CC/MCC in the same ADRG (`ES31` → `ES35`), for looking up
    /// [`Stay::uncomplicated_standard`]; `None` unless `code` is a national CC or MCC split.
    pub fn uncomplicated_sibling(code: &str) -> Option<String> {
        match Split::from_chs_drg_code(code)? {
            Split::Mcc | Split::Cc => Some(format!("{}5", &code[..3])),
            Split::Without | Split::Unsplit => None,
        }
    }

    /// Whether the split depends on a CC or MCC being coded (`1` or `3`).
    pub fn has_cc_or_mcc(self) -> bool {
        matches!(self, Split::Mcc | Split::Cc)
    }

    /// Whether the ADRG is split by CC/MCC at all (every split but [`Split::Unsplit`]).
    pub fn is_split(self) -> bool {
        self != Split::Unsplit
    }

    /// Name in evidence text.
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Mcc => "MCC",
            Split::Cc => "CC",
            Split::Without => "without CC/MCC",
            Split::Unsplit => "not split",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_suffixes() {
        assert_eq!(Split::from_chs_drg_code("ES31"), Some(Split::Mcc));
        assert_eq!(Split::from_chs_drg_code("ES33"), Some(Split::Cc));
        assert_eq!(Split::from_chs_drg_code("ES35"), Some(Split::Without));
        assert_eq!(Split::from_chs_drg_code("BR19"), Some(Split::Unsplit));
        assert_eq!(Split::from_chs_drg_code("BR12"), None);
        assert_eq!(Split::from_chs_drg_code("0000A"), None);
        assert_eq!(Split::from_chs_drg_code("中文"), None);
        assert_eq!(
            Split::uncomplicated_sibling("ES31").as_deref(),
            Some("ES35")
        );
        assert_eq!(
            Split::uncomplicated_sibling("ES33").as_deref(),
            Some("ES35")
        );
        assert_eq!(Split::uncomplicated_sibling("ES35"), None);
    }
}
