//! The compiled policy: hospitals with their coefficients, pools by key, the DRG weight table, and
//! the per-case pricing entry point ([`Engine::price`], pure and thread-safe).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::case::Case;
use crate::coefficient::{Coefficient, Combine, Component};
use crate::drg::{Bound, DrgPointRules, HighBand, Uplift};
use crate::lookup::CodeMap;
use crate::money::{Fen, Ratio};
use crate::points::Points;
use crate::policy::{
    CombineName, ComponentSpec, DrgMethod, Hospital, Policy, PolicyError, RoundingRules,
};
use crate::price::Pricing;
use crate::route::compiled::Routes;

/// One row of a DRG weight table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupWeight {
    /// Relative weight (RW).
    pub weight: Points,
    /// The group's mean total cost (the low/high-rate reference); zero when unknown.
    pub mean_cost: Fen,
}

/// Rounding rules of each stage: the policy's `[rounding]`.
pub type Stages = RoundingRules;

/// A hospital as the engine sees it.
#[derive(Clone, Debug)]
pub struct HospitalRules {
    /// Level.
    pub level: u8,
    /// DRG coefficient.
    pub drg_coefficient: Arc<Applied>,
    /// DIP factor.
    pub dip_factor: Arc<Applied>,
    /// Payee: the consortium, or the hospital itself.
    pub payee: String,
}

/// A coefficient with its value and explanation computed once (cases share it).
#[derive(Clone, Debug)]
pub struct Applied {
    /// The components.
    pub coefficient: Coefficient,
    /// Their combined value.
    pub value: Ratio,
    /// The value as formulas write it (`1.071`).
    pub value_text: String,
    /// `level 1.05 × cmi_incentive 1.02 = 1.071`.
    pub explain: String,
    /// `1.071 [level 1.05 × cmi_incentive 1.02 = 1.071]`, as formulas quote it.
    pub quoted: String,
}

impl Applied {
    fn new(c: Coefficient) -> Result<Arc<Applied>, String> {
        let value = c.value().map_err(|e| e.to_string())?;
        let explain = c.explain();
        Ok(Arc::new(Applied {
            quoted: format!("{value} [{explain}]"),
            value_text: value.to_string(),
            value,
            explain,
            coefficient: c,
        }))
    }
}

/// A case that cannot be settled, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// Case id.
    pub id: String,
    /// Reason (names the field or the policy key).
    pub reason: String,
}

/// A case's rejection for `reason`.
fn rejection(case: &Case, reason: String) -> Rejection {
    Rejection {
        id: case.id.clone(),
        reason,
    }
}

/// A policy compiled for settlement.
#[derive(Debug)]
pub struct Engine {
    /// The policy.
    pub policy: Policy,
    /// Rounding per stage.
    pub stages: Stages,
    pub(crate) weights: HashMap<String, GroupWeight, ahash::RandomState>,
    pub(crate) drg_rules: Option<DrgPointRules>,
    /// The route lists, compiled.
    pub(crate) routes: Routes,
    /// The policy's first and last dates as [`date_key`]s.
    dates: (DateKey, Option<DateKey>),
    hospitals: CodeMap<HospitalRules>,
    by_level: BTreeMap<u8, HospitalRules>,
    levels: BTreeMap<u8, (Coefficient, Coefficient)>,
}

/// At most this many DRG coefficients have a group's texts and numbers kept.
const MAX_COEFFICIENTS: usize = 8;

/// A `YYYY-MM-DD` date's bytes as big-endian integers, which order as the text does (other text:
/// its first ten bytes, zero-padded).
type DateKey = (u64, u16);

fn date_key(s: &str) -> DateKey {
    let mut b = [0u8; 10];
    let n = s.len().min(10);
    b[..n].copy_from_slice(&s.as_bytes()[..n]);
    let (head, tail) = b.split_at(8);
    (
        u64::from_be_bytes(head.try_into().unwrap_or_default()),
        u16::from_be_bytes(tail.try_into().unwrap_or_default()),
    )
}

fn coefficient(specs: &[ComponentSpec], combine: CombineName) -> Coefficient {
    Coefficient {
        components: specs
            .iter()
            .map(|s| Component {
                name: s.name.clone(),
                value: s.value.0,
                provenance: s.source.clone(),
            })
            .collect(),
        combine: match combine {
            CombineName::Product => Combine::Product,
            CombineName::Sum => Combine::Sum,
        },
    }
}

