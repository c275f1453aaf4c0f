//! The statement files of a settlement run: `cases.csv` (one row per settled case, with its route,
//! class, factors and formula), `hospitals.csv` (one row per hospital), `summary.json` (pools and
//! counts) and `rejected.csv` (every row that could not be settled, with the reason).
//!
//! Money columns end in `_fen` and hold integer fen: exact, and summing them reproduces the pool
//! totals to the fen.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};
use settlement::engine::Engine;
use settlement::engine::Rejection;
use settlement::money::{push_decimal, Fen, Ratio};
use settlement::points::Points;
use settlement::policy::Basis;
use settlement::price::{Class, Route, Value as Priced};
use settlement::settle::{CaseResult, Settlement};

use super::csv::{write_field_bytes, write_field_parts, write_row};

/// Columns of `cases.csv`.
pub const CASE_COLUMNS: [&str; 16] = [
    "id",
    "hospital",
    "pool",
    "route",
    "method_code",
    "group",
    "class",
    "ratio",
    "weight",
    "points",
    "standard_fen",
    "total_cost_fen",
    "patient_share_fen",
    "fund_fen",
    "formula",
    "note",
];

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    super::create_output(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn opt_ratio(r: Option<Ratio>, places: usize) -> String {
    r.map(|r| format!("{:.*}", places, r.to_f64()))
        .unwrap_or_default()
}

/// A fen-per-point value as yuan per point with 6 decimals (display; the exact ratio is beside it).
pub fn yuan_per_point(pv: Ratio) -> String {
    let r = pv.checked_div(Ratio::int(100)).unwrap_or(Ratio::ZERO);
    let micro = Ratio::int(r.numer())
        .checked_mul(Ratio::int(1_000_000))
        .and_then(|x| x.checked_div(Ratio::int(r.denom())))
        .and_then(|x| x.round(settlement::money::Rounding::HalfAwayFromZero))
        .map(|f| f.0)
        .unwrap_or(0);
    let sign = if micro < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:06}",
        micro.abs() / 1_000_000,
        micro.abs() % 1_000_000
    )
}

/// Formats one `cases.csv` row.
pub fn case_row(out: &mut Vec<u8>, engine: &Engine, c: &CaseResult) {
    case_row_pre(out, engine, c);
    case_row_points(out, c.priced.value);
    case_row_post(out, c);
    case_row_fund(out, c.fund);
    case_row_tail(out, &c.priced.formula, &c.priced.note);
}

/// The columns of a `cases.csv` row before `points` (and the comma after them); numbers are
/// written straight into `out` (a run writes millions of rows).
pub fn case_row_pre(out: &mut Vec<u8>, engine: &Engine, c: &CaseResult) {
    let p = &c.priced;
    let mut ratio = Vec::new();
    if let Some(r) = p.ratio {
        ratio_text(&mut ratio, r);
    }
    case_row_head(
        out,
        &Head {
            id: c.id.as_bytes(),
            hospital: c.hospital.as_bytes(),
            pool: &engine.policy.pools[c.pool].id,
            route: p.route,
            line: p.line.as_bytes(),
            class: p.class,
            ratio: &ratio,
            weight: p.weight,
        },
    );
}

/// What a `cases.csv` row holds before `points` (texts as bytes: the settle spill hands back
/// what it was given).
#[derive(Clone, Copy, Debug)]
pub struct Head<'a> {
    /// Case id.
    pub id: &'a [u8],
    /// Hospital code.
    pub hospital: &'a [u8],
    /// Pool id.
    pub pool: &'a str,
    /// Route.
    pub route: Route,
    /// The route's line (group code, rule name).
    pub line: &'a [u8],
    /// Class.
    pub class: Class,
    /// The cost ratio's text ([`ratio_text`]), empty when none.
    pub ratio: &'a [u8],
    /// Weight.
    pub weight: Option<Points>,
}

/// The text of a cost ratio in `cases.csv` (4 decimal places).
pub fn ratio_text(out: &mut Vec<u8>, r: Ratio) {
    r.approx_text(4).push_to_bytes(out);
}

/// The columns before `points`, and the comma after them, from their parts.
pub fn case_row_head(out: &mut Vec<u8>, h: &Head<'_>) {
    let field = |out: &mut Vec<u8>, b: &[u8]| {
        write_field_bytes(out, b);
        out.push(b',');
    };
    field(out, h.id);
    field(out, h.hospital);
    field(out, h.pool.as_bytes());
    out.extend_from_slice(h.route.as_str().as_bytes());
    out.push(b',');
    // Method codes are single digits.
    out.push(b'0' + h.route.method_code() % 10);
    out.push(b',');
    field(out, h.line);
    out.extend_from_slice(h.class.as_str().as_bytes());
    out.push(b',');
    out.extend_from_slice(h.ratio);
    out.push(b',');
    if let Some(w) = h.weight {
        push_decimal(out, w.0, 4);
    }
    out.push(b',');
}

