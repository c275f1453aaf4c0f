//! Settlement input rows: the columns `drgdip settle` reads beside the grouping columns, and the
//! conversion of a grouped row into a [`settlement::case::Case`].

use crate::io::row::Row;
use grouper::dip::{DipGrouping, DipStatus, GroupKind};
use grouper::{Grouping, Status};
use settlement::case::{Bundle, Case, DipKind, DipResult, DrgOutcome, DrgResult};
use settlement::money::{Fen, Ratio, Rounding};
use settlement::points::Points;

use super::csv::{Checked, HeaderError, NamedColumns};

/// Settlement columns, by name. Required: `id`, `hospital`, `fund_type`, `locality`,
/// `discharge_date`, `diagnoses`, `total_cost`, `patient_share`; the others are optional.
pub const SETTLE_COLUMNS: [&str; 16] = [
    "id",
    "hospital",
    "hospital_level",
    "fund_type",
    "locality",
    "service_line",
    "discharge_date",
    "los",
    "dept",
    "diagnoses",
    "procedures",
    "total_cost",
    "patient_share",
    "fund_amount",
    "carve_out",
    "special_review",
];

const OPTIONAL: [&str; 8] = [
    "hospital_level",
    "service_line",
    "los",
    "dept",
    "procedures",
    "fund_amount",
    "carve_out",
    "special_review",
];

/// Located settlement columns.
#[derive(Clone, Debug)]
pub struct SettleColumns(NamedColumns<16>);

fn yuan(name: &str, text: &str) -> Result<Fen, String> {
    Fen::from_yuan(trim(text)).map_err(|e| format!("{name}: {e}"))
}

