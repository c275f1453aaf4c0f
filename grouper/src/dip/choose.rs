//! DIP grouping: normalise the case, generate candidates (core and basic by 亚目 key and procedure
//! expression, comprehensive by prefix then range, blank), attach auxiliary entries and standard
//! costs, prune with the policy's tie-breaks, pick by the type priority table, then score.

use std::borrow::Cow;

use super::aux::{self, CaseFacts, CaseInputs, Complications};
use super::catalog::{
    CompiledCatalog, DipGroup, DipHospital, GroupKind, Supplement, TreatmentType,
};
use super::policy::{
    ConservativeGroup, CostTie, DipPolicy, ExcludedProcedures, FinalTieBreak, PruningPool,
    StandardCost, TieBreak, TreatmentTypeFrom,
};
use super::score::{self, Deviation};
use super::{DipRecord, Insurance};

/// Outcome of DIP grouping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DipStatus {
    /// Grouped and scored.
    Ok,
    /// No principal diagnosis (or no usable total cost).
    ParamError,
    /// No candidate group.
    Ungrouped,
    /// The hospital is not in the catalog's hospital table (or the insurance type is unknown).
    NoSettleConfig,
    /// The input row could not be read.
    Unreadable,
}

impl DipStatus {
    /// The status name in outputs (the reference's vocabulary, plus `UNREADABLE`).
    pub fn as_str(self) -> &'static str {
        match self {
            DipStatus::Ok => "OK",
            DipStatus::ParamError => "PARAM_ERROR",
            DipStatus::Ungrouped => "UNGROUPED",
            DipStatus::NoSettleConfig => "NO_SETTLE_CONFIG",
            DipStatus::Unreadable => "UNREADABLE",
        }
    }
}

/// A candidate group with what decided its fate, for traces.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Group index in the catalog.
    pub group: usize,
    /// Group code.
    pub code: String,
    /// Group kind.
    pub kind: GroupKind,
    /// The candidate's treatment type (core/basic: of the matched procedures; reported type).
    pub treatment_type: TreatmentType,
    /// Number of `+` in the expression.
    pub plus_terms: usize,
    /// Positions of the case's procedures matched by the expression.
    pub matched: Vec<usize>,
    /// The auxiliary entry applied, as (kind, band, factor).
    pub supplement: Option<(String, String, f64)>,
    /// Standard cost (score or auxiliary score × factor, × mean-cost factor).
    pub standard_cost: f64,
    /// `None` for the chosen candidate; otherwise the rule that removed it.
    pub removed_by: Option<String>,
}

/// The DIP grouping and score of one record.
#[derive(Clone, Debug, PartialEq)]
pub struct DipGrouping<'c> {
    /// Outcome.
    pub status: DipStatus,
    /// The chosen group.
    pub group: Option<&'c DipGroup>,
    /// Its kind.
    pub kind: Option<GroupKind>,
    /// The chosen candidate's treatment type.
    pub treatment_type: Option<TreatmentType>,
    /// The auxiliary entry applied.
    pub supplement: Option<&'c Supplement>,
    /// Standard cost used for the deviation test.
    pub standard_cost: f64,
    /// Deviation class.
    pub deviation: Option<Deviation>,
    /// Deviation coefficient.
    pub deviation_factor: f64,
    /// Settlement score (points).
    pub settle_score: f64,
    /// settle_score × point price (yuan, f64; informational — settlement works in fen).
    pub settle_amount: f64,
    /// score × hospital factor × auxiliary factor × point price.
    pub standard_amount: f64,
    /// Why the status is not `OK`.
    pub reason: Option<String>,
    /// Every candidate, with the rule that removed it (filled by `group_traced`).
    pub candidates: Vec<Candidate>,
}

impl<'c> DipGrouping<'c> {
    fn failed(status: DipStatus, reason: String) -> Self {
        DipGrouping {
            status,
            group: None,
            kind: None,
            treatment_type: None,
            supplement: None,
            standard_cost: 0.0,
            deviation: None,
            deviation_factor: 0.0,
            settle_score: 0.0,
            settle_amount: 0.0,
            standard_amount: 0.0,
            reason: Some(reason),
            candidates: Vec::new(),
        }
    }

