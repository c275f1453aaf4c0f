//! The scenario file format (see `README.md` beside this file): a complete policy plus the keys
//! below, read into the engine's types. Money in case fields is yuan, like the policy's amounts;
//! expectations are in fen (`_fen`), points and ratios are exact decimals (or `a/b`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use settlement::case::{Bundle, Case, DipKind, DipResult, DrgOutcome, DrgResult};
use settlement::engine::GroupWeight;
use settlement::money::{Fen, Ratio};
use settlement::points::Points;
use settlement::policy::{Dec, Policy, Pts, Yuan};
use settlement::settle::{Enrolment, Inputs};

/// The top-level keys a scenario adds to a policy file.
const SCENARIO_KEYS: [&str; 8] = [
    "scenario",
    "defaults",
    "weights",
    "cases",
    "enrolment",
    "assessment",
    "paid_to_date",
    "expect",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Meta {
    pub(crate) name: String,
    pub(crate) description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WeightRow {
    pub(crate) drg: String,
    pub(crate) weight: Pts,
    /// Yuan; absent or 0 = unknown (the bands are not tested).
    #[serde(default)]
    pub(crate) mean_cost: Option<Yuan>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OutcomeName {
    Grouped,
    Ambiguous,
    Ungroupable,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum KindName {
    Core,
    Basic,
    Comprehensive,
    Blank,
}

fn inpatient() -> String {
    "inpatient".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaseRow {
    pub(crate) id: String,
    /// This many copies, with ids `{id}-1` … `{id}-N`.
    #[serde(default)]
    pub(crate) repeat: Option<u32>,
    pub(crate) hospital: String,
    #[serde(default)]
    pub(crate) hospital_level: Option<u8>,
    pub(crate) fund_type: String,
    pub(crate) locality: String,
    #[serde(default = "inpatient")]
    pub(crate) service_line: String,
    pub(crate) discharge_date: String,
    #[serde(default)]
    pub(crate) los: Option<u32>,
    #[serde(default)]
    pub(crate) dept: String,
    #[serde(default)]
    pub(crate) principal: String,
    #[serde(default)]
    pub(crate) procedures: Vec<String>,
    pub(crate) total_cost: Yuan,
    pub(crate) patient_share: Yuan,
    #[serde(default)]
    pub(crate) fund_amount: Option<Yuan>,
    #[serde(default)]
    pub(crate) carve_out: Option<String>,
    #[serde(default)]
    pub(crate) special_review: bool,
    // DRG grouping.
    #[serde(default)]
    pub(crate) drg: Option<String>,
    #[serde(default)]
    pub(crate) drg_outcome: Option<OutcomeName>,
    #[serde(default)]
    pub(crate) reason: String,
    // DIP grouping.
    #[serde(default)]
    pub(crate) dip_code: Option<String>,
    #[serde(default)]
    pub(crate) dip_grouped: Option<bool>,
    #[serde(default)]
    pub(crate) dip_kind: Option<KindName>,
    #[serde(default)]
    pub(crate) dip_score: Option<Pts>,
    #[serde(default)]
    pub(crate) aux_factor: Option<Dec>,
    #[serde(default)]
    pub(crate) aux_name: String,
    #[serde(default)]
    pub(crate) basic_factor: Option<Dec>,
    #[serde(default)]
    pub(crate) standard_cost: Option<Yuan>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnrolmentRow {
    pub(crate) hospital: String,
    pub(crate) program: String,
    pub(crate) person_months: u64,
    #[serde(default)]
    pub(crate) spending: Option<Yuan>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PoolExpect {
    pub(crate) paid_fen: Option<i64>,
    /// Fen per point, exact: `"950000000/999999"` or a decimal.
    pub(crate) point_value_fen: Option<String>,
    /// Yuan per point, exact decimal.
    pub(crate) point_value_yuan: Option<Dec>,
    pub(crate) closure: Option<String>,
    pub(crate) reserve_fen: Option<i64>,
    pub(crate) distributable_fen: Option<i64>,
    pub(crate) balance_fen: Option<i64>,
    pub(crate) total_points: Option<Pts>,
    pub(crate) points_paid_fen: Option<i64>,
    pub(crate) other_paid_fen: Option<i64>,
    pub(crate) capitation_fen: Option<i64>,
    pub(crate) sharing_fen: Option<i64>,
    pub(crate) remainder_fen: Option<i64>,
    pub(crate) cases: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HospitalExpect {
    pub(crate) payee: Option<String>,
    pub(crate) level: Option<u8>,
    pub(crate) cases: Option<u64>,
    pub(crate) points: Option<Pts>,
    /// Exact: a decimal or `a/b`.
    pub(crate) cmi: Option<String>,
    /// `[low, high, extreme]` bundle cases.
    pub(crate) outliers: Option<[u64; 3]>,
    pub(crate) item_fund_cost_fen: Option<i64>,
    pub(crate) payment_fen: Option<i64>,
    pub(crate) capitation_fen: Option<i64>,
    pub(crate) surplus_fen: Option<i64>,
    pub(crate) sharing_fen: Option<i64>,
    /// A substring of the sharing explanation.
    pub(crate) sharing_formula: Option<String>,
    pub(crate) entitlement_fen: Option<i64>,
    pub(crate) deposit_fen: Option<i64>,
    pub(crate) net_fen: Option<i64>,
    pub(crate) paid_to_date_fen: Option<i64>,
    pub(crate) clearing_fen: Option<i64>,
    /// `[approved, honoured]` special-review cases.
    pub(crate) review: Option<[u64; 2]>,
    /// Cases and fund paid by route (`carve_out = 2`).
    #[serde(default)]
    pub(crate) cases_by_route: BTreeMap<String, u64>,
    #[serde(default)]
    pub(crate) paid_by_route_fen: BTreeMap<String, i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaseExpect {
    pub(crate) route: Option<String>,
    pub(crate) class: Option<String>,
    pub(crate) line: Option<String>,
    pub(crate) points: Option<Pts>,
    pub(crate) fund_fen: Option<i64>,
    /// Cost ratio r, exact decimal or `a/b`.
    pub(crate) ratio: Option<String>,
    /// Substrings of the formula and of the routing note.
    pub(crate) formula: Option<String>,
    pub(crate) note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RejectExpect {
    pub(crate) id: String,
    pub(crate) reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Expect {
    /// The policy must not load; the message contains this (the key to fix).
    pub(crate) policy_error: Option<String>,
    /// The run must fail to close; the message contains this.
    pub(crate) error: Option<String>,
    pub(crate) settled: Option<u64>,
    #[serde(default)]
    pub(crate) pools: BTreeMap<String, PoolExpect>,
    #[serde(default)]
    pub(crate) hospitals: BTreeMap<String, HospitalExpect>,
    #[serde(default)]
    pub(crate) cases: BTreeMap<String, CaseExpect>,
    /// Exactly these cases are rejected (none when absent).
    #[serde(default)]
    pub(crate) rejected: Vec<RejectExpect>,
}

/// One scenario file, read.
pub(crate) struct Scenario {
    pub(crate) policy: Result<Policy, String>,
    pub(crate) weights: HashMap<String, GroupWeight>,
    pub(crate) cases: Vec<Case>,
    pub(crate) inputs: Inputs,
    pub(crate) expect: Expect,
}

fn take<T: for<'de> Deserialize<'de>>(
    table: &mut toml::Table,
    key: &str,
    origin: &str,
) -> Result<Option<T>, String> {
    match table.remove(key) {
        None => Ok(None),
        Some(v) => v
            .try_into()
            .map(Some)
            .map_err(|e: toml::de::Error| format!("{origin}: [{key}]: {}", e.to_string().trim())),
    }
}

fn case_of(row: &CaseRow, id: String) -> Result<Case, String> {
    let bundle = match (&row.drg, &row.dip_code, row.dip_kind) {
        (Some(drg), None, None) => Bundle::Drg(DrgResult {
            outcome: match row.drg_outcome.unwrap_or(OutcomeName::Grouped) {
                OutcomeName::Grouped => DrgOutcome::Grouped,
                OutcomeName::Ambiguous => DrgOutcome::Ambiguous,
                OutcomeName::Ungroupable => DrgOutcome::Ungroupable,
            },
            code: drg.clone(),
            reason: row.reason.clone(),
        }),
        (None, code, _) if code.is_some() || row.dip_grouped == Some(false) => {
            Bundle::Dip(DipResult {
                code: code.clone().unwrap_or_default(),
                grouped: row.dip_grouped.unwrap_or(true),
                kind: match row.dip_kind.unwrap_or(KindName::Core) {
                    KindName::Core => DipKind::Core,
                    KindName::Basic => DipKind::Basic,
                    KindName::Comprehensive => DipKind::Comprehensive,
                    KindName::Blank => DipKind::Blank,
                },
                score: row.dip_score.map(|p| p.0).unwrap_or(Points::ZERO),
                aux_factor: row.aux_factor.map(|d| d.0).unwrap_or(Ratio::ONE),
                aux_name: row.aux_name.clone(),
                basic_factor: row.basic_factor.map(|d| d.0),
                standard_cost: row.standard_cost.map(|y| y.0),
                reason: row.reason.clone(),
            })
        }
        _ => {
            return Err(format!(
                "case {}: give either drg (with drg_outcome) or dip_code (with the DIP fields)",
                row.id
            ))
        }
    };
    Ok(Case {
        id,
        hospital: row.hospital.clone(),
        hospital_level: row.hospital_level,
        fund_type: row.fund_type.clone(),
        locality: row.locality.clone(),
        service_line: row.service_line.clone(),
        discharge_date: row.discharge_date.clone(),
        los: row.los,
        dept: row.dept.clone(),
        principal: row.principal.clone(),
        procedures: row.procedures.clone(),
        total_cost: row.total_cost.0,
        patient_share: row.patient_share.0,
        fund_amount: row.fund_amount.map(|y| y.0),
        carve_out: row.carve_out.clone(),
        special_review: row.special_review,
        bundle,
    })
}

pub(crate) fn read(path: &Path) -> Result<Scenario, String> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{origin}: {e}"))?;
    let mut table: toml::Table = toml::from_str(&text).map_err(|e| format!("{origin}: {e}"))?;
    let meta: Meta = take(&mut table, "scenario", &origin)?
        .ok_or_else(|| format!("{origin}: add [scenario] with name and description"))?;
    if meta.name.trim().is_empty() || meta.description.trim().is_empty() {
        return Err(format!(
            "{origin}: [scenario] needs a name and a description"
        ));
    }
    let weights: Vec<WeightRow> = take(&mut table, "weights", &origin)?.unwrap_or_default();
    // `[defaults]`: case fields shared by every case that does not give its own.
    let defaults: toml::Table = take(&mut table, "defaults", &origin)?.unwrap_or_default();
    let raw: Vec<toml::Table> = take(&mut table, "cases", &origin)?.unwrap_or_default();
    let mut rows: Vec<CaseRow> = Vec::with_capacity(raw.len());
    for (i, mut t) in raw.into_iter().enumerate() {
        // `unset = ["los"]`: this case leaves these fields blank instead of taking the defaults.
        let unset: Vec<String> = match t.remove("unset") {
            None => Vec::new(),
            Some(v) => v.try_into().map_err(|e: toml::de::Error| {
                format!("{origin}: cases[{i}].unset: {}", e.to_string().trim())
            })?,
        };
        for (k, v) in &defaults {
            if !unset.contains(k) {
                t.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        rows.push(t.try_into().map_err(|e: toml::de::Error| {
            format!("{origin}: cases[{i}]: {}", e.to_string().trim())
        })?);
    }
    let enrolment: Vec<EnrolmentRow> = take(&mut table, "enrolment", &origin)?.unwrap_or_default();
    let assessment: BTreeMap<String, Dec> =
        take(&mut table, "assessment", &origin)?.unwrap_or_default();
    let paid: Option<BTreeMap<String, Yuan>> = take(&mut table, "paid_to_date", &origin)?;
    let expect: Expect = take(&mut table, "expect", &origin)?
        .ok_or_else(|| format!("{origin}: add [expect]: what the scenario must give"))?;
    debug_assert!(SCENARIO_KEYS.iter().all(|k| !table.contains_key(*k)));
    let policy = Policy::from_toml_table(table, &origin).map_err(|e| e.to_string());

    let mut cases = Vec::new();
    for row in &rows {
        match row.repeat {
            None => cases.push(case_of(row, row.id.clone())?),
            Some(n) => {
                for k in 1..=n {
                    cases.push(case_of(row, format!("{}-{k}", row.id))?);
                }
            }
        }
    }
    Ok(Scenario {
        policy,
        weights: weights
            .into_iter()
            .map(|w| {
                let mean_cost = w.mean_cost.map(|y| y.0).unwrap_or(Fen::ZERO);
                (
                    w.drg,
                    GroupWeight {
                        weight: w.weight.0,
                        mean_cost,
                    },
                )
            })
            .collect(),
        cases,
        inputs: Inputs {
            enrolment: enrolment
                .into_iter()
                .map(|e| Enrolment {
                    hospital: e.hospital,
                    program: e.program,
                    person_months: e.person_months,
                    spending: e.spending.map(|y| y.0),
                })
                .collect(),
            assessment: assessment.into_iter().map(|(k, v)| (k, v.0)).collect(),
            paid_to_date: paid.map(|m| m.into_iter().map(|(k, v)| (k, v.0)).collect()),
        },
        expect,
    })
}

/// Parses `a/b` or a decimal.
pub(crate) fn exact(text: &str) -> Result<Ratio, String> {
    let t = text.trim();
    match t.split_once('/') {
        Some((n, d)) => {
            let n: i128 = n.trim().parse().map_err(|_| format!("{t:?}: not a/b"))?;
            let d: i128 = d.trim().parse().map_err(|_| format!("{t:?}: not a/b"))?;
            Ratio::new(n, d).map_err(|e| e.to_string())
        }
        None => t
            .parse()
            .map_err(|e: settlement::money::MoneyError| e.to_string()),
    }
}
