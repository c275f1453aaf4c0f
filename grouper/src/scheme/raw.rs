//! The `opendrg-scheme/1` JSON as deserialised, before compilation. Conditions and steps stay as
//! `serde_json::Value` here so that the compiler can name the JSON path of anything it rejects.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
pub(crate) struct RawScheme {
    pub format: String,
    pub version: String,
    #[serde(default)]
    pub pipeline: RawPipeline,
    pub mdcs: Vec<RawMdc>,
    pub or_procedures: Option<String>,
    pub cc: RawCc,
    pub lists: HashMap<String, RawList>,
    #[serde(default)]
    pub site_maps: HashMap<String, RawSiteMap>,
    #[serde(default)]
    pub codes: RawCodes,
    #[serde(default)]
    pub drg_names: HashMap<String, String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct RawPipeline {
    #[serde(default)]
    pub split_separators: Option<Vec<String>>,
    #[serde(default)]
    pub validation: RawValidation,
    #[serde(default)]
    pub result: RawResults,
    #[serde(default)]
    pub retry_each_secondary_procedure_as_sole_procedure: bool,
}

#[derive(Deserialize)]
pub(crate) struct RawValidation {
    pub gender_valid: Vec<String>,
    pub newborn_age_years: f64,
    pub newborn_weight_required_max_age_days: f64,
}

impl Default for RawValidation {
    fn default() -> Self {
        RawValidation {
            gender_valid: vec!["1".into(), "2".into()],
            newborn_age_years: 0.0,
            newborn_weight_required_max_age_days: 28.0,
        }
    }
}

#[derive(Deserialize, Clone)]
pub(crate) struct RawCodesTriple {
    pub mdc: String,
    pub adrg: String,
    pub drg: String,
}

impl RawCodesTriple {
    fn failed() -> Self {
        RawCodesTriple {
            mdc: "0000".into(),
            adrg: "00".into(),
            drg: "0000".into(),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct RawResults {
    pub check_failed: RawCodesTriple,
    pub mapping_failed: RawCodesTriple,
    pub no_mdc: RawCodesTriple,
}

impl Default for RawResults {
    fn default() -> Self {
        RawResults {
            check_failed: RawCodesTriple::failed(),
            mapping_failed: RawCodesTriple::failed(),
            no_mdc: RawCodesTriple::failed(),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct RawMdc {
    pub mdc: String,
    pub letter: String,
    pub entry: Value,
    pub steps: Vec<Value>,
}

#[derive(Deserialize)]
pub(crate) struct RawCc {
    pub mcc: HashMap<String, String>,
    pub cc: HashMap<String, String>,
    pub cce: HashMap<String, String>,
}

#[derive(Deserialize)]
pub(crate) struct RawList {
    pub kind: String,
    pub codes: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct RawSiteMap {
    pub sites: HashMap<String, String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct RawCodes {
    #[serde(default)]
    pub dx_names: HashMap<String, String>,
    #[serde(default)]
    pub proc_names: HashMap<String, String>,
    #[serde(default)]
    pub dx_map: HashMap<String, String>,
    #[serde(default)]
    pub proc_map: HashMap<String, String>,
}
