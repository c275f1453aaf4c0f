//! The random policies and cases of the property tests: a policy is written as `drgdip-policy/1`
//! text (so every run also goes through the policy reader and its validation), with budgets large
//! enough for the cases paid in money, so that every pool can close.

use proptest::prelude::*;
use settlement::case::{Bundle, Case, DipKind, DipResult, DrgOutcome, DrgResult};
use settlement::engine::{Engine, GroupWeight};
use settlement::money::Fen;
use settlement::points::Points;
use settlement::policy::Policy;
use settlement::settle::{Enrolment, Inputs};

/// DRG groups: (code, weight in 1/10000, mean cost in yuan; 0 = unknown).
pub(crate) const GROUPS: [(&str, i64, i64); 5] = [
    ("G1", 8_000, 10_000),
    ("G2", 20_000, 20_000),
    ("G3", 45_000, 40_000),
    ("G4", 12_345, 0),
    ("SP", 10_000, 12_000),
];

#[derive(Clone, Debug)]
pub(crate) struct PolicySpec {
    /// Per pool (employee, resident): total-cost basis, closed at an announced point value.
    pub(crate) total_cost: [bool; 2],
    pub(crate) announced: [bool; 2],
    pub(crate) reserve_pct: u8,
    pub(crate) low_inclusive: bool,
    pub(crate) uplift: bool,
    pub(crate) extreme_ffs: bool,
    pub(crate) quota_pct: u8,
    /// Extra budget over what the money-paid cases can take, in % of Σ cost.
    pub(crate) budget_extra_pct: u16,
    pub(crate) deposit: bool,
    pub(crate) capitation: bool,
    pub(crate) review_first: bool,
    /// A DIP policy instead of DRG.
    pub(crate) dip: Option<DipSpec>,
}

#[derive(Clone, Debug)]
pub(crate) struct DipSpec {
    pub(crate) low_inclusive: bool,
    pub(crate) high_inclusive: bool,
    pub(crate) plus_hospital_factor: bool,
    /// Unapproved extreme cases: 0 bundle, 1 ffs, 2 hospital factor.
    pub(crate) extreme: u8,
    pub(crate) factor_on_deviation: bool,
    pub(crate) blank_share: bool,
}

/// DIP groups: (code, score, standard cost in yuan (0 = none), basic-group factor, aux factor).
const DIP_GROUPS: [(&str, i64, i64, Option<&str>, &str); 5] = [
    ("D1", 120, 12_000, None, "1"),
    ("D2", 300, 30_000, None, "1"),
    ("D3", 50, 5_000, Some("0.8"), "1"),
    ("D4", 200, 0, None, "1"),
    ("D5", 90, 9_000, None, "1.1"),
];

fn dip_spec() -> impl Strategy<Value = DipSpec> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0u8..3,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                low_inclusive,
                high_inclusive,
                plus_hospital_factor,
                extreme,
                factor_on_deviation,
                blank_share,
            )| DipSpec {
                low_inclusive,
                high_inclusive,
                plus_hospital_factor,
                extreme,
                factor_on_deviation,
                blank_share,
            },
        )
}

#[derive(Clone, Debug)]
pub(crate) struct CaseSpec {
    pub(crate) hospital: u8,
    pub(crate) resident: bool,
    pub(crate) los: Option<u32>,
    pub(crate) kind: u8,
    pub(crate) group: u8,
    pub(crate) cost: i64,
    pub(crate) share_permille: i64,
    /// A fixed patient share (fen) instead of the per-mille, for the monotonicity runs.
    pub(crate) patient: Option<i64>,
    pub(crate) review: bool,
}

pub(crate) fn policy_spec() -> impl Strategy<Value = PolicySpec> {
    (
        any::<[bool; 2]>(),
        any::<[bool; 2]>(),
        0u8..=10,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0u8..=30,
        0u16..=200,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(dip_spec()),
    )
        .prop_map(
            |(
                total_cost,
                announced,
                reserve_pct,
                low_inclusive,
                uplift,
                extreme_ffs,
                quota_pct,
                budget_extra_pct,
                deposit,
                capitation,
                review_first,
                dip,
            )| PolicySpec {
                total_cost,
                announced,
                reserve_pct,
                low_inclusive,
                uplift,
                extreme_ffs,
                quota_pct,
                budget_extra_pct,
                deposit,
                capitation,
                review_first,
                dip,
            },
        )
}

