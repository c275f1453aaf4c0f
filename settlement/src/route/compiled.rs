//! The policy's route lists compiled once, when the engine is built: which carve-out, fixed-rate
//! or per-diem line claims a case comes from [`crate::lookup`] indexes instead of a scan of each
//! line's codes, and what a DRG group prices at before the case's own numbers (base points, the
//! start of the formula) is computed per group, not per case.
//!
//! Each index answers exactly what the scan in policy order answered ([`scan`] keeps the scans; the
//! tests compare the two on every policy in `data/`). A list longer than [`LineSet::CAPACITY`] is
//! not compiled and is scanned.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use crate::case::Case;
use crate::drg::{BandTexts, DrgPointRules};
use crate::engine::{Applied, GroupWeight};
use crate::formula::FormulaText as _;
use crate::lookup::{CodeIndex, CodeMap, LineSet, PrefixIndex, ShortCode};
use crate::money::{Fen, MoneyError, Ratio, Rounding};
use crate::points::Points;
use crate::policy::{Policy, Step};

/// A policy's route lists, compiled.
#[derive(Debug)]
pub(crate) struct Routes {
    /// The route order.
    pub(crate) order: Vec<Step>,
    /// Whether `special_review` comes after `bundle` (an approved case then passes the bundle).
    pub(crate) review_after_bundle: bool,
    carve_out_names: HashSet<Box<str>, ahash::RandomState>,
    carve_outs: Option<CarveOuts>,
    fixed_rates: Option<FixedRates>,
    /// Amounts and formula heads of the fixed-rate lines, in policy order.
    pub(crate) fixed_lines: Vec<FixedLine>,
    /// The names of the carve-out and per-diem lines, as cases carry them.
    pub(crate) carve_out_lines: Vec<Arc<str>>,
    pub(crate) per_diem_lines: Vec<Arc<str>>,
    per_diem: Option<PerDiems>,
    groups: CodeMap<Group>,
    /// The DRG coefficients of the levels and listed hospitals that have a slot: slot `i + 1` (slot
    /// 0 is a 同病同价 group's coefficient, 1).
    coefficients: Vec<Arc<Applied>>,
    /// The pools' keys, in policy order.
    pools: Vec<PoolKeys>,
}

/// A pool's keys as [`ShortCode`]s, for [`Routes::pool`].
#[derive(Debug)]
struct PoolKeys {
    service_line: ShortCode,
    fund_types: AnyOf,
    localities: AnyOf,
}

/// A pool's list of codes, where `*` stands for any code.
#[derive(Debug)]
struct AnyOf {
    any: bool,
    codes: Vec<ShortCode>,
}

impl AnyOf {
    fn new(list: &[String]) -> AnyOf {
        AnyOf {
            any: list.iter().any(|x| x == "*"),
            codes: list.iter().map(|x| ShortCode::key(x.as_bytes())).collect(),
        }
    }

    fn holds(&self, code: ShortCode) -> bool {
        self.any || self.codes.contains(&code)
    }
}

/// What the engine knows of a group code before a case: the fixed-rate lines that list it, and for
/// a DRG in the weight table its weight and base points.
#[derive(Debug, Default)]
pub(crate) struct Group {
    fixed_rates: LineSet,
    /// The DRG pricing of the group, when the policy has a `[drg]` section and the table the group.
    pub(crate) drg: Option<DrgGroup>,
}

/// A DRG group's numbers and texts that do not depend on the case.
#[derive(Debug)]
pub(crate) struct DrgGroup {
    /// The code, as cases carry it.
    pub(crate) line: Arc<str>,
    /// The weight-table row.
    pub(crate) weight: GroupWeight,
    /// Whether the group is a 同病同价 group (no hospital coefficient).
    pub(crate) same_price: bool,
    /// Base points: weight × points per weight, rounded (or why they cannot be formed).
    pub(crate) base: Result<Points, String>,
    /// The base points as a ratio.
    pub(crate) base_ratio: Ratio,
    /// The base points as formulas write them (`51.7600`).
    pub(crate) base_text: String,
    /// Per coefficient slot ([`Routes::slot`]): the group's texts and numbers with it, formed by
    /// the first case that needs them.
    per_coefficient: Vec<OnceLock<Box<GroupCoefficient>>>,
    /// `DRG {code} weight {weight} → base {base} pts; coefficient ` (the formula's start).
    pub(crate) head: String,
}