/// The `points` column: the case's points when it is priced in points.
pub fn case_row_points(out: &mut Vec<u8>, value: Priced) {
    if let Priced::Points(x) = value {
        push_decimal(out, x.0, 4);
    }
}

/// The columns between `points` and `fund_fen`, with the commas around them.
pub fn case_row_post(out: &mut Vec<u8>, c: &CaseResult) {
    case_row_mid(out, c.priced.value, c.total_cost, c.patient_share);
}

/// The columns between `points` and `fund_fen` from their parts: the standard amount when the
/// case is priced by one, the total cost and the patient's share.
pub fn case_row_mid(out: &mut Vec<u8>, value: Priced, total_cost: Fen, patient_share: Fen) {
    out.push(b',');
    if let Priced::Standard(f) = value {
        push_decimal(out, f.0, 0);
    }
    out.push(b',');
    push_decimal(out, total_cost.0, 0);
    out.push(b',');
    push_decimal(out, patient_share.0, 0);
    out.push(b',');
}

/// The `fund_fen` column.
pub fn case_row_fund(out: &mut Vec<u8>, fund: Fen) {
    push_decimal(out, fund.0, 0);
}

/// The columns after `fund_fen` (with the comma before them) and the line end.
pub fn case_row_tail(out: &mut Vec<u8>, formula: &str, note: &str) {
    case_row_tail_parts(out, [formula.as_bytes(), b""], note.as_bytes());
}

/// [`case_row_tail`] with the formula in two parts, as bytes.
pub fn case_row_tail_parts(out: &mut Vec<u8>, formula: [&[u8]; 2], note: &[u8]) {
    out.push(b',');
    write_field_parts(out, formula);
    out.push(b',');
    write_field_bytes(out, note);
    out.push(b'\n');
}

/// The header row of `cases.csv`.
pub fn cases_header(out: &mut Vec<u8>) {
    write_row(out, CASE_COLUMNS);
}

/// Formats one `rejected.csv` row.
pub fn rejected_row(out: &mut Vec<u8>, r: &Rejection) {
    write_row(out, [r.id.as_str(), r.reason.as_str()]);
}

/// The header row of `rejected.csv`.
pub fn rejected_header(out: &mut Vec<u8>) {
    write_row(out, ["id", "reason"]);
}

/// Writes `cases.csv` of a run that holds its cases.
fn cases_csv(path: &Path, engine: &Engine, s: &Settlement) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let mut file =
        std::io::BufWriter::with_capacity(1 << 20, super::create_output(path).map_err(fail)?);
    let mut out = Vec::with_capacity(1 << 20);
    cases_header(&mut out);
    for c in &s.cases {
        if out.len() > 1 << 20 {
            file.write_all(&out).map_err(fail)?;
            out.clear();
        }
        case_row(&mut out, engine, c);
    }
    file.write_all(&out).map_err(fail)?;
    file.flush().map_err(fail)
}