pub(crate) fn case_spec() -> impl Strategy<Value = CaseSpec> {
    (
        0u8..6,
        any::<bool>(),
        prop::option::weighted(0.9, 0u32..120),
        0u8..20,
        0u8..5,
        0i64..30_000_000,
        0i64..=1000,
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(hospital, resident, los, kind, group, cost, share_permille, review)| CaseSpec {
                hospital,
                resident,
                los,
                kind,
                group,
                cost,
                share_permille,
                patient: None,
                review,
            },
        )
}

/// The yuan text of an amount of fen.
fn yuan(f: i64) -> String {
    Fen(f).to_string()
}

/// The most a case can be paid in money (fixed rates, per-diem, FFS, carve-outs), in fen.
fn money_bound(c: &CaseSpec) -> i64 {
    c.cost.max(2_000_000)
}

fn policy_text(p: &PolicySpec, cases: &[CaseSpec]) -> String {
    let mut t = String::from(
        "schema = \"drgdip-policy/1\"\n\
         [policy]\nname = \"prop\"\nregion = \"test\"\nversion = \"1\"\n\
         effective_from = \"2025-01-01\"\nperiod = \"month\"\n",
    );
    t.push_str(if p.dip.is_some() {
        "bundle = \"dip\"\n"
    } else {
        "bundle = \"drg\"\n"
    });
    let capitation = if p.capitation { 120_000 * 10 } else { 0 };
    for (k, fund) in ["employee", "resident"].into_iter().enumerate() {
        let bound: i64 = cases
            .iter()
            .filter(|c| c.resident == (k == 1))
            .map(money_bound)
            .sum();
        let sum: i64 = cases
            .iter()
            .filter(|c| c.resident == (k == 1))
            .map(|c| c.cost)
            .sum();
        // Enough for the money-paid cases after the reserve, plus a random share of the cost.
        let budget = (bound + capitation) * 100 / (100 - i64::from(p.reserve_pct))
            + 100
            + sum * i64::from(p.budget_extra_pct) / 100;
        t.push_str(&format!(
            "[[pools]]\nid = \"{fund}\"\nfund_types = [\"{fund}\"]\nlocalities = [\"*\"]\n\
             service_line = \"inpatient\"\nbudget_yuan = \"{}\"\nreserve_share = \"0.{:02}\"\n\
             closure = \"{}\"\nbasis = \"{}\"\n{}",
            yuan(budget),
            p.reserve_pct,
            if p.announced[k] {
                "rate"
            } else {
                "point_value"
            },
            if p.total_cost[k] {
                "total_cost"
            } else {
                "fund"
            },
            if p.announced[k] {
                "point_value_yuan = 87.6543\n"
            } else {
                ""
            },
        ));
    }
    t.push_str(
        "[levels.3]\ndrg_coefficient = [{ name = \"level\", value = 1.1, source = \"p\" }]\n\
         dip_factor = [{ name = \"level\", value = 1.05, source = \"p\" }]\n\
         [levels.2]\ndrg_coefficient = [{ name = \"level\", value = 0.95, source = \"p\" }]\n\
         dip_factor = [{ name = \"level\", value = 0.9, source = \"p\" }]\n\
         [levels.1]\ndrg_coefficient = [{ name = \"level\", value = 0.85, source = \"p\" }, \
         { name = \"x\", value = 1.03, source = \"p\" }]\n\
         dip_factor = [{ name = \"level\", value = 0.7, source = \"p\" }]\n\
         [[hospitals]]\ncode = \"H0\"\nlevel = 3\n\
         [[hospitals]]\ncode = \"H1\"\nlevel = 2\n\
         [[hospitals]]\ncode = \"H2\"\nlevel = 1\nconsortium = \"C1\"\n\
         [[hospitals]]\ncode = \"H3\"\nlevel = 1\nconsortium = \"C1\"\n\
         [[hospitals]]\ncode = \"H4\"\nlevel = 3\n\
         drg_coefficient = [{ name = \"key\", value = 1.07, source = \"p\" }]\n",
    );
    let order = if p.review_first {
        "[\"carve_out\", \"fixed_rate\", \"per_diem\", \"exclusion\", \"special_review\", \"bundle\", \"ffs\"]"
    } else {
        "[\"carve_out\", \"fixed_rate\", \"per_diem\", \"exclusion\", \"bundle\", \"special_review\", \"ffs\"]"
    };
    t.push_str(&format!("[routing]\norder = {order}\n"));
    t.push_str(
        "[[carve_outs]]\nname = \"epidemic\"\ndiagnoses = [\"U07.1\"]\nsource = \"p\"\n\
         [[fixed_rates]]\nname = \"day\"\nkind = \"day_surgery\"\nprocedures = [\"47.0\"]\nmax_los = 1\n\
         amount_yuan = 3000\namount_by_level = { \"1\" = 2500, \"3\" = 3500 }\nsource = \"p\"\n\
         [[per_diem]]\nname = \"psy\"\ndepts = [\"psy\"]\n\
         bands = [{ from = 1, to = 60, rate_yuan = 300 }, { from = 61, rate_yuan = 250.5 }]\n\
         cap_yuan = 20000\nsource = \"p\"\n\
         [[per_diem]]\nname = \"rehab\"\ndepts = [\"rehab\"]\nmin_los = 3\n\
         bands = [{ from = 1, to = 30, points = 10.5 }, { from = 31, points = 8.25 }]\nsource = \"p\"\n\
         [exclusions]\nlos_at_most = 0\nlos_at_least = 100\nsource = \"p\"\n",
    );
    if let Some(d) = &p.dip {
        t.push_str(&format!(
            "[dip]\nlow = {{ ratio = 0.5, inclusive = {} }}\nhigh = {{ ratio = 2, inclusive = {} }}\n\
             high_plus = \"{}\"\nextreme = {{ ratio = 5, inclusive = true, unapproved = \"{}\" }}\n\
             factor_on_deviation = {}\n{}score_scale = 100\nsource = \"p\"\n",
            d.low_inclusive,
            d.high_inclusive,
            if d.plus_hospital_factor {
                "hospital_factor"
            } else {
                "one"
            },
            ["bundle", "ffs", "hospital_factor"][usize::from(d.extreme)],
            d.factor_on_deviation,
            if d.blank_share {
                "blank_share = 0.7\n"
            } else {
                ""
            },
        ));
    } else {
        t.push_str(&format!(
        "[drg]\nmethod = \"points\"\npoints_per_weight = 100\n\
         low = {{ ratio = 0.4, inclusive = {} }}\n{}\
         high = [{{ up_to_base_points = 100, multiple = 3, inclusive = false }}, \
         {{ up_to_base_points = 300, multiple = 2, inclusive = true }}, {{ multiple = 1.5, inclusive = false }}]\n\
         extreme = {{ ratio = 5, inclusive = false, unapproved = \"{}\" }}\n\
         same_price_groups = [\"SP\"]\n\
         ambiguous = {{ pay = \"cost_share\", share = 0.8 }}\nungroupable = {{ pay = \"ffs\" }}\nsource = \"p\"\n",
        p.low_inclusive,
        if p.uplift {
            "uplift = { above = 0.4, up_to = 0.8, add = 0.2, applies_coefficient = true }\n"
        } else {
            ""
        },
        if p.extreme_ffs { "ffs" } else { "bundle" },
    ));
    }
    t.push_str(&format!(
        "[special_review]\nquota_share = \"0.{:02}\"\nsource = \"p\"\n\
         [ffs]\nbasis = \"cost_minus_patient_share\"\nratio = 0.9\nsource = \"p\"\n",
        p.quota_pct
    ));
    if p.deposit {
        t.push_str("[cycle]\ndeposit_share = 0.03\nsource = \"p\"\n");
    }
    t.push_str(
        "[[capitation]]\nprogram = \"dm\"\npool = \"resident\"\nrate_yuan_per_year = 1200\nsource = \"p\"\n",
    );
    t
}

