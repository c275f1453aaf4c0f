//! Hand-worked DIP cases, one or more per policy switch and tie-break, on a small catalog where every
//! number can be checked by hand: mean-cost factor 100 (standard cost = score × 100), hospital factor 1,
//! point price 1.

use drgdip::grouper::dip::policy::{
    AgeRule, ConservativeGroup, CostTie, ExcludedProcedures, FinalTieBreak, PriorityClass,
    PruningPool, StandardCost, StayRule, TieBreak, TreatmentTypeFrom,
};
use drgdip::grouper::dip::{
    CompiledCatalog, DipCatalog, DipGrouper, DipGrouping, DipPolicy, DipRecord, DipStatus,
    Insurance,
};
use drgdip::grouper::{Codes, Num};

const CATALOG: &str = r#"{
  "format": "drgdip-dip/1", "name": "hand-worked",
  "groups": [
    {"code": "C-S",    "kind": "core", "diagnosis": "K80.1", "procedures": "s1", "score": 50,
     "supplements": [{"kind": "疾病严重程度", "band": "轻度I-A级", "score": 50, "factor": 0.9},
                     {"kind": "疾病严重程度", "band": "死亡IV-B级", "score": 50, "factor": 0.85}]},
    {"code": "C-T",    "kind": "core", "diagnosis": "K80.1", "procedures": "t1", "score": 30},
    {"code": "C-ST",   "kind": "core", "diagnosis": "K80.1", "procedures": "s1/t1", "score": 31},
    {"code": "C-AB",   "kind": "core", "diagnosis": "K80.1", "procedures": "a1+b1", "score": 80},
    {"code": "C-ABC",  "kind": "core", "diagnosis": "K80.1", "procedures": "a1/b1/c1", "score": 70},
    {"code": "C-X",    "kind": "core", "diagnosis": "K80.1", "procedures": "x1", "score": 12},
    {"code": "C-CONS", "kind": "core", "diagnosis": "K80.1", "score": 20,
     "supplements": [{"kind": "年龄", "band": "66岁及以上", "score": 20, "factor": 1.06},
                     {"kind": "疾病严重程度", "band": "中度II级", "score": 20, "factor": 1.08},
                     {"kind": "疾病严重程度", "band": "重度III级", "score": 20, "factor": 1.22}]},
    {"code": "E-1", "kind": "core", "diagnosis": "K81.0", "procedures": "e1", "score": 40},
    {"code": "E-3", "kind": "core", "diagnosis": "K81.0", "procedures": "e1", "score": 40},
    {"code": "E-2", "kind": "core", "diagnosis": "K81.0", "procedures": "e1", "score": 40},
    {"code": "P-1", "kind": "core", "diagnosis": "K82.0", "procedures": "p1", "score": 40},
    {"code": "P-2", "kind": "core", "diagnosis": "K82.0", "procedures": "p2/q1", "score": 60},
    {"code": "D-1",    "kind": "core", "diagnosis": "K83.0", "procedures": "s1", "score": 50, "avg_cost": 6000},
    {"code": "B-S",    "kind": "basic", "diagnosis": "K80.1", "procedures": "s2", "score": 45, "basic_factor": 0.9},
    {"code": "T-C",    "kind": "core", "diagnosis": "C16.0", "score": 100,
     "supplements": [{"kind": "肿瘤严重程度", "band": "轻度I-B级", "score": 100, "factor": 1.5},
                     {"kind": "肿瘤严重程度", "band": "转移IV级", "score": 100, "factor": 1.3}]},
    {"code": "Z-K80-S", "kind": "comprehensive", "diagnosis": "K80", "treatment_type": "相关手术", "score": 60},
    {"code": "Z-K80-D", "kind": "comprehensive", "diagnosis": "K80", "treatment_type": "诊断性操作", "score": 25},
    {"code": "Z-K80-C", "kind": "comprehensive", "diagnosis": "K80", "treatment_type": "保守治疗", "score": 15},
    {"code": "Z-K8-T",  "kind": "comprehensive", "diagnosis": "K8", "treatment_type": "治疗性操作", "score": 35},
    {"code": "Z-ST",    "kind": "comprehensive", "diagnosis": "S00-T98", "treatment_type": "保守治疗", "score": 90},
    {"code": "BLANK",   "kind": "blank", "score": 10}
  ],
  "procedures": [
    {"code": "s1", "treatment_type": "相关手术"}, {"code": "s2", "treatment_type": "相关手术"},
    {"code": "a1", "treatment_type": "相关手术"}, {"code": "b1", "treatment_type": "相关手术"},
    {"code": "c1", "treatment_type": "相关手术"}, {"code": "e1", "treatment_type": "相关手术"},
    {"code": "p1", "treatment_type": "相关手术"}, {"code": "p2", "treatment_type": "相关手术"},
    {"code": "q1", "treatment_type": "相关手术"},
    {"code": "t1", "treatment_type": "治疗性操作"}, {"code": "d1", "treatment_type": "诊断性操作"},
    {"code": "i1", "treatment_type": "介入治疗"},   {"code": "x1", "treatment_type": "相关手术"}
  ],
  "excluded_procedures": ["x1"],
  "complications": [
    {"code": "E11.900", "severity": "cc",  "exclusion_group": "EX-K80"},
    {"code": "J96.000", "severity": "mcc"},
    {"code": "I48.000", "severity": "cc"}
  ],
  "exclusion_groups": {"EX-K80": ["K80.100"]},
  "hospitals": [{"code": "H", "factor": 1, "mean_cost_factor_employee": 100, "mean_cost_factor_resident": 100,
                 "basic_mean_cost_factor_employee": 100, "basic_mean_cost_factor_resident": 100,
                 "point_price_employee": 1, "point_price_resident": 1}]
}"#;

