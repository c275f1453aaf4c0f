//! Closing a run (see [`crate::settle`]) in three steps that a streamed run (the CLI over tens of
//! millions of cases) and an in-memory [`crate::settle::Ledger`] share:
//!
//! 1. [`funds::close_pools`], on compact [`crate::slip::Slip`]s: duplicate ids ([`duplicates`]), the special-review
//!    quota, capitation, each pool's closure and every case's fund payment to the fen;
//! 2. [`tally::Tally`]: per-hospital sums of the settled cases, added case by case;
//! 3. [`statements`]: hospital statements, risk sharing per pool and payee, the deposit and the
//!    clearing, and the pools' balances.

pub mod duplicates;
pub mod funds;
pub mod tally;

use std::collections::BTreeMap;

use crate::engine::{Engine, Rejection};
use crate::money::{Fen, Ratio};
use crate::policy::Period;
use crate::price::Priced;
use crate::settle::{
    CaseResult, Counts, Entry, HospitalResult, Inputs, PoolResult, SettleError, Settlement,
};
use crate::share::share;
use crate::slip::{Approved, Hospitals, Key, Slip, APPROVED, DUPLICATE, NOT_HONOURED};
use funds::Funds;
use tally::{Settled, Tally};

/// Finishes the statements: one per hospital with cases or capitation (in code order), risk
/// sharing per pool and payee (year period), the deposit and the clearing, and the pools'
/// sharing and balance.
pub fn statements(
    engine: &Engine,
    codes: &[String],
    tally: Tally,
    funds: Funds,
    inputs: &Inputs,
) -> Result<(Vec<PoolResult>, Vec<HospitalResult>), SettleError> {
    let policy = &engine.policy;
    let stages = engine.stages;
    let mut pools = funds.pools;
    let mut hospitals: BTreeMap<String, HospitalResult> = BTreeMap::new();
    for (i, t) in tally.hospitals.iter().enumerate() {
        if t.cases == 0 {
            continue;
        }
        let item_fund_cost = t.total_cost - t.patient_share;
        let cmi = match t.weights.1 {
            0 => None,
            n => t.weights.0.ratio().checked_div(Ratio::int(n as i128)).ok(),
        };
        let surplus: Fen = t.bundle.iter().map(|b| b.paid - b.cost).sum();
        hospitals.insert(
            codes[i].clone(),
            HospitalResult {
                code: codes[i].clone(),
                level: t.level,
                payee: t.payee.clone(),
                cases: t.cases,
                cases_by_route: t.cases_by_route,
                paid_by_route: t.paid_by_route,
                outliers: t.outliers,
                points: t.points,
                cmi,
                total_cost: t.total_cost,
                patient_share: t.patient_share,
                item_fund_cost,
                payment: t.payment,
                surplus,
                review: funds.review.get(i).copied().unwrap_or((0, 0)),
                ..HospitalResult::default()
            },
        );
    }

    // Capitation, accrued before the pools closed, to the hospitals' statements.
    for (en, amount) in inputs.enrolment.iter().zip(&funds.capitation) {
        let h = hospitals.entry(en.hospital.clone()).or_insert_with(|| {
            match engine.listed_hospital(&en.hospital) {
                Some(r) => HospitalResult {
                    code: en.hospital.clone(),
                    level: r.level,
                    payee: r.payee.clone(),
                    ..HospitalResult::default()
                },
                None => HospitalResult {
                    code: en.hospital.clone(),
                    payee: en.hospital.clone(),
                    ..HospitalResult::default()
                },
            }
        });
        h.capitation += amount.1;
    }

    // Risk sharing per pool and payee over bundle cases (year period only).
    if let (Some(rule), Period::Year) = (&policy.sharing, policy.policy.period) {
        for (k, pool) in pools.iter_mut().enumerate() {
            let mut payees: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (i, t) in tally.hospitals.iter().enumerate() {
                if t.bundle[k].cases > 0 {
                    payees.entry(t.payee.as_str()).or_default().push(i);
                }
            }
            for (payee, members) in payees {
                let sums = |i: &usize| tally.hospitals[*i].bundle[k];
                let paid: Fen = members.iter().map(|i| sums(i).paid).sum();
                let cost: Fen = members.iter().map(|i| sums(i).cost).sum();
                let score = match inputs.assessment.get(payee) {
                    Some(s) => Some(*s),
                    None if rule.assessment_scaled => {
                        return Err(SettleError::MissingAssessment {
                            rule: "sharing.assessment_scaled",
                            payee: payee.to_string(),
                        })
                    }
                    None => None,
                };
                let s = share(rule, paid, cost, score, stages.sharing)?;
                pool.sharing += s.adjustment;
                // Back to the member hospitals, by their item-based fund cost.
                let weights: Vec<u128> = members.iter().map(|i| sums(i).cost_weight).collect();
                let parts = if weights.iter().sum::<u128>() == 0 {
                    let mut v = vec![Fen::ZERO; weights.len()];
                    if let Some(f) = v.first_mut() {
                        *f = s.adjustment;
                    }
                    v
                } else {
                    crate::money::allocate(s.adjustment, &weights)?
                };
                for (i, part) in members.iter().zip(parts) {
                    if let Some(h) = hospitals.get_mut(&codes[*i]) {
                        h.sharing += part;
                        if !h.sharing_formula.is_empty() {
                            h.sharing_formula.push_str(" | ");
                        }
                        h.sharing_formula
                            .push_str(&format!("{} payee {payee}: {}", pool.id, s.formula));
                    }
                }
            }
        }
    }

    // Deposit and clearing.
    let deposit_share = policy
        .cycle
        .deposit_share
        .map(|d| d.0)
        .unwrap_or(Ratio::ZERO);
    for h in hospitals.values_mut() {
        let gross = h.payment + h.capitation + h.sharing;
        let deposit = Ratio::int(i128::from(gross.0.max(0)))
            .checked_mul(deposit_share)?
            .round(stages.deposit)?;
        match policy.policy.period {
            Period::Month => {
                h.deposit = deposit;
                h.entitlement = gross;
                h.net = gross - deposit;
            }
            Period::Year => {
                let forfeited = if policy.cycle.deposit_by_assessment && deposit.0 != 0 {
                    let score = inputs
                        .assessment
                        .get(&h.payee)
                        .or_else(|| inputs.assessment.get(&h.code))
                        .copied()
                        .ok_or_else(|| SettleError::MissingAssessment {
                            rule: "cycle.deposit_by_assessment",
                            payee: h.payee.clone(),
                        })?;
                    let lost =
                        Ratio::ONE.checked_add(score.checked_div(Ratio::int(100))?.mul_int(-1))?;
                    Ratio::int(i128::from(deposit.0))
                        .checked_mul(lost)?
                        .round(stages.deposit)?
                } else {
                    Fen::ZERO
                };
                h.deposit = forfeited;
                h.entitlement = gross - forfeited;
                h.net = h.entitlement;
                if let Some(paid) = &inputs.paid_to_date {
                    let p = paid.get(&h.code).copied().unwrap_or(Fen::ZERO);
                    h.paid_to_date = Some(p);
                    h.clearing = Some(h.entitlement - p);
                }
            }
        }
    }
    for p in &mut pools {
        p.balance = p.distributable - p.paid - p.sharing;
    }
    Ok((pools, hospitals.into_values().collect()))
}

