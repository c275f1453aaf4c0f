//! Settlement scenarios: plain TOML files a policy analyst can write and check by hand (a complete
//! policy, a weight table, a few cases, and the fen expected per case, hospital and pool), run
//! through the engine without the command line. The format is in `tests/scenarios/README.md`.
//!
//! Every scenario is also checked for the invariants that hold whatever the numbers: each closed
//! pool pays out exactly its distributable amount, and pools, hospitals and cases agree to the fen.
//! `SCENARIO=name cargo test -p settlement --test scenarios` runs the files whose name contains
//! `name`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Display;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use settlement::case::{Bundle, Case, DipKind, DipResult, DrgOutcome, DrgResult};
use settlement::engine::{Engine, GroupWeight};
use settlement::money::{Fen, Ratio};
use settlement::points::Points;
use settlement::policy::{Dec, Policy, Pts, Yuan};
use settlement::price::Route;
use settlement::settle::{Enrolment, Inputs, Ledger, Settlement};

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
struct Meta {
    name: String,
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightRow {
    drg: String,
    weight: Pts,
    /// Yuan; absent or 0 = unknown (the bands are not tested).
    #[serde(default)]
    mean_cost: Option<Yuan>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OutcomeName {
    Grouped,
    Ambiguous,
    Ungroupable,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindName {
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
struct CaseRow {
    id: String,
    /// This many copies, with ids `{id}-1` … `{id}-N`.
    #[serde(default)]
    repeat: Option<u32>,
    hospital: String,
    #[serde(default)]
    hospital_level: Option<u8>,
    fund_type: String,
    locality: String,
    #[serde(default = "inpatient")]
    service_line: String,
    discharge_date: String,
    #[serde(default)]
    los: Option<u32>,
    #[serde(default)]
    dept: String,
    #[serde(default)]
    principal: String,
    #[serde(default)]
    procedures: Vec<String>,
    total_cost: Yuan,
    patient_share: Yuan,
    #[serde(default)]
    fund_amount: Option<Yuan>,
    #[serde(default)]
    carve_out: Option<String>,
    #[serde(default)]
    special_review: bool,
    // DRG grouping.
    #[serde(default)]
    drg: Option<String>,
    #[serde(default)]
    drg_outcome: Option<OutcomeName>,
    #[serde(default)]
    reason: String,
    // DIP grouping.
    #[serde(default)]
    dip_code: Option<String>,
    #[serde(default)]
    dip_grouped: Option<bool>,
    #[serde(default)]
    dip_kind: Option<KindName>,
    #[serde(default)]
    dip_score: Option<Pts>,
    #[serde(default)]
    aux_factor: Option<Dec>,
    #[serde(default)]
    aux_name: String,
    #[serde(default)]
    basic_factor: Option<Dec>,
    #[serde(default)]
    standard_cost: Option<Yuan>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrolmentRow {
    hospital: String,
    program: String,
    person_months: u64,
    #[serde(default)]
    spending: Option<Yuan>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolExpect {
    paid_fen: Option<i64>,
    /// Fen per point, exact: `"950000000/999999"` or a decimal.
    point_value_fen: Option<String>,
    /// Yuan per point, exact decimal.
    point_value_yuan: Option<Dec>,
    closure: Option<String>,
    reserve_fen: Option<i64>,
    distributable_fen: Option<i64>,
    balance_fen: Option<i64>,
    total_points: Option<Pts>,
    points_paid_fen: Option<i64>,
    other_paid_fen: Option<i64>,
    capitation_fen: Option<i64>,
    sharing_fen: Option<i64>,
    remainder_fen: Option<i64>,
    cases: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HospitalExpect {
    payee: Option<String>,
    level: Option<u8>,
    cases: Option<u64>,
    points: Option<Pts>,
    /// Exact: a decimal or `a/b`.
    cmi: Option<String>,
    /// `[low, high, extreme]` bundle cases.
    outliers: Option<[u64; 3]>,
    item_fund_cost_fen: Option<i64>,
    payment_fen: Option<i64>,
    capitation_fen: Option<i64>,
    surplus_fen: Option<i64>,
    sharing_fen: Option<i64>,
    /// A substring of the sharing explanation.
    sharing_formula: Option<String>,
    entitlement_fen: Option<i64>,
    deposit_fen: Option<i64>,
    net_fen: Option<i64>,
    paid_to_date_fen: Option<i64>,
    clearing_fen: Option<i64>,
    /// `[approved, honoured]` special-review cases.
    review: Option<[u64; 2]>,
    /// Cases and fund paid by route (`carve_out = 2`).
    #[serde(default)]
    cases_by_route: BTreeMap<String, u64>,
    #[serde(default)]
    paid_by_route_fen: BTreeMap<String, i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseExpect {
    route: Option<String>,
    class: Option<String>,
    line: Option<String>,
    points: Option<Pts>,
    fund_fen: Option<i64>,
    /// Cost ratio r, exact decimal or `a/b`.
    ratio: Option<String>,
    /// Substrings of the formula and of the routing note.
    formula: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RejectExpect {
    id: String,
    reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// The policy must not load; the message contains this (the key to fix).
    policy_error: Option<String>,
    /// The run must fail to close; the message contains this.
    error: Option<String>,
    settled: Option<u64>,
    #[serde(default)]
    pools: BTreeMap<String, PoolExpect>,
    #[serde(default)]
    hospitals: BTreeMap<String, HospitalExpect>,
    #[serde(default)]
    cases: BTreeMap<String, CaseExpect>,
    /// Exactly these cases are rejected (none when absent).
    #[serde(default)]
    rejected: Vec<RejectExpect>,
}

/// One scenario file, read.
struct Scenario {
    policy: Result<Policy, String>,
    weights: HashMap<String, GroupWeight>,
    cases: Vec<Case>,
    inputs: Inputs,
    expect: Expect,
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

fn read(path: &Path) -> Result<Scenario, String> {
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
fn exact(text: &str) -> Result<Ratio, String> {
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

/// Expected/got lines.
#[derive(Default)]
struct Diff(Vec<String>);

impl Diff {
    fn eq<T: PartialEq + Display>(&mut self, what: &str, want: Option<T>, got: T) {
        if let Some(w) = want {
            if w != got {
                self.0.push(format!("{what}: expected {w}, got {got}"));
            }
        }
    }

    fn contains(&mut self, what: &str, want: &Option<String>, got: &str) {
        if let Some(w) = want {
            if !got.contains(w.as_str()) {
                self.0
                    .push(format!("{what}: expected to contain {w:?}, got {got:?}"));
            }
        }
    }

    fn fail(&mut self, line: String) {
        self.0.push(line);
    }
}

fn opt<T: Display>(v: Option<T>) -> String {
    v.map_or("none".into(), |v| v.to_string())
}

fn check_pools(d: &mut Diff, e: &Expect, s: &Settlement) {
    for (id, x) in &e.pools {
        let Some(p) = s.pools.iter().find(|p| p.id == *id) else {
            d.fail(format!("pools.{id}: no such pool"));
            continue;
        };
        let k = |f: &str| format!("pools.{id}.{f}");
        d.eq(&k("paid_fen"), x.paid_fen, p.paid.0);
        d.eq(&k("reserve_fen"), x.reserve_fen, p.reserve.0);
        d.eq(
            &k("distributable_fen"),
            x.distributable_fen,
            p.distributable.0,
        );
        d.eq(&k("balance_fen"), x.balance_fen, p.balance.0);
        d.eq(&k("points_paid_fen"), x.points_paid_fen, p.points_paid.0);
        d.eq(&k("other_paid_fen"), x.other_paid_fen, p.other_paid.0);
        d.eq(&k("capitation_fen"), x.capitation_fen, p.capitation.0);
        d.eq(&k("sharing_fen"), x.sharing_fen, p.sharing.0);
        d.eq(&k("remainder_fen"), x.remainder_fen, p.remainder_fen);
        d.eq(&k("cases"), x.cases, p.cases);
        d.eq(&k("closure"), x.closure.as_deref(), p.closure);
        d.eq(
            &k("total_points"),
            x.total_points.map(|p| p.0),
            p.total_points,
        );
        let pv = opt(p.point_value);
        if let Some(t) = &x.point_value_fen {
            match exact(t) {
                Ok(w) if Some(w) == p.point_value => {}
                Ok(w) => d.fail(format!("{}: expected {w}, got {pv}", k("point_value_fen"))),
                Err(m) => d.fail(format!("{}: {m}", k("point_value_fen"))),
            }
        }
        if let Some(y) = x.point_value_yuan {
            let w = y.0.mul_int(100);
            if Some(w) != p.point_value {
                d.fail(format!(
                    "{}: expected {} yuan = {w} fen, got {pv} fen",
                    k("point_value_yuan"),
                    y.0
                ));
            }
        }
    }
}

fn check_hospitals(d: &mut Diff, e: &Expect, s: &Settlement) {
    for (code, x) in &e.hospitals {
        let Some(h) = s.hospitals.iter().find(|h| h.code == *code) else {
            d.fail(format!("hospitals.{code}: not in the settlement"));
            continue;
        };
        let k = |f: &str| format!("hospitals.{code}.{f}");
        d.eq(&k("payee"), x.payee.as_deref(), h.payee.as_str());
        d.eq(&k("level"), x.level, h.level);
        d.eq(&k("cases"), x.cases, h.cases);
        d.eq(&k("points"), x.points.map(|p| p.0), h.points);
        if let Some(t) = &x.cmi {
            match exact(t) {
                Ok(w) => d.eq(&k("cmi"), Some(w.to_string()), opt(h.cmi)),
                Err(m) => d.fail(format!("{}: {m}", k("cmi"))),
            }
        }
        if let Some(o) = x.outliers {
            d.eq(
                &k("outliers"),
                Some(format!("{o:?}")),
                format!("{:?}", h.outliers),
            );
        }
        if let Some(r) = x.review {
            d.eq(
                &k("review"),
                Some(format!("{r:?}")),
                format!("{:?}", [h.review.0, h.review.1]),
            );
        }
        for (r, want) in &x.cases_by_route {
            match Route::ALL.iter().find(|x| x.as_str() == r) {
                Some(&route) => d.eq(
                    &k(&format!("cases_by_route.{r}")),
                    Some(*want),
                    h.cases_by_route[route.index()],
                ),
                None => d.fail(format!("{}: no route {r:?}", k("cases_by_route"))),
            }
        }
        for (r, want) in &x.paid_by_route_fen {
            match Route::ALL.iter().find(|x| x.as_str() == r) {
                Some(&route) => d.eq(
                    &k(&format!("paid_by_route_fen.{r}")),
                    Some(*want),
                    h.paid_by_route[route.index()].0,
                ),
                None => d.fail(format!("{}: no route {r:?}", k("paid_by_route_fen"))),
            }
        }
        d.eq(
            &k("item_fund_cost_fen"),
            x.item_fund_cost_fen,
            h.item_fund_cost.0,
        );
        d.eq(&k("payment_fen"), x.payment_fen, h.payment.0);
        d.eq(&k("capitation_fen"), x.capitation_fen, h.capitation.0);
        d.eq(&k("surplus_fen"), x.surplus_fen, h.surplus.0);
        d.eq(&k("sharing_fen"), x.sharing_fen, h.sharing.0);
        d.contains(
            &k("sharing_formula"),
            &x.sharing_formula,
            &h.sharing_formula,
        );
        d.eq(&k("entitlement_fen"), x.entitlement_fen, h.entitlement.0);
        d.eq(&k("deposit_fen"), x.deposit_fen, h.deposit.0);
        d.eq(&k("net_fen"), x.net_fen, h.net.0);
        if x.paid_to_date_fen.is_some() {
            d.eq(
                &k("paid_to_date_fen"),
                x.paid_to_date_fen.map(|v| v.to_string()),
                opt(h.paid_to_date.map(|f| f.0)),
            );
        }
        if x.clearing_fen.is_some() {
            d.eq(
                &k("clearing_fen"),
                x.clearing_fen.map(|v| v.to_string()),
                opt(h.clearing.map(|f| f.0)),
            );
        }
    }
}

fn check_cases(d: &mut Diff, e: &Expect, s: &Settlement) {
    for (id, x) in &e.cases {
        let Some(c) = s.cases.iter().find(|c| c.id == *id) else {
            let why = s
                .rejected
                .iter()
                .find(|r| r.id == *id)
                .map_or("not in the input".to_string(), |r| {
                    format!("rejected: {}", r.reason)
                });
            d.fail(format!("cases.{id}: not settled ({why})"));
            continue;
        };
        let k = |f: &str| format!("cases.{id}.{f}");
        let p = &c.priced;
        d.eq(&k("route"), x.route.as_deref(), p.route.as_str());
        d.eq(&k("class"), x.class.as_deref(), p.class.as_str());
        d.eq(&k("line"), x.line.as_deref(), p.line.as_str());
        d.eq(&k("points"), x.points.map(|p| p.0), c.points);
        d.eq(&k("fund_fen"), x.fund_fen, c.fund.0);
        if let Some(t) = &x.ratio {
            match exact(t) {
                Ok(w) => d.eq(&k("ratio"), Some(w.to_string()), opt(p.ratio)),
                Err(m) => d.fail(format!("{}: {m}", k("ratio"))),
            }
        }
        d.contains(&k("formula"), &x.formula, &p.formula);
        d.contains(&k("note"), &x.note, &p.note);
    }
}

fn check_rejected(d: &mut Diff, e: &Expect, s: &Settlement) {
    let want: BTreeSet<&str> = e.rejected.iter().map(|r| r.id.as_str()).collect();
    for r in &s.rejected {
        if !want.contains(r.id.as_str()) {
            d.fail(format!("rejected {}: not expected ({})", r.id, r.reason));
        }
    }
    for w in &e.rejected {
        match s
            .rejected
            .iter()
            .find(|r| r.id == w.id && r.reason.contains(&w.reason))
        {
            Some(_) => {}
            None => {
                let got: Vec<&str> = s
                    .rejected
                    .iter()
                    .filter(|r| r.id == w.id)
                    .map(|r| r.reason.as_str())
                    .collect();
                d.fail(format!(
                    "rejected {}: expected a reason containing {:?}, got {got:?}",
                    w.id, w.reason
                ));
            }
        }
    }
}

/// What holds for any scenario: closed pools pay out exactly their distributable amount, and the
/// pool, hospital and case views agree to the fen.
fn check_invariants(d: &mut Diff, s: &Settlement) {
    for (k, p) in s.pools.iter().enumerate() {
        let cases: Fen = s.cases.iter().filter(|c| c.pool == k).map(|c| c.fund).sum();
        if cases + p.capitation != p.paid {
            d.fail(format!(
                "invariant: pool {}: Σ case fund {cases} + capitation {} != paid {}",
                p.id, p.capitation, p.paid
            ));
        }
        if p.closure == "point_value" && p.paid != p.distributable {
            d.fail(format!(
                "invariant: pool {} closes by point value but pays {} of a distributable {}",
                p.id, p.paid, p.distributable
            ));
        }
        if p.balance != p.distributable - p.paid - p.sharing {
            d.fail(format!(
                "invariant: pool {}: balance {} != distributable − paid − sharing",
                p.id, p.balance
            ));
        }
    }
    for h in &s.hospitals {
        let cases: Fen = s
            .cases
            .iter()
            .filter(|c| c.hospital == h.code)
            .map(|c| c.fund)
            .sum();
        let by_route: Fen = h.paid_by_route.iter().copied().sum();
        if cases != h.payment || by_route != h.payment {
            d.fail(format!(
                "invariant: hospital {}: payment {} but Σ case fund {cases}, Σ by route {by_route}",
                h.code, h.payment
            ));
        }
    }
    let hospitals: Fen = s.hospitals.iter().map(|h| h.payment + h.capitation).sum();
    let pools: Fen = s.pools.iter().map(|p| p.paid).sum();
    if hospitals != pools {
        d.fail(format!(
            "invariant: Σ hospital payment and capitation {hospitals} != Σ pool paid {pools}"
        ));
    }
    let sharing_h: Fen = s.hospitals.iter().map(|h| h.sharing).sum();
    let sharing_p: Fen = s.pools.iter().map(|p| p.sharing).sum();
    if sharing_h != sharing_p {
        d.fail(format!(
            "invariant: Σ hospital sharing {sharing_h} != Σ pool sharing {sharing_p}"
        ));
    }
}

fn expectations(e: &Expect) -> usize {
    usize::from(e.policy_error.is_some())
        + usize::from(e.error.is_some())
        + usize::from(e.settled.is_some())
        + e.pools.len()
        + e.hospitals.len()
        + e.cases.len()
        + e.rejected.len()
}

/// Runs one scenario; the lines say what differs.
fn run(path: &Path) -> Vec<String> {
    let sc = match read(path) {
        Ok(s) => s,
        Err(m) => return vec![m],
    };
    let mut d = Diff::default();
    let e = &sc.expect;
    if expectations(e) == 0 {
        d.fail("[expect] checks nothing".into());
    }
    let engine = sc
        .policy
        .and_then(|p| Engine::new(p, sc.weights).map_err(|e| e.to_string()));
    let engine = match (engine, &e.policy_error) {
        (Err(m), Some(w)) if m.contains(w.as_str()) => return d.0,
        (Err(m), Some(w)) => return vec![format!("policy error: expected {w:?} in it, got {m:?}")],
        (Err(m), None) => return vec![format!("the policy does not load: {m}")],
        (Ok(_), Some(w)) => {
            return vec![format!("the policy loads, expected an error naming {w:?}")]
        }
        (Ok(en), None) => en,
    };
    let mut ledger = Ledger::new();
    for c in &sc.cases {
        ledger.add(&engine, c);
    }
    let s = match (ledger.close(&engine, &sc.inputs), &e.error) {
        (Err(m), Some(w)) if m.to_string().contains(w.as_str()) => return d.0,
        (Err(m), Some(w)) => {
            return vec![format!(
                "close: expected an error containing {w:?}, got {m}"
            )]
        }
        (Err(m), None) => return vec![format!("close failed: {m}")],
        (Ok(_), Some(w)) => {
            return vec![format!(
                "close succeeded, expected an error containing {w:?}"
            )]
        }
        (Ok(s), None) => s,
    };
    d.eq("settled", e.settled, s.settled());
    check_pools(&mut d, e, &s);
    check_hospitals(&mut d, e, &s);
    check_cases(&mut d, e, &s);
    check_rejected(&mut d, e, &s);
    check_invariants(&mut d, &s);
    d.0
}

fn files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut v: Vec<PathBuf> = Vec::new();
    for dir in [root.clone(), root.join("invalid")] {
        v.extend(
            std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml")),
        );
    }
    v.sort();
    v
}

#[test]
fn scenarios() {
    let filter = std::env::var("SCENARIO").unwrap_or_default();
    let all = files();
    assert!(
        all.len() >= 1,
        "expected the scenario files in tests/scenarios"
    );
    let mut failed = Vec::new();
    let mut ran = 0;
    for f in &all {
        let name = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if !name.contains(filter.as_str()) {
            continue;
        }
        ran += 1;
        let lines = run(f);
        if !lines.is_empty() {
            failed.push(format!("{name}:\n  {}", lines.join("\n  ")));
        }
    }
    assert!(ran > 0, "no scenario matches SCENARIO={filter:?}");
    assert!(
        failed.is_empty(),
        "{} of {ran} scenarios differ:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
