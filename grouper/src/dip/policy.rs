//! DIP policy switches: every step of DIP grouping that real regions (and real engines) do differently
//! is a field here, so a region is data, not code. Three presets:
//!
//! - [`DipPolicy::national`] — the project default: the national DIP technical specification
//!   (医保办发〔2020〕50号) where it speaks, and otherwise the choice that does not depend on catalog
//!   row order or on accidents of an implementation.
//! - [`DipPolicy::nodedip_base`] — reproduces the public Node-DIP grouper's base strategy
//!   (`RegionBaseService`), reference quirks included.
//! - [`DipPolicy::nodedip_xiaogan`] — Node-DIP's 孝感 (420900) catalogue-first strategy.
//!
//! Switches that exist only to reproduce a reference defect say so and name the quirk of
//! `../shared/dip/FORMAT.md` §6 (Q1…Q11). A policy file (TOML or JSON) holds any subset of the fields;
//! missing fields take the national default.

use serde::{Deserialize, Serialize};

use super::catalog::{GroupKind, TreatmentType};

/// What happens to procedures on the excluded list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExcludedProcedures {
    /// Removed from the case before anything else (reference and national).
    Drop,
    /// Kept for matching group expressions but typed 保守治疗 for the case's treatment type.
    Conservative,
}

/// Where a case's treatment type comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TreatmentTypeFrom {
    /// The highest-ranked type over all procedures (reference and national).
    AllProcedures,
    /// The principal (first) procedure only.
    PrincipalProcedure,
}

/// When the conservative (empty-expression) core group of the key is a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConservativeGroup {
    /// When no procedure group matched and the case's treatment type is 保守治疗 (Q8; the national
    /// rule agrees: a case with an unmatched diagnostic or therapeutic procedure belongs to the
    /// comprehensive group of its type).
    WhenCaseIsConservative,
    /// Whenever no procedure group matched.
    WhenNoProcedureGroupMatches,
}

/// Which candidates the tie-breaks prune before the type priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PruningPool {
    /// Core candidates only; basic candidates go to the priority step unpruned, catalog order deciding
    /// among them (Node-DIP base).
    CoreOnly,
    /// Core and basic candidates in one pool; one survivor (Node-DIP 孝感).
    CoreAndBasic,
    /// Core and basic candidates pruned separately; one survivor each (national: no catalog-order
    /// dependence).
    Separately,
}

/// One tie-break step among core (and basic) candidates: keeps the candidates best by its measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// Most `+` operators in the expression.
    MostPlusTerms,
    /// Most of the case's procedures matched by the expression.
    MostMatchedProcedures,
    /// Every procedure of the case matched by the expression.
    ExactMatch,
    /// Standard cost closest to the case's total cost.
    ClosestStandardCost,
    /// Highest score.
    HighestScore,
    /// The expression matches the principal procedure.
    PrincipalProcedureFirst,
}

/// How a tie at `ClosestStandardCost` is resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostTie {
    /// Keep all tied candidates for the next steps (national).
    KeepAll,
    /// The later candidate in catalog order wins (reference defect Q6: a left fold with a strict
    /// comparison).
    LastInCatalogOrder,
}

/// The last resort when candidates are still tied after every tie-break.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalTieBreak {
    /// Smallest group code: never depends on catalog row order (national).
    GroupCode,
    /// First in catalog order.
    CatalogOrder,
}

/// How age (years, days) is computed from birth and admission dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeRule {
    /// Completed calendar years; days since the last birthday (national).
    Calendar,
    /// 365.25-day years, birthday crossed at multiples of 365.25 days (reference defect Q3).
    Reference365,
}

/// How a stay is classed short (I-A) or long (I-B).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StayRule {
    /// Length of stay ≤ 3 days is short, > 3 days long (national).
    Days,
    /// `years == 0 or days <= 3` in 365.25-day years: every stay under a year is "short"
    /// (reference defect Q2).
    Reference365,
}

/// A class of the type priority table: a group kind and a treatment type (`None` = any type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PriorityClass {
    /// Group kind.
    pub kind: GroupKind,
    /// Treatment type, or any.
    pub treatment: Option<TreatmentType>,
}