    /// A canonical one-line description of the outcome (status, group, treatment type, auxiliary
    /// entry, standard cost, deviation, settle score) for comparing the same case under two policies.
    pub fn outcome(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}|{}|{:.9}",
            self.status.as_str(),
            self.group.map_or("", |g| g.code.as_str()),
            self.treatment_type.map_or("", |t| t.as_str()),
            self.supplement
                .map_or(String::new(), |s| format!("{}:{}", s.band, s.factor)),
            self.standard_cost,
            self.deviation.map_or("", |d| d.as_str()),
            self.settle_score
        )
    }

    /// The result for an input row that could not be read.
    pub fn unreadable(problem: impl Into<String>) -> DipGrouping<'static> {
        DipGrouping::failed(DipStatus::Unreadable, problem.into())
    }
}

/// Groups DIP records with a compiled catalog and a policy.
#[derive(Clone, Copy, Debug)]
pub struct DipGrouper<'c> {
    catalog: &'c CompiledCatalog,
    policy: &'c DipPolicy,
}

/// Internal candidate.
struct Cand<'c> {
    group: usize,
    kind: GroupKind,
    t: TreatmentType,
    plus: usize,
    matched: Vec<usize>,
    sup: Option<&'c Supplement>,
    avg: f64,
    removed_by: Option<String>,
}

/// The normalised case.
struct Case<'a> {
    dx: Vec<Cow<'a, str>>,
    procs: Vec<Cow<'a, str>>,
    /// Per procedure: typed conservative because excluded (policy `conservative`).
    neutral: Vec<bool>,
}

fn codes<'a>(
    it: impl Iterator<Item = &'a str>,
    p: &DipPolicy,
    diagnoses: bool,
) -> Vec<Cow<'a, str>> {
    let mut v: Vec<Cow<'a, str>> = it.map(Cow::Borrowed).collect();
    if p.split_lone_code_on_plus && v.len() == 1 && v[0].contains('+') {
        let lone = v.pop().unwrap_or_default();
        v = match lone {
            Cow::Borrowed(s) => s.split('+').map(Cow::Borrowed).collect(),
            Cow::Owned(s) => s.split('+').map(|x| Cow::Owned(x.to_string())).collect(),
        };
    }
    if diagnoses && p.upper_case_chapter_letter {
        for c in v.iter_mut() {
            if c.as_bytes().first().is_some_and(u8::is_ascii_lowercase) {
                let mut s = c.to_string();
                s[..1].make_ascii_uppercase();
                *c = Cow::Owned(s);
            }
        }
    }
    v
}

fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The reference's range test over the letter and the next two characters (plain string order).
fn in_range(range: &str, code: &str) -> bool {
    let Some((l, r)) = range.split_once('-') else {
        return false;
    };
    let sub = |s: &str, a: usize, b: usize| -> String { s.chars().skip(a).take(b - a).collect() };
    let (p0, p13) = (sub(code, 0, 1), sub(code, 1, 3));
    let (l0, l13, r0, r13) = (sub(l, 0, 1), sub(l, 1, 3), sub(r, 0, 1), sub(r, 1, 3));
    (p0 == l0 && p0 == r0 && l13 <= p13 && p13 <= r13)
        || (l0 < p0 && p0 < r0)
        || (p0 == l0 && p0 < r0 && p13 >= l13)
        || (p0 == r0 && p0 > l0 && p13 <= r13)
}

fn valid_principal(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() >= 3 && b[0].is_ascii_uppercase() && b[1].is_ascii_digit() && b[2].is_ascii_digit()
}

impl<'c> DipGrouper<'c> {
    /// A grouper over a compiled catalog with a policy.
    pub fn new(catalog: &'c CompiledCatalog, policy: &'c DipPolicy) -> Self {
        DipGrouper { catalog, policy }
    }