fn catalog() -> CompiledCatalog {
    let c: DipCatalog = serde_json::from_str(CATALOG).expect("fixture is a drgdip-dip/1 catalog");
    c.compile("hand-worked").expect("fixture compiles")
}

struct Rec {
    dx: &'static str,
    procs: &'static str,
    cost: f64,
    birth: &'static str,
    admit: &'static str,
    discharge: &'static str,
    leaving: &'static str,
}

const fn rec(dx: &'static str, procs: &'static str, cost: f64) -> Rec {
    Rec {
        dx,
        procs,
        cost,
        birth: "1980-05-10",
        admit: "2024-03-01",
        discharge: "2024-03-08",
        leaving: "1",
    }
}

fn group<'c>(cat: &'c CompiledCatalog, p: &'c DipPolicy, r: &Rec) -> DipGrouping<'c> {
    DipGrouper::new(cat, p).group_traced(&DipRecord {
        id: "t",
        hospital: "H",
        insurance: Some(Insurance::Employee),
        birth_date: r.birth,
        admit_date: r.admit,
        discharge_date: r.discharge,
        leaving_type: r.leaving,
        diagnoses: Codes::Joined(r.dx),
        procedures: Codes::Joined(r.procs),
        total_cost: Num::Value(r.cost),
        ..DipRecord::default()
    })
}

fn code(g: &DipGrouping<'_>) -> String {
    match g.group {
        Some(x) if g.status == DipStatus::Ok => x.code.clone(),
        _ => g.status.as_str().to_string(),
    }
}

fn removed_by(g: &DipGrouping<'_>, code: &str) -> String {
    g.candidates
        .iter()
        .find(|c| c.code == code)
        .and_then(|c| c.removed_by.clone())
        .unwrap_or_else(|| "chosen".into())
}

fn with(base: DipPolicy, f: impl FnOnce(&mut DipPolicy)) -> DipPolicy {
    let mut p = base;
    f(&mut p);
    p
}

#[test]
fn plus_terms_before_matches_is_the_reference_order() {
    let cat = catalog();
    let r = rec("K80.100", "a1|b1|c1", 7000.0);
    // C-AB (a1+b1: 1 plus, 2 matched) vs C-ABC (a1/b1/c1: 3 matched).
    let base = DipPolicy::nodedip_base();
    let g = group(&cat, &base, &r);
    assert_eq!(
        code(&g),
        "C-AB",
        "Q7: a + group beats a single group matching more"
    );
    assert_eq!(removed_by(&g, "C-ABC"), "tie-break MostPlusTerms");
    let nat = DipPolicy::national();
    assert_eq!(
        code(&group(&cat, &nat, &r)),
        "C-ABC",
        "national: most matched procedures first"
    );
}

