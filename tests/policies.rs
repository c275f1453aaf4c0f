//! The seed-region policies of `data/policies/`: every file loads, settles a small generated demo month
//! through `drgdip settle` (counts reconcile, point-value pools pay exactly what they can distribute),
//! and shows the rule that makes it that region.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;
use settlement::policy::Policy;

/// Every policy file, by stem. A new file needs a test below (and a row in data/policies/README.md).
const POLICIES: [&str; 6] = [
    "hechuan",
    "jinan",
    "liaoning",
    "liaoning-fuxin-dip",
    "wenshan",
    "yulin",
];

type Row = HashMap<String, String>;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn policy_path(name: &str) -> PathBuf {
    root().join("data/policies").join(format!("{name}.toml"))
}

fn load(name: &str) -> Policy {
    let path = policy_path(name);
    let text = std::fs::read_to_string(&path).unwrap();
    Policy::from_toml(&text, &path.display().to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("drgdip-policies-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn read_table(p: &Path) -> Vec<Row> {
    let mut rdr = csv::Reader::from_path(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// A small demo month (`drgdip gen --cases 3000 --seed 1`), generated once; rows by id.
struct Month {
    path: PathBuf,
    rows: HashMap<String, Row>,
}

fn month() -> &'static Month {
    static MONTH: OnceLock<Month> = OnceLock::new();
    MONTH.get_or_init(|| {
        let path = tmp("month.csv");
        let out = Command::new(env!("CARGO_BIN_EXE_drgdip"))
            .args(["gen", "--cases", "3000", "--seed", "1", "--out"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows = read_table(&path)
            .into_iter()
            .map(|r| (r["id"].clone(), r))
            .collect();
        Month { path, rows }
    })
}

/// The statement of one run.
struct Run {
    summary: Value,
    cases: Vec<Row>,
    hospitals: Vec<Row>,
}

fn fen(row: &Row, col: &str) -> i64 {
    row[col]
        .parse()
        .unwrap_or_else(|e| panic!("{col} {:?}: {e}", row[col]))
}

fn principal(row: &Row) -> &str {
    row["diagnoses"].split('|').next().unwrap_or("")
}

/// Settles the demo month under a policy and checks what every run must satisfy.
fn settle(name: &str, extra: &[&str]) -> Run {
    let m = month();
    let out = tmp(&format!("{name}{}", extra.len()));
    let res = Command::new(env!("CARGO_BIN_EXE_drgdip"))
        .arg("settle")
        .arg("--policy")
        .arg(policy_path(name))
        .arg("--cases")
        .arg(&m.path)
        .arg("--out")
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let count = |k: &str| summary["counts"][k].as_u64().unwrap();
    assert_eq!(
        count("cases_in"),
        m.rows.len() as u64,
        "{name}: every row in"
    );
    assert_eq!(
        count("cases_in"),
        count("cases_settled") + count("cases_rejected"),
        "{name}: in = settled + rejected"
    );
    let cases = read_table(&out.join("cases.csv"));
    let hospitals = read_table(&out.join("hospitals.csv"));
    assert_eq!(cases.len() as u64, count("cases_settled"), "{name}");
    for pool in summary["pools"].as_array().unwrap() {
        let id = pool["id"].as_str().unwrap();
        if pool["closure"] == "point_value" {
            assert_eq!(
                pool["paid_fen"], pool["distributable_fen"],
                "{name}: pool {id} closes to the fen"
            );
        }
        let paid: i64 = cases
            .iter()
            .filter(|c| c["pool"] == id)
            .map(|c| fen(c, "fund_fen"))
            .sum();
        let cap = pool["capitation_fen"].as_i64().unwrap();
        assert_eq!(
            paid + cap,
            pool["paid_fen"].as_i64().unwrap(),
            "{name}: pool {id}: its cases and capitation sum to what it paid"
        );
    }
    Run {
        summary,
        cases,
        hospitals,
    }
}

fn level_of(id: &str) -> String {
    month().rows[id]["hospital_level"].clone()
}

/// Capitation accrued per hospital: Σ round(rate × person-months / 12), from the policy and the enrolment file.
fn expected_capitation(policy: &Policy, enrolment: &Path) -> HashMap<String, i64> {
    let mut m = HashMap::new();
    for r in read_table(enrolment) {
        let prog = policy
            .capitation
            .iter()
            .find(|c| c.program == r["program"])
            .unwrap_or_else(|| panic!("{} is not a programme", r["program"]));
        let rate = i128::from(prog.rate_yuan_per_year.0 .0);
        let pm: i128 = r["person_months"].parse().unwrap();
        let fen = (rate * pm * 2 + 12) / 24; // half away from zero, positive amounts
        *m.entry(r["hospital"].clone()).or_default() += fen as i64;
    }
    m
}

fn check_capitation(name: &str, enrolment: &str) {
    let file = root().join("data/policies/enrolment").join(enrolment);
    let run = settle(name, &["--enrolment", file.to_str().unwrap()]);
    let want = expected_capitation(&load(name), &file);
    assert!(!want.is_empty());
    for h in &run.hospitals {
        let got = fen(h, "capitation_fen");
        assert_eq!(
            got,
            want.get(&h["hospital"]).copied().unwrap_or(0),
            "{name}: capitation of {}",
            h["hospital"]
        );
    }
}

#[test]
fn every_policy_file_loads_and_is_tested() {
    let mut found: Vec<String> = std::fs::read_dir(root().join("data/policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, POLICIES, "data/policies/*.toml and the tests agree");
    for name in POLICIES {
        let p = load(name);
        assert!(
            !p.policy.notes.is_empty(),
            "{name}: [policy].notes says where it comes from"
        );
    }
}

#[test]
fn hechuan_pays_stays_over_60_days_by_item_and_psychiatry_per_diem() {
    let run = settle("hechuan", &[]);
    let (mut excluded, mut per_diem) = (0, 0);
    for c in &run.cases {
        let row = &month().rows[&c["id"]];
        let los: u32 = row["los"].parse().unwrap();
        if los > 60 {
            assert_eq!(c["route"], "exclusion", "{}: LOS {los}", c["id"]);
            assert_eq!(c["method_code"], "1", "按项目");
            assert_eq!(
                fen(c, "fund_fen"),
                fen(c, "total_cost_fen") - fen(c, "patient_share_fen")
            );
            excluded += 1;
        } else if row["dept"] == "15" {
            assert_eq!(c["route"], "per_diem", "{}", c["id"]);
            assert_eq!(c["group"], "psychiatry");
            per_diem += 1;
        } else {
            assert!(
                ["drg", "ffs"].contains(&c["route"].as_str()),
                "{}: {}",
                c["id"],
                c["route"]
            );
        }
    }
    assert!(
        excluded > 0 && per_diem > 0,
        "{excluded} excluded, {per_diem} per-diem"
    );
    // The 3% quality deposit is withheld from every monthly payment (CQ1).
    for h in &run.hospitals {
        let gross = fen(h, "payment_fen") + fen(h, "capitation_fen") + fen(h, "sharing_fen");
        assert_eq!(
            fen(h, "deposit_fen"),
            (gross * 3 + 50) / 100,
            "{}",
            h["hospital"]
        );
        assert_eq!(fen(h, "net_fen"), gross - fen(h, "deposit_fen"));
    }
    let payee = |code: &str| {
        run.hospitals
            .iter()
            .find(|h| h["hospital"] == code)
            .unwrap()["payee"]
            .clone()
    };
    assert_eq!(payee("H11"), "合川医联体1");
    assert_eq!(payee("H01"), "H01");
    check_capitation("hechuan", "hechuan.csv");
}

#[test]
fn jinan_routes_chronic_psychiatry_per_diem_and_pays_qy_at_80_percent_of_cost() {
    let run = settle("jinan", &[]);
    let (mut per_diem, mut qy) = (0, 0);
    for c in &run.cases {
        let dx = principal(&month().rows[&c["id"]]);
        if dx.starts_with("F20") {
            assert_eq!(c["route"], "per_diem", "{}", c["id"]);
            assert_eq!(c["group"], "chronic psychiatry");
            per_diem += 1;
        }
        if dx.starts_with("F32") {
            assert_ne!(
                c["route"], "per_diem",
                "{}: a single depressive episode stays in DRG",
                c["id"]
            );
        }
        if c["class"] == "cost_share" {
            assert_eq!(c["route"], "drg");
            assert!(c["group"].ends_with("QY"), "{}", c["group"]);
            let (total, share) = (fen(c, "total_cost_fen"), fen(c, "patient_share_fen"));
            let standard = (total * 8 + 5) / 10;
            assert_eq!(
                fen(c, "standard_fen"),
                standard,
                "{}: 80% of total cost",
                c["id"]
            );
            assert_eq!(fen(c, "fund_fen"), (standard - share).max(0), "floor 0");
            qy += 1;
        }
        if c["group"] == "FR39" && c["route"] == "drg" {
            assert!(c["formula"].contains("同病同价"), "{}", c["formula"]);
        }
    }
    assert!(per_diem > 0 && qy > 0, "{per_diem} per-diem, {qy} QY");
    // The rate method: pools pay standards and report their balance; nothing closes by point value.
    for pool in run.summary["pools"].as_array().unwrap() {
        assert_eq!(pool["closure"], "rate", "{}", pool["id"]);
    }
    check_capitation("jinan", "jinan.csv");
}

/// Liaoning's provincial delivery rates (住院分娩按病种), in both the DRG and the DIP city.
fn check_delivery(run: &Run) {
    let rate = |name: &str, level: &str| -> i64 {
        match (name, level) {
            ("vaginal delivery", "1") => 330_000,
            ("vaginal delivery", "2") => 440_000,
            ("vaginal delivery", "3") => 580_000,
            ("caesarean delivery", "1") => 680_000,
            ("caesarean delivery", "2") => 920_000,
            ("caesarean delivery", "3") => 1_220_000,
            _ => panic!("{name} at level {level}"),
        }
    };
    let mut n = 0;
    for c in &run.cases {
        let dx = principal(&month().rows[&c["id"]]);
        let line = if dx.starts_with("O80") {
            "vaginal delivery"
        } else if dx.starts_with("O82") {
            "caesarean delivery"
        } else {
            assert_ne!(c["route"], "fixed_rate", "{}", c["id"]);
            continue;
        };
        assert_eq!(c["route"], "fixed_rate", "{}", c["id"]);
        assert_eq!(c["method_code"], "2", "单病种");
        assert_eq!(c["group"], line);
        let standard = rate(line, &level_of(&c["id"]));
        assert_eq!(fen(c, "standard_fen"), standard, "{}", c["id"]);
        assert_eq!(
            fen(c, "fund_fen"),
            (standard - fen(c, "patient_share_fen")).max(0)
        );
        n += 1;
    }
    assert!(n > 0);
}

#[test]
fn liaoning_pays_deliveries_per_case_and_bundles_the_rest_by_drg() {
    let run = settle("liaoning", &[]);
    check_delivery(&run);
    assert!(run.summary["routes"]["drg"]["cases"].as_u64().unwrap() > 0);
    assert_eq!(run.summary["routes"]["dip"]["cases"], 0);
    check_capitation("liaoning", "liaoning.csv");
}

#[test]
fn liaoning_fuxin_is_the_dip_city_with_the_same_provincial_lines() {
    let run = settle("liaoning-fuxin-dip", &[]);
    check_delivery(&run);
    assert!(run.summary["routes"]["dip"]["cases"].as_u64().unwrap() > 0);
    assert_eq!(run.summary["routes"]["drg"]["cases"], 0);
    let province = load("liaoning");
    let city = load("liaoning-fuxin-dip");
    let names = |p: &Policy| -> Vec<String> {
        let mut v: Vec<String> = p.fixed_rates.iter().map(|f| f.name.clone()).collect();
        v.extend(p.per_diem.iter().map(|l| l.name.clone()));
        v.extend(p.capitation.iter().map(|c| c.program.clone()));
        v
    };
    assert_eq!(
        names(&province),
        names(&city),
        "the provincial lines are shared"
    );
    check_capitation("liaoning-fuxin-dip", "liaoning.csv");
}

#[test]
fn wenshan_settles_by_dip_with_consortia_bearing_their_overspend() {
    let run = settle("wenshan", &[]);
    assert_eq!(run.summary["policy"]["period"], "year");
    for c in &run.cases {
        match c["route"].as_str() {
            "dip" => assert_eq!(c["method_code"], "3"),
            "per_diem" => {
                assert!(!c["points"].is_empty(), "{}: per-diem in points", c["id"]);
                assert!(c["standard_fen"].is_empty());
            }
            other => assert!(["ffs", "special_review"].contains(&other), "{other}"),
        }
    }
    assert!(run.summary["routes"]["dip"]["cases"].as_u64().unwrap() > 0);
    for h in &run.hospitals {
        let code = h["hospital"].as_str();
        let want = match code {
            "H04" | "H11" | "H12" | "H13" => "文山县域医共体A",
            "H05" | "H14" | "H15" | "H16" => "文山县域医共体B",
            "H06" | "H17" | "H18" | "H19" | "H20" => "文山县域医共体C",
            _ => code,
        };
        assert_eq!(h["payee"], want);
        // 结余留用、合理超支自担: the payee keeps its surplus and bears its overspend, so the fund's
        // adjustment is zero either way; the rule was applied (year run) and says so.
        assert_eq!(fen(h, "sharing_fen"), 0, "{code}");
        assert!(
            h["sharing_formula"].contains(&format!("payee {want}")),
            "{code}: {}",
            h["sharing_formula"]
        );
    }
}

#[test]
fn yulin_pays_tcm_angina_per_case_and_shares_region_wide() {
    let run = settle("yulin", &[]);
    let mut tcm = 0;
    for c in &run.cases {
        let dx = principal(&month().rows[&c["id"]]);
        if !dx.starts_with("I20") {
            continue;
        }
        assert_eq!(c["route"], "fixed_rate", "{}", c["id"]);
        assert!(c["formula"].contains("(tcm)"), "{}", c["formula"]);
        let standard = match level_of(&c["id"]).as_str() {
            "1" => 650_000,
            "2" => 850_000,
            _ => 1_150_000,
        };
        assert_eq!(fen(c, "standard_fen"), standard, "{}", c["id"]);
        tcm += 1;
    }
    assert!(tcm > 0);
    // Region-wide 结余留用、合理超支分担: every payee with DRG cases is assessed, and the pools carry the sum.
    let mut total = 0;
    for h in &run.hospitals {
        assert!(!h["sharing_formula"].is_empty(), "{}", h["hospital"]);
        total += fen(h, "sharing_fen");
    }
    let pools: i64 = run.summary["pools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sharing_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(total, pools);
    assert_eq!(
        run.summary["totals"]["sharing_fen"].as_i64().unwrap(),
        total
    );
    assert_ne!(total, 0);
}
