//! Supervision signals ([`settlement::signals`]) in the CLI: the case-file columns they read beside
//! the settlement columns, a [`Stay`] filled from a row, its [`Case`] and the [`Engine`], the run's
//! preparation before [`detect`] ([`run`]), the output files ([`write`](mod@write)) and the points adjustments
//! applied to the close's slips ([`adjust`]).
//!
//! # Columns
//!
//! [`SignalColumns`] are all optional; a stay whose row lacks one gets `None` there, and the rules
//! that need it count the stay as *not assessed*.
//!
//! | column | meaning | feeds |
//! |---|---|---|
//! | `patient_id` | the insured person's id, the same on every stay of one person | [`Stay::patient`] (readmission) |
//! | `admit_date` | admission day, `YYYY-MM-DD` | [`Stay::admit_date`] (readmission) |
//! | `outpatient_cost` | yuan: the insured's outpatient spending **summed over the window** the policy's `[signals.cost_transfer]` names (`window_days` before admission to `window_days` after discharge, both ends included, see [`settlement::signals::CostTransferRule::window`]), computed upstream from outpatient claims | [`Stay::outpatient_cost_around`] (cost transfer) |
//!
//! The rest of a stay comes from the settlement columns ([`crate::io::cases::SettleColumns`]: id,
//! hospital, `discharge_date`, `los`, the principal diagnosis, `total_cost`) and from the grouping and
//! the engine:
//!
//! - **DRG** (a case that grouped; QY and ungroupable cases get an empty group and are never
//!   compared): the group is the DRG code, the ADRG its first three characters, the split
//!   [`Split::from_chs_drg_code`] (the national last-digit convention: a regional scheme whose last
//!   digit means something else is misread, see `docs/SIGNALS.md`), the group standard the weight
//!   table's `mean_cost` (when not zero), and for a CC or MCC split the uncomplicated standard the
//!   `mean_cost` of [`Split::uncomplicated_sibling`].
//! - **DIP** (a case that grouped): the group is the DIP code and the group standard the grouping's
//!   standard cost; no ADRG, no split.
//! - [`Stay::group_mean_los`] is not a column: [`run::fill_group_mean_los`] computes each group's
//!   mean LOS over the run, exactly.
//!
//! # A bad optional column does not reject a case
//!
//! A case that settles is paid whatever its supervision columns say. [`stay_lenient`] (what a
//! settlement run should call) leaves a field it cannot read (`admit_date = 2025-13-01`,
//! `outpatient_cost = abc`, a discharge date that is not `YYYY-MM-DD`) as `None`, so the stay is
//! counted not assessed by the rules that need the field, and returns the problem for a warning
//! count. [`stay`] is the strict form for checking an input file: the first such problem is an
//! error naming the column.
//!
//! # Memory
//!
//! [`detect`] takes a slice of owned [`Stay`]s, so a run holds one per settled case from pass 1 to
//! the detection: 288 bytes inline plus a heap allocation (32 bytes or more) for each non-empty
//! string: id, hospital and group, and the patient, ADRG and principal diagnosis when a rule reads
//! them. Build stays only when the policy has a `[signals]` table, and call
//! [`SignalColumns::only_for`] so the strings no configured rule reads stay empty (no allocation).
//! Measured on a million generated cases (`gen --months 3 --seed 1`) with every rule of
//! `data/scenarios/demo-signals.toml` (budgets scaled up): `settle` peaks at 720 MB instead of
//! 100 MB (the stays and the detection's own indexes: about 620 bytes per stay), and the detection
//! takes about 2 s on two cores.
//!
//! [`detect`]: settlement::signals::detect

pub mod adjust;
pub mod run;
pub mod write;

use crate::io::row::Row;
use settlement::case::{Bundle, Case, DrgOutcome};
use settlement::engine::Engine;
use settlement::money::Fen;
use settlement::signals::{Date, SameKey, SignalRules, Split, Stay};

use super::csv::{HeaderError, NamedColumns};

/// The signal columns, by name, all optional (see the [module docs](self)).
pub const SIGNAL_COLUMNS: [&str; 3] = ["patient_id", "admit_date", "outpatient_cost"];

