//! Loading schemes: every shared regional version compiles, and a broken scheme is rejected with the
//! file and the JSON path of the problem.

use std::time::Instant;

use grouper::{Scheme, SchemeError};

use crate::harness::shared_file;

#[test]
fn every_shared_scheme_loads() {
    let Some(dir) = shared_file("schemes/opendrg") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 28, "28 regional versions");
    for f in &files {
        let t = Instant::now();
        let s = Scheme::load(f).unwrap_or_else(|e| panic!("{e}"));
        let (mdcs, rules, codes) = s.counts();
        println!(
            "{}: {mdcs} MDCs, {rules} rules, {codes} result codes, {} warnings, loaded in {:?}",
            s.version(),
            s.warnings().len(),
            t.elapsed()
        );
        assert_eq!(s.version(), f.file_stem().unwrap().to_string_lossy());
        assert!(
            mdcs >= 24 && rules > 300,
            "{}: {mdcs} MDCs, {rules} rules",
            s.version()
        );
    }
}

#[test]
fn main_schemes_have_the_documented_shape() {
    // FORMAT.md §4: rules / DRG-level codes of the three main versions.
    for (version, rules, unreachable) in [
        ("chs_drg_11", 376, 0),
        ("chongqing_2022", 377, 0),
        ("guangxi_2022", 379, 0),
        ("liaocheng_2022", 0, 155),
    ] {
        let Some(p) = shared_file(&format!("schemes/opendrg/{version}.json")) else {
            return;
        };
        let s = Scheme::load(p).unwrap();
        if rules > 0 {
            assert_eq!(s.counts().1, rules, "{version} rules");
        }
        let warned = s
            .warnings()
            .iter()
            .filter(|w| w.contains("unreachable"))
            .count();
        assert_eq!(
            warned, unreachable,
            "{version}: unreachable branches warned at load"
        );
    }
}

fn tiny(cond: &str, lists: &str) -> String {
    format!(
        r#"{{"format": "opendrg-scheme/1", "version": "t",
        "mdcs": [{{"mdc": "MDCF", "letter": "F", "entry": {{"const": true}},
                  "steps": [{{"rule": "FT3", "adrg": "FT3", "when": {cond},
                             "drgs": [{{"drg": "FT35", "when": {{"const": true}}, "source": ""}}],
                             "otherwise": null}}]}}],
        "cc": {{"mcc": {{}}, "cc": {{}}, "cce": {{}}}},
        "lists": {lists}}}"#
    )
}

fn invalid(json: &str) -> (String, String) {
    match Scheme::from_json_slice(json.as_bytes(), "bad.json") {
        Err(SchemeError::Invalid {
            file,
            path,
            problem,
        }) => {
            assert_eq!(file, "bad.json");
            (path, problem)
        }
        Err(e) => panic!("expected an Invalid error, got {e}"),
        Ok(_) => panic!("expected an error"),
    }
}

#[test]
fn unknown_condition_kind_is_rejected_with_its_path() {
    let json = tiny(
        r#"{"all": [{"const": true}, {"kind": "moon_phase"}]}"#,
        "{}",
    );
    let (path, problem) = invalid(&json);
    assert_eq!(path, "mdcs[0].steps[0].when.all[1].kind");
    assert!(problem.contains("moon_phase"), "{problem}");
}

#[test]
fn dangling_list_id_is_rejected_with_its_path() {
    let json = tiny(r#"{"kind": "principal_dx_in", "list": "L9"}"#, "{}");
    let (path, problem) = invalid(&json);
    assert_eq!(path, "mdcs[0].steps[0].when.list");
    assert!(problem.contains("\"L9\""), "{problem}");
}

#[test]
fn list_of_the_wrong_kind_is_rejected() {
    let json = tiny(
        r#"{"kind": "principal_dx_in", "list": "L1"}"#,
        r#"{"L1": {"kind": "proc", "codes": ["36.0600"]}}"#,
    );
    let (path, problem) = invalid(&json);
    assert_eq!(path, "mdcs[0].steps[0].when.list");
    assert!(problem.contains("proc"), "{problem}");
}

#[test]
fn bad_operator_and_format_are_rejected() {
    let json = tiny(r#"{"kind": "los_days", "op": "=~", "value": 3}"#, "{}");
    assert_eq!(invalid(&json).0, "mdcs[0].steps[0].when.op");
    let json = tiny(r#"{"const": true}"#, "{}").replace("opendrg-scheme/1", "opendrg-scheme/9");
    assert_eq!(invalid(&json).0, "format");
}

#[test]
fn malformed_json_names_the_file() {
    let e = Scheme::from_json_slice(b"{\"format\": ", "broken.json").unwrap_err();
    assert!(matches!(e, SchemeError::Json { .. }));
    assert!(e.to_string().starts_with("broken.json"), "{e}");
    let e = Scheme::load("/nonexistent/scheme.json").unwrap_err();
    assert!(e.to_string().contains("/nonexistent/scheme.json"), "{e}");
}
