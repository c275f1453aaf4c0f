//! The DIP catalog (病种目录库) in this project's own format, `drgdip-dip/1`: groups with their
//! diagnosis key, procedure expression or treatment type, score and auxiliary entries, the procedure
//! dictionary, excluded procedures, the CC/MCC table, and the hospitals' settlement coefficients.
//!
//! The format is plain serde JSON of [`DipCatalog`]. [`crate::dip::import`] reads the public
//! `dip-catalog/1` interchange format into it. [`DipCatalog::compile`] validates it and builds the
//! lookup indexes used by grouping ([`CompiledCatalog`]).

use std::collections::BTreeMap;

use ahash::{AHashMap, AHashSet};
use serde::{Deserialize, Serialize};

use super::expr::ProcExpr;
use super::DipError;

/// The format tag of this project's DIP catalog files.
pub const DIP_FORMAT: &str = "drgdip-dip/1";

/// Treatment type (手术操作类型), ordered by rank.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TreatmentType {
    /// 保守治疗: no procedure.
    #[serde(rename = "保守治疗")]
    Conservative,
    /// 诊断性操作.
    #[serde(rename = "诊断性操作")]
    Diagnostic,
    /// 治疗性操作.
    #[serde(rename = "治疗性操作")]
    Therapeutic,
    /// 介入治疗 (dictionary only; a case of this type is reported as surgery).
    #[serde(rename = "介入治疗")]
    Interventional,
    /// 相关手术.
    #[serde(rename = "相关手术")]
    Surgery,
    /// 空白病组 (only the blank group).
    #[serde(rename = "空白病组")]
    Blank,
}

impl TreatmentType {
    /// The Chinese name used in catalogs and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            TreatmentType::Conservative => "保守治疗",
            TreatmentType::Diagnostic => "诊断性操作",
            TreatmentType::Therapeutic => "治疗性操作",
            TreatmentType::Interventional => "介入治疗",
            TreatmentType::Surgery => "相关手术",
            TreatmentType::Blank => "空白病组",
        }
    }

    /// Parses the Chinese name.
    pub fn parse(s: &str) -> Option<TreatmentType> {
        [
            TreatmentType::Conservative,
            TreatmentType::Diagnostic,
            TreatmentType::Therapeutic,
            TreatmentType::Interventional,
            TreatmentType::Surgery,
            TreatmentType::Blank,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }

    /// Dictionary rank: conservative 0 … surgery 4.
    pub fn rank(self) -> i32 {
        match self {
            TreatmentType::Conservative => 0,
            TreatmentType::Diagnostic => 1,
            TreatmentType::Therapeutic => 2,
            TreatmentType::Interventional => 3,
            TreatmentType::Surgery => 4,
            TreatmentType::Blank => -2,
        }
    }

    /// The type a case is reported with (`介入治疗` counts as surgery).
    pub fn reported(self) -> TreatmentType {
        match self {
            TreatmentType::Interventional => TreatmentType::Surgery,
            t => t,
        }
    }
}

/// The kind of a DIP group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// 核心病种: principal diagnosis 亚目 × procedure expression.
    Core,
    /// 基层病种: like core, paid the same at every hospital level (basic factor).
    Basic,
    /// 综合病种: diagnosis prefix or range × treatment type.
    Comprehensive,
    /// 空白病组: the fallback group.
    Blank,
}

impl GroupKind {
    /// `core`, `basic`, `comprehensive`, `blank`.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKind::Core => "core",
            GroupKind::Basic => "basic",
            GroupKind::Comprehensive => "comprehensive",
            GroupKind::Blank => "blank",
        }
    }
}

/// The three auxiliary catalogs (辅助目录).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SupplementKind {
    /// 年龄.
    #[serde(rename = "年龄")]
    Age,
    /// 疾病严重程度.
    #[serde(rename = "疾病严重程度")]
    Severity,
    /// 肿瘤严重程度.
    #[serde(rename = "肿瘤严重程度")]
    Tumour,
}

impl SupplementKind {
    /// The Chinese name.
    pub fn as_str(self) -> &'static str {
        match self {
            SupplementKind::Age => "年龄",
            SupplementKind::Severity => "疾病严重程度",
            SupplementKind::Tumour => "肿瘤严重程度",
        }
    }
}

