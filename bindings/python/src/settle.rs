//! `drgdip.Policy` and `drgdip.settle`: settlement split where Spark can run it.
//!
//! `drgdip settle` prices every case (pure, row by row), then closes each pool: the point value is
//! what the pool can distribute over the pool's total points, shared pool → hospital → case by
//! largest remainder so every fen is paid once. Only per-hospital sums cross the cases, so:
//!
//! 1. [`Policy::price_batch`] groups and prices each case exactly as `drgdip settle` does
//!    ([`drgdip::io::cases`] reads the row, [`Engine::price`] routes and prices it) and gives its
//!    pool, its points, the fund paid for an amount-priced case, and the patient's share of a
//!    point-priced case (what a `total_cost`-basis pool shares out with the points);
//! 2. the caller sums those per (hospital, pool) (Spark's `groupBy().agg(sum)`; rows of the same
//!    pair are added, so partial sums per partition also do);
//! 3. [`settle`] rebuilds the pools from the sums and closes them with the settlement crate's own
//!    close ([`close_pools`]): one slip per (hospital, pool) for its points and one for its
//!    amounts, so the pool → hospital split is the CLI's, to the fen.
//!
//! What the sums cannot carry is refused with a message, not approximated: a pool that prices
//! points at an announced point value (each case is rounded), the special-review quota (it ranks a
//! hospital's approved cases by id), the readmission rule's points adjustment (it pairs stays).
//! Duplicate case ids, which the CLI rejects after the first, are the caller's to remove. Hospital
//! statements beyond the payment (deposit, risk sharing, clearing) and capitation are not computed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Decimal128Builder, Float64Builder, Int64Builder, StringBuilder,
};
use arrow_array::ArrayRef;
use drgdip::cli::settle::{load_grouping, Grouping, SettleArgs, SideInputs, Source};
use drgdip::grouper::dip::{CompiledCatalog, DipGrouper, DipPolicy};
use drgdip::grouper::{Grouper, Options, Scheme};
use drgdip::io::cases::{dip_bundle, drg_bundle, SettleColumns};
use drgdip::io::csv::{Columns, DipColumns, NamedColumns};
use drgdip::io::row::Row;
use drgdip::settlement::close::funds::close_pools;
use drgdip::settlement::engine::Engine;
use drgdip::settlement::money::Fen;
use drgdip::settlement::points::Points;
use drgdip::settlement::policy::{BundleMethod, Closure};
use drgdip::settlement::price::{Pricing, Value};
use drgdip::settlement::settle::{amount_fund, Inputs};
use drgdip::settlement::slip::{Hospitals, Key, Slip};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::batch;