/// `str::trim`, answered at once for the common field that starts and ends with a printable ASCII
/// character (nothing to trim); anything else, Unicode spaces included, goes to `str::trim`.
fn trim(s: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|&c| c.is_ascii_graphic());
    if plain(s.as_bytes().first()) && plain(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

fn split_codes(s: &str) -> impl Iterator<Item = &str> {
    s.split(['|', '+', ',', ';'])
        .map(trim)
        .filter(|c| !c.is_empty())
}

impl SettleColumns {
    /// Locates the columns.
    pub fn from_header(header: &Row) -> Result<SettleColumns, HeaderError> {
        NamedColumns::from_header(header, &SETTLE_COLUMNS, &OPTIONAL).map(SettleColumns)
    }

    /// The best-effort id of a row.
    pub fn id_lossy(&self, row: &Row) -> String {
        self.0.id_lossy(row)
    }

    /// The indexes of the columns read.
    pub fn located(&self) -> Vec<usize> {
        self.0.located()
    }

    /// Reads a row as a case (the bundle is filled by the caller), or says why it cannot be read.
    pub fn case(
        &self,
        row: &Row,
        approved: &dyn Fn(&str) -> bool,
        bundle: Bundle,
    ) -> Result<Case, String> {
        let mut case = empty_case(bundle);
        self.fill(Checked::new(row), approved, &mut case)?;
        Ok(case)
    }

    /// [`SettleColumns::case`] into a case read before (all but its bundle are replaced), reusing
    /// its strings: a run reads millions of rows, and a dozen allocations per row add up. On an
    /// error the case is left half filled.
    pub fn fill(
        &self,
        row: Checked<'_>,
        approved: &dyn Fn(&str) -> bool,
        case: &mut Case,
    ) -> Result<(), String> {
        let f = self.0.fields_checked(row)?;
        let level = match trim(f[2]) {
            "" => None,
            t => Some(
                t.parse::<u8>()
                    .map_err(|_| format!("hospital_level {t:?} is not a level number"))?,
            ),
        };
        let los = match trim(f[7]) {
            "" => None,
            t => Some(
                t.parse::<u32>()
                    .map_err(|_| format!("los {t:?} is not a whole number of days"))?,
            ),
        };
        let fund_amount = match trim(f[13]) {
            "" => None,
            t => Some(yuan("fund_amount", t)?),
        };
        let total_cost = yuan("total_cost", f[11])?;
        let patient_share = yuan("patient_share", f[12])?;
        let set = |s: &mut String, text: &str| {
            s.clear();
            s.push_str(text);
        };
        set(&mut case.id, trim(f[0]));
        let flagged = matches!(trim(f[15]), "1" | "true" | "yes" | "Y" | "y");
        case.special_review = flagged || approved(&case.id);
        set(&mut case.hospital, trim(f[1]));
        case.hospital_level = level;
        set(&mut case.fund_type, trim(f[3]));
        set(&mut case.locality, trim(f[4]));
        set(
            &mut case.service_line,
            match trim(f[5]) {
                "" => "inpatient",
                s => s,
            },
        );
        set(&mut case.discharge_date, trim(f[6]));
        case.los = los;
        set(&mut case.dept, trim(f[8]));
        set(&mut case.principal, split_codes(f[9]).next().unwrap_or(""));
        let mut n = 0;
        for code in split_codes(f[10]) {
            match case.procedures.get_mut(n) {
                Some(p) => set(p, code),
                None => case.procedures.push(code.to_string()),
            }
            n += 1;
        }
        case.procedures.truncate(n);
        case.total_cost = total_cost;
        case.patient_share = patient_share;
        case.fund_amount = fund_amount;
        match (trim(f[14]), &mut case.carve_out) {
            ("", c) => *c = None,
            (s, Some(c)) => set(c, s),
            (s, c) => *c = Some(s.to_string()),
        }
        Ok(())
    }
}

/// A case with nothing read yet, to [`SettleColumns::fill`].
pub fn empty_case(bundle: Bundle) -> Case {
    Case {
        id: String::new(),
        hospital: String::new(),
        hospital_level: None,
        fund_type: String::new(),
        locality: String::new(),
        service_line: String::new(),
        discharge_date: String::new(),
        los: None,
        dept: String::new(),
        principal: String::new(),
        procedures: Vec::new(),
        total_cost: Fen::ZERO,
        patient_share: Fen::ZERO,
        fund_amount: None,
        carve_out: None,
        special_review: false,
        bundle,
    }
}

/// A DRG grouping as settlement sees it.
pub fn drg_bundle(g: &Grouping<'_>) -> Bundle {
    let reason = g.reason.as_ref().map(|r| r.to_string()).unwrap_or_default();
    let (outcome, code) = match g.status {
        Status::Success => (DrgOutcome::Grouped, g.drg.to_string()),
        Status::Qy => (DrgOutcome::Ambiguous, g.drg.to_string()),
        s => (DrgOutcome::Ungroupable, s.as_str().to_string()),
    };
    Bundle::Drg(DrgResult {
        outcome,
        code,
        reason: if reason.is_empty() {
            g.status.as_str().to_string()
        } else {
            format!("{}: {reason}", g.status.as_str())
        },
    })
}

fn ratio_of(f: f64) -> Ratio {
    format!("{f}").parse().unwrap_or(Ratio::ONE)
}

/// A DIP grouping as settlement sees it.
pub fn dip_bundle(g: &DipGrouping<'_>) -> Bundle {
    let Some(group) = g.group.filter(|_| g.status == DipStatus::Ok) else {
        return Bundle::Dip(DipResult {
            code: String::new(),
            grouped: false,
            kind: DipKind::Blank,
            score: Points::ZERO,
            aux_factor: Ratio::ONE,
            aux_name: String::new(),
            basic_factor: None,
            standard_cost: None,
            reason: format!(
                "{}{}",
                g.status.as_str(),
                g.reason
                    .as_ref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
        });
    };
    let score = Points::from_ratio(ratio_of(group.score), Rounding::HalfAwayFromZero)
        .unwrap_or(Points::ZERO);
    let standard = (g.standard_cost.is_finite() && g.standard_cost > 0.0)
        .then(|| Fen((g.standard_cost * 100.0).round() as i64));
    Bundle::Dip(DipResult {
        code: group.code.clone(),
        grouped: true,
        kind: match g.kind.unwrap_or(group.kind) {
            GroupKind::Core => DipKind::Core,
            GroupKind::Basic => DipKind::Basic,
            GroupKind::Comprehensive => DipKind::Comprehensive,
            GroupKind::Blank => DipKind::Blank,
        },
        score,
        aux_factor: g.supplement.map_or(Ratio::ONE, |s| ratio_of(s.factor)),
        aux_name: g.supplement.map_or(String::new(), |s| s.band.clone()),
        basic_factor: group.basic_factor.map(ratio_of),
        standard_cost: standard,
        reason: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_trim_trims_as_str_trim_does() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\n",
            "H01",
            "\u{3000}H01",
            "H01\u{3000}",
            "中",
            " 中 ",
            "\u{a0}x",
            "x\u{85}",
            "a b",
            "~",
            "-1.5",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }
}
