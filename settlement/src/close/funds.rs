//! The money side of the close, on [`Slip`]s: duplicate ids, the special-review quota, capitation,
//! and each pool's closure down to every case's fund payment to the fen.

use rayon::prelude::*;

use crate::engine::Engine;
use crate::money::{allocate, Fen, Ratio, Rounding};
use crate::points::Points;
use crate::policy::{Basis, Closure, Period};
use crate::settle::{allocate_counted, amount_fund, closure_name, Inputs, PoolResult, SettleError};
use crate::share::share;
use crate::slip::{Approved, Kind, Slip, APPROVED, DUPLICATE, NOT_HONOURED};

/// What the pools paid, before the hospital statements.
#[derive(Clone, Debug)]
pub struct Funds {
    /// Pools in policy order (`sharing` and `balance` are filled by the statements).
    pub pools: Vec<PoolResult>,
    /// Capitation per enrolment row: (pool, amount).
    pub capitation: Vec<(usize, Fen)>,
    /// Per hospital index: approved special-review cases, and how many the quota honoured.
    pub review: Vec<(u64, u64)>,
    /// Rows rejected as duplicate ids.
    pub duplicates: u64,
}

/// Closes the pools over `slips` (hospital indices in code order, see
/// [`crate::slip::Hospitals::sort`]). On return each slip's `value` is its fund payment in fen,
/// `flags` say which rows are duplicates and which approved cases the quota did not honour, and
/// the slips are sorted by (hospital, key).
pub fn close_pools(
    engine: &Engine,
    slips: &mut [Slip],
    approved: &mut [Approved],
    hospitals: usize,
    inputs: &Inputs,
) -> Result<Funds, SettleError> {
    let policy = &engine.policy;
    let stages = engine.stages;

    // 1. Cases by hospital (code order), then by key: the order every allocation follows.
    slips.par_sort_unstable_by_key(|s| (s.hospital, s.key, s.row));
    // 2. Duplicate ids: the first row of a key is settled, later rows are rejected.
    let duplicates = super::duplicates::mark(slips);
    let live = |s: &Slip| s.flags & DUPLICATE == 0;
    let mut cases = vec![0u64; hospitals];
    for s in slips.iter().filter(|s| live(s)) {
        cases[s.hospital as usize] += 1;
    }

    // 3. The special-review quota, per hospital, in case-id order.
    let mut review = vec![(0u64, 0u64); hospitals];
    if let Some(sr) = &policy.special_review {
        let at: std::collections::HashMap<u32, usize> = slips
            .iter()
            .enumerate()
            .filter(|(_, s)| s.flags & APPROVED != 0 && live(s))
            .map(|(i, s)| (s.row, i))
            .collect();
        approved.sort_by(|a, b| (a.hospital, &a.id).cmp(&(b.hospital, &b.id)));
        let mut k = 0;
        while k < approved.len() {
            let h = approved[k].hospital;
            let quota = Ratio::int(i128::from(cases[h as usize]))
                .checked_mul(sr.quota_share.0)?
                .round(Rounding::Floor)?
                .0 as u64;
            while k < approved.len() && approved[k].hospital == h {
                if let Some(&i) = at.get(&approved[k].row) {
                    review[h as usize].0 += 1;
                    if review[h as usize].1 < quota {
                        review[h as usize].1 += 1;
                    } else {
                        let (kind, v) = crate::slip::split(approved[k].fallback);
                        slips[i].kind = kind;
                        slips[i].value = v;
                        slips[i].flags |= NOT_HONOURED;
                    }
                }
                k += 1;
            }
        }
    }

    // 4. Amount-priced cases are paid now.
    for s in slips.iter_mut() {
        if s.kind != Kind::Points {
            s.value = amount_fund(s.worth(), Fen(s.patient_share)).0;
        }
    }

    // 5. Capitation: accrual (and, at the year's end, the reconciliation) per enrolment row. It is
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

    // 6. Pools. Their sums in one pass over the slips; the cases' payments per hospital, in
    // parallel (each hospital's slips are a run of their own).
    let segments = segments(slips, hospitals);
    let sums = pool_sums(slips, policy.pools.len(), hospitals);
    let mut pools = Vec::with_capacity(policy.pools.len());
    for (k, pool) in policy.pools.iter().enumerate() {
        let in_pool = |s: &Slip| usize::from(s.pool) == k && live(s);
        let budget = pool.budget_yuan.0;
        let reserve = Ratio::int(i128::from(budget.0))
            .checked_mul(pool.reserve_share.0)?
            .round(stages.reserve)?;
        let distributable = budget - reserve;
        let PoolSums {
            n,
            other,
            total_points,
            self_pay,
            ref by_hospital,
        } = sums[k];
        let (other, self_pay, total_points) = (Fen(other), Fen(self_pay), Points(total_points));
        let capitated: Fen = capitation.iter().filter(|c| c.0 == k).map(|c| c.1).sum();
        let total_cost_basis = pool.basis == Basis::TotalCost;
        let is_points = |s: &Slip| in_pool(s) && s.kind == Kind::Points;
        let mut remainder = 0i64;
        let point_value;
        let points_paid: Fen;
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
                // Pool → hospitals (those with points here, in code order) → cases (key order).
                let members: Vec<usize> = (0..hospitals).filter(|&h| by_hospital[h].1).collect();
                let weights: Vec<u128> =
                    members.iter().map(|&h| by_hospital[h].0 as u128).collect();
                let (parts, rem) = allocate_counted(shared, &weights)?;
                remainder = rem;
                let mut part_of = vec![None; hospitals];
                for (&h, part) in members.iter().zip(parts) {
                    part_of[h] = Some(part);
                }
                let paid: Result<Vec<Fen>, SettleError> = runs(slips, &segments)
                    .into_par_iter()
                    .zip(part_of)
                    .map(|(seg, part)| {
                        let Some(part) = part else {
                            return Ok(Fen::ZERO);
                        };
                        let w: Vec<u128> = seg
                            .iter()
                            .filter(|s| is_points(s))
                            .map(|s| s.value.max(0) as u128)
                            .collect();
                        let paid = allocate(part, &w)?;
                        let mut sum = Fen::ZERO;
                        for (s, c) in seg.iter_mut().filter(|s| is_points(s)).zip(paid) {
                            let fund = if total_cost_basis {
                                c - Fen(s.patient_share)
                            } else {
                                c
                            };
                            s.value = fund.0;
                            sum += fund;
                        }
                        Ok(sum)
                    })
                    .collect();
                points_paid = paid?.into_iter().sum();
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
                point_value = announced;
                let paid: Result<Vec<Fen>, SettleError> = slips
                    .par_chunks_mut(1 << 14)
                    .map(|chunk| {
                        let mut sum = Fen::ZERO;
                        for s in chunk.iter_mut().filter(|s| is_points(s)) {
                            let fund = match announced {
                                Some(fen_per_point) => {
                                    let gross = Points(s.value)
                                        .ratio()
                                        .checked_mul(fen_per_point)?
                                        .round(stages.amount)?;
                                    if total_cost_basis {
                                        Fen((gross - Fen(s.patient_share)).0.max(0))
                                    } else {
                                        gross
                                    }
                                }
                                None => Fen::ZERO,
                            };
                            s.value = fund.0;
                            sum += fund;
                        }
                        Ok(sum)
                    })
                    .collect();
                points_paid = paid?.into_iter().sum();
            }
        }
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
            cases: n,
            balance: Fen::ZERO,
        });
    }
    // Duplicates are paid nothing.
    for s in slips.iter_mut().filter(|s| !live(s)) {
        s.value = 0;
    }
    Ok(Funds {
        pools,
        capitation,
        review,
        duplicates,
    })
}