fn err(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// What a policy groups with.
enum Tables {
    Drg(Scheme, Options),
    Dip(CompiledCatalog, DipPolicy),
}

/// The output columns of `price_batch`.
pub const PRICE_COLUMNS: [&str; 15] = [
    "id",
    "hospital",
    "status",
    "reason",
    "pool",
    "route",
    "class",
    "line",
    "points",
    "amount_fund",
    "points_patient_share",
    "total_cost",
    "patient_share",
    "review",
    "formula",
];

/// The columns `settle` reads; `cases` and `review_cases` are optional.
const AGGREGATE_COLUMNS: [&str; 7] = [
    "hospital",
    "pool",
    "points",
    "amount_fund",
    "points_patient_share",
    "cases",
    "review_cases",
];

/// A region settlement policy (`drgdip-policy/1` TOML) with the tables it names, compiled.
///
/// `Policy(path=None, *, scheme=None, weights=None, catalog=None, map_codes=True)`: without a
/// path, the embedded demo policy and tables (`data/demo/policy.toml`), as `drgdip settle`
/// without `--policy`. The tables (`tables.scheme`, `tables.drg_weights`, `tables.dip_catalog`,
/// `tables.dip_grouping`) are read relative to the policy file; `scheme=`, `weights=` and
/// `catalog=` override them as the CLI's `--scheme`, `--weights`, `--catalog` do. A policy whose
/// weights come from `tables.drg_history` needs them calibrated first (`drgdip drg weights`) and
/// given as `weights=`.
#[pyclass(frozen, module = "drgdip")]
pub struct Policy {
    engine: Engine,
    tables: Tables,
    origin: String,
}

#[pymethods]
impl Policy {
    /// The output columns of `price_batch`.
    #[classattr]
    const PRICE_COLUMNS: [&'static str; 15] = PRICE_COLUMNS;

    /// The output schema of `price_batch` in Spark's DDL.
    #[classattr]
    const SPARK_SCHEMA: &'static str = "id string, hospital string, status string, \
        reason string, pool string, route string, class string, line string, \
        points decimal(18,4), amount_fund decimal(18,2), points_patient_share decimal(18,2), \
        total_cost decimal(18,2), patient_share decimal(18,2), review boolean, formula string";

    #[new]
    #[pyo3(signature = (path = None, *, scheme = None, weights = None, catalog = None, map_codes = true))]
    fn new(
        path: Option<PathBuf>,
        scheme: Option<PathBuf>,
        weights: Option<PathBuf>,
        catalog: Option<PathBuf>,
        map_codes: bool,
    ) -> PyResult<Policy> {
        let src = Source::load(path.as_deref()).map_err(err)?;
        let t = &src.policy.tables;
        if src.policy.policy.bundle == BundleMethod::Drg
            && weights.is_none()
            && t.drg_weights.is_none()
            && t.drg_history.is_some()
        {
            // Calibrating from a history writes the weights beside the run's files: a job for
            // `drgdip drg weights`, whose table is then given here.
            return Err(err(format!(
                "{}: tables.drg_history is not read here: give weights= (a drg,weight,mean_cost \
                 CSV; `drgdip drg weights` calibrates one from the history)",
                src.origin
            )));
        }
        // The tables resolve as `drgdip settle` resolves them (its own loader).
        let args = SettleArgs {
            policy: path.clone(),
            cases: PathBuf::new(),
            out: std::env::temp_dir(),
            report: None,
            uncompressed_spill: false,
            side: SideInputs {
                scheme,
                weights,
                catalog,
                no_map_codes: !map_codes,
                ..SideInputs::default()
            },
        };
        let (grouping, weights, _) = load_grouping(&src, &args).map_err(err)?;
        let tables = match grouping {
            Grouping::Drg(scheme) => Tables::Drg(
                scheme,
                Options {
                    map_codes,
                    ..Options::default()
                },
            ),
            Grouping::Dip(compiled, policy) => Tables::Dip(compiled, policy),
        };
        Ok(Policy {
            engine: Engine::new(src.policy, weights).map_err(err)?,
            tables,
            origin: src.origin,
        })
    }

    /// The pool ids, in policy order.
    #[getter]
    fn pools(&self) -> Vec<String> {
        self.engine
            .policy
            .pools
            .iter()
            .map(|p| p.id.clone())
            .collect()
    }

    /// Groups and prices each case of a record batch (or of every batch of a table or stream) as
    /// `drgdip settle` does, and returns one `pyarrow.RecordBatch` (`PRICE_COLUMNS`), one row per
    /// input row in input order:
    ///
    /// - `status` `PRICED`, or `REJECTED` with the `reason` (the CLI's `rejected.csv`); the
    ///   `reason` of a priced case says why it left earlier routes (the CLI's `note`), if it did;
    /// - `pool` (the pool id), `route`, `class`, `line` (the group or line priced), `formula`;
    /// - `points` (`decimal(18,4)`): the case's points when its pool prices it in points, else 0;
    /// - `amount_fund` (`decimal(18,2)` yuan): the fund payment of a case priced in money (a rate,
    ///   fee-for-service, a carve-out), else 0;
    /// - `points_patient_share`: the patient's share of a case priced in points, else 0;
    /// - `total_cost`, `patient_share`; `review`: an approved special-review case (its hospital's
    ///   quota decides its price, which `settle` cannot: it refuses sums with review cases).
    ///
    /// Columns read: the grouping columns of the policy's bundle (as `group_batch`) and `id,
    /// hospital, fund_type, locality, discharge_date, total_cost, patient_share` (optional:
    /// `hospital_level, service_line, los, dept, fund_amount, carve_out, special_review`).
    #[pyo3(signature = (batch, *, threads = None))]
    fn price_batch(
        &self,
        py: Python<'_>,
        batch: &Bound<'_, PyAny>,
        threads: Option<usize>,
    ) -> PyResult<Py<PyAny>> {
        let threads = batch::threads(threads)?;
        let (schema, batches) = batch::import(batch)?;
        let header = batch::header(&schema);
        let cols = SettleColumns::from_header(&header).map_err(err)?;
        let mut located = cols.located();
        let g = match &self.tables {
            Tables::Drg(scheme, options) => {
                let c = Columns::from_header(&header).map_err(err)?;
                located.extend(c.located());
                G::Drg(Grouper::with_options(scheme, *options), c)
            }
            Tables::Dip(catalog, policy) => {
                let c = DipColumns::from_header(&header).map_err(err)?;
                located.extend(c.located());
                G::Dip(DipGrouper::new(catalog, policy), c)
            }
        };
        let slots = batch::slots(&schema, &located)?;
        let engine = &self.engine;
        let columns = py.detach(|| -> PyResult<Vec<ArrayRef>> {
            let rows = batch::map_rows(&batches, &slots, threads, |row| {
                price_row(engine, &g, &cols, row)
            })?;
            Ok(build_priced(engine, &rows))
        })?;
        batch::export(py, PRICE_COLUMNS.into_iter().zip(columns).collect())
    }

    fn __repr__(&self) -> String {
        format!("Policy({:?})", self.origin)
    }
}

/// The grouper of a call.
enum G<'a> {
    Drg(Grouper<'a>, Columns),
    Dip(DipGrouper<'a>, DipColumns),
}

/// One priced row.
enum PricedRow {
    Priced {
        id: String,
        hospital: String,
        pool: usize,
        pricing: Box<Pricing>,
        total_cost: Fen,
        patient_share: Fen,
    },
    Rejected {
        id: String,
        hospital: String,
        reason: String,
    },
}

/// Groups and prices one row as `drgdip settle` does (its `Pricer::price`), without an approved
/// special-review list (the row's `special_review` column flags a case) and without the CLI's line
/// number in a reason (it depends on the batching).
fn price_row(engine: &Engine, g: &G<'_>, cols: &SettleColumns, row: &Row) -> PricedRow {
    let bundle = match g {
        G::Drg(gr, c) => c.record(row).map(|r| drg_bundle(&gr.group(&r))),
        G::Dip(gr, c) => c.record(row).map(|r| dip_bundle(&gr.group(&r))),
    };
    let case = match bundle.and_then(|b| cols.case(row, &|_| false, b)) {
        Ok(c) => c,
        Err(reason) => {
            return PricedRow::Rejected {
                id: cols.id_lossy(row),
                hospital: String::new(),
                reason,
            }
        }
    };
    match engine.price(&case) {
        Ok((pool, _, pricing)) => PricedRow::Priced {
            id: case.id,
            hospital: case.hospital,
            pool,
            pricing: Box::new(pricing),
            total_cost: case.total_cost,
            patient_share: case.patient_share,
        },
        Err(r) => PricedRow::Rejected {
            id: r.id,
            hospital: case.hospital,
            reason: r.reason,
        },
    }
}

fn decimal(n: usize, precision: u8, scale: i8) -> Decimal128Builder {
    Decimal128Builder::with_capacity(n)
        .with_precision_and_scale(precision, scale)
        .unwrap_or_else(|_| Decimal128Builder::with_capacity(n))
}

/// The output columns of priced rows.
fn build_priced(engine: &Engine, rows: &[PricedRow]) -> Vec<ArrayRef> {
    let n = rows.len();
    let text = || StringBuilder::with_capacity(n, n * 8);
    let (mut id, mut hospital, mut status, mut reason) = (text(), text(), text(), text());
    let (mut pool, mut route, mut class, mut line, mut formula) =
        (text(), text(), text(), text(), text());
    let mut points = decimal(n, 18, 4);
    let [mut amount, mut pps, mut total, mut share] = [(); 4].map(|_| decimal(n, 18, 2));
    let mut review = BooleanBuilder::with_capacity(n);
    for r in rows {
        match r {
            PricedRow::Priced {
                id: i,
                hospital: h,
                pool: p,
                pricing,
                total_cost,
                patient_share,
            } => {
                let pr = &pricing.primary;
                id.append_value(i);
                hospital.append_value(h);
                status.append_value("PRICED");
                reason.append_value(&pr.note);
                pool.append_value(&engine.policy.pools[*p].id);
                route.append_value(pr.route.as_str());
                class.append_value(pr.class.as_str());
                line.append_value(&pr.line);
                formula.append_value(&pr.formula);
                // An amount-priced case's fund payment as the close pays it.
                let fund = amount_fund(pr.value, *patient_share);
                let (pts, ps) = match pr.value {
                    Value::Points(x) => (x, *patient_share),
                    Value::Standard(_) | Value::Fund(_) => (Points::ZERO, Fen::ZERO),
                };
                points.append_value(i128::from(pts.0));
                amount.append_value(i128::from(fund.0));
                pps.append_value(i128::from(ps.0));
                total.append_value(i128::from(total_cost.0));
                share.append_value(i128::from(patient_share.0));
                review.append_value(pricing.without_review.is_some());
            }
            PricedRow::Rejected {
                id: i,
                hospital: h,
                reason: why,
            } => {
                id.append_value(i);
                hospital.append_value(h);
                status.append_value("REJECTED");
                reason.append_value(why);
                for b in [&mut pool, &mut route, &mut class, &mut line, &mut formula] {
                    b.append_value("");
                }
                for b in [&mut points, &mut amount, &mut pps, &mut total, &mut share] {
                    b.append_null();
                }
                review.append_value(false);
            }
        }
    }
    let mut out: Vec<ArrayRef> = Vec::with_capacity(PRICE_COLUMNS.len());
    for b in [
        &mut id,
        &mut hospital,
        &mut status,
        &mut reason,
        &mut pool,
        &mut route,
        &mut class,
        &mut line,
    ] {
        out.push(Arc::new(b.finish()));
    }
    for b in [&mut points, &mut amount, &mut pps, &mut total, &mut share] {
        out.push(Arc::new(b.finish()));
    }
    out.push(Arc::new(review.finish()));
    out.push(Arc::new(formula.finish()));
    out
}

/// The sums of one (pool, hospital).
#[derive(Clone, Copy, Debug, Default)]
struct Sums {
    cases: i64,
    review: i64,
    points: Points,
    amount: Fen,
    pps: Fen,
    /// After the close: paid for the points, and for the amounts.
    points_paid: Fen,
    amount_paid: Fen,
}

/// Closes the pools of a policy from per-hospital sums of `price_batch` columns and returns a
/// `pyarrow.Table` with one row per (pool, hospital), pools in policy order and hospitals in code
/// order.
///
/// `aggregates` (Arrow data: a table, a batch, a Spark result via `toArrow()` or
/// `pyarrow.Table.from_pandas`) has the columns `hospital, pool, points, amount_fund,
/// points_patient_share` (sums of the `price_batch` columns of the `PRICED` rows) and optionally
/// `cases` and `review_cases` (counts). Rows of the same (hospital, pool) are added. Numbers are
/// read exactly from decimals, integers or decimal strings; floats only when they print with at
/// most 4 (points) or 2 (yuan) decimals.
///
/// Output columns: `pool, hospital, cases, points, points_paid, amount_paid, payment` (the
/// hospital's fund payment from the pool, `decimal(18,2)` yuan, exactly what `drgdip settle` pays
/// the hospital from that pool), and the pool's `pool_closure, pool_budget, pool_reserve,
/// pool_distributable, pool_total_points, point_value` (fen per point, `float64`, for display),
/// `point_value_exact` (fen per point, exact: a decimal or `num/den`) and `pool_remainder_fen`
/// (fen handed out one by one by largest remainder). A pool closing by point value pays out its
/// distributable amount to the fen: the `payment`s of its rows sum to `pool_distributable`.
#[pyfunction]
#[pyo3(signature = (aggregates, policy))]
pub fn settle(
    py: Python<'_>,
    aggregates: &Bound<'_, PyAny>,
    policy: &Policy,
) -> PyResult<Py<PyAny>> {
    let (schema, batches) = batch::import(aggregates)?;
    let cols = NamedColumns::from_header(
        &batch::header(&schema),
        &AGGREGATE_COLUMNS,
        &["cases", "review_cases"],
    )
    .map_err(|e| err(format!("aggregates: {e}")))?;
    let slots = batch::slots(&schema, &cols.located())?;
    let engine = &policy.engine;
    let pools = &engine.policy.pools;
    let texts = batch::map_rows(&batches, &slots, 1, |row| {
        cols.fields(row).map(|f| f.map(str::to_string))
    })?;
    // (pool, hospital) -> sums.
    let mut sums: BTreeMap<(usize, String), Sums> = BTreeMap::new();
    for (i, f) in texts.into_iter().enumerate() {
        let [hospital, pool, points, amount, pps, cases, review] =
            f.map_err(|e| err(format!("aggregates row {i}: {e}")))?;
        let at = |what: &str, e: &dyn std::fmt::Display| {
            err(format!(
                "aggregates row {i} (hospital {hospital:?}, pool {pool:?}): {what}: {e}"
            ))
        };
        let k = pools.iter().position(|p| p.id == pool).ok_or_else(|| {
            let ids: Vec<&str> = pools.iter().map(|p| p.id.as_str()).collect();
            at(
                "pool",
                &format!("not a pool of the policy ({})", ids.join(", ")),
            )
        })?;
        let count = |what: &str, t: &str| -> PyResult<i64> {
            match t.trim() {
                "" => Ok(0),
                t => t.parse::<i64>().map_err(|e| at(what, &e)),
            }
        };
        let s = sums.entry((k, hospital.clone())).or_default();
        s.cases += count("cases", &cases)?;
        s.review += count("review_cases", &review)?;
        s.points += points
            .trim()
            .parse::<Points>()
            .map_err(|e| at("points", &e))?;
        s.amount += Fen::from_yuan(&amount).map_err(|e| at("amount_fund", &e))?;
        s.pps += Fen::from_yuan(&pps).map_err(|e| at("points_patient_share", &e))?;
        if s.points.0 < 0 {
            return Err(at("points", &"negative"));
        }
    }
    refuse_what_sums_cannot_carry(engine, &sums)?;

    // One slip for the points and one for the amounts of each (pool, hospital).
    let mut table = Hospitals::new();
    let mut slips = Vec::new();
    let mut owner = Vec::new();
    for ((k, h), s) in &sums {
        let hi = table.intern(h);
        for (kind, value, share) in [
            ("points", Value::Points(s.points), s.pps),
            ("amount", Value::Fund(s.amount), Fen::ZERO),
        ] {
            let nonzero = share.0 != 0
                || match value {
                    Value::Points(p) => p.0 != 0,
                    Value::Fund(f) | Value::Standard(f) => f.0 != 0,
                };
            if nonzero {
                let key = Key::of(&format!("{k}\u{1f}{h}\u{1f}{kind}"));
                slips.push(Slip::new(key, owner.len() as u32, hi, *k, value, share));
                owner.push(((*k, h.clone()), kind == "points"));
            }
        }
    }
    let remap = table.sort();
    for s in &mut slips {
        s.hospital = remap[s.hospital as usize];
    }
    let hospitals = table.len();
    let funds = py.detach(move || {
        batch::on_threads(1, move || {
            close_pools(engine, &mut slips, &mut [], hospitals, &Inputs::default())
                .map(|f| (f, slips))
        })
    })?;
    let (funds, slips) = funds.map_err(err)?;
    for s in &slips {
        let (key, is_points) = &owner[s.row as usize];
        if let Some(x) = sums.get_mut(key) {
            if *is_points {
                x.points_paid = Fen(s.value);
            } else {
                x.amount_paid = Fen(s.value);
            }
        }
    }
    build_settled(py, engine, &funds.pools, &sums)
}

/// Refuses sums whose close needs what only the cases carry.
fn refuse_what_sums_cannot_carry(
    engine: &Engine,
    sums: &BTreeMap<(usize, String), Sums>,
) -> PyResult<()> {
    let policy = &engine.policy;
    if policy.special_review.is_some() {
        if let Some(((_, h), _)) = sums.iter().find(|(_, s)| s.review > 0) {
            return Err(err(format!(
                "hospital {h:?} has approved special-review cases: the policy's quota \
                 (special_review.quota_share) honours a hospital's approved cases in id order, \
                 which per-hospital sums cannot do; settle this run with `drgdip settle`"
            )));
        }
    }
    if policy
        .signals
        .as_ref()
        .and_then(|s| s.readmission.as_ref())
        .is_some_and(|r| r.earlier_points_share.is_some())
    {
        return Err(err(
            "the policy's [signals.readmission] earlier_points_share changes the points of \
             paired stays before the close, which per-hospital sums cannot do; settle this run \
             with `drgdip settle`",
        ));
    }
    for (k, pool) in policy.pools.iter().enumerate() {
        let points: i64 = sums
            .range((k, String::new())..(k + 1, String::new()))
            .map(|(_, s)| s.points.0)
            .sum();
        if points != 0 && pool.closure != Closure::PointValue {
            return Err(err(format!(
                "pool {}: closes at an announced point value, which rounds each case's payment \
                 to the fen, so per-hospital sums of points cannot reproduce it; price the \
                 points in the cases or settle this run with `drgdip settle`",
                pool.id
            )));
        }
    }
    Ok(())
}

/// The settled table.
fn build_settled(
    py: Python<'_>,
    engine: &Engine,
    pools: &[drgdip::settlement::settle::PoolResult],
    sums: &BTreeMap<(usize, String), Sums>,
) -> PyResult<Py<PyAny>> {
    let n = sums.len();
    let text = || StringBuilder::with_capacity(n, n * 8);
    let (mut pool, mut hospital, mut closure, mut exact) = (text(), text(), text(), text());
    let mut cases = Int64Builder::with_capacity(n);
    let mut remainder = Int64Builder::with_capacity(n);
    let mut points = decimal(n, 38, 4);
    let mut total_points = decimal(n, 38, 4);
    let [mut points_paid, mut amount_paid, mut payment, mut budget, mut reserve, mut distributable] =
        [(); 6].map(|_| decimal(n, 18, 2));
    let mut value = Float64Builder::with_capacity(n);
    for ((k, h), s) in sums {
        let p = &pools[*k];
        pool.append_value(&engine.policy.pools[*k].id);
        hospital.append_value(h);
        cases.append_value(s.cases);
        points.append_value(i128::from(s.points.0));
        points_paid.append_value(i128::from(s.points_paid.0));
        amount_paid.append_value(i128::from(s.amount_paid.0));
        payment.append_value(i128::from((s.points_paid + s.amount_paid).0));
        closure.append_value(p.closure);
        budget.append_value(i128::from(p.budget.0));
        reserve.append_value(i128::from(p.reserve.0));
        distributable.append_value(i128::from(p.distributable.0));
        total_points.append_value(i128::from(p.total_points.0));
        value.append_option(p.point_value.map(|v| v.to_f64()));
        exact.append_option(p.point_value.map(|v| v.to_string()));
        remainder.append_value(p.remainder_fen);
    }
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("pool", Arc::new(pool.finish())),
        ("hospital", Arc::new(hospital.finish())),
        ("cases", Arc::new(cases.finish())),
        ("points", Arc::new(points.finish())),
        ("points_paid", Arc::new(points_paid.finish())),
        ("amount_paid", Arc::new(amount_paid.finish())),
        ("payment", Arc::new(payment.finish())),
        ("pool_closure", Arc::new(closure.finish())),
        ("pool_budget", Arc::new(budget.finish())),
        ("pool_reserve", Arc::new(reserve.finish())),
        ("pool_distributable", Arc::new(distributable.finish())),
        ("pool_total_points", Arc::new(total_points.finish())),
        ("point_value", Arc::new(value.finish())),
        ("point_value_exact", Arc::new(exact.finish())),
        ("pool_remainder_fen", Arc::new(remainder.finish())),
    ];
    let batch = batch::export(py, columns)?;
    let pa = py.import("pyarrow")?;
    Ok(pa
        .getattr("Table")?
        .call_method1("from_batches", (vec![batch],))?
        .unbind())
}