pub(crate) fn case_of(i: usize, c: &CaseSpec, dip: bool) -> Case {
    let hospital = format!("H{}", c.hospital);
    let (principal, dept, procedures, outcome, code) = match c.kind {
        0 => ("U07.100", "", vec![], DrgOutcome::Grouped, "G1"),
        1 => (
            "K35.800",
            "",
            vec!["47.0100".to_string()],
            DrgOutcome::Grouped,
            "G1",
        ),
        2 => ("F20.000", "psy", vec![], DrgOutcome::Grouped, "G2"),
        3 => ("Z50.000", "rehab", vec![], DrgOutcome::Grouped, "G2"),
        4 => ("I21.000", "", vec![], DrgOutcome::Ambiguous, "QY"),
        5 => ("R69.000", "", vec![], DrgOutcome::Ungroupable, "0000"),
        6 => ("I10.000", "", vec![], DrgOutcome::Grouped, "ZZ99"),
        _ => (
            "J18.900",
            "",
            vec![],
            DrgOutcome::Grouped,
            GROUPS[usize::from(c.group)].0,
        ),
    };
    let bundle = if dip {
        dip_bundle(c)
    } else {
        Bundle::Drg(DrgResult {
            outcome,
            code: code.into(),
            reason: String::new(),
        })
    };
    Case {
        id: format!("c{i:04}"),
        // H5 is not listed: it brings its level on the row.
        hospital_level: (c.hospital == 5).then_some(2),
        hospital,
        fund_type: if c.resident { "resident" } else { "employee" }.into(),
        locality: "local".into(),
        service_line: "inpatient".into(),
        discharge_date: "2025-06-30".into(),
        los: c.los,
        dept: dept.into(),
        principal: principal.into(),
        procedures,
        total_cost: Fen(c.cost),
        patient_share: Fen(c
            .patient
            .map_or(c.cost * c.share_permille / 1000, |p| p.min(c.cost))),
        fund_amount: None,
        carve_out: None,
        special_review: c.review,
        bundle,
    }
}

