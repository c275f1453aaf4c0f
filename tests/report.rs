//! `drgdip demo` and `drgdip settle --report` end to end (issue #5): the demo month writes every
//! statement file, its pools reconcile to the fen, and `report.html` is one self-contained page
//! that names every hospital.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn drgdip() -> Command {
    Command::new(env!("CARGO_BIN_EXE_drgdip"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("drgdip-report-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// One `drgdip demo --out DIR` for every test here: (output, DIR).
fn demo() -> &'static (Output, PathBuf) {
    static RUN: OnceLock<(Output, PathBuf)> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tmp("demo-out");
        let out = drgdip().args(["demo", "--out"]).arg(&dir).output().unwrap();
        assert!(
            out.status.success(),
            "drgdip demo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (out, dir)
    })
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The values of column `name` of a CSV file.
fn column(p: &Path, name: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(p).unwrap();
    let c = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("{}: no column {name}", p.display()));
    r.records().map(|x| x.unwrap()[c].to_string()).collect()
}

#[test]
fn demo_writes_the_statement_the_input_and_the_report() {
    let (_, dir) = demo();
    for f in [
        "cases.csv",
        "hospitals.csv",
        "summary.json",
        "rejected.csv",
        "report.html",
        "discharges.csv",
        "enrolment.csv",
    ] {
        let p = dir.join(f);
        assert!(
            p.metadata().is_ok_and(|m| m.len() > 0),
            "{} missing",
            p.display()
        );
    }
}

#[test]
fn demo_counts_every_generated_row_and_closes_its_pools_to_the_fen() {
    let (_, dir) = demo();
    let summary: serde_json::Value =
        serde_json::from_str(&read(&dir.join("summary.json"))).unwrap();
    let generated = column(&dir.join("discharges.csv"), "id").len() as u64;
    assert_eq!(generated, 20_000);
    let counts = &summary["counts"];
    let n = |k: &str| counts[k].as_u64().unwrap();
    assert_eq!(n("cases_in"), generated);
    assert_eq!(n("cases_settled") + n("cases_rejected"), generated);
    assert_eq!(
        column(&dir.join("cases.csv"), "id").len() as u64,
        n("cases_settled")
    );
    assert_eq!(
        column(&dir.join("rejected.csv"), "id").len() as u64,
        n("cases_rejected")
    );
    let pools = summary["pools"].as_array().unwrap();
    let mut closed = 0;
    for p in pools {
        if p["closure"] == "point_value" {
            assert_eq!(p["paid_fen"], p["distributable_fen"], "pool {}", p["id"]);
            closed += 1;
        }
    }
    assert_eq!(closed, 2, "both inpatient pools close by point value");
    // The enrolment reaches capitation: the level-1 hospitals H11-H20 are paid some.
    let hospitals = dir.join("hospitals.csv");
    let codes = column(&hospitals, "hospital");
    let capitation = column(&hospitals, "capitation_fen");
    for (code, fen) in codes.iter().zip(&capitation) {
        let fen: i64 = fen.parse().unwrap();
        let level1 = code.as_str() >= "H11";
        assert_eq!(fen > 0, level1, "{code} capitation {fen}");
    }
    let outpatient = pools
        .iter()
        .find(|p| p["id"] == "resident-outpatient")
        .unwrap();
    assert!(outpatient["capitation_fen"].as_i64().unwrap() > 0);
}

#[test]
fn demo_report_is_one_self_contained_page_naming_every_hospital() {
    let (_, dir) = demo();
    let html = read(&dir.join("report.html"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(
        html.matches("<svg").count() >= 2,
        "at least two inline charts"
    );
    for banned in [
        "http://", "https://", "src=", "<link", "<script", "@import", "url(", "<img",
    ] {
        assert!(!html.contains(banned), "report.html contains {banned:?}");
    }
    let codes: BTreeSet<String> = column(&dir.join("hospitals.csv"), "hospital")
        .into_iter()
        .collect();
    assert_eq!(codes.len(), 20);
    for c in &codes {
        assert!(html.contains(&format!(">{c}<")), "report.html lacks {c}");
    }
    for text in [
        "drgdip demo region",
        "2025.1",
        "point value",
        "按病种付费占比",
        "yuan / point",
    ] {
        assert!(html.contains(text), "report.html lacks {text:?}");
    }
    // Money in yuan with thousands separators: the employee pool's budget.
    assert!(html.contains("120,000,000.00"));
}

#[test]
fn demo_prints_every_hospital_and_pool() {
    let (out, dir) = demo();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for c in column(&dir.join("hospitals.csv"), "hospital") {
        assert!(
            stdout.lines().any(|l| l.starts_with(&format!("{c} "))),
            "stdout lacks a row for {c}:\n{stdout}"
        );
    }
    for pool in [
        "employee-inpatient",
        "resident-inpatient",
        "resident-outpatient",
    ] {
        assert!(stdout.contains(pool), "stdout lacks pool {pool}");
    }
    assert!(stdout.contains("CMI") && stdout.contains("net"));
}

#[test]
fn settle_report_is_the_demo_report_for_the_same_run() {
    let (_, dir) = demo();
    let out = tmp("settle-out");
    let report = tmp("settle-report.html");
    let res = drgdip()
        .args(["settle", "--cases"])
        .arg(dir.join("discharges.csv"))
        .arg("--enrolment")
        .arg(dir.join("enrolment.csv"))
        .arg("--out")
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert_eq!(read(&report), read(&dir.join("report.html")));
    assert_eq!(
        read(&out.join("summary.json")),
        read(&dir.join("summary.json"))
    );
}