impl Engine {
    /// Compiles a policy with its DRG weight table (empty for DIP policies).
    pub fn new(
        policy: Policy,
        weights: HashMap<String, GroupWeight>,
    ) -> Result<Engine, PolicyError> {
        let stages = policy.rounding;
        let invalid = |key: String, message: String| PolicyError::Invalid {
            origin: policy.policy.name.clone(),
            key,
            message,
        };
        let mut levels = BTreeMap::new();
        for (k, l) in &policy.levels {
            let level: u8 = k.parse().unwrap_or(0);
            let drg = coefficient(&l.drg_coefficient, l.combine);
            let dip = coefficient(&l.dip_factor, l.combine);
            for (name, c) in [("drg_coefficient", &drg), ("dip_factor", &dip)] {
                c.value()
                    .map_err(|e| invalid(format!("levels.{k}.{name}"), e.to_string()))?;
            }
            levels.insert(level, (drg, dip));
        }
        let mut hospitals = CodeMap::default();
        for (i, h) in policy.hospitals.iter().enumerate() {
            let rules = Self::hospital_rules(&levels, h.level, Some(h))
                .map_err(|m| invalid(format!("hospitals[{i}]"), m))?;
            hospitals.insert(h.code.as_bytes(), rules);
        }
        let drg_rules = policy.drg.as_ref().map(|d| DrgPointRules {
            low: d.low.map(|b| Bound {
                ratio: b.ratio.0,
                inclusive: b.inclusive,
            }),
            high: d
                .high
                .iter()
                .map(|h| HighBand {
                    up_to_base_points: h.up_to_base_points.map(|p| p.0),
                    multiple: h.multiple.0,
                    inclusive: h.inclusive,
                })
                .collect(),
            uplift: d.uplift.map(|u| Uplift {
                above: u.above.0,
                up_to: u.up_to.0,
                add: u.add.0,
                applies_coefficient: u.applies_coefficient,
            }),
            rounding: stages.points,
        });
        if let Some(d) = &policy.drg {
            if weights.is_empty() {
                return Err(invalid(
                    "tables.drg_weights".into(),
                    "a DRG policy needs a weight table (tables.drg_weights or tables.drg_history)"
                        .into(),
                ));
            }
            if d.method == DrgMethod::Rate && d.base_rate_yuan.is_none() {
                return Err(invalid("drg.base_rate_yuan".into(), "missing".into()));
            }
        }
        let mut by_level = BTreeMap::new();
        for &level in levels.keys() {
            let r = Self::hospital_rules(&levels, level, None)
                .map_err(|m| invalid(format!("levels.{level}"), m))?;
            by_level.insert(level, r);
        }
        let weights: HashMap<String, GroupWeight, ahash::RandomState> =
            weights.into_iter().collect();
        // The DRG coefficients cases are priced with (levels' first, then listed hospitals'), for
        // the texts and numbers of a group with a coefficient formed once.
        let coefficients: Vec<Arc<Applied>> = by_level
            .values()
            .chain(hospitals.values())
            .map(|r| r.drg_coefficient.clone())
            .take(MAX_COEFFICIENTS)
            .collect();
        Ok(Engine {
            by_level,
            routes: Routes::compile(&policy, &weights, stages.points, coefficients),
            dates: (
                date_key(&policy.policy.effective_from),
                policy.policy.effective_to.as_deref().map(date_key),
            ),
            stages,
            weights,
            drg_rules,
            hospitals,
            levels,
            policy,
        })
    }

    fn hospital_rules(
        levels: &BTreeMap<u8, (Coefficient, Coefficient)>,
        level: u8,
        h: Option<&Hospital>,
    ) -> Result<HospitalRules, String> {
        let (mut drg, mut dip) = match levels.get(&level) {
            Some((a, b)) => (a.clone(), b.clone()),
            None if levels.is_empty() => (
                coefficient(&[], CombineName::Product),
                coefficient(&[], CombineName::Product),
            ),
            None => {
                return Err(format!(
                    "level {level} has no [levels.{level}] in the policy"
                ))
            }
        };
        if let Some(h) = h {
            drg.components
                .extend(coefficient(&h.drg_coefficient, CombineName::Product).components);
            dip.components
                .extend(coefficient(&h.dip_factor, CombineName::Product).components);
        }
        Ok(HospitalRules {
            level,
            drg_coefficient: Applied::new(drg)?,
            dip_factor: Applied::new(dip)?,
            payee: h
                .and_then(|h| h.consortium.clone())
                .unwrap_or_else(|| h.map_or(String::new(), |h| h.code.clone())),
        })
    }

    /// The rules of a case's hospital: the policy's entry, or the case row's level.
    pub fn hospital(&self, case: &Case) -> Result<HospitalRules, String> {
        if let Some(h) = self.hospitals.get(case.hospital.as_bytes()) {
            return Ok(h.clone());
        }
        let mut r = self.level_rules(case)?.into_owned();
        r.payee = case.hospital.clone();
        Ok(r)
    }