/// An auxiliary-catalog entry of a group: a band (`66岁及以上`, `重度III级`, …) and its coefficient.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Supplement {
    /// Which auxiliary catalog.
    pub kind: SupplementKind,
    /// The band, from the vocabulary of [`crate::dip::Band`].
    pub band: String,
    /// 辅助目录基准分值 (used for the standard cost).
    pub score: f64,
    /// 辅助目录调整系数.
    pub factor: f64,
}

/// One DIP group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DipGroup {
    /// Group code, unique in the catalog.
    pub code: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Core, basic, comprehensive or blank.
    pub kind: GroupKind,
    /// Core / basic: principal-diagnosis key (亚目, the first 5 characters: `K80.1`).
    /// Comprehensive: a prefix of 1-3 characters (`K80`, `D5`, `A`) or a range (`L00-M99`).
    #[serde(default)]
    pub diagnosis: String,
    /// Core / basic: procedure expression (`a/b`, `a+b`, `a/b+c`); empty = the conservative group.
    #[serde(default)]
    pub procedures: Option<String>,
    /// Comprehensive: the treatment type of the group.
    #[serde(default)]
    pub treatment_type: Option<TreatmentType>,
    /// 病种分值.
    pub score: f64,
    /// The group's standard cost (病种次均费用, yuan): its mean total cost. Used for the deviation test
    /// only under `StandardCost::CatalogMeanCost`; otherwise informational.
    #[serde(default)]
    pub avg_cost: Option<f64>,
    /// Mean length of stay, informational.
    #[serde(default)]
    pub avg_los: Option<f64>,
    /// Basic groups: 基层病种系数.
    #[serde(default)]
    pub basic_factor: Option<f64>,
    /// Auxiliary-catalog entries, in catalog order.
    #[serde(default)]
    pub supplements: Vec<Supplement>,
}

/// Severity of a secondary diagnosis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 并发症或合并症.
    Cc,
    /// 严重并发症或合并症.
    Mcc,
}

/// A CC/MCC entry, keyed by the full secondary-diagnosis code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Complication {
    /// Full diagnosis code.
    pub code: String,
    /// CC or MCC.
    pub severity: Severity,
    /// Exclusion group: principal diagnoses (full codes) that cancel it.
    #[serde(default)]
    pub exclusion_group: Option<String>,
}

/// Settlement coefficients of one hospital (医疗机构系数, 均费调整系数, 分值单价).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DipHospital {
    /// Hospital code.
    pub code: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Level, informational.
    #[serde(default)]
    pub level: Option<u8>,
    /// 医疗机构系数.
    pub factor: f64,
    /// 均费调整系数 (employee insurance): standard cost = score × this.
    pub mean_cost_factor_employee: f64,
    /// 均费调整系数 (resident insurance).
    pub mean_cost_factor_resident: f64,
    /// The same for basic groups (then also × basic factor), employee.
    pub basic_mean_cost_factor_employee: f64,
    /// The same for basic groups, resident.
    pub basic_mean_cost_factor_resident: f64,
    /// 分值单价, employee.
    pub point_price_employee: f64,
    /// 分值单价, resident.
    pub point_price_resident: f64,
}

/// A procedure's dictionary attribute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcedureAttr {
    /// Full procedure code.
    pub code: String,
    /// Its treatment type.
    pub treatment_type: TreatmentType,
}

/// A DIP catalog (`drgdip-dip/1`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DipCatalog {
    /// Always [`DIP_FORMAT`].
    pub format: String,
    /// Free text.
    #[serde(default)]
    pub name: String,
    /// 医保统筹区 code.
    #[serde(default)]
    pub region: String,
    /// Catalog version.
    #[serde(default)]
    pub version: String,
    /// Where the catalog came from (importer, calibration run, …).
    #[serde(default)]
    pub provenance: String,
    /// All groups, in catalog order (order matters only to policies that say so).
    pub groups: Vec<DipGroup>,
    /// Procedure dictionary.
    #[serde(default)]
    pub procedures: Vec<ProcedureAttr>,
    /// Procedures removed from (or neutralised in) a case before grouping.
    #[serde(default)]
    pub excluded_procedures: Vec<String>,
    /// CC/MCC table.
    #[serde(default)]
    pub complications: Vec<Complication>,
    /// Exclusion groups: id -> principal diagnoses (full codes).
    #[serde(default)]
    pub exclusion_groups: BTreeMap<String, Vec<String>>,
    /// Hospitals' coefficients.
    #[serde(default)]
    pub hospitals: Vec<DipHospital>,
}