#[test]
fn cost_closeness_prunes_before_the_type_priority() {
    let cat = catalog();
    // s1 matches C-S (surgery, standard 5000) and C-ST (s1/t1, surgery, 3100); t1 matches C-T
    // (therapeutic, 3000) and C-ST. Case [s1, t1]: C-ST matches 2 procedures, the others 1, so C-ST
    // survives the count step; with cost 3000 among C-S/C-T alone, C-T would be closest.
    let p = with(DipPolicy::national(), |p| {
        p.tie_breaks = vec![TieBreak::ClosestStandardCost];
    });
    let g = group(&cat, &p, &rec("K80.100", "s1|t1", 3000.0));
    // Closest cost among C-S (5000), C-T (3000), C-ST (3100) is C-T: the therapeutic core group wins
    // although the type priority prefers core surgery (C-S, C-ST) — pruning ran first.
    assert_eq!(code(&g), "C-T");
    assert_eq!(g.treatment_type.unwrap().as_str(), "治疗性操作");
    assert_eq!(removed_by(&g, "C-S"), "tie-break ClosestStandardCost");
}

#[test]
fn closest_cost_ties_and_final_tie_breaks() {
    let cat = catalog();
    // E-1, E-3, E-2 (catalog order) all match e1 with the same score: every measure ties.
    let r = rec("K81.000", "e1", 4000.0);
    let base = DipPolicy::nodedip_base();
    assert_eq!(
        code(&group(&cat, &base, &r)),
        "E-2",
        "Q6: the later candidate wins a cost tie"
    );
    let nat = DipPolicy::national();
    let g = group(&cat, &nat, &r);
    assert_eq!(code(&g), "E-1", "national: smallest group code");
    assert_eq!(removed_by(&g, "E-3"), "final tie-break GroupCode");
    let first = with(DipPolicy::national(), |p| {
        p.final_tie_break = FinalTieBreak::CatalogOrder
    });
    assert_eq!(code(&group(&cat, &first, &r)), "E-1");
    let keep_last = with(DipPolicy::national(), |p| {
        p.closest_cost_tie = CostTie::LastInCatalogOrder
    });
    assert_eq!(code(&group(&cat, &keep_last, &r)), "E-2");
}

#[test]
fn score_exact_match_and_principal_procedure_tie_breaks() {
    let cat = catalog();
    // P-1 (p1, score 40) and P-2 (p2/q1, score 60); case [p1, p2]: both match one procedure.
    let r = rec("K82.000", "p1|p2", 4000.0);
    let highest = with(DipPolicy::national(), |p| {
        p.tie_breaks = vec![TieBreak::HighestScore]
    });
    assert_eq!(code(&group(&cat, &highest, &r)), "P-2");
    let principal = with(DipPolicy::national(), |p| {
        p.tie_breaks = vec![TieBreak::PrincipalProcedureFirst]
    });
    assert_eq!(
        code(&group(&cat, &principal, &r)),
        "P-1",
        "p1 is the principal procedure"
    );
    let closest = with(DipPolicy::national(), |p| {
        p.tie_breaks = vec![TieBreak::ClosestStandardCost]
    });
    assert_eq!(
        code(&group(&cat, &closest, &r)),
        "P-1",
        "4000 is P-1's standard cost"
    );
    // Exact match: case [p2, q1] — P-2 matches both procedures, so it is exact.
    let exact = with(DipPolicy::national(), |p| {
        p.tie_breaks = vec![TieBreak::ExactMatch]
    });
    assert_eq!(
        code(&group(&cat, &exact, &rec("K82.000", "p1|q1", 4000.0))),
        "P-1",
        "neither exact: code decides"
    );
    assert_eq!(
        code(&group(&cat, &exact, &rec("K82.000", "q1", 4000.0))),
        "P-2"
    );
}