    /// The rules a case's hospital is priced by, borrowed from the engine: the policy's entry, or
    /// else [`Engine::level_rules`].
    fn rules_of(&self, case: &Case) -> Result<Cow<'_, HospitalRules>, String> {
        match self.hospitals.get(case.hospital.as_bytes()) {
            Some(h) => Ok(Cow::Borrowed(h)),
            None => self.level_rules(case),
        }
    }

    /// The rules of the case row's level, for a hospital the policy does not list. They carry no
    /// payee (the hospital itself: the case's), and are formed anew only for a level the engine
    /// has none for (a policy without `[levels]`).
    fn level_rules(&self, case: &Case) -> Result<Cow<'_, HospitalRules>, String> {
        let level = case.hospital_level.ok_or_else(|| {
            format!(
                "hospital {:?} is not in the policy's [[hospitals]] and the case has no hospital_level",
                case.hospital
            )
        })?;
        match self.by_level.get(&level) {
            Some(r) => Ok(Cow::Borrowed(r)),
            None => Self::hospital_rules(&self.levels, level, None).map(Cow::Owned),
        }
    }

    /// Who is paid for a hospital's cases: its consortium when the policy lists one, else the
    /// hospital itself.
    pub fn payee_of<'a>(&'a self, code: &'a str) -> &'a str {
        self.hospitals
            .get(code.as_bytes())
            .map_or(code, |h| h.payee.as_str())
    }

    /// The rules of a hospital listed in the policy's `[[hospitals]]`.
    pub(crate) fn listed_hospital(&self, code: &str) -> Option<&HospitalRules> {
        self.hospitals.get(code.as_bytes())
    }

    /// The pool a case is settled from.
    pub fn pool_of(&self, case: &Case) -> Option<usize> {
        self.routes.pool(&self.policy, case)
    }

    /// The DRG weight of a group.
    pub fn weight(&self, drg: &str) -> Option<GroupWeight> {
        self.weights.get(drg).copied()
    }

    /// Validates a case and prices it along the policy's routes. Pure: safe to call from many threads.
    pub fn price(&self, case: &Case) -> Result<(usize, HospitalRules, Pricing), Rejection> {
        let pool = self.admit(case)?;
        let hospital = self.hospital(case).map_err(|r| rejection(case, r))?;
        let pricing = crate::route::route(self, case, &hospital).map_err(|r| rejection(case, r))?;
        Ok((pool, hospital, pricing))
    }

    /// [`Engine::price`] for a run that needs of the hospital only its level: the pool, the level
    /// the hospital is priced at, and the pricing. The hospital's rules are borrowed, where `price`
    /// hands out a copy (with its payee, a string per case).
    pub fn price_case(&self, case: &Case) -> Result<(usize, u8, Pricing), Rejection> {
        let pool = self.admit(case)?;
        let rules = self.rules_of(case).map_err(|r| rejection(case, r))?;
        let pricing = crate::route::route(self, case, &rules).map_err(|r| rejection(case, r))?;
        Ok((pool, rules.level, pricing))
    }

    /// Validates a case, and finds its pool.
    fn admit(&self, case: &Case) -> Result<usize, Rejection> {
        let reject = |reason: String| rejection(case, reason);
        if case.id.is_empty() {
            return Err(reject("the case has no id".into()));
        }
        if case.total_cost.0 < 0 {
            return Err(reject(format!(
                "total_cost is negative ({})",
                case.total_cost
            )));
        }
        if case.patient_share.0 < 0 || case.patient_share > case.total_cost {
            return Err(reject(format!(
                "patient_share {} is not between 0 and total_cost {}",
                case.patient_share, case.total_cost
            )));
        }
        let h = &self.policy.policy;
        if !crate::policy::is_date(&case.discharge_date) {
            return Err(reject(format!(
                "discharge_date {:?} is not a YYYY-MM-DD date (the policy is date-effective)",
                case.discharge_date
            )));
        }
        // Both dates are YYYY-MM-DD (the policy's were checked when it was read): their keys
        // order as the text does.
        let (from, to) = self.dates;
        let discharged = date_key(&case.discharge_date);
        if discharged < from || to.is_some_and(|to| discharged > to) {
            return Err(reject(format!(
                "discharged {}, outside policy {} {} ({} to {})",
                case.discharge_date,
                h.name,
                h.version,
                h.effective_from,
                h.effective_to.as_deref().unwrap_or("open")
            )));
        }
        let pool = self.pool_of(case).ok_or_else(|| {
            reject(format!(
                "no pool for fund type {:?}, locality {:?}, service line {:?}",
                case.fund_type, case.locality, case.service_line
            ))
        })?;
        if let Some(line) = &case.carve_out {
            if !self.routes.is_carve_out(line) {
                return Err(reject(format!(
                    "carve_out {line:?} is not a [[carve_outs]] line of the policy"
                )));
            }
        }
        Ok(pool)
    }

    /// Rounds an exact amount of fen with the amount rule.
    pub(crate) fn amount(&self, r: Ratio) -> Result<Fen, String> {
        r.round(self.stages.amount).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::date_key;

    #[test]
    fn date_keys_order_as_the_text() {
        let dates = [
            "2024-12-31",
            "2025-01-01",
            "2025-01-02",
            "2025-01-10",
            "2025-02-01",
            "2025-10-01",
            "2025-12-31",
            "2026-01-01",
            "1999-09-09",
        ];
        for a in dates {
            for b in dates {
                assert_eq!(date_key(a).cmp(&date_key(b)), a.cmp(b), "{a} {b}");
            }
        }
    }
}