impl TryFrom<String> for PriorityClass {
    type Error = String;
    /// `core/相关手术`, `basic/*`, `comprehensive/空白病组`, `blank/*`.
    fn try_from(s: String) -> Result<Self, String> {
        let (k, t) = s
            .split_once('/')
            .ok_or_else(|| format!("priority class {s:?} must be KIND/TYPE, e.g. core/相关手术"))?;
        let kind = match k {
            "core" => GroupKind::Core,
            "basic" => GroupKind::Basic,
            "comprehensive" => GroupKind::Comprehensive,
            "blank" => GroupKind::Blank,
            _ => return Err(format!("unknown group kind {k:?} in priority class {s:?}")),
        };
        let treatment =
            match t {
                "*" => None,
                t => Some(TreatmentType::parse(t).ok_or_else(|| {
                    format!("unknown treatment type {t:?} in priority class {s:?}")
                })?),
            };
        Ok(PriorityClass { kind, treatment })
    }
}

impl From<PriorityClass> for String {
    fn from(p: PriorityClass) -> String {
        format!(
            "{}/{}",
            p.kind.as_str(),
            p.treatment.map_or("*", TreatmentType::as_str)
        )
    }
}

/// Where a candidate's standard cost (for cost-closeness and the deviation test) comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StandardCost {
    /// (auxiliary score × factor, or the group score) × the hospital's 均费调整系数 (reference and
    /// national default: a regional choice, not a defect).
    ScoreTimesMeanCostFactor,
    /// The group's catalog mean cost (`avg_cost`) × the auxiliary factor (falls back to the score
    /// method for a group without `avg_cost`).
    CatalogMeanCost,
}

/// The deviation bands (超低 / 超高) that give the deviation coefficient of a case.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviationBands {
    /// A case is low when cost ≤ (or <) standard × `low`.
    pub low: f64,
    /// Whether the low boundary is included.
    pub low_inclusive: bool,
    /// A case is high when cost ≥ (or >) standard × `high`.
    pub high: f64,
    /// Whether the high boundary is included.
    pub high_inclusive: bool,
}

impl Default for DeviationBands {
    fn default() -> Self {
        DeviationBands {
            low: 0.5,
            low_inclusive: true,
            high: 2.0,
            high_inclusive: true,
        }
    }
}

/// All switches of DIP grouping and scoring.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DipPolicy {
    /// Preset or policy name, echoed in traces.
    pub name: String,
    /// Reference defect Q4: a lone diagnosis (or procedure) string containing `+` is split into
    /// several codes (`A18.100x001+N29.1*` -> principal `A18.100x001`, secondary `N29.1*`).
    pub split_lone_code_on_plus: bool,
    /// Upper-case the chapter letter of a diagnosis code before matching (`k35.800` = `K35.800`; the
    /// lower-case `x` of 医保版 extension codes is part of the code and stays). Off reproduces Q9's
    /// case sensitivity.
    pub upper_case_chapter_letter: bool,
    /// Reject a principal diagnosis that is not an ICD-10 code (a letter and two digits) with
    /// `UNGROUPED` and a reason. Off reproduces Q9 (`ABC` falls into chapter A).
    pub require_valid_principal: bool,
    /// Excluded procedures: dropped, or kept as conservative.
    pub excluded_procedures: ExcludedProcedures,
    /// Case treatment type from all procedures or the principal one.
    pub treatment_type_from: TreatmentTypeFrom,
    /// When the conservative core group is a candidate (Q8).
    pub conservative_group: ConservativeGroup,
    /// Which candidates are pruned by the tie-breaks.
    pub pruning_pool: PruningPool,
    /// Node-DIP 孝感: the cost-closeness step runs over the survivors plus all basic candidates
    /// again.
    pub closest_cost_adds_basic: bool,
    /// Tie-breaks among core (and basic) candidates, in order. Reference defect Q7: Node-DIP puts
    /// `most_plus_terms` first, so a `+` group beats a single group matching more procedures.
    pub tie_breaks: Vec<TieBreak>,
    /// Tie rule of `closest_standard_cost` (Q6).
    pub closest_cost_tie: CostTie,
    /// Final deterministic tie-break.
    pub final_tie_break: FinalTieBreak,
    /// The type priority table: the first class with a candidate gives the result.
    pub priority: Vec<PriorityClass>,
    /// When no comprehensive group fits, the blank group is the comprehensive candidate.
    pub blank_group_fallback: bool,
    /// Age computation (Q3).
    pub age_rule: AgeRule,
    /// Short / long stay (Q2).
    pub stay_rule: StayRule,
    /// Reference defect Q1: tumour `轻度I-B级` always applies.
    pub tumour_mild_b_always: bool,
    /// An MCC also satisfies `中度II级` (off reproduces Q5).
    pub mcc_counts_as_cc: bool,
    /// Tumour `转移IV级` applies when a secondary diagnosis is in C77-C79 (the reference never applies
    /// it).
    pub metastasis_from_secondary_c77_c79: bool,
    /// Source of the standard cost (Q6: the reference never reads the group's own mean cost).
    pub standard_cost: StandardCost,
    /// Deviation bands.
    pub deviation: DeviationBands,
}