#[test]
fn type_first_and_catalog_first_priority() {
    let cat = catalog();
    // Core C-T (therapeutic) and basic B-S (surgery) for case [t1, s2].
    let r = rec("K80.100", "t1|s2", 3000.0);
    let type_first = DipPolicy::national();
    assert_eq!(
        code(&group(&cat, &type_first, &r)),
        "B-S",
        "基层·相关手术 > 核心·治疗性操作"
    );
    let catalog_first = with(DipPolicy::national(), |p| {
        p.priority = DipPolicy::nodedip_xiaogan().priority;
    });
    assert_eq!(
        code(&group(&cat, &catalog_first, &r)),
        "C-T",
        "核心 (any type) before 基层"
    );
    let pooled = with(catalog_first.clone(), |p| {
        p.pruning_pool = PruningPool::CoreAndBasic;
        p.tie_breaks = vec![TieBreak::ClosestStandardCost];
    });
    // One pool: B-S standard = 45 × 100 × 0.9 = 4050 vs C-T 3000; cost 4000 -> B-S.
    assert_eq!(
        code(&group(&cat, &pooled, &rec("K80.100", "t1|s2", 4000.0))),
        "B-S"
    );
    let class = PriorityClass::try_from("basic/*".to_string()).unwrap();
    assert!(class.treatment.is_none());
}

#[test]
fn treatment_type_source_and_excluded_procedures() {
    let cat = catalog();
    // d1 (diagnostic) then s9 (unknown) then i1 (interventional -> surgery): no core group matches.
    let r = rec("K80.100", "d1|i1", 3000.0);
    let all = DipPolicy::national();
    let g = group(&cat, &all, &r);
    assert_eq!(
        (code(&g), g.treatment_type.unwrap().as_str()),
        ("Z-K80-S".into(), "相关手术")
    );
    let principal = with(DipPolicy::national(), |p| {
        p.treatment_type_from = TreatmentTypeFrom::PrincipalProcedure
    });
    assert_eq!(code(&group(&cat, &principal, &r)), "Z-K80-D");
    // x1 is excluded: dropped, the case is conservative -> core conservative group.
    let dropped = DipPolicy::national();
    assert_eq!(
        code(&group(&cat, &dropped, &rec("K80.100", "x1", 2000.0))),
        "C-CONS"
    );
    // Kept as conservative: it still matches C-X's expression, typed 保守治疗.
    let kept = with(DipPolicy::national(), |p| {
        p.excluded_procedures = ExcludedProcedures::Conservative
    });
    let g = group(&cat, &kept, &rec("K80.100", "x1", 2000.0));
    assert_eq!(
        (code(&g), g.treatment_type.unwrap().as_str()),
        ("C-X".into(), "保守治疗")
    );
}

#[test]
fn conservative_group_and_comprehensive_fallbacks() {
    let cat = catalog();
    // An unmatched diagnostic procedure: the case is diagnostic, so not the conservative core group.
    let r = rec("K80.100", "d1", 2500.0);
    assert_eq!(code(&group(&cat, &DipPolicy::national(), &r)), "Z-K80-D");
    assert!(group(&cat, &DipPolicy::national(), &r)
        .candidates
        .iter()
        .all(|c| c.code != "C-CONS"));
    let any = with(DipPolicy::national(), |p| {
        p.conservative_group = ConservativeGroup::WhenNoProcedureGroupMatches
    });
    let g = group(&cat, &any, &r);
    assert_eq!(
        code(&g),
        "Z-K80-D",
        "综合·诊断性操作 outranks 核心·保守治疗"
    );
    assert_eq!(
        removed_by(&g, "C-CONS"),
        "type priority",
        "but the conservative group was a candidate"
    );
    // Two-character prefix, then range, then blank.
    assert_eq!(
        code(&group(
            &cat,
            &DipPolicy::national(),
            &rec("K85.000", "t1", 3500.0)
        )),
        "Z-K8-T"
    );
    assert_eq!(
        code(&group(
            &cat,
            &DipPolicy::national(),
            &rec("S72.000", "", 9000.0)
        )),
        "Z-ST"
    );
    assert_eq!(
        code(&group(
            &cat,
            &DipPolicy::national(),
            &rec("V01.000", "", 900.0)
        )),
        "BLANK"
    );
    assert_eq!(
        code(&group(
            &cat,
            &DipPolicy::nodedip_base(),
            &rec("V01.000", "", 900.0)
        )),
        "UNGROUPED"
    );
}

