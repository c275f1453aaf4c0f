//! Importer for the public DIP catalogue interchange format `dip-catalog/1`
//! (`../shared/dip/FORMAT.md`) into this project's [`DipCatalog`]. Catalog order within each group
//! kind is kept; supplements are attached to their groups in catalogue order.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::catalog::{
    Complication, DipCatalog, DipGroup, DipHospital, GroupKind, ProcedureAttr, Severity,
    Supplement, SupplementKind, TreatmentType, DIP_FORMAT,
};
use super::DipError;

/// The interchange format tag.
pub const INTERCHANGE_FORMAT: &str = "dip-catalog/1";

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    name: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    core_groups: Vec<RawGroup>,
    #[serde(default)]
    basic_groups: Vec<RawGroup>,
    #[serde(default)]
    comprehensive_groups: Vec<RawComp>,
    #[serde(default)]
    blank_group: Option<RawBlank>,
    #[serde(default)]
    supplements: Vec<RawSupplement>,
    #[serde(default)]
    procedure_dictionary: Vec<RawProc>,
    #[serde(default)]
    excluded_procedures: Vec<String>,
    #[serde(default)]
    cc_mcc: Vec<RawCc>,
    #[serde(default)]
    cc_mcc_exclusions: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    hospitals: Vec<RawHospital>,
}

#[derive(Deserialize)]
struct RawGroup {
    dip_code: String,
    #[serde(default)]
    dip_name: String,
    diag_key: String,
    #[serde(default)]
    procedure_expr: Option<String>,
    score: f64,
    #[serde(default)]
    avg_amount: Option<f64>,
    #[serde(default)]
    avg_los: Option<f64>,
    #[serde(default)]
    basic_factor: Option<f64>,
}

#[derive(Deserialize)]
struct RawComp {
    dip_code: String,
    #[serde(default)]
    dip_name: String,
    key: String,
    treatment_type: String,
    score: f64,
    #[serde(default)]
    avg_amount: Option<f64>,
}

#[derive(Deserialize)]
struct RawBlank {
    dip_code: String,
    #[serde(default)]
    dip_name: String,
    score: f64,
    #[serde(default)]
    avg_amount: Option<f64>,
}

#[derive(Deserialize)]
struct RawSupplement {
    dip_code: String,
    #[serde(rename = "type")]
    kind: String,
    name: String,
    score: f64,
    factor: f64,
}

#[derive(Deserialize)]
struct RawProc {
    code: String,
    treatment_type: String,
}

#[derive(Deserialize)]
struct RawCc {
    diag_code: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    exclude_group: Option<String>,
}

#[derive(Deserialize)]
struct RawHospital {
    hos_code: String,
    #[serde(default)]
    hos_name: String,
    #[serde(default)]
    level: Option<u8>,
    factor_hospital: f64,
    factor_employee_avg_amount: f64,
    factor_resident_avg_amount: f64,
    factor_basic_employee_avg_amount: f64,
    factor_basic_resident_avg_amount: f64,
    price_employee: f64,
    price_resident: f64,
}