/// A pool's sums over its live slips.
#[derive(Clone, Debug, Default)]
struct PoolSums {
    /// Cases.
    n: u64,
    /// Fen paid to amount-priced cases.
    other: i64,
    /// Points.
    total_points: i64,
    /// Patients' shares of the points-priced cases.
    self_pay: i64,
    /// Per hospital: points, and whether it has a points-priced case here.
    by_hospital: Vec<(i64, bool)>,
}

/// Every pool's sums, in one parallel pass over the slips.
fn pool_sums(slips: &[Slip], pools: usize, hospitals: usize) -> Vec<PoolSums> {
    let fresh = || {
        vec![
            PoolSums {
                by_hospital: vec![(0, false); hospitals],
                ..PoolSums::default()
            };
            pools
        ]
    };
    slips
        .par_chunks(1 << 14)
        .fold(fresh, |mut acc, chunk| {
            for s in chunk {
                let Some(p) = acc.get_mut(usize::from(s.pool)) else {
                    continue;
                };
                if s.flags & DUPLICATE != 0 {
                    continue;
                }
                p.n += 1;
                if s.kind == Kind::Points {
                    p.total_points += s.value;
                    p.self_pay += s.patient_share;
                    let h = &mut p.by_hospital[s.hospital as usize];
                    h.0 += s.value;
                    h.1 = true;
                } else {
                    p.other += s.value;
                }
            }
            acc
        })
        .reduce(fresh, |mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                x.n += y.n;
                x.other += y.other;
                x.total_points += y.total_points;
                x.self_pay += y.self_pay;
                for (u, v) in x.by_hospital.iter_mut().zip(y.by_hospital) {
                    u.0 += v.0;
                    u.1 |= v.1;
                }
            }
            a
        })
}

/// The slips split into each hospital's run (see [`segments`]).
fn runs<'a>(mut slips: &'a mut [Slip], segments: &[usize]) -> Vec<&'a mut [Slip]> {
    let mut out = Vec::with_capacity(segments.len().saturating_sub(1));
    let mut at = 0;
    for w in segments.windows(2) {
        let (run, rest) = std::mem::take(&mut slips).split_at_mut(w[1] - at);
        debug_assert_eq!(w[0], at);
        out.push(run);
        slips = rest;
        at = w[1];
    }
    out
}

/// Start of each hospital's run of slips (sorted by hospital), with the end at `[hospitals]`.
fn segments(slips: &[Slip], hospitals: usize) -> Vec<usize> {
    let mut starts = vec![slips.len(); hospitals + 1];
    for (i, s) in slips.iter().enumerate().rev() {
        starts[s.hospital as usize] = i;
    }
    for h in (0..hospitals).rev() {
        starts[h] = starts[h].min(starts[h + 1]);
    }
    starts
}