/// Which of a stay's strings are filled (the others cost a heap allocation per stay).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Keep {
    patient: bool,
    /// `None`: every principal diagnosis; `Some(prefixes)`: only one that starts with a prefix.
    principal: Option<Vec<String>>,
    adrg: bool,
}

/// The located signal columns, and which parts of a stay to fill.
#[derive(Clone, Debug)]
pub struct SignalColumns {
    cols: NamedColumns<3>,
    keep: Keep,
}

impl SignalColumns {
    /// Locates the columns in a header row (all optional: a header without any is accepted, and
    /// its stays carry no patient, admission day or outpatient spending). Every field is filled
    /// until [`SignalColumns::only_for`] says otherwise.
    pub fn from_header(header: &Row) -> Result<SignalColumns, HeaderError> {
        let cols = NamedColumns::from_header(header, &SIGNAL_COLUMNS, &SIGNAL_COLUMNS)?;
        Ok(SignalColumns {
            cols,
            keep: Keep {
                patient: true,
                principal: None,
                adrg: true,
            },
        })
    }

    /// Leaves empty the strings no rule in `rules` reads, to save an allocation per stay: the
    /// patient unless `[signals.readmission]` runs; the principal diagnosis unless it starts with
    /// one of the readmission rule's `exempt_diagnosis_prefixes` (the only use of it: an empty
    /// principal starts with no prefix, and prefixes are never empty); the ADRG unless readmission
    /// compares ADRGs or `[signals.upcoding]` compares hospitals' CC/MCC rates.
    /// [`settlement::signals::detect`] with the same rules gives the same output either way.
    pub fn only_for(mut self, rules: &SignalRules) -> SignalColumns {
        let r = rules.readmission.as_ref();
        self.keep = Keep {
            patient: r.is_some(),
            principal: Some(r.map_or_else(Vec::new, |r| r.exempt_diagnosis_prefixes.clone())),
            adrg: r.is_some_and(|r| r.same == SameKey::Adrg)
                || rules
                    .upcoding
                    .as_ref()
                    .is_some_and(|u| u.hospital_rate_ratio_above.is_some()),
        };
        self
    }

    /// Whether the header has the column `name` (one of [`SIGNAL_COLUMNS`]).
    pub fn has(&self, name: &str) -> bool {
        self.cols.has(name)
    }

    /// The indexes of the columns found (to add to a Parquet reader's `read_only` list).
    pub fn located(&self) -> Vec<usize> {
        self.cols.located()
    }
}

/// A day from a column: `None` when empty, an error naming the column when not `YYYY-MM-DD`.
fn date(column: &str, text: &str) -> Result<Option<Date>, String> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|e| format!("{column} {t:?}: {e}")),
    }
}

/// Fills a stay, leaving unreadable optional fields `None`; returns the first problem met.
fn fill(cols: &SignalColumns, row: &Row, case: &Case, engine: &Engine) -> (Stay, Option<String>) {
    let mut problem: Option<String> = None;
    let mut note = |e: String| {
        problem.get_or_insert(e);
    };
    let fields = cols.cols.fields(row).unwrap_or_else(|e| {
        note(e);
        [""; 3]
    });
    let patient = fields[0].trim();
    let admit_date = date("admit_date", fields[1]).unwrap_or_else(|e| {
        note(e);
        None
    });
    let discharge_date = date("discharge_date", &case.discharge_date).unwrap_or_else(|e| {
        note(e);
        None
    });
    let outpatient_cost_around = match fields[2].trim() {
        "" => None,
        t => Fen::from_yuan(t)
            .map_err(|e| note(format!("outpatient_cost {t:?}: {e}")))
            .ok(),
    };
    let keep = &cols.keep;
    let principal = match &keep.principal {
        None => true,
        Some(prefixes) => prefixes
            .iter()
            .any(|p| case.principal.starts_with(p.as_str())),
    };
    let mut s = Stay {
        id: case.id.clone(),
        patient: (keep.patient && !patient.is_empty()).then(|| patient.to_string()),
        hospital: case.hospital.clone(),
        admit_date,
        discharge_date,
        los: case.los,
        principal: if principal {
            case.principal.clone()
        } else {
            String::new()
        },
        total_cost: case.total_cost,
        outpatient_cost_around,
        ..Stay::default()
    };
    match &case.bundle {
        Bundle::Drg(d) if d.outcome == DrgOutcome::Grouped && !d.code.is_empty() => {
            let mean = |code: &str| {
                engine
                    .weight(code)
                    .map(|w| w.mean_cost)
                    .filter(|m| m.0 != 0)
            };
            s.split = Split::from_chs_drg_code(&d.code);
            s.group_standard = mean(&d.code);
            if s.split.is_some_and(Split::has_cc_or_mcc) {
                s.uncomplicated_standard =
                    Split::uncomplicated_sibling(&d.code).and_then(|c| mean(&c));
            }
            if keep.adrg {
                s.adrg = d.code.get(..3).map(str::to_string);
            }
            s.group = d.code.clone();
        }
        Bundle::Dip(d) if d.grouped && !d.code.is_empty() => {
            s.group = d.code.clone();
            s.group_standard = d.standard_cost.filter(|f| f.0 > 0);
        }
        Bundle::Drg(_) | Bundle::Dip(_) => {}
    }
    (s, problem)
}