/// Converts a parsed `dip-catalog/1` document.
pub fn from_interchange(value: &Value, file: &str) -> Result<DipCatalog, DipError> {
    let invalid = |path: String, problem: String| DipError::Invalid {
        file: file.to_string(),
        path,
        problem,
    };
    let raw: Raw = serde_json::from_value(value.clone())
        .map_err(|e| invalid(String::new(), format!("not a dip-catalog/1 document: {e}")))?;
    let treatment = |s: &str, path: String| {
        TreatmentType::parse(s)
            .ok_or_else(|| invalid(path, format!("unknown treatment type {s:?}")))
    };

    let mut groups = Vec::new();
    for (kind, list, name) in [
        (GroupKind::Core, &raw.core_groups, "core_groups"),
        (GroupKind::Basic, &raw.basic_groups, "basic_groups"),
    ] {
        for g in list {
            groups.push(DipGroup {
                code: g.dip_code.clone(),
                name: g.dip_name.clone(),
                kind,
                diagnosis: g.diag_key.clone(),
                procedures: g.procedure_expr.clone().filter(|e| !e.is_empty()),
                treatment_type: None,
                score: g.score,
                avg_cost: g.avg_amount,
                avg_los: g.avg_los,
                basic_factor: if kind == GroupKind::Basic {
                    Some(g.basic_factor.ok_or_else(|| {
                        invalid(
                            format!("{name}[{}]", groups.len()),
                            "basic group without basic_factor".into(),
                        )
                    })?)
                } else {
                    None
                },
                supplements: Vec::new(),
            });
        }
    }
    for (i, g) in raw.comprehensive_groups.iter().enumerate() {
        groups.push(DipGroup {
            code: g.dip_code.clone(),
            name: g.dip_name.clone(),
            kind: GroupKind::Comprehensive,
            diagnosis: g.key.clone(),
            procedures: None,
            treatment_type: Some(treatment(
                &g.treatment_type,
                format!("comprehensive_groups[{i}].treatment_type"),
            )?),
            score: g.score,
            avg_cost: g.avg_amount,
            avg_los: None,
            basic_factor: None,
            supplements: Vec::new(),
        });
    }
    if let Some(b) = &raw.blank_group {
        groups.push(DipGroup {
            code: b.dip_code.clone(),
            name: b.dip_name.clone(),
            kind: GroupKind::Blank,
            diagnosis: String::new(),
            procedures: None,
            treatment_type: Some(TreatmentType::Blank),
            score: b.score,
            avg_cost: b.avg_amount,
            avg_los: None,
            basic_factor: None,
            supplements: Vec::new(),
        });
    }
    let index: ahash::AHashMap<String, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.code.clone(), i))
        .collect();
    for (i, s) in raw.supplements.iter().enumerate() {
        let path = format!("supplements[{i}]");
        let kind = match s.kind.as_str() {
            "年龄" => SupplementKind::Age,
            "疾病严重程度" => SupplementKind::Severity,
            "肿瘤严重程度" => SupplementKind::Tumour,
            other => {
                return Err(invalid(
                    format!("{path}.type"),
                    format!("unknown supplement type {other:?}"),
                ))
            }
        };
        if super::aux::Band::parse(kind, &s.name).is_none() {
            return Err(invalid(
                format!("{path}.name"),
                format!("unknown band {:?} for {}", s.name, kind.as_str()),
            ));
        }
        let g = *index.get(&s.dip_code).ok_or_else(|| {
            invalid(
                format!("{path}.dip_code"),
                format!("no group {:?}", s.dip_code),
            )
        })?;
        groups[g].supplements.push(Supplement {
            kind,
            band: s.name.clone(),
            score: s.score,
            factor: s.factor,
        });
    }
    let procedures = raw
        .procedure_dictionary
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(ProcedureAttr {
                code: p.code.clone(),
                treatment_type: treatment(
                    &p.treatment_type,
                    format!("procedure_dictionary[{i}].treatment_type"),
                )?,
            })
        })
        .collect::<Result<Vec<_>, DipError>>()?;
    let complications = raw
        .cc_mcc
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let severity = match c.kind.as_str() {
                "cc" => Severity::Cc,
                "mcc" => Severity::Mcc,
                other => {
                    return Err(invalid(
                        format!("cc_mcc[{i}].type"),
                        format!("expected cc or mcc, got {other:?}"),
                    ))
                }
            };
            Ok(Complication {
                code: c.diag_code.clone(),
                severity,
                exclusion_group: c.exclude_group.clone(),
            })
        })
        .collect::<Result<Vec<_>, DipError>>()?;
    let hospitals = raw
        .hospitals
        .iter()
        .map(|h| DipHospital {
            code: h.hos_code.clone(),
            name: h.hos_name.clone(),
            level: h.level,
            factor: h.factor_hospital,
            mean_cost_factor_employee: h.factor_employee_avg_amount,
            mean_cost_factor_resident: h.factor_resident_avg_amount,
            basic_mean_cost_factor_employee: h.factor_basic_employee_avg_amount,
            basic_mean_cost_factor_resident: h.factor_basic_resident_avg_amount,
            point_price_employee: h.price_employee,
            point_price_resident: h.price_resident,
        })
        .collect();
    Ok(DipCatalog {
        format: DIP_FORMAT.to_string(),
        name: raw.name,
        region: raw.region,
        version: raw.version,
        provenance: format!("imported from {INTERCHANGE_FORMAT} file {file}"),
        groups,
        procedures,
        excluded_procedures: raw.excluded_procedures,
        complications,
        exclusion_groups: raw.cc_mcc_exclusions,
        hospitals,
    })
}