/// Columns of `hospitals.csv`.
pub fn hospital_columns() -> Vec<String> {
    let mut c: Vec<String> = ["hospital", "level", "payee", "cases"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for r in Route::ALL {
        c.push(format!("cases_{}", r.as_str()));
    }
    for r in Route::ALL {
        c.push(format!("paid_{}_fen", r.as_str()));
    }
    for s in [
        "low_cases",
        "high_cases",
        "extreme_cases",
        "points",
        "cmi",
        "total_cost_fen",
        "patient_share_fen",
        "item_fund_cost_fen",
        "payment_fen",
        "capitation_fen",
        "surplus_fen",
        "sharing_fen",
        "entitlement_fen",
        "deposit_fen",
        "net_fen",
        "paid_to_date_fen",
        "clearing_fen",
        "review_approved",
        "review_honoured",
        "sharing_formula",
    ] {
        c.push(s.to_string());
    }
    c
}

fn hospitals_csv(s: &Settlement) -> Vec<u8> {
    let mut out = Vec::new();
    let cols = hospital_columns();
    write_row(&mut out, cols.iter().map(String::as_str));
    for h in &s.hospitals {
        let mut row: Vec<String> = vec![
            h.code.clone(),
            h.level.to_string(),
            h.payee.clone(),
            h.cases.to_string(),
        ];
        row.extend(h.cases_by_route.iter().map(u64::to_string));
        row.extend(h.paid_by_route.iter().map(|f| f.0.to_string()));
        row.extend(h.outliers.iter().map(u64::to_string));
        row.push(h.points.to_string());
        row.push(opt_ratio(h.cmi, 4));
        for f in [
            h.total_cost,
            h.patient_share,
            h.item_fund_cost,
            h.payment,
            h.capitation,
            h.surplus,
            h.sharing,
            h.entitlement,
            h.deposit,
            h.net,
        ] {
            row.push(f.0.to_string());
        }
        row.push(h.paid_to_date.map(|f| f.0.to_string()).unwrap_or_default());
        row.push(h.clearing.map(|f| f.0.to_string()).unwrap_or_default());
        row.push(h.review.0.to_string());
        row.push(h.review.1.to_string());
        row.push(h.sharing_formula.clone());
        write_row(&mut out, row.iter().map(String::as_str));
    }
    out
}

/// The `summary.json` document.
pub fn summary(engine: &Engine, s: &Settlement, policy_origin: &str, tables: &str) -> Value {
    let h = &engine.policy.policy;
    let pools: Vec<Value> = s
        .pools
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "budget_fen": p.budget.0,
                "reserve_fen": p.reserve.0,
                "distributable_fen": p.distributable.0,
                "paid_fen": p.paid.0,
                "point_value": p.point_value.map(yuan_per_point),
                "point_value_fen_exact": p.point_value.map(|v| v.to_string()),
                "closure": p.closure,
                "basis": match p.basis { Basis::Fund => "fund", Basis::TotalCost => "total_cost" },
                "total_points": p.total_points.to_string(),
                "points_paid_fen": p.points_paid.0,
                "other_paid_fen": p.other_paid.0,
                "capitation_fen": p.capitation.0,
                "sharing_fen": p.sharing.0,
                "balance_fen": p.balance.0,
                "remainder_fen": p.remainder_fen,
                "cases": p.cases,
            })
        })
        .collect();
    let mut by_route = serde_json::Map::new();
    for r in Route::ALL {
        let n: u64 = s
            .hospitals
            .iter()
            .map(|h| h.cases_by_route[r.index()])
            .sum();
        let paid: Fen = s.hospitals.iter().map(|h| h.paid_by_route[r.index()]).sum();
        by_route.insert(r.as_str().into(), json!({"cases": n, "paid_fen": paid.0}));
    }
    let total = |f: fn(&settlement::settle::HospitalResult) -> Fen| -> i64 {
        s.hospitals.iter().map(f).sum::<Fen>().0
    };
    json!({
        "policy": {
            "name": h.name, "region": h.region, "version": h.version,
            "effective_from": h.effective_from, "effective_to": h.effective_to,
            "bundle": match h.bundle { settlement::policy::BundleMethod::Drg => "drg", _ => "dip" },
            "period": match h.period { settlement::policy::Period::Month => "month", _ => "year" },
            "file": policy_origin,
        },
        "tables": tables,
        "counts": {
            "cases_in": s.settled() + s.rejected_count(),
            "cases_settled": s.settled(),
            "cases_rejected": s.rejected_count(),
        },
        "pools": pools,
        "routes": by_route,
        "totals": {
            "payment_fen": total(|h| h.payment),
            "capitation_fen": total(|h| h.capitation),
            "sharing_fen": total(|h| h.sharing),
            "deposit_fen": total(|h| h.deposit),
            "net_fen": total(|h| h.net),
            "total_cost_fen": total(|h| h.total_cost),
            "item_fund_cost_fen": total(|h| h.item_fund_cost),
        },
    })
}

/// Writes the four statement files of a run that holds its cases into `dir` (created).
pub fn write_all(
    dir: &Path,
    engine: &Engine,
    s: &Settlement,
    policy_origin: &str,
    tables: &str,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    cases_csv(&dir.join("cases.csv"), engine, s)?;
    let mut rej = Vec::new();
    rejected_header(&mut rej);
    for r in &s.rejected {
        rejected_row(&mut rej, r);
    }
    write_file(&dir.join("rejected.csv"), &rej)?;
    write_summaries(dir, engine, s, policy_origin, tables)
}

/// Writes `hospitals.csv` and `summary.json` into `dir` (a streamed run writes `cases.csv` and
/// `rejected.csv` as it goes).
pub fn write_summaries(
    dir: &Path,
    engine: &Engine,
    s: &Settlement,
    policy_origin: &str,
    tables: &str,
) -> Result<(), String> {
    write_file(&dir.join("hospitals.csv"), &hospitals_csv(s))?;
    let json = serde_json::to_string_pretty(&summary(engine, s, policy_origin, tables))
        .map_err(|e| e.to_string())?;
    write_file(&dir.join("summary.json"), json.as_bytes())
}