/// A stay from a settled row, its case and the engine (see the [module docs](self) for what comes
/// from where). Strict: an optional column that cannot be read (a date that is not `YYYY-MM-DD`,
/// an amount that is not yuan) is an error naming the column. A settlement run should use
/// [`stay_lenient`].
pub fn stay(cols: &SignalColumns, row: &Row, case: &Case, engine: &Engine) -> Result<Stay, String> {
    match fill(cols, row, case, engine) {
        (s, None) => Ok(s),
        (_, Some(e)) => Err(e),
    }
}

/// [`stay`] that never fails: a field it cannot read is left `None` (the rules that need it count
/// the stay as not assessed), and the first problem is returned beside the stay, for a count or a
/// warning. The case itself is settled either way.
pub fn stay_lenient(
    cols: &SignalColumns,
    row: &Row,
    case: &Case,
    engine: &Engine,
) -> (Stay, Option<String>) {
    fill(cols, row, case, engine)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use settlement::case::{DipKind, DipResult, DrgResult};
    use settlement::engine::GroupWeight;
    use settlement::money::Ratio;
    use settlement::points::Points;
    use settlement::policy::Policy;

    use super::*;

    const POLICY: &str = include_str!("../../data/demo/policy.toml");

    fn engine() -> Engine {
        let policy = Policy::from_toml(POLICY, "demo").unwrap();
        let w = |mean: i64| GroupWeight {
            weight: Points(10_000),
            mean_cost: Fen(mean),
        };
        let weights: HashMap<String, GroupWeight> = [
            ("ES31".to_string(), w(1_400_000)),
            ("ES35".to_string(), w(900_000)),
            ("GB13".to_string(), w(2_000_000)),
            ("FM19".to_string(), w(0)),
        ]
        .into_iter()
        .collect();
        Engine::new(policy, weights).unwrap()
    }

    fn case(bundle: Bundle) -> Case {
        Case {
            id: "C1".into(),
            hospital: "H01".into(),
            hospital_level: Some(3),
            fund_type: "employee".into(),
            locality: "local".into(),
            service_line: "inpatient".into(),
            discharge_date: "2025-01-10".into(),
            los: Some(6),
            dept: String::new(),
            principal: "J18.900".into(),
            procedures: Vec::new(),
            total_cost: Fen(812_345),
            patient_share: Fen(100_000),
            fund_amount: None,
            carve_out: None,
            special_review: false,
            bundle,
        }
    }

    fn drg(outcome: DrgOutcome, code: &str) -> Bundle {
        Bundle::Drg(DrgResult {
            outcome,
            code: code.into(),
            reason: String::new(),
        })
    }

    fn header() -> Row {
        Row::from(vec!["id", "patient_id", "admit_date", "outpatient_cost"])
    }

    fn row(patient: &str, admit: &str, outpatient: &str) -> Row {
        Row::from(vec!["C1", patient, admit, outpatient])
    }

    #[test]
    fn drg_stay_from_row_case_and_weights() {
        let (e, cols) = (engine(), SignalColumns::from_header(&header()).unwrap());
        let s = stay(
            &cols,
            &row(" P7 ", "2025-01-04", "123.45"),
            &case(drg(DrgOutcome::Grouped, "ES31")),
            &e,
        )
        .unwrap();
        assert_eq!(s.id, "C1");
        assert_eq!(s.patient.as_deref(), Some("P7"));
        assert_eq!(s.hospital, "H01");
        assert_eq!(s.admit_date, Some("2025-01-04".parse().unwrap()));
        assert_eq!(s.discharge_date, Some("2025-01-10".parse().unwrap()));
        assert_eq!(s.los, Some(6));
        assert_eq!((s.group.as_str(), s.adrg.as_deref()), ("ES31", Some("ES3")));
        assert_eq!(s.split, Some(Split::Mcc));
        assert_eq!(s.principal, "J18.900");
        assert_eq!(s.total_cost, Fen(812_345));
        assert_eq!(s.group_standard, Some(Fen(1_400_000)));
        assert_eq!(s.uncomplicated_standard, Some(Fen(900_000)));
        assert_eq!(s.group_mean_los, None);
        assert_eq!(s.outpatient_cost_around, Some(Fen(12_345)));

        // A CC split whose uncomplicated sibling has no weight; an unsplit group with mean 0.
        let s = stay(
            &cols,
            &row("", "", ""),
            &case(drg(DrgOutcome::Grouped, "GB13")),
            &e,
        )
        .unwrap();
        assert_eq!(
            (s.split, s.group_standard),
            (Some(Split::Cc), Some(Fen(2_000_000)))
        );
        assert_eq!(s.uncomplicated_standard, None);
        assert_eq!(
            (s.patient, s.admit_date, s.outpatient_cost_around),
            (None, None, None)
        );
        let s = stay(
            &cols,
            &row("", "", ""),
            &case(drg(DrgOutcome::Grouped, "FM19")),
            &e,
        )
        .unwrap();
        assert_eq!((s.split, s.group_standard), (Some(Split::Unsplit), None));
    }

    #[test]
    fn ungrouped_and_ambiguous_drg_cases_have_no_group() {
        let (e, cols) = (engine(), SignalColumns::from_header(&header()).unwrap());
        for b in [
            drg(DrgOutcome::Ambiguous, "EQY"),
            drg(DrgOutcome::Ungroupable, "0000"),
        ] {
            let s = stay(&cols, &row("P1", "2025-01-04", ""), &case(b), &e).unwrap();
            assert_eq!(s.group, "");
            assert_eq!((s.adrg, s.split, s.group_standard), (None, None, None));
            assert_eq!(s.patient.as_deref(), Some("P1"));
        }
    }

    #[test]
    fn dip_stay_takes_the_grouping_standard() {
        let (e, cols) = (engine(), SignalColumns::from_header(&header()).unwrap());
        let dip = |grouped: bool, standard: Option<Fen>| {
            Bundle::Dip(DipResult {
                code: if grouped {
                    "J18.9:".into()
                } else {
                    String::new()
                },
                grouped,
                kind: DipKind::Core,
                score: Points(1_000_000),
                aux_factor: Ratio::ONE,
                aux_name: String::new(),
                basic_factor: None,
                standard_cost: standard,
                reason: String::new(),
            })
        };
        let s = stay(
            &cols,
            &row("P1", "", ""),
            &case(dip(true, Some(Fen(650_000)))),
            &e,
        )
        .unwrap();
        assert_eq!(s.group, "J18.9:");
        assert_eq!(s.group_standard, Some(Fen(650_000)));
        assert_eq!(
            (s.adrg, s.split, s.uncomplicated_standard),
            (None, None, None)
        );
        let s = stay(&cols, &row("P1", "", ""), &case(dip(false, None)), &e).unwrap();
        assert_eq!((s.group.as_str(), s.group_standard), ("", None));
    }

    #[test]
    fn bad_optional_columns_are_errors_or_not_assessed() {
        let (e, cols) = (engine(), SignalColumns::from_header(&header()).unwrap());
        let c = case(drg(DrgOutcome::Grouped, "ES35"));
        let err = stay(&cols, &row("P1", "2025-13-01", ""), &c, &e).unwrap_err();
        assert!(err.starts_with("admit_date \"2025-13-01\""), "{err}");
        let err = stay(&cols, &row("P1", "", "12.345"), &c, &e).unwrap_err();
        assert!(err.starts_with("outpatient_cost \"12.345\""), "{err}");

        let (s, problem) = stay_lenient(&cols, &row("P1", "2025-13-01", "abc"), &c, &e);
        assert!(problem.unwrap().starts_with("admit_date"));
        assert_eq!((s.admit_date, s.outpatient_cost_around), (None, None));
        assert_eq!(s.discharge_date, Some("2025-01-10".parse().unwrap()));
        assert_eq!(s.group, "ES35");

        let mut bad = c.clone();
        bad.discharge_date = "10/01/2025".into();
        let (s, problem) = stay_lenient(&cols, &row("P1", "2025-01-04", ""), &bad, &e);
        assert!(problem.unwrap().starts_with("discharge_date"));
        assert_eq!((s.admit_date.is_some(), s.discharge_date), (true, None));

        // A row of the wrong width: no signal column is read, the case's fields still are.
        let short = Row::from(vec!["C1"]);
        let (s, problem) = stay_lenient(&cols, &short, &c, &e);
        assert!(problem.unwrap().contains("fields"));
        assert_eq!((s.patient, s.group.as_str()), (None, "ES35"));
    }

    #[test]
    fn a_header_without_signal_columns_is_accepted() {
        let h = Row::from(vec!["id", "hospital"]);
        let cols = SignalColumns::from_header(&h).unwrap();
        assert!(!cols.has("patient_id"));
        assert!(cols.located().is_empty());
        let e = engine();
        let r = Row::from(vec!["C1", "H01"]);
        let s = stay(&cols, &r, &case(drg(DrgOutcome::Grouped, "ES35")), &e).unwrap();
        assert_eq!(
            (s.patient, s.admit_date, s.outpatient_cost_around),
            (None, None, None)
        );
    }

    #[test]
    fn only_for_leaves_unread_strings_empty() {
        let e = engine();
        let c = case(drg(DrgOutcome::Grouped, "ES31"));
        let r = row("P1", "2025-01-04", "");
        let rules = |t: &str| SignalRules::from_toml(t, "test").unwrap();
        let cols = |t: &str| {
            SignalColumns::from_header(&header())
                .unwrap()
                .only_for(&rules(t))
        };
        let los = cols("[signals.los]\nbelow_days = 2\nsource = \"x\"\n");
        let s = stay(&los, &r, &c, &e).unwrap();
        assert_eq!((s.patient, s.adrg, s.principal.as_str()), (None, None, ""));
        assert_eq!((s.group.as_str(), s.split), ("ES31", Some(Split::Mcc)));

        let readmit = "[signals.readmission]\nwindow_days = 15\nsame = \"adrg\"\n\
                       same_hospital = false\nexempt_diagnosis_prefixes = [\"Z51.1\"]\nsource = \"x\"\n";
        let s = stay(&cols(readmit), &r, &c, &e).unwrap();
        assert_eq!(s.patient.as_deref(), Some("P1"));
        assert_eq!((s.adrg.as_deref(), s.principal.as_str()), (Some("ES3"), ""));
        let mut chemo = c.clone();
        chemo.principal = "Z51.100".into();
        let s = stay(&cols(readmit), &r, &chemo, &e).unwrap();
        assert_eq!(s.principal, "Z51.100", "an exempt principal is kept");

        let rate =
            "[signals.upcoding]\nhospital_rate_ratio_above = 1.5\nmin_cases = 3\nsource = \"x\"\n";
        let s = stay(&cols(rate), &r, &c, &e).unwrap();
        assert_eq!((s.patient, s.adrg.as_deref()), (None, Some("ES3")));
    }
}