/// A catalog with its lookup indexes, ready for grouping.
#[derive(Debug)]
pub struct CompiledCatalog {
    pub(crate) catalog: DipCatalog,
    pub(crate) exprs: Vec<Option<ProcExpr>>,
    pub(crate) core_by_key: AHashMap<String, Vec<usize>>,
    pub(crate) basic_by_key: AHashMap<String, Vec<usize>>,
    /// Comprehensive prefix key -> group indexes (catalog order).
    pub(crate) comp_by_prefix: AHashMap<String, Vec<usize>>,
    /// Comprehensive range keys in order of first appearance, with their groups.
    pub(crate) comp_ranges: Vec<(String, Vec<usize>)>,
    pub(crate) blank: Option<usize>,
    pub(crate) proc_type: AHashMap<String, TreatmentType>,
    pub(crate) excluded: AHashSet<String>,
    pub(crate) complications: AHashMap<String, (Severity, Option<String>)>,
    pub(crate) exclusion_groups: AHashMap<String, AHashSet<String>>,
    pub(crate) hospitals: AHashMap<String, usize>,
    pub(crate) by_code: AHashMap<String, usize>,
}

impl DipCatalog {
    /// A catalog holding only a procedure dictionary and excluded procedures (what
    /// `dip build-catalog --dictionary` reads), with no groups.
    pub fn dictionary(
        name: &str,
        procedures: Vec<ProcedureAttr>,
        excluded: Vec<String>,
    ) -> DipCatalog {
        DipCatalog {
            format: DIP_FORMAT.into(),
            name: name.into(),
            region: String::new(),
            version: String::new(),
            provenance: String::new(),
            groups: Vec::new(),
            procedures,
            excluded_procedures: excluded,
            complications: Vec::new(),
            exclusion_groups: BTreeMap::new(),
            hospitals: Vec::new(),
        }
    }