    /// The policy.
    pub fn policy(&self) -> &'c DipPolicy {
        self.policy
    }

    /// Groups and scores one record.
    pub fn group(&self, r: &DipRecord<'_>) -> DipGrouping<'c> {
        self.run(r, false)
    }

    /// Groups one record and lists every candidate with the rule that removed it.
    pub fn group_traced(&self, r: &DipRecord<'_>) -> DipGrouping<'c> {
        self.run(r, true)
    }

    fn treatment_rank(&self, case: &Case<'_>, i: usize) -> i32 {
        if case.neutral[i] {
            return TreatmentType::Conservative.rank();
        }
        self.catalog
            .proc_type
            .get(case.procs[i].as_ref())
            .map_or(-1, |t| t.rank())
    }

    /// `T(list)`: the type of the highest-ranked procedure (first on ties); unknown -> 保守治疗.
    fn treatment_of(&self, case: &Case<'_>, idx: impl Iterator<Item = usize>) -> TreatmentType {
        let mut best: Option<(i32, usize)> = None;
        for i in idx {
            let r = self.treatment_rank(case, i);
            if best.is_none_or(|(br, _)| r > br) {
                best = Some((r, i));
            }
        }
        match best {
            Some((r, i)) if r >= 0 => {
                if case.neutral[i] {
                    TreatmentType::Conservative
                } else {
                    self.catalog.proc_type[case.procs[i].as_ref()].reported()
                }
            }
            _ => TreatmentType::Conservative,
        }
    }

    fn standard_cost(
        &self,
        g: &DipGroup,
        sup: Option<&Supplement>,
        h: &DipHospital,
        emp: bool,
    ) -> f64 {
        if let (StandardCost::CatalogMeanCost, Some(mean)) = (self.policy.standard_cost, g.avg_cost)
        {
            return mean * sup.map_or(1.0, |x| x.factor);
        }
        let s = sup.map_or(g.score, |x| x.score * x.factor);
        let f = if g.kind == GroupKind::Basic {
            let base = if emp {
                h.basic_mean_cost_factor_employee
            } else {
                h.basic_mean_cost_factor_resident
            };
            base * g.basic_factor.unwrap_or(1.0)
        } else if emp {
            h.mean_cost_factor_employee
        } else {
            h.mean_cost_factor_resident
        };
        s * f
    }

    fn keyed(
        &self,
        case: &Case<'_>,
        groups: Option<&Vec<usize>>,
        kind: GroupKind,
        case_t: TreatmentType,
    ) -> Vec<Cand<'c>> {
        let Some(groups) = groups else {
            return Vec::new();
        };
        let procs: Vec<&str> = case.procs.iter().map(|c| c.as_ref()).collect();
        let mut out = Vec::new();
        if !procs.is_empty() {
            for &g in groups {
                if let Some(e) = &self.catalog.exprs[g] {
                    if let Some(m) = e.matches(&procs) {
                        let t = self.treatment_of(case, m.iter().copied());
                        out.push(Cand {
                            group: g,
                            kind,
                            t,
                            plus: e.plus_terms(),
                            matched: m,
                            sup: None,
                            avg: 0.0,
                            removed_by: None,
                        });
                    }
                }
            }
        }
        let conservative_ok = match self.policy.conservative_group {
            ConservativeGroup::WhenCaseIsConservative => case_t == TreatmentType::Conservative,
            ConservativeGroup::WhenNoProcedureGroupMatches => true,
        };
        if out.is_empty() && conservative_ok {
            if let Some(&g) = groups.iter().find(|&&g| self.catalog.exprs[g].is_none()) {
                out.push(Cand {
                    group: g,
                    kind,
                    t: TreatmentType::Conservative,
                    plus: 0,
                    matched: Vec::new(),
                    sup: None,
                    avg: 0.0,
                    removed_by: None,
                });
            }
        }
        out
    }

    fn comprehensive(&self, principal: &str, t: TreatmentType) -> Vec<Cand<'c>> {
        let cat = self.catalog;
        let mk = |g: usize, kind: GroupKind, t: TreatmentType| Cand {
            group: g,
            kind,
            t,
            plus: 0,
            matched: Vec::new(),
            sup: None,
            avg: 0.0,
            removed_by: None,
        };
        let of_type = |idx: &Vec<usize>| {
            idx.iter()
                .copied()
                .find(|&g| cat.catalog.groups[g].treatment_type == Some(t))
        };
        let mut out = Vec::new();
        for n in [3, 2, 1] {
            if let Some(g) = cat
                .comp_by_prefix
                .get(prefix(principal, n))
                .and_then(of_type)
            {
                out.push(mk(g, GroupKind::Comprehensive, t));
                break;
            }
        }
        for (range, idx) in &cat.comp_ranges {
            if in_range(range, principal) {
                if let Some(g) = of_type(idx) {
                    out.push(mk(g, GroupKind::Comprehensive, t));
                    break;
                }
            }
        }
        if out.is_empty() && self.policy.blank_group_fallback {
            if let Some(b) = cat.blank {
                out.push(mk(b, GroupKind::Blank, TreatmentType::Blank));
            }
        }
        out
    }

    /// Applies the tie-breaks to `pool` (indexes into `all`); returns the single survivor.
    fn prune(
        &self,
        all: &mut [Cand<'c>],
        pool: Vec<usize>,
        basic: &[usize],
        cost: f64,
        nprocs: usize,
    ) -> Option<usize> {
        if pool.is_empty() {
            return None;
        }
        let cat = self.catalog;
        let mut live = pool;
        for tb in &self.policy.tie_breaks {
            if live.len() <= 1
                && !(*tb == TieBreak::ClosestStandardCost && self.policy.closest_cost_adds_basic)
            {
                break;
            }
            let label = format!("tie-break {tb:?}");
            let keep: Vec<usize> = match tb {
                TieBreak::MostPlusTerms => best_by(all, &live, |c| c.plus as f64, true),
                TieBreak::MostMatchedProcedures => {
                    best_by(all, &live, |c| c.matched.len() as f64, true)
                }
                TieBreak::ExactMatch => {
                    let exact: Vec<usize> = live
                        .iter()
                        .copied()
                        .filter(|&i| all[i].matched.len() == nprocs && nprocs > 0)
                        .collect();
                    if exact.is_empty() {
                        live.clone()
                    } else {
                        exact
                    }
                }
                TieBreak::HighestScore => {
                    best_by(all, &live, |c| cat.catalog.groups[c.group].score, true)
                }
                TieBreak::PrincipalProcedureFirst => {
                    let first: Vec<usize> = live
                        .iter()
                        .copied()
                        .filter(|&i| all[i].matched.first() == Some(&0))
                        .collect();
                    if first.is_empty() {
                        live.clone()
                    } else {
                        first
                    }
                }
                TieBreak::ClosestStandardCost => {
                    let mut list = live.clone();
                    if self.policy.closest_cost_adds_basic {
                        list.extend_from_slice(basic);
                    }
                    let mins = best_by(all, &list, |c| (cost - c.avg).abs(), false);
                    match self.policy.closest_cost_tie {
                        CostTie::KeepAll => dedup(mins),
                        CostTie::LastInCatalogOrder => {
                            mins.last().map(|&i| vec![i]).unwrap_or_default()
                        }
                    }
                }
            };
            for &i in &live {
                if !keep.contains(&i) && all[i].removed_by.is_none() {
                    all[i].removed_by = Some(label.clone());
                }
            }
            // A step may bring candidates back (孝感 re-adds the basic ones to the cost step).
            for &i in &keep {
                all[i].removed_by = None;
            }
            live = keep;
        }
        if live.len() > 1 {
            let winner = match self.policy.final_tie_break {
                FinalTieBreak::CatalogOrder => live[0],
                FinalTieBreak::GroupCode => *live
                    .iter()
                    .min_by(|&&a, &&b| {
                        cat.catalog.groups[all[a].group]
                            .code
                            .cmp(&cat.catalog.groups[all[b].group].code)
                    })
                    .unwrap_or(&live[0]),
            };
            for &i in &live {
                if i != winner && all[i].removed_by.is_none() {
                    all[i].removed_by =
                        Some(format!("final tie-break {:?}", self.policy.final_tie_break));
                }
            }
            live = vec![winner];
        }
        live.first().copied()
    }

    fn run(&self, r: &DipRecord<'_>, traced: bool) -> DipGrouping<'c> {
        let p = self.policy;
        let cat = self.catalog;
        let dx = codes(r.diagnoses.iter_dx(), p, true);
        let mut procs = codes(r.procedures.iter_proc(), p, false);
        procs.retain(|c| !c.is_empty());
        if dx.first().is_none_or(|d| d.trim().is_empty()) {
            return DipGrouping::failed(
                DipStatus::ParamError,
                "diagnoses: no principal diagnosis".into(),
            );
        }
        let mut neutral = vec![false; procs.len()];
        match p.excluded_procedures {
            ExcludedProcedures::Drop => procs.retain(|c| !cat.excluded.contains(c.as_ref())),
            ExcludedProcedures::Conservative => {
                neutral = procs
                    .iter()
                    .map(|c| cat.excluded.contains(c.as_ref()))
                    .collect();
            }
        }
        if !procs.is_empty() && neutral.len() != procs.len() {
            neutral = vec![false; procs.len()];
        }
        let case = Case { dx, procs, neutral };
        let principal: &str = &case.dx[0];
        if p.require_valid_principal && !valid_principal(principal) {
            return DipGrouping::failed(
                DipStatus::Ungrouped,
                format!(
                    "diagnoses[0] '{principal}' is not an ICD-10 code (a letter and two digits)"
                ),
            );
        }
        let Some(h) = cat.hospital(r.hospital) else {
            return DipGrouping::failed(
                DipStatus::NoSettleConfig,
                format!(
                    "hospital '{}' is not in the catalog's hospital table",
                    r.hospital
                ),
            );
        };
        let Some(insurance) = r.insurance else {
            return DipGrouping::failed(
                DipStatus::NoSettleConfig,
                "insurance_type: expected employee or resident".into(),
            );
        };
        let emp = insurance == Insurance::Employee;
        let cost = match r.total_cost.value() {
            Some(c) if c >= 0.0 => c,
            Some(c) => {
                return DipGrouping::failed(
                    DipStatus::ParamError,
                    format!("total_cost: {c} is negative"),
                )
            }
            None => {
                return DipGrouping::failed(
                    DipStatus::ParamError,
                    "total_cost: missing or not a number".into(),
                )
            }
        };

        let case_t = match p.treatment_type_from {
            TreatmentTypeFrom::AllProcedures => self.treatment_of(&case, 0..case.procs.len()),
            TreatmentTypeFrom::PrincipalProcedure => {
                self.treatment_of(&case, 0..case.procs.len().min(1))
            }
        };
        let key = prefix(principal, 5);
        let mut all: Vec<Cand<'c>> = Vec::new();
        all.extend(self.keyed(&case, cat.core_by_key.get(key), GroupKind::Core, case_t));
        let n_core = all.len();
        all.extend(self.keyed(&case, cat.basic_by_key.get(key), GroupKind::Basic, case_t));
        let n_keyed = all.len();
        all.extend(self.comprehensive(principal, case_t));

        // Auxiliary entries and standard costs.
        let dx_refs: Vec<&str> = case.dx.iter().map(|c| c.as_ref()).collect();
        let facts = CaseFacts::new(
            p,
            &CaseInputs {
                birth: aux::parse_date(r.birth_date),
                admit: aux::parse_date(r.admit_date),
                discharge: aux::parse_date(r.discharge_date),
                age: r.age.value(),
                age_days: r.age_days.value(),
                los: r.los.value(),
                leaving_type: r.leaving_type,
                diagnoses: &dx_refs,
            },
        );
        let cx = Complications::of(cat, &dx_refs);
        for c in all.iter_mut() {
            let g = &cat.catalog.groups[c.group];
            c.sup = aux::choose(p, &g.supplements, &facts, cx);
            c.avg = self.standard_cost(g, c.sup, h, emp);
        }

        // Pruning, then the type priority table.
        let core: Vec<usize> = (0..n_core).collect();
        let basic: Vec<usize> = (n_core..n_keyed).collect();
        let nprocs = case.procs.len();
        let mut ordered: Vec<usize> = Vec::new();
        match p.pruning_pool {
            PruningPool::CoreOnly => {
                ordered.extend(self.prune(&mut all, core, &basic, cost, nprocs));
                ordered.extend(basic.iter().copied());
            }
            PruningPool::CoreAndBasic => {
                let pool: Vec<usize> = core.iter().chain(&basic).copied().collect();
                ordered.extend(self.prune(&mut all, pool, &basic, cost, nprocs));
            }
            PruningPool::Separately => {
                ordered.extend(self.prune(&mut all, core, &[], cost, nprocs));
                ordered.extend(self.prune(&mut all, basic.clone(), &[], cost, nprocs));
            }
        }
        ordered.extend(n_keyed..all.len());
        let mut chosen = None;
        'classes: for class in &p.priority {
            for &i in &ordered {
                let c = &all[i];
                if c.kind == class.kind && class.treatment.is_none_or(|t| t == c.t) {
                    chosen = Some(i);
                    break 'classes;
                }
            }
        }
        for &i in &ordered {
            if Some(i) != chosen && all[i].removed_by.is_none() {
                all[i].removed_by = Some("type priority".into());
            }
        }
        let trace = |all: &[Cand<'c>]| -> Vec<Candidate> {
            if !traced {
                return Vec::new();
            }
            all.iter()
                .map(|c| Candidate {
                    group: c.group,
                    code: cat.catalog.groups[c.group].code.clone(),
                    kind: c.kind,
                    treatment_type: c.t,
                    plus_terms: c.plus,
                    matched: c.matched.clone(),
                    supplement: c
                        .sup
                        .map(|s| (s.kind.as_str().to_string(), s.band.clone(), s.factor)),
                    standard_cost: c.avg,
                    removed_by: c.removed_by.clone(),
                })
                .collect()
        };
        let Some(ci) = chosen else {
            let mut g = DipGrouping::failed(
                DipStatus::Ungrouped,
                if all.is_empty() {
                    format!("no DIP group for principal '{principal}' (key {key}) with treatment type {}", case_t.as_str())
                } else {
                    "no candidate is in the priority table".into()
                },
            );
            g.candidates = trace(&all);
            return g;
        };
        let c = &all[ci];
        let g = &cat.catalog.groups[c.group];
        let (dev, dev_factor) = score::deviation(&p.deviation, cost, c.avg);
        let hf = if g.kind == GroupKind::Basic {
            g.basic_factor.unwrap_or(1.0)
        } else {
            h.factor
        };
        let sf = c.sup.map_or(1.0, |s| s.factor);
        let settle_score = g.score * dev_factor * hf * sf;
        let price = if emp {
            h.point_price_employee
        } else {
            h.point_price_resident
        };
        DipGrouping {
            status: DipStatus::Ok,
            group: Some(g),
            kind: Some(c.kind),
            treatment_type: Some(c.t),
            supplement: c.sup,
            standard_cost: c.avg,
            deviation: Some(dev),
            deviation_factor: dev_factor,
            settle_score,
            settle_amount: if g.score == 0.0 {
                cost
            } else {
                settle_score * price
            },
            standard_amount: g.score * hf * sf * price,
            reason: None,
            candidates: trace(&all),
        }
    }
}

/// The candidates of `list` with the best value (max or min), in list order (duplicates kept).
fn best_by(
    all: &[Cand<'_>],
    list: &[usize],
    f: impl Fn(&Cand<'_>) -> f64,
    max: bool,
) -> Vec<usize> {
    let vals: Vec<f64> = list.iter().map(|&i| f(&all[i])).collect();
    let best = vals
        .iter()
        .copied()
        .fold(None, |acc: Option<f64>, v| match acc {
            None => Some(v),
            Some(a) if (max && v > a) || (!max && v < a) => Some(v),
            Some(a) => Some(a),
        });
    list.iter()
        .zip(&vals)
        .filter(|(_, v)| Some(**v) == best)
        .map(|(&i, _)| i)
        .collect()
}

fn dedup(mut v: Vec<usize>) -> Vec<usize> {
    let mut seen = Vec::with_capacity(v.len());
    v.retain(|i| {
        if seen.contains(i) {
            false
        } else {
            seen.push(*i);
            true
        }
    });
    v
}