/// A DRG group's texts and numbers with one coefficient.
#[derive(Clone, Debug)]
pub(crate) struct GroupCoefficient {
    /// Base × coefficient.
    pub(crate) full: Result<Ratio, MoneyError>,
    /// `full` rounded to points (a normal case's points), when it can be.
    pub(crate) full_points: Option<Points>,
    /// `DRG {code} weight {weight} → base {base} pts; coefficient {quoted}; `.
    pub(crate) prefix: String,
    /// The band texts (empty without point rules).
    pub(crate) bands: BandTexts,
}

impl GroupCoefficient {
    /// `g`'s texts and numbers with a coefficient of `value`, quoted as `quoted`; `base` is the
    /// group's base points.
    pub(crate) fn new(
        g: &DrgGroup,
        base: Points,
        rules: &DrgPointRules,
        value: Ratio,
        quoted: &str,
    ) -> GroupCoefficient {
        let mut prefix = String::with_capacity(g.head.len() + quoted.len() + 2);
        prefix.text(&g.head).text(quoted).text("; ");
        let full = g.base_ratio.checked_mul(value);
        GroupCoefficient {
            full_points: full
                .as_ref()
                .ok()
                .and_then(|&f| Points::from_ratio(f, rules.rounding).ok()),
            full,
            prefix,
            bands: BandTexts::new(rules, base, value),
        }
    }
}

impl DrgGroup {
    /// The group's texts and numbers with a coefficient: kept for a slot, formed by `form` the first
    /// time; formed anew without a slot.
    pub(crate) fn with_coefficient(
        &self,
        slot: Option<usize>,
        form: impl FnOnce() -> GroupCoefficient,
    ) -> Cow<'_, GroupCoefficient> {
        match slot.and_then(|s| self.per_coefficient.get(s)) {
            Some(cell) => Cow::Borrowed(cell.get_or_init(|| Box::new(form()))),
            None => Cow::Owned(form()),
        }
    }
}

/// A fixed-rate line's amounts and formula head.
#[derive(Debug)]
pub(crate) struct FixedLine {
    /// Amounts by hospital level (the `amount_by_level` keys that are levels as written, `"3"`).
    by_level: Vec<(u8, Fen)>,
    /// The amount for other levels.
    amount: Option<Fen>,
    /// `fixed rate {name} ({kind}): `.
    pub(crate) head: String,
    /// The name, as cases carry it.
    pub(crate) line: Arc<str>,
}

impl FixedLine {
    /// The amount paid to a hospital of `level`.
    pub(crate) fn amount(&self, level: u8) -> Option<Fen> {
        self.by_level
            .iter()
            .find(|(l, _)| *l == level)
            .map(|&(_, a)| a)
            .or(self.amount)
    }
}

#[derive(Debug, Default)]
struct CarveOuts {
    by_name: CodeIndex,
    by_diagnosis: PrefixIndex,
}

#[derive(Debug, Default)]
struct FixedRates {
    /// Lines without a group, diagnosis or procedure criterion.
    open_groups: LineSet,
    open_diagnoses: LineSet,
    open_procedures: LineSet,
    diagnoses: PrefixIndex,
    procedures: PrefixIndex,
    max_los: Vec<Option<u32>>,
}

#[derive(Debug, Default)]
struct PerDiems {
    /// Lines without a department or diagnosis list (any case).
    open: LineSet,
    by_dept: CodeIndex,
    by_diagnosis: PrefixIndex,
    min_los: Vec<Option<u32>>,
}

fn strs(v: &[String]) -> impl Iterator<Item = &str> {
    v.iter().map(String::as_str)
}