    /// Reads a catalog file: this project's format, or `dip-catalog/1` (imported on the fly).
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<DipCatalog, DipError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| DipError::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        DipCatalog::from_slice(&bytes, &file)
    }

    /// Reads a catalog from JSON bytes (this project's format or `dip-catalog/1`); `file` names it
    /// in errors.
    pub fn from_slice(bytes: &[u8], file: &str) -> Result<DipCatalog, DipError> {
        let file = file.to_string();
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| DipError::Invalid {
                file: file.clone(),
                path: String::new(),
                problem: format!("not JSON: {e}"),
            })?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(DIP_FORMAT) => serde_json::from_value(value).map_err(|e| DipError::Invalid {
                file,
                path: String::new(),
                problem: e.to_string(),
            }),
            Some(super::import::INTERCHANGE_FORMAT) => {
                super::import::from_interchange(&value, &file)
            }
            other => Err(DipError::Invalid {
                file,
                path: "format".into(),
                problem: format!(
                    "unsupported format {other:?}; expected {DIP_FORMAT:?} or {:?}",
                    super::import::INTERCHANGE_FORMAT
                ),
            }),
        }
    }

    /// Validates the catalog and builds the indexes. `file` names the source in errors.
    pub fn compile(self, file: &str) -> Result<CompiledCatalog, DipError> {
        let invalid = |path: String, problem: String| DipError::Invalid {
            file: file.to_string(),
            path,
            problem,
        };
        let mut c = CompiledCatalog {
            exprs: Vec::with_capacity(self.groups.len()),
            core_by_key: AHashMap::new(),
            basic_by_key: AHashMap::new(),
            comp_by_prefix: AHashMap::new(),
            comp_ranges: Vec::new(),
            blank: None,
            proc_type: self
                .procedures
                .iter()
                .map(|p| (p.code.clone(), p.treatment_type))
                .collect(),
            excluded: self.excluded_procedures.iter().cloned().collect(),
            complications: self
                .complications
                .iter()
                .map(|x| (x.code.clone(), (x.severity, x.exclusion_group.clone())))
                .collect(),
            exclusion_groups: self
                .exclusion_groups
                .iter()
                .map(|(k, v)| (k.clone(), v.iter().cloned().collect()))
                .collect(),
            hospitals: self
                .hospitals
                .iter()
                .enumerate()
                .map(|(i, h)| (h.code.clone(), i))
                .collect(),
            by_code: AHashMap::new(),
            catalog: DipCatalog {
                groups: Vec::new(),
                ..self.clone()
            },
        };
        for (i, g) in self.groups.iter().enumerate() {
            let path = format!("groups[{i}]");
            if c.by_code.insert(g.code.clone(), i).is_some() {
                return Err(invalid(
                    path,
                    format!("group code {:?} appears twice", g.code),
                ));
            }
            if !g.score.is_finite() || g.score < 0.0 {
                return Err(invalid(
                    format!("{path}.score"),
                    "score must be a non-negative number".into(),
                ));
            }
            let expr = match (&g.kind, g.procedures.as_deref()) {
                (GroupKind::Core | GroupKind::Basic, Some(e)) if !e.trim().is_empty() => {
                    Some(ProcExpr::parse(e).map_err(|p| invalid(format!("{path}.procedures"), p))?)
                }
                _ => None,
            };
            match g.kind {
                GroupKind::Core | GroupKind::Basic => {
                    if g.diagnosis.is_empty() {
                        return Err(invalid(
                            format!("{path}.diagnosis"),
                            "a core or basic group needs a diagnosis key".into(),
                        ));
                    }
                    if g.kind == GroupKind::Basic && g.basic_factor.is_none() {
                        return Err(invalid(
                            format!("{path}.basic_factor"),
                            "a basic group needs basic_factor".into(),
                        ));
                    }
                    let map = if g.kind == GroupKind::Core {
                        &mut c.core_by_key
                    } else {
                        &mut c.basic_by_key
                    };
                    map.entry(g.diagnosis.clone()).or_default().push(i);
                }
                GroupKind::Comprehensive => {
                    if g.treatment_type.is_none() {
                        return Err(invalid(
                            format!("{path}.treatment_type"),
                            "a comprehensive group needs a treatment type".into(),
                        ));
                    }
                    if g.diagnosis.contains('-') {
                        match c.comp_ranges.iter_mut().find(|(k, _)| *k == g.diagnosis) {
                            Some((_, v)) => v.push(i),
                            None => c.comp_ranges.push((g.diagnosis.clone(), vec![i])),
                        }
                    } else {
                        let n = g.diagnosis.chars().count();
                        if !(1..=3).contains(&n) {
                            return Err(invalid(
                                format!("{path}.diagnosis"),
                                format!("comprehensive key {:?} must be a 1-3 character prefix or a range", g.diagnosis),
                            ));
                        }
                        c.comp_by_prefix
                            .entry(g.diagnosis.clone())
                            .or_default()
                            .push(i);
                    }
                }
                GroupKind::Blank => {
                    if c.blank.replace(i).is_some() {
                        return Err(invalid(path, "only one blank group is allowed".into()));
                    }
                }
            }
            c.exprs.push(expr);
        }
        for (i, x) in self.complications.iter().enumerate() {
            if let Some(g) = &x.exclusion_group {
                if !self.exclusion_groups.contains_key(g) {
                    return Err(invalid(
                        format!("complications[{i}].exclusion_group"),
                        format!("exclusion group {g:?} is not defined under exclusion_groups"),
                    ));
                }
            }
        }
        c.catalog.groups = self.groups;
        Ok(c)
    }
}

impl CompiledCatalog {
    /// The catalog.
    pub fn catalog(&self) -> &DipCatalog {
        &self.catalog
    }

    /// A group by index.
    pub fn group(&self, i: usize) -> &DipGroup {
        &self.catalog.groups[i]
    }

    /// A group's index by code.
    pub fn group_index(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    /// A hospital by code.
    pub fn hospital(&self, code: &str) -> Option<&DipHospital> {
        self.hospitals
            .get(code)
            .map(|&i| &self.catalog.hospitals[i])
    }
}
