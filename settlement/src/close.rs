//! Closing a run (see [`crate::settle`]): quota, capitation, pools, hospitals, sharing, cycle.

use std::collections::BTreeMap;

use crate::engine::{Engine, Rejection};
use crate::money::{Fen, Ratio};
use crate::points::{cmi, Points};
use crate::policy::{Basis, Closure, Period};
use crate::price::{Class, Priced, Value};
use crate::settle::{
    allocate_counted, amount_fund, closure_name, group_by, route_index, CaseResult, Entry,
    HospitalResult, Inputs, PoolResult, SettleError, Settlement,
};
use crate::share::share;

pub(crate) fn close(
    engine: &Engine,
    mut entries: Vec<Entry>,
    rejected: Vec<Rejection>,
    inputs: &Inputs,
) -> Result<Settlement, SettleError> {
    let policy = &engine.policy;
    let stages = engine.stages;
    // Ids are unique in a ledger, so the order is total and an unstable sort is deterministic.
    entries.sort_unstable_by(|a, b| a.hospital.cmp(&b.hospital).then_with(|| a.id.cmp(&b.id)));

    // 1. The special-review quota, per hospital, in case-id order.
    let by_hospital = group_by(entries.iter().map(|e| e.hospital.clone()));
    let mut honoured = vec![true; entries.len()];
    let mut review: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    if let Some(sr) = &policy.special_review {
        for (h, idx) in &by_hospital {
            let quota = Ratio::int(idx.len() as i128)
                .checked_mul(sr.quota_share.0)?
                .round(crate::money::Rounding::Floor)?
                .0 as u64;
            let mut used = 0u64;
            let mut approved = 0u64;
            for &i in idx {
                if entries[i].pricing.without_review.is_some() {
                    approved += 1;
                    if used < quota {
                        used += 1;
                    } else {
                        honoured[i] = false;
                    }
                }
            }
            review.insert(h.clone(), (approved, used));
        }
    }
    let mut priced: Vec<Priced> = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter_mut().enumerate() {
        let p = match (honoured[i], e.pricing.without_review.take()) {
            (false, Some(fallback)) => fallback,
            // Moved out, not cloned: the entry's pricing is not read again.
            _ => std::mem::replace(&mut e.pricing.primary, Priced::placeholder()),
        };
        priced.push(p);
    }

    // 2. Per case: amounts now, points after each pool closes.
    let n = entries.len();
    let mut fund = vec![Fen::ZERO; n];
    let mut points = vec![Points::ZERO; n];
    for i in 0..n {
        match priced[i].value {
            Value::Points(p) => points[i] = p,
            v => fund[i] = amount_fund(v, entries[i].patient_share),
        }
    }

    // 2b. Capitation: accrual (and, at the year's end, the reconciliation) per enrolment row. It is
    // paid in money, so it comes off its pool before the pool's point value is solved.
    let mut capitation: Vec<(usize, Fen)> = Vec::with_capacity(inputs.enrolment.len());
    for en in &inputs.enrolment {
        let prog = policy
            .capitation
            .iter()
            .find(|c| c.program == en.program)
            .ok_or_else(|| SettleError::UnknownProgram(en.program.clone()))?;
        let accrual = Ratio::int(i128::from(prog.rate_yuan_per_year.0 .0))
            .checked_mul(Ratio::new(i128::from(en.person_months), 12)?)?
            .round(stages.amount)?;
        let mut adjustment = Fen::ZERO;
        if let (Some(rule), Some(spent), Period::Year) =
            (&prog.sharing, en.spending, policy.policy.period)
        {
            // The hospital's score, else its payee's (a consortium's).
            let payee = engine
                .listed_hospital(&en.hospital)
                .map(|r| r.payee.as_str());
            let score = inputs
                .assessment
                .get(&en.hospital)
                .or_else(|| payee.and_then(|p| inputs.assessment.get(p)))
                .copied();
            if score.is_none() && rule.assessment_scaled {
                return Err(SettleError::MissingAssessment {
                    rule: "capitation.sharing.assessment_scaled",
                    payee: en.hospital.clone(),
                });
            }
            adjustment = share(rule, accrual, spent, score, stages.sharing)?.adjustment;
        }
        // Validation guarantees the pool exists.
        let k = policy
            .pools
            .iter()
            .position(|p| p.id == prog.pool)
            .unwrap_or_default();
        capitation.push((k, accrual + adjustment));
    }

    // 3. Pools.
    let mut pools = Vec::with_capacity(policy.pools.len());
    for (k, pool) in policy.pools.iter().enumerate() {
        let budget = pool.budget_yuan.0;
        let reserve = Ratio::int(i128::from(budget.0))
            .checked_mul(pool.reserve_share.0)?
            .round(stages.reserve)?;
        let distributable = budget - reserve;
        let in_pool: Vec<usize> = (0..n).filter(|&i| entries[i].pool == k).collect();
        let pt: Vec<usize> = in_pool
            .iter()
            .copied()
            .filter(|&i| matches!(priced[i].value, Value::Points(_)))
            .collect();
        let other: Fen = in_pool
            .iter()
            .filter(|&&i| !matches!(priced[i].value, Value::Points(_)))
            .map(|&i| fund[i])
            .sum();
        let capitated: Fen = capitation.iter().filter(|c| c.0 == k).map(|c| c.1).sum();
        let total_points: Points = pt.iter().map(|&i| points[i]).sum();
        let self_pay: Fen = pt.iter().map(|&i| entries[i].patient_share).sum();
        let total_cost_basis = pool.basis == Basis::TotalCost;
        let mut remainder = 0i64;
        let mut point_value = None;
        match pool.closure {
            Closure::PointValue if total_points.0 > 0 => {
                let for_points = distributable - other - capitated;
                if for_points.0 < 0 {
                    return Err(SettleError::Overspent {
                        pool: pool.id.clone(),
                        other: other + capitated,
                        distributable,
                    });
                }
                // Total-cost basis: points price the whole cost, so the patients' shares join
                // the amount shared and leave again per hospital (settlement-policy.md §7).
                let shared = if total_cost_basis {
                    for_points + self_pay
                } else {
                    for_points
                };
                point_value =
                    Some(Ratio::int(i128::from(shared.0)).checked_div(total_points.ratio())?);
                // Positions in `pt` grouped by hospital, mapped back to case indices.
                let hospitals = group_by(pt.iter().map(|&i| entries[i].hospital.as_str()));
                let members: Vec<Vec<usize>> = hospitals
                    .values()
                    .map(|pos| pos.iter().map(|&k| pt[k]).collect())
                    .collect();
                let weights: Vec<u128> = members
                    .iter()
                    .map(|idx| idx.iter().map(|&i| points[i].0 as u128).sum())
                    .collect();
                let (parts, rem) = allocate_counted(shared, &weights)?;
                remainder = rem;
                for (idx, part) in members.iter().zip(parts) {
                    let w: Vec<u128> = idx.iter().map(|&j| points[j].0.max(0) as u128).collect();
                    let cases = crate::money::allocate(part, &w)?;
                    for (&j, c) in idx.iter().zip(cases) {
                        fund[j] = if total_cost_basis {
                            c - entries[j].patient_share
                        } else {
                            c
                        };
                    }
                }
            }
            _ => {
                let announced = match (pool.point_value_yuan, pool.reimbursement_ratio) {
                    (Some(pv), _) => Some(pv.0.mul_int(100)),
                    (None, Some(rho)) if total_points.0 > 0 => Some(
                        Ratio::int(i128::from((distributable - other - capitated).0))
                            .checked_div(rho.0)?
                            .checked_div(total_points.ratio())?,
                    ),
                    _ => None,
                };
                if let Some(fen_per_point) = announced {
                    point_value = Some(fen_per_point);
                    for &i in &pt {
                        let gross = points[i]
                            .ratio()
                            .checked_mul(fen_per_point)?
                            .round(stages.amount)?;
                        fund[i] = if total_cost_basis {
                            Fen((gross - entries[i].patient_share).0.max(0))
                        } else {
                            gross
                        };
                    }
                }
            }
        }
        let points_paid: Fen = pt.iter().map(|&i| fund[i]).sum();
        pools.push(PoolResult {
            id: pool.id.clone(),
            budget,
            reserve,
            distributable,
            paid: points_paid + other + capitated,
            closure: closure_name(pool.closure, total_points.0 > 0),
            basis: pool.basis,
            point_value,
            total_points,
            points_paid,
            other_paid: other,
            capitation: capitated,
            sharing: Fen::ZERO,
            remainder_fen: remainder,
            cases: in_pool.len() as u64,
            balance: Fen::ZERO,
        });
    }

    // 4. Hospitals.
    let mut hospitals: BTreeMap<String, HospitalResult> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let h = hospitals
            .entry(e.hospital.clone())
            .or_insert_with(|| HospitalResult {
                code: e.hospital.clone(),
                level: e.level,
                payee: e.payee.clone(),
                ..HospitalResult::default()
            });
        let p = &priced[i];
        let r = route_index(p.route);
        h.cases += 1;
        h.cases_by_route[r] += 1;
        h.paid_by_route[r] += fund[i];
        h.points += points[i];
        h.total_cost += e.total_cost;
        h.patient_share += e.patient_share;
        h.item_fund_cost += e.total_cost - e.patient_share;
        h.payment += fund[i];
        if p.route.is_bundle() {
            match p.class {
                Class::Low => h.outliers[0] += 1,
                Class::High => h.outliers[1] += 1,
                Class::Extreme => h.outliers[2] += 1,
                _ => {}
            }
        }
    }
    for (code, idx) in &by_hospital {
        let w: Vec<Points> = idx
            .iter()
            .filter(|&&i| priced[i].route.is_bundle())
            .filter_map(|&i| priced[i].weight)
            .collect();
        if let Some(h) = hospitals.get_mut(code) {
            h.cmi = cmi(&w);
            h.review = review.get(code).copied().unwrap_or((0, 0));
        }
    }

    // 5. Capitation, accrued before the pools closed (see 2b), to the hospitals' statements.
    for (en, amount) in inputs.enrolment.iter().zip(&capitation) {
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

    // 6. Risk sharing per pool and payee over bundle cases (year period only).
    if let (Some(rule), Period::Year) = (&policy.sharing, policy.policy.period) {
        let keys = group_by((0..n).map(|i| (entries[i].pool, entries[i].payee.as_str())));
        for ((pool, payee), idx) in keys {
            let bundle: Vec<usize> = idx
                .into_iter()
                .filter(|&i| priced[i].route.is_bundle())
                .collect();
            if bundle.is_empty() {
                continue;
            }
            let paid: Fen = bundle.iter().map(|&i| fund[i]).sum();
            let cost: Fen = bundle
                .iter()
                .map(|&i| entries[i].total_cost - entries[i].patient_share)
                .sum();
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
            pools[pool].sharing += s.adjustment;
            // Back to the member hospitals, by their item-based fund cost.
            let members = group_by(bundle.iter().map(|&i| entries[i].hospital.as_str()));
            let weights: Vec<u128> = members
                .values()
                .map(|m| {
                    m.iter()
                        .map(|&j| {
                            let e = &entries[bundle[j]];
                            (e.total_cost - e.patient_share).0.max(0) as u128
                        })
                        .sum()
                })
                .collect();
            let parts = if weights.iter().sum::<u128>() == 0 {
                let mut v = vec![Fen::ZERO; weights.len()];
                if let Some(f) = v.first_mut() {
                    *f = s.adjustment;
                }
                v
            } else {
                crate::money::allocate(s.adjustment, &weights)?
            };
            for ((code, m), part) in members.iter().zip(parts) {
                if let Some(h) = hospitals.get_mut(*code) {
                    let mpaid: Fen = m.iter().map(|&j| fund[bundle[j]]).sum();
                    let mcost: Fen = m
                        .iter()
                        .map(|&j| entries[bundle[j]].total_cost - entries[bundle[j]].patient_share)
                        .sum();
                    h.surplus += mpaid - mcost;
                    h.sharing += part;
                    if !h.sharing_formula.is_empty() {
                        h.sharing_formula.push_str(" | ");
                    }
                    h.sharing_formula.push_str(&format!(
                        "{} payee {payee}: {}",
                        policy.pools[pool].id, s.formula
                    ));
                }
            }
        }
    } else {
        for (i, e) in entries.iter().enumerate() {
            if priced[i].route.is_bundle() {
                if let Some(h) = hospitals.get_mut(&e.hospital) {
                    h.surplus += fund[i] - (e.total_cost - e.patient_share);
                }
            }
        }
    }

    // 7. Deposit and clearing.
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

    let cases = entries
        .into_iter()
        .zip(priced)
        .enumerate()
        .map(|(i, (e, p))| CaseResult {
            id: e.id,
            hospital: e.hospital,
            pool: e.pool,
            total_cost: e.total_cost,
            patient_share: e.patient_share,
            priced: p,
            points: points[i],
            fund: fund[i],
        })
        .collect();
    Ok(Settlement {
        period: policy.policy.period,
        pools,
        hospitals: hospitals.into_values().collect(),
        cases,
        rejected,
    })
}
