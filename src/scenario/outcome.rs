//! One policy's settlement of the grouped cases: priced in parallel, closed by the ledger, and kept
//! as an [`Outcome`], the compact figures the comparison tables need (the settlement itself, with a
//! formula per case, can be dropped once the outcome is taken).

use std::collections::HashMap;

use rayon::prelude::*;
use settlement::engine::{Engine, Rejection};
use settlement::money::Fen;
use settlement::policy::Header;
use settlement::price::Route;
use settlement::settle::{HospitalResult, Inputs, Ledger, PoolResult, Settlement};

use super::cases::Row;
use crate::report::kpi::{self, Figures, Kpi, Share};

/// Rows priced at a time (bounds the memory of pricings waiting for the ledger).
const CHUNK: usize = 16 * 1024;

/// Settles the rows under one compiled policy: every row is settled or rejected with its reason.
/// Returns the settlement and each row's fund payment (`None` for a rejected row). Rows are pushed
/// to the ledger in input order, so a duplicate id is settled on its first row that prices, as in
/// `drgdip settle`.
pub fn settle(
    engine: &Engine,
    rows: &[Row],
    inputs: &Inputs,
) -> Result<(Settlement, Vec<Option<Fen>>), String> {
    let mut ledger = Ledger::new();
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    for (c, chunk) in rows.chunks(CHUNK).enumerate() {
        let priced: Vec<_> = chunk
            .par_iter()
            .map(|r| r.as_ref().map(|case| engine.price(case)))
            .collect();
        for (k, (row, p)) in chunk.iter().zip(priced).enumerate() {
            match (row, p) {
                (Ok(case), Ok(p)) => {
                    if p.is_ok() {
                        first.entry(case.id.as_str()).or_insert(c * CHUNK + k);
                    }
                    ledger.push(case, p);
                }
                (Err(u), _) | (_, Err(u)) => ledger.reject(u.id.clone(), u.reason.clone()),
            }
        }
    }
    let settlement = ledger.close(engine, inputs).map_err(|e| e.to_string())?;
    let mut paid = vec![None; rows.len()];
    for c in &settlement.cases {
        if let Some(&i) = first.get(c.id.as_str()) {
            paid[i] = Some(c.fund);
        }
    }
    Ok((settlement, paid))
}

/// A hospital's figures in one scenario.
#[derive(Clone, Debug)]
pub struct Hospital {
    /// The settlement's statement line.
    pub result: HospitalResult,
    /// Total cost by route ([`Route::ALL`] order).
    pub cost_by_route: [Fen; 8],
}

impl Hospital {
    /// Bundle cases priced as low, high or extreme outliers ÷ bundle cases.
    pub fn outlier_share(&self) -> Share {
        let h = &self.result;
        let bundle = h.cases_by_route[Route::Drg.index()] + h.cases_by_route[Route::Dip.index()];
        Share::of(h.outliers.iter().sum::<u64>(), bundle)
    }

    /// Total cost of the cases paid item by item (FFS, exclusion, special review) ÷ total cost.
    pub fn ffs_share(&self) -> Share {
        let ffs: Fen = kpi::FEE_FOR_SERVICE
            .iter()
            .map(|r| self.cost_by_route[r.index()])
            .sum();
        Share::of(ffs.0, self.result.total_cost.0)
    }
}

/// One scenario's result, as the comparison needs it.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The scenario's label (column prefix in the tables).
    pub label: String,
    /// Where its policy came from.
    pub origin: String,
    /// The policy's identity.
    pub header: Header,
    /// The grouping tables used.
    pub tables: String,
    /// Index of its grouping among the comparison's distinct groupings.
    pub grouping: usize,
    /// Input rows.
    pub rows_in: u64,
    /// Cases settled.
    pub settled: u64,
    /// Rows rejected, with the reasons.
    pub rejected: Vec<Rejection>,
    /// Hospitals by code.
    pub hospitals: Vec<Hospital>,
    /// Pools in policy order.
    pub pools: Vec<PoolResult>,
    /// Settled cases by route.
    pub cases_by_route: [u64; 8],
    /// Each input row's fund payment (`None`: rejected).
    pub paid: Vec<Option<Fen>>,
    /// The KPIs ([`kpi::scenario_kpis`]).
    pub kpis: Vec<Kpi>,
}

/// What names a scenario: label, policy origin, grouping tables and index.
pub struct Identity<'a> {
    /// Label.
    pub label: &'a str,
    /// Policy origin.
    pub origin: &'a str,
    /// Grouping tables.
    pub tables: &'a str,
    /// Index of the grouping.
    pub grouping: usize,
}

impl Outcome {
    /// Takes the figures of a closed settlement.
    pub fn new(id: &Identity, engine: &Engine, s: &Settlement, paid: Vec<Option<Fen>>) -> Outcome {
        let f = Figures::compute(&engine.policy, s);
        let hospitals = s
            .hospitals
            .iter()
            .map(|h| Hospital {
                cost_by_route: f
                    .hospital_cost_by_route
                    .get(&h.code)
                    .copied()
                    .unwrap_or([Fen::ZERO; 8]),
                result: h.clone(),
            })
            .collect();
        let mut cases_by_route = [0u64; 8];
        for (n, t) in cases_by_route.iter_mut().zip(&f.by_route) {
            *n = t.cases;
        }
        Outcome {
            label: id.label.to_string(),
            origin: id.origin.to_string(),
            header: engine.policy.policy.clone(),
            tables: id.tables.to_string(),
            grouping: id.grouping,
            rows_in: s.settled() + s.rejected.len() as u64,
            settled: s.settled(),
            rejected: s.rejected.clone(),
            hospitals,
            pools: s.pools.clone(),
            cases_by_route,
            paid,
            kpis: kpi::scenario_kpis(s, &f),
        }
    }

    /// The hospital with this code, if it settled cases in this scenario.
    pub fn hospital(&self, code: &str) -> Option<&Hospital> {
        self.hospitals
            .binary_search_by(|h| h.result.code.as_str().cmp(code))
            .ok()
            .map(|i| &self.hospitals[i])
    }

    /// Σ hospitals' case payments.
    pub fn payment(&self) -> Fen {
        self.hospitals.iter().map(|h| h.result.payment).sum()
    }

    /// Σ hospitals' net (payment + capitation + sharing − deposit).
    pub fn net(&self) -> Fen {
        self.hospitals.iter().map(|h| h.result.net).sum()
    }

    /// Σ pools' balance (distributable − paid − sharing): the fund's balance in this scenario.
    pub fn balance(&self) -> Fen {
        self.pools.iter().map(|p| p.balance).sum()
    }

    /// The KPI with this key.
    pub fn kpi(&self, key: &str) -> Option<&Kpi> {
        self.kpis.iter().find(|k| k.key == key)
    }
}