/// Closes the cases of a [`crate::settle::Ledger`].
pub(crate) fn close(
    engine: &Engine,
    mut entries: Vec<Entry>,
    mut rejected: Vec<Rejection>,
    inputs: &Inputs,
) -> Result<Settlement, SettleError> {
    let mut table = Hospitals::new();
    let mut slips = Vec::with_capacity(entries.len());
    let mut approved = Vec::new();
    for (row, e) in entries.iter().enumerate() {
        let h = table.intern(&e.hospital);
        let key = Key::of(&e.id);
        let mut s = Slip::new(
            key,
            row as u32,
            h,
            e.pool,
            e.pricing.primary.value,
            e.patient_share,
        );
        if let Some(fallback) = &e.pricing.without_review {
            s.flags |= APPROVED;
            approved.push(Approved {
                row: row as u32,
                id: e.id.clone(),
                hospital: h,
                fallback: fallback.value,
            });
        }
        slips.push(s);
    }
    let remap = table.sort();
    for s in &mut slips {
        s.hospital = remap[s.hospital as usize];
    }
    for a in &mut approved {
        a.hospital = remap[a.hospital as usize];
    }
    let funds = funds::close_pools(engine, &mut slips, &mut approved, table.len(), inputs)?;
    let mut by_row = vec![(0i64, 0u8, 0u32, Key::default()); entries.len()];
    for s in &slips {
        by_row[s.row as usize] = (s.value, s.flags, s.hospital, s.key);
    }
    drop(slips);
    let mut tally = Tally::new(table.len(), engine.policy.pools.len());
    let mut cases = Vec::with_capacity(entries.len());
    for (row, e) in entries.iter_mut().enumerate() {
        let (fund, flags, hospital, key) = by_row[row];
        if flags & DUPLICATE != 0 {
            rejected.push(Rejection {
                reason: format!(
                    "duplicate case id {:?}: settled once, this row rejected",
                    e.id
                ),
                id: std::mem::take(&mut e.id),
            });
            continue;
        }
        let priced: Priced = match (flags & NOT_HONOURED != 0, e.pricing.without_review.take()) {
            (true, Some(fallback)) => fallback,
            _ => std::mem::replace(&mut e.pricing.primary, Priced::placeholder()),
        };
        let fund = Fen(fund);
        tally.add(&Settled::of(
            hospital,
            key,
            e.level,
            &e.payee,
            e.pool,
            &priced,
            fund,
            e.total_cost,
            e.patient_share,
        ));
        let points = match priced.value {
            crate::price::Value::Points(p) => p,
            _ => crate::points::Points::ZERO,
        };
        cases.push(CaseResult {
            id: std::mem::take(&mut e.id),
            hospital: std::mem::take(&mut e.hospital),
            pool: e.pool,
            total_cost: e.total_cost,
            patient_share: e.patient_share,
            priced,
            points,
            fund,
        });
    }
    let (pools, hospitals) = statements(engine, table.codes(), tally, funds, inputs)?;
    cases.sort_unstable_by(|a, b| a.hospital.cmp(&b.hospital).then_with(|| a.id.cmp(&b.id)));
    Ok(Settlement {
        period: engine.policy.policy.period,
        pools,
        hospitals,
        counts: Counts {
            settled: cases.len() as u64,
            rejected: rejected.len() as u64,
        },
        cases,
        rejected,
    })
}