fn stay_at_least(min: Option<u32>, case: &Case) -> bool {
    min.is_none_or(|m| case.los.is_some_and(|los| los >= m))
}

fn stay_at_most(max: Option<u32>, case: &Case) -> bool {
    max.is_none_or(|m| case.los.is_some_and(|los| los <= m))
}

impl Routes {
    /// Compiles the lists of `policy`; `weights` is its DRG table, `points` the points rounding,
    /// `coefficients` the DRG coefficients cases will mostly be priced with (levels' and listed
    /// hospitals', which `HospitalRules` share).
    pub(crate) fn compile<'a>(
        policy: &Policy,
        weights: impl IntoIterator<Item = (&'a String, &'a GroupWeight)>,
        points: Rounding,
        coefficients: Vec<Arc<Applied>>,
    ) -> Routes {
        let order = policy.order();
        let at = |step| order.iter().position(|s| *s == step);
        let review_after_bundle =
            at(Step::SpecialReview).is_some_and(|r| at(Step::Bundle) < Some(r));
        let fits = |n: usize| n <= LineSet::CAPACITY;
        let carve_outs = fits(policy.carve_outs.len()).then(|| {
            let mut c = CarveOuts::default();
            for (i, l) in policy.carve_outs.iter().enumerate() {
                c.by_name.add(i, [l.name.as_str()]);
                c.by_diagnosis.add(i, strs(&l.diagnoses));
            }
            c
        });
        let mut groups: CodeMap<Group> = CodeMap::default();
        let fixed_rates = fits(policy.fixed_rates.len()).then(|| {
            let mut f = FixedRates::default();
            for (i, l) in policy.fixed_rates.iter().enumerate() {
                let one = LineSet::one(i);
                let open = |list: &[String], set: &mut LineSet| {
                    if list.is_empty() {
                        *set = set.or(one);
                    }
                };
                open(&l.groups, &mut f.open_groups);
                open(&l.diagnoses, &mut f.open_diagnoses);
                open(&l.procedures, &mut f.open_procedures);
                f.diagnoses.add(i, strs(&l.diagnoses));
                f.procedures.add(i, strs(&l.procedures));
                for g in &l.groups {
                    let e = groups.entry(g.as_bytes(), Group::default);
                    e.fixed_rates = e.fixed_rates.or(one);
                }
                f.max_los.push(l.max_los);
            }
            f
        });
        let fixed_lines = policy
            .fixed_rates
            .iter()
            .map(|l| {
                let mut head = String::new();
                head.text("fixed rate ")
                    .text(&l.name)
                    .text(" (")
                    .text(&l.kind)
                    .text("): ");
                FixedLine {
                    // `amount_by_level` is looked up by the level's decimal text: only keys that
                    // are that text can be found.
                    by_level: l
                        .amount_by_level
                        .iter()
                        .filter_map(|(k, a)| {
                            let level = k.parse::<u8>().ok()?;
                            (level.to_string() == *k).then_some((level, a.0))
                        })
                        .collect(),
                    amount: l.amount_yuan.map(|a| a.0),
                    head,
                    line: l.name.as_str().into(),
                }
            })
            .collect();
        let per_diem = fits(policy.per_diem.len()).then(|| {
            let mut p = PerDiems::default();
            for (i, l) in policy.per_diem.iter().enumerate() {
                if l.depts.is_empty() && l.diagnoses.is_empty() {
                    p.open = p.open.or(LineSet::one(i));
                }
                p.by_dept.add(i, strs(&l.depts));
                p.by_diagnosis.add(i, strs(&l.diagnoses));
                p.min_los.push(l.min_los);
            }
            p
        });
        if let Some(rules) = &policy.drg {
            let ppw = rules.points_per_weight.0;
            for (code, &w) in weights {
                let base = w
                    .weight
                    .ratio()
                    .checked_mul(ppw)
                    .map_err(|e| e.to_string())
                    .and_then(|x| Points::from_ratio(x, points).map_err(|e| e.to_string()));
                let b = base.as_ref().copied().unwrap_or_default();
                let mut head = String::new();
                head.text("DRG ")
                    .text(code)
                    .text(" weight ")
                    .points(w.weight)
                    .text(" → base ")
                    .points(b)
                    .text(" pts; coefficient ");
                let mut base_text = String::new();
                base_text.points(b);
                let base_ratio = b.ratio();
                let slots = coefficients.len() + 1;
                groups.entry(code.as_bytes(), Group::default).drg = Some(DrgGroup {
                    line: code.as_str().into(),
                    weight: w,
                    same_price: rules.same_price_groups.contains(code),
                    base,
                    base_ratio,
                    base_text,
                    per_coefficient: (0..slots).map(|_| OnceLock::new()).collect(),
                    head,
                });
            }
        }
        Routes {
            order,
            review_after_bundle,
            carve_out_names: policy
                .carve_outs
                .iter()
                .map(|c| c.name.as_str().into())
                .collect(),
            carve_outs,
            fixed_rates,
            fixed_lines,
            carve_out_lines: policy
                .carve_outs
                .iter()
                .map(|c| c.name.as_str().into())
                .collect(),
            per_diem_lines: policy
                .per_diem
                .iter()
                .map(|l| l.name.as_str().into())
                .collect(),
            per_diem,
            groups,
            coefficients,
            pools: policy
                .pools
                .iter()
                .map(|p| PoolKeys {
                    service_line: ShortCode::key(p.service_line.as_bytes()),
                    fund_types: AnyOf::new(&p.fund_types),
                    localities: AnyOf::new(&p.localities),
                })
                .collect(),
        }
    }

    /// The pool a case is settled from: the first whose service line is the case's and whose fund
    /// types and localities take it. Codes are compared as [`ShortCode`]s; a case with a code of
    /// more than 16 bytes is answered by [`scan::pool`].
    pub(crate) fn pool(&self, policy: &Policy, case: &Case) -> Option<usize> {
        let key = |code: &str| ShortCode::of(code.as_bytes());
        let (Some(line), Some(fund), Some(place)) = (
            key(&case.service_line),
            key(&case.fund_type),
            key(&case.locality),
        ) else {
            return scan::pool(policy, case);
        };
        self.pools.iter().position(|p| {
            p.service_line == line && p.fund_types.holds(fund) && p.localities.holds(place)
        })
    }

    /// The slot of a DRG coefficient for [`DrgGroup::with_coefficient`]: 0 for a 同病同价 group,
    /// else the hospital coefficient's, if it has one.
    pub(crate) fn slot(&self, same_price: bool, coefficient: &Arc<Applied>) -> Option<usize> {
        if same_price {
            return Some(0);
        }
        self.coefficients
            .iter()
            .position(|c| Arc::ptr_eq(c, coefficient))
            .map(|i| i + 1)
    }

    /// Whether the policy has a carve-out line of this name.
    pub(crate) fn is_carve_out(&self, name: &str) -> bool {
        self.carve_out_names.contains(name)
    }

    /// What the engine knows of a group code (`None`: nothing, the code is in no list or table).
    pub(crate) fn group(&self, code: &str) -> Option<&Group> {
        self.groups.get(code.as_bytes())
    }

    /// The carve-out line that claims a case: the first whose name the case gives or whose
    /// diagnosis prefix its principal diagnosis has.
    pub(crate) fn carve_out(&self, policy: &Policy, case: &Case) -> Option<usize> {
        let Some(c) = &self.carve_outs else {
            return scan::carve_out(policy, case);
        };
        let mut lines = c.by_diagnosis.matching(&case.principal);
        if let Some(name) = &case.carve_out {
            lines = lines.or(c.by_name.get(name));
        }
        lines.lowest()
    }

    /// The fixed-rate line that claims a case (`group`: [`Routes::group`] of its bundle code): the
    /// first whose every criterion holds.
    pub(crate) fn fixed_rate(
        &self,
        policy: &Policy,
        case: &Case,
        group: Option<&Group>,
    ) -> Option<usize> {
        let Some(f) = &self.fixed_rates else {
            return scan::fixed_rate(policy, case);
        };
        let listed = group.map_or(LineSet::EMPTY, |g| g.fixed_rates);
        let mut lines = f.open_groups.or(listed);
        if lines.is_empty() {
            return None;
        }
        lines = lines.and(f.open_diagnoses.or(f.diagnoses.matching(&case.principal)));
        if lines.is_empty() {
            return None;
        }
        if !lines.without(f.open_procedures).is_empty() {
            let by_procedure = case
                .procedures
                .iter()
                .fold(LineSet::EMPTY, |s, p| s.or(f.procedures.matching(p)));
            lines = lines.and(f.open_procedures.or(by_procedure));
        }
        lines.iter().find(|&i| stay_at_most(f.max_los[i], case))
    }

    /// The per-diem lines a case is eligible for ([`crate::per_diem::eligible`]); `None` when the
    /// lines are not compiled ([`scan::per_diem`] lists them).
    pub(crate) fn per_diem(&self, case: &Case) -> Option<LineSet> {
        let p = self.per_diem.as_ref()?;
        let listed = p
            .open
            .or(p.by_dept.get(&case.dept))
            .or(p.by_diagnosis.matching(&case.principal));
        Some(
            listed
                .iter()
                .filter(|&i| !stay_at_least(p.min_los[i], case))
                .fold(listed, |s, i| s.without(LineSet::one(i))),
        )
    }
}