#[test]
fn code_normalisation_switches() {
    let cat = catalog();
    let base = DipPolicy::nodedip_base();
    let nat = DipPolicy::national();
    // Q4: a lone code with '+' becomes two diagnoses in the reference: J96.000 turns into an MCC.
    let r = rec("K80.100+J96.000", "", 2000.0);
    let g = group(&cat, &base, &r);
    assert_eq!(g.supplement.map(|s| s.band.as_str()), Some("重度III级"));
    let g = group(&cat, &nat, &r);
    assert_eq!(code(&g), "C-CONS");
    assert_eq!(g.supplement, None, "no invented secondary diagnosis");
    // Q9: lower-case chapter letter; invalid principal.
    assert_eq!(
        code(&group(&cat, &base, &rec("k80.100", "", 2000.0))),
        "UNGROUPED"
    );
    assert_eq!(
        code(&group(&cat, &nat, &rec("k80.100", "", 2000.0))),
        "C-CONS"
    );
    let g = group(&cat, &nat, &rec("K8X", "", 2000.0));
    assert_eq!(g.status, DipStatus::Ungrouped);
    assert!(g.reason.unwrap().contains("not an ICD-10 code"));
    assert_eq!(
        group(&cat, &nat, &rec("", "", 2000.0)).status,
        DipStatus::ParamError
    );
}

#[test]
fn auxiliary_catalog_largest_factor_wins() {
    let cat = catalog();
    let nat = DipPolicy::national();
    // Age 70 and a CC and an MCC: 1.06, 1.08, 1.22 all apply -> 1.22.
    let mut r = rec("K80.100|E11.900|J96.000", "", 2000.0);
    r.birth = "1950-01-01";
    let g = group(&cat, &nat, &r);
    assert_eq!(g.supplement.map(|s| s.factor), Some(1.22));
    // The CC is cancelled by the principal's exclusion group; only age applies.
    let r2 = Rec {
        dx: "K80.100|E11.900",
        ..r
    };
    assert_eq!(
        group(&cat, &nat, &r2).supplement.map(|s| s.factor),
        Some(1.06)
    );
    // Q5: an MCC alone meets 中度II级 only when mcc_counts_as_cc (still 1.22 wins).
    let mut only_mcc = rec("K80.100|J96.000", "", 2000.0);
    only_mcc.birth = "1990-01-01";
    let strict = with(DipPolicy::national(), |p| {
        p.mcc_counts_as_cc = false;
    });
    assert_eq!(
        group(&cat, &strict, &only_mcc).supplement.map(|s| s.factor),
        Some(1.22)
    );
}

#[test]
fn age_and_stay_rules() {
    let cat = catalog();
    // Born 1957-03-01, admitted 2023-03-01: calendar age 66, but the span holds 16 leap days:
    // 24106 days < 66 × 365.25 = 24106.5, so 65 in 365.25-day years.
    let mut r = rec("K80.100", "", 2000.0);
    r.birth = "1957-03-01";
    r.admit = "2023-03-01";
    r.discharge = "2023-03-08";
    let cal = DipPolicy::national();
    assert_eq!(
        group(&cat, &cal, &r).supplement.map(|s| s.band.as_str()),
        Some("66岁及以上")
    );
    let reference = with(DipPolicy::national(), |p| {
        p.age_rule = AgeRule::Reference365
    });
    assert_eq!(
        group(&cat, &reference, &r).supplement,
        None,
        "Q3: not yet 66 in 365.25-day years"
    );
    // Stay of 7 days: short (I-A) in the reference's years test, long in days.
    let s = rec("K80.100", "s1", 5000.0);
    let days = DipPolicy::national();
    assert_eq!(group(&cat, &days, &s).supplement, None);
    let years = with(DipPolicy::national(), |p| {
        p.stay_rule = StayRule::Reference365
    });
    assert_eq!(
        group(&cat, &years, &s).supplement.map(|x| x.band.as_str()),
        Some("轻度I-A级")
    );
    // Died after 7 days: 死亡IV-B级 0.85.
    let mut died = rec("K80.100", "s1", 5000.0);
    died.leaving = "5";
    assert_eq!(
        group(&cat, &days, &died).supplement.map(|x| x.factor),
        Some(0.85)
    );
}