/// The DIP grouping of a case: kind 4 a blank group, 5 not grouped, 6 an unscored group, else one
/// of [`DIP_GROUPS`].
fn dip_bundle(c: &CaseSpec) -> Bundle {
    let q = |s: &str| s.parse::<settlement::money::Ratio>().unwrap();
    let (code, score, standard, basic, aux) = match c.kind {
        4 => ("K1", 80, 8_000, None, "1"),
        5 => ("", 0, 0, None, "1"),
        6 => ("U1", 0, 5_000, None, "1"),
        _ => DIP_GROUPS[usize::from(c.group)],
    };
    Bundle::Dip(DipResult {
        code: code.into(),
        grouped: c.kind != 5,
        kind: match (c.kind, basic) {
            (4, _) => DipKind::Blank,
            (_, Some(_)) => DipKind::Basic,
            _ => DipKind::Core,
        },
        score: Points(score * 10_000),
        aux_factor: q(aux),
        aux_name: String::new(),
        basic_factor: basic.map(q),
        standard_cost: (standard > 0).then_some(Fen(standard * 100)),
        reason: String::new(),
    })
}

fn weights() -> std::collections::HashMap<String, GroupWeight> {
    GROUPS
        .iter()
        .map(|&(g, w, m)| {
            (
                g.to_string(),
                GroupWeight {
                    weight: Points(w),
                    mean_cost: Fen(m * 100),
                },
            )
        })
        .collect()
}

pub(crate) fn engine(p: &PolicySpec, cases: &[CaseSpec]) -> Engine {
    let text = policy_text(p, cases);
    let policy = Policy::from_toml(&text, "prop").unwrap_or_else(|e| panic!("{e}\n{text}"));
    Engine::new(policy, weights()).unwrap()
}

pub(crate) fn inputs(p: &PolicySpec) -> Inputs {
    let mut i = Inputs::default();
    if p.capitation {
        for (h, months) in [("H0", 7), ("H2", 3)] {
            i.enrolment.push(Enrolment {
                hospital: h.into(),
                program: "dm".into(),
                person_months: months,
                spending: None,
            });
        }
    }
    i
}