/// The scans in policy order that the indexes replace: used for lists too long to compile, and by
/// the tests as the reference.
pub(crate) mod scan {
    use crate::case::Case;
    use crate::policy::Policy;

    /// The first pool whose service line is the case's, and whose fund types and localities list
    /// the case's or `*`.
    pub(crate) fn pool(policy: &Policy, case: &Case) -> Option<usize> {
        let any = |list: &[String], v: &str| list.iter().any(|x| x == "*" || x == v);
        policy.pools.iter().position(|p| {
            p.service_line == case.service_line
                && any(&p.fund_types, &case.fund_type)
                && any(&p.localities, &case.locality)
        })
    }

    /// The first carve-out line named by the case or listing a prefix of its principal diagnosis.
    pub(crate) fn carve_out(policy: &Policy, case: &Case) -> Option<usize> {
        policy.carve_outs.iter().position(|c| {
            case.carve_out.as_deref() == Some(c.name.as_str())
                || c.diagnoses
                    .iter()
                    .any(|d| case.principal.starts_with(d.as_str()))
        })
    }

    /// The first fixed-rate line whose diagnosis, procedure, group and stay criteria all hold.
    pub(crate) fn fixed_rate(policy: &Policy, case: &Case) -> Option<usize> {
        policy.fixed_rates.iter().position(|f| {
            let dx = f.diagnoses.is_empty()
                || f.diagnoses
                    .iter()
                    .any(|d| case.principal.starts_with(d.as_str()));
            let px = f.procedures.is_empty()
                || f.procedures
                    .iter()
                    .any(|p| case.procedures.iter().any(|c| c.starts_with(p.as_str())));
            let grp = f.groups.is_empty() || f.groups.iter().any(|g| g == case.bundle.code());
            let stay = f
                .max_los
                .is_none_or(|m| case.los.is_some_and(|los| los <= m));
            dx && px && grp && stay
        })
    }

    /// The per-diem lines the case is eligible for, in order.
    pub(crate) fn per_diem<'a>(
        policy: &'a Policy,
        case: &'a Case,
    ) -> impl Iterator<Item = usize> + 'a {
        policy
            .per_diem
            .iter()
            .enumerate()
            .filter(|(_, l)| crate::per_diem::eligible(l, case))
            .map(|(i, _)| i)
    }
}

#[cfg(test)]
#[path = "compiled_tests.rs"]
mod tests;