#[test]
fn tumour_bands() {
    let cat = catalog();
    let mut short = rec("C16.000", "", 10000.0);
    short.discharge = "2024-03-02";
    assert_eq!(
        group(&cat, &DipPolicy::nodedip_base(), &short)
            .supplement
            .map(|s| s.factor),
        Some(1.5),
        "Q1"
    );
    assert_eq!(
        group(&cat, &DipPolicy::national(), &short).supplement,
        None,
        "a 1-day stay is not I-B"
    );
    let meta = rec("C16.000|C78.700", "", 10000.0);
    let nat = DipPolicy::national();
    let g = group(&cat, &nat, &meta);
    assert_eq!(
        g.supplement.map(|s| s.band.as_str()),
        Some("轻度I-B级"),
        "7 days: I-B 1.5 beats 转移 1.3"
    );
    let no_mb = with(DipPolicy::national(), |p| p.tumour_mild_b_always = false);
    let mut short_meta = rec("C16.000|C78.700", "", 10000.0);
    short_meta.discharge = "2024-03-02";
    assert_eq!(
        group(&cat, &no_mb, &short_meta)
            .supplement
            .map(|s| s.band.as_str()),
        Some("转移IV级")
    );
    assert_eq!(
        group(&cat, &DipPolicy::nodedip_base(), &short_meta)
            .supplement
            .map(|s| s.factor),
        Some(1.5)
    );
}

#[test]
fn deviation_bands_and_settle_score() {
    let cat = catalog();
    let nat = DipPolicy::national();
    // D-1: score 50, standard 5000, hospital factor 1, no supplement.
    for (cost, dev, factor) in [
        (2500.0, "low", 0.5),
        (2500.01, "normal", 1.0),
        (10000.0, "high", 1.0),
        (15000.0, "high", 2.0),
    ] {
        let g = group(&cat, &nat, &rec("K83.000", "s1", cost));
        assert_eq!(g.deviation.unwrap().as_str(), dev, "cost {cost}");
        assert_eq!(g.deviation_factor, factor, "cost {cost}");
        assert_eq!(g.settle_score, 50.0 * factor);
    }
    let strict = with(DipPolicy::national(), |p| {
        p.deviation.low_inclusive = false;
        p.deviation.high_inclusive = false;
    });
    assert_eq!(
        group(&cat, &strict, &rec("K83.000", "s1", 2500.0))
            .deviation
            .unwrap()
            .as_str(),
        "normal"
    );
    // Basic group: hospital factor replaced by the basic factor 0.9; standard 45 × 100 × 0.9.
    let g = group(&cat, &nat, &rec("K80.100", "s2", 4050.0));
    assert_eq!(
        (code(&g), g.standard_cost, g.settle_score),
        ("B-S".into(), 4050.0, 45.0 * 0.9)
    );
}

#[test]
fn standard_cost_from_score_or_catalog_mean() {
    let cat = catalog();
    let r = rec("K83.000", "s1", 3000.0);
    // Score method: 50 × 100 = 5000, 3000 is normal. Catalog mean: 6000, 3000 <= 0.5 × 6000 is low.
    let nat = DipPolicy::national();
    let g = group(&cat, &nat, &r);
    assert_eq!(
        (g.standard_cost, g.deviation.unwrap().as_str()),
        (5000.0, "normal")
    );
    let mean = with(DipPolicy::national(), |p| {
        p.standard_cost = StandardCost::CatalogMeanCost
    });
    let g = group(&cat, &mean, &r);
    assert_eq!(
        (g.standard_cost, g.deviation.unwrap().as_str()),
        (6000.0, "low")
    );
    assert_eq!(g.deviation_factor, 0.5);
}

#[test]
fn national_results_do_not_depend_on_catalog_row_order() {
    let c: DipCatalog = serde_json::from_str(CATALOG).unwrap();
    let forward = c.clone().compile("forward").unwrap();
    let mut rev = c;
    rev.groups.reverse();
    let backward = rev.compile("backward").unwrap();
    let nat = DipPolicy::national();
    for r in [
        rec("K81.000", "e1", 4000.0),
        rec("K80.100", "a1|b1|c1", 7000.0),
        rec("K80.100", "t1|s2", 3000.0),
        rec("K82.000", "p1|p2", 5000.0),
        rec("K80.100", "s1|t1", 3050.0),
    ] {
        let (a, b) = (group(&forward, &nat, &r), group(&backward, &nat, &r));
        assert_eq!(code(&a), code(&b), "{} / {}", r.dx, r.procs);
        assert_eq!(a.settle_score, b.settle_score);
    }
}