fn classes(list: &[&str]) -> Vec<PriorityClass> {
    list.iter()
        .map(|s| {
            PriorityClass::try_from((*s).to_string()).expect("preset priority classes are valid")
        })
        .collect()
}

/// The type-first priority table (核心·相关手术 > 基层·相关手术 > 核心·治疗性操作 > …).
fn type_first() -> Vec<PriorityClass> {
    classes(&[
        "core/相关手术",
        "basic/相关手术",
        "core/治疗性操作",
        "basic/治疗性操作",
        "core/诊断性操作",
        "basic/诊断性操作",
        "comprehensive/相关手术",
        "comprehensive/治疗性操作",
        "comprehensive/诊断性操作",
        "core/保守治疗",
        "basic/保守治疗",
        "comprehensive/保守治疗",
        "blank/*",
    ])
}

impl Default for DipPolicy {
    fn default() -> Self {
        DipPolicy::national()
    }
}

impl DipPolicy {
    /// The names of the built-in presets.
    pub const PRESETS: [&'static str; 3] = ["national", "nodedip-base", "nodedip-xiaogan"];

    /// A built-in preset by name.
    pub fn preset(name: &str) -> Option<DipPolicy> {
        match name {
            "national" => Some(DipPolicy::national()),
            "nodedip-base" => Some(DipPolicy::nodedip_base()),
            "nodedip-xiaogan" => Some(DipPolicy::nodedip_xiaogan()),
            _ => None,
        }
    }

    /// The project default (see the module docs).
    pub fn national() -> DipPolicy {
        DipPolicy {
            name: "national".into(),
            split_lone_code_on_plus: false,
            upper_case_chapter_letter: true,
            require_valid_principal: true,
            excluded_procedures: ExcludedProcedures::Drop,
            treatment_type_from: TreatmentTypeFrom::AllProcedures,
            conservative_group: ConservativeGroup::WhenCaseIsConservative,
            pruning_pool: PruningPool::Separately,
            closest_cost_adds_basic: false,
            tie_breaks: vec![
                TieBreak::MostMatchedProcedures,
                TieBreak::MostPlusTerms,
                TieBreak::ClosestStandardCost,
                TieBreak::HighestScore,
            ],
            closest_cost_tie: CostTie::KeepAll,
            final_tie_break: FinalTieBreak::GroupCode,
            priority: type_first(),
            blank_group_fallback: true,
            age_rule: AgeRule::Calendar,
            stay_rule: StayRule::Days,
            tumour_mild_b_always: false,
            mcc_counts_as_cc: true,
            metastasis_from_secondary_c77_c79: true,
            standard_cost: StandardCost::ScoreTimesMeanCostFactor,
            deviation: DeviationBands::default(),
        }
    }

    /// Node-DIP's base strategy (FORMAT.md §3), quirks included.
    pub fn nodedip_base() -> DipPolicy {
        DipPolicy {
            name: "nodedip-base".into(),
            split_lone_code_on_plus: true,
            upper_case_chapter_letter: false,
            require_valid_principal: false,
            excluded_procedures: ExcludedProcedures::Drop,
            treatment_type_from: TreatmentTypeFrom::AllProcedures,
            conservative_group: ConservativeGroup::WhenCaseIsConservative,
            pruning_pool: PruningPool::CoreOnly,
            closest_cost_adds_basic: false,
            tie_breaks: vec![
                TieBreak::MostPlusTerms,
                TieBreak::MostMatchedProcedures,
                TieBreak::ClosestStandardCost,
            ],
            closest_cost_tie: CostTie::LastInCatalogOrder,
            final_tie_break: FinalTieBreak::CatalogOrder,
            priority: type_first(),
            blank_group_fallback: false,
            age_rule: AgeRule::Reference365,
            stay_rule: StayRule::Reference365,
            tumour_mild_b_always: true,
            mcc_counts_as_cc: false,
            metastasis_from_secondary_c77_c79: false,
            standard_cost: StandardCost::ScoreTimesMeanCostFactor,
            deviation: DeviationBands::default(),
        }
    }

    /// Node-DIP's 孝感 (420900) catalogue-first strategy (FORMAT.md §5).
    pub fn nodedip_xiaogan() -> DipPolicy {
        DipPolicy {
            name: "nodedip-xiaogan".into(),
            pruning_pool: PruningPool::CoreAndBasic,
            closest_cost_adds_basic: true,
            blank_group_fallback: true,
            priority: classes(&[
                "core/相关手术",
                "core/治疗性操作",
                "core/诊断性操作",
                "core/保守治疗",
                "basic/*",
                "comprehensive/相关手术",
                "comprehensive/治疗性操作",
                "comprehensive/诊断性操作",
                "comprehensive/保守治疗",
                "blank/*",
            ]),
            ..DipPolicy::nodedip_base()
        }
    }
}

/// A switch on which the Node-DIP presets differ from the national policy, with why.
#[derive(Clone, Copy, Debug)]
pub struct Divergence {
    /// The policy field.
    pub switch: &'static str,
    /// The quirk of `../shared/dip/FORMAT.md` §6 it reproduces (or the section of the rule).
    pub quirk: &'static str,
    /// Why the national value is right.
    pub why: &'static str,
    /// Moves a policy to the national value of this switch.
    pub apply: fn(&mut DipPolicy),
}

/// Every switch where `nodedip-base` differs from `national`, one by one.
pub fn divergences() -> Vec<Divergence> {
    vec![
        Divergence {
            switch: "split_lone_code_on_plus",
            quirk: "Q4",
            why: "`+` joins a dagger/asterisk pair inside one code (A18.100x001+N29.1*); splitting a lone code invents a secondary diagnosis that can trigger an MCC coefficient",
            apply: |p| p.split_lone_code_on_plus = false,
        },
        Divergence {
            switch: "upper_case_chapter_letter",
            quirk: "Q9",
            why: "a lower-case chapter letter (k35.800) is a keying variant of the same code, not an unknown diagnosis",
            apply: |p| p.upper_case_chapter_letter = true,
        },
        Divergence {
            switch: "require_valid_principal",
            quirk: "Q9",
            why: "a principal that is not an ICD-10 code (ABC, -) must not be paid as a chapter-A comprehensive group; it is UNGROUPED with a reason for the hospital to fix",
            apply: |p| p.require_valid_principal = true,
        },
        Divergence {
            switch: "pruning_pool",
            quirk: "Q6",
            why: "basic candidates pruned by the same tie-breaks as core ones, so catalog row order never decides",
            apply: |p| p.pruning_pool = PruningPool::Separately,
        },
        Divergence {
            switch: "tie_breaks",
            quirk: "Q7",
            why: "the group matching more of the case's procedures describes the case better than a `+` group matching fewer",
            apply: |p| p.tie_breaks = DipPolicy::national().tie_breaks,
        },
        Divergence {
            switch: "closest_cost_tie",
            quirk: "Q6",
            why: "an exact tie in cost-closeness is decided by the next tie-breaks and finally the group code, not by catalog row order",
            apply: |p| p.closest_cost_tie = CostTie::KeepAll,
        },
        Divergence {
            switch: "final_tie_break",
            quirk: "Q6",
            why: "results must not depend on catalog row order",
            apply: |p| p.final_tie_break = FinalTieBreak::GroupCode,
        },
        Divergence {
            switch: "blank_group_fallback",
            quirk: "§5",
            why: "a case must not go unpaid because its chapter has no comprehensive group when the catalog has a blank group",
            apply: |p| p.blank_group_fallback = true,
        },
        Divergence {
            switch: "age_rule",
            quirk: "Q3",
            why: "age bands follow the calendar birthday, not multiples of 365.25 days",
            apply: |p| p.age_rule = AgeRule::Calendar,
        },
        Divergence {
            switch: "stay_rule",
            quirk: "Q2",
            why: "轻度I-A级 means a stay of at most 3 days; the reference's test is true for every stay under a year",
            apply: |p| p.stay_rule = StayRule::Days,
        },
        Divergence {
            switch: "tumour_mild_b_always",
            quirk: "Q1",
            why: "轻度I-B级 applies to stays over 3 days, not to every case",
            apply: |p| p.tumour_mild_b_always = false,
        },
        Divergence {
            switch: "mcc_counts_as_cc",
            quirk: "Q5",
            why: "a severe complication is at least a complication: a case with only an MCC also meets 中度II级",
            apply: |p| p.mcc_counts_as_cc = true,
        },
        Divergence {
            switch: "metastasis_from_secondary_c77_c79",
            quirk: "§3.4",
            why: "转移IV级 is a tumour case with a secondary malignant neoplasm (C77-C79) among its diagnoses; the reference never applies it",
            apply: |p| p.metastasis_from_secondary_c77_c79 = true,
        },
    ]
}
