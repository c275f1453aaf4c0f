//! The demo region: the demo scheme groups each intended case to the intended DRG, `drgdip gen` is
//! deterministic and its records group, and the committed demo DIP catalog is exactly what
//! `scripts/build-demo-catalog.sh` builds and settles generated records.

use std::path::{Path, PathBuf};
use std::process::Command;

use grouper::dip::DipCatalog;
use grouper::{Codes, Grouper, Num, Record, Scheme};

use crate::harness::shared_file;
use crate::harness::{self, col, drgdip, ok, read_csv, root};

fn tmp(name: &str) -> PathBuf {
    harness::tmp("demo", name)
}

fn gen(out: &Path, cases: u64, seed: u64, extra: &[&str]) -> String {
    ok(drgdip()
        .args([
            "gen",
            "--cases",
            &cases.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .args(extra)
        .arg("--out")
        .arg(out))
}

/// (gender, age, age_days, weight, diagnoses, procedures, expected status, expected drg)
type Case = (
    &'static str,
    i64,
    Option<i64>,
    Option<i64>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

#[test]
fn demo_scheme_groups_each_intended_case() {
    let scheme = Scheme::load(root().join("data/demo/scheme.json")).unwrap();
    let grouper = Grouper::new(&scheme);
    let table: &[Case] = &[
        (
            "1",
            72,
            None,
            None,
            "J18.900|I50.900|E11.900",
            "",
            "SUCCESS",
            "ES31",
        ),
        (
            "1",
            72,
            None,
            None,
            "J18.900|E87.100",
            "",
            "SUCCESS",
            "ES33",
        ),
        (
            "2",
            35,
            None,
            None,
            "J15.900|I10.x00",
            "",
            "SUCCESS",
            "ES35",
        ),
        (
            "1",
            58,
            None,
            None,
            "I21.900|I10.x00",
            "36.0700|00.6600",
            "SUCCESS",
            "FM19",
        ),
        ("1", 58, None, None, "I21.000", "", "SUCCESS", "FR19"),
        ("1", 58, None, None, "I21.400", "88.5500", "QY", "FQY"),
        (
            "2",
            80,
            None,
            None,
            "I50.900|N17.900",
            "",
            "SUCCESS",
            "FR21",
        ),
        ("2", 66, None, None, "I20.000", "", "SUCCESS", "FR39"),
        ("2", 45, None, None, "K80.101", "51.2300", "SUCCESS", "HC29"),
        (
            "2",
            45,
            None,
            None,
            "K80.101|E87.600",
            "51.2200",
            "SUCCESS",
            "HC13",
        ),
        ("1", 50, None, None, "K81.000", "51.2200", "SUCCESS", "HC15"),
        ("1", 50, None, None, "K81.000", "", "SUCCESS", "HU15"),
        (
            "2",
            29,
            None,
            None,
            "O80.000|Z37.000",
            "73.5900x001",
            "SUCCESS",
            "OC19",
        ),
        (
            "2",
            29,
            None,
            None,
            "O80.900|Z37.000",
            "",
            "SUCCESS",
            "OR19",
        ),
        (
            "2",
            33,
            None,
            None,
            "O82.000|Z37.000",
            "74.1x01",
            "SUCCESS",
            "OB19",
        ),
        (
            "1",
            81,
            None,
            None,
            "S72.000|I10.x00",
            "81.5100",
            "SUCCESS",
            "IC29",
        ),
        ("1", 81, None, None, "S72.100", "", "SUCCESS", "IR29"),
        ("2", 41, None, None, "F20.000", "94.2700", "SUCCESS", "TR19"),
        ("2", 41, None, None, "F32.900", "", "SUCCESS", "TS19"),
        (
            "1",
            0,
            Some(12),
            Some(1200),
            "P07.000|P22.900",
            "",
            "SUCCESS",
            "PS11",
        ),
        (
            "1",
            0,
            Some(12),
            Some(1800),
            "P07.300",
            "",
            "SUCCESS",
            "PS25",
        ),
        (
            "1",
            0,
            Some(12),
            Some(2100),
            "P07.100",
            "",
            "SUCCESS",
            "PS39",
        ),
        (
            "2",
            0,
            Some(3),
            Some(3200),
            "P59.901",
            "",
            "SUCCESS",
            "PU15",
        ),
        (
            "2",
            0,
            Some(3),
            Some(3200),
            "P59.901|P23.900",
            "",
            "SUCCESS",
            "PU13",
        ),
        ("2", 0, Some(90), None, "P59.901", "", "SUCCESS", "PV15"),
        (
            "1",
            70,
            None,
            None,
            "J18.900|J96.000",
            "96.7201",
            "SUCCESS",
            "AH11",
        ),
        (
            "1",
            70,
            None,
            None,
            "J18.900",
            "96.7201|96.0400",
            "SUCCESS",
            "AH15",
        ),
        ("", 70, None, None, "J18.900", "", "CHECK_FAILED", "0000"),
        (
            "1",
            70,
            None,
            None,
            "J18.900|X99.999",
            "",
            "ZD_NOT_MAPPING",
            "0000",
        ),
        (
            "1",
            70,
            None,
            None,
            "J18.900",
            "99.9999",
            "SS_NOT_MAPPING",
            "0000",
        ),
    ];
    for (i, (gender, age, days, weight, dx, px, status, drg)) in table.iter().enumerate() {
        let r = Record {
            id: "T",
            gender,
            age: Num::from(*age),
            age_days: days.map(Num::from).unwrap_or_default(),
            weight: weight.map(Num::from).unwrap_or_default(),
            los: Num::from(5i64),
            diagnoses: Codes::Joined(dx),
            procedures: Codes::Joined(px),
            ..Record::default()
        };
        let g = grouper.group(&r);
        assert_eq!(
            (g.status.as_str(), g.drg),
            (*status, *drg),
            "row {i}: {dx} / {px}: {:?}",
            g.reason
        );
        assert!(
            g.status.as_str() == "SUCCESS" || g.reason.is_some(),
            "row {i} has a reason"
        );
        if g.status.as_str() == "SUCCESS" {
            assert!(!g.drg_name.is_empty(), "{drg} has a name");
        }
    }
}

#[test]
fn embedded_demo_scheme_is_the_file() {
    let file = std::fs::read_to_string(root().join("data/demo/scheme.json")).unwrap();
    assert_eq!(drgdip::gen::DEMO_SCHEME, file);
}

#[test]
fn gen_is_deterministic_and_writes_exactly_the_cases() {
    let (a, b, c) = (tmp("a.csv"), tmp("b.csv"), tmp("c.csv"));
    let err = gen(&a, 3000, 11, &["--months", "3"]);
    assert!(err.contains("drgdip gen: 3000 cases"), "{err}");
    gen(&b, 3000, 11, &["--months", "3"]);
    gen(&c, 3000, 12, &["--months", "3"]);
    let (ba, bb, bc) = (
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        std::fs::read(&c).unwrap(),
    );
    assert_eq!(ba, bb, "same seed, same bytes");
    assert_ne!(ba, bc, "another seed, other records");
    let (header, rows) = read_csv(&a);
    assert_eq!(rows.len(), 3000);
    assert_eq!(header[..2], ["id", "hospital"]);
    assert!(!header.contains(&"year".to_string()));
    let (hc, lc, dc) = (
        col(&header, "hospital"),
        col(&header, "hospital_level"),
        col(&header, "discharge_date"),
    );
    for r in &rows {
        let n: usize = r[hc][1..].parse().unwrap();
        assert!((1..=20).contains(&n), "{}", r[hc]);
        let want = if n <= 3 {
            "3"
        } else if n <= 10 {
            "2"
        } else {
            "1"
        };
        assert_eq!(r[lc], want, "{}", r[hc]);
        assert!(r[dc].as_str() >= "2025-01-01" && r[dc].as_str() <= "2025-03-31");
    }
    // --years adds a year column and spreads the records.
    let y = tmp("y.csv");
    gen(&y, 600, 3, &["--years", "2022-2024"]);
    let (header, rows) = read_csv(&y);
    let yc = col(&header, "year");
    for year in ["2022", "2023", "2024"] {
        assert!(rows.iter().any(|r| r[yc] == year), "{year}");
    }
}

#[test]
fn gen_rejects_bad_arguments_with_a_message() {
    let out = drgdip()
        .args(["gen", "--cases", "5", "--months", "13", "--out", "-"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--months must be 1 to 12"));
    let out = drgdip()
        .args(["gen", "--cases", "5", "--years", "2024-2022", "--out", "-"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// Generates 5000 records, groups them with a scheme, checks that every non-SUCCESS row has a
/// reason and every deliberately bad row is rejected; returns (rows, SUCCESS rows).
fn group_generated(scheme: &Path, extra: &[&str], name: &str) -> (usize, usize) {
    let (input, output) = (tmp(&format!("{name}.csv")), tmp(&format!("{name}.out.csv")));
    gen(&input, 5000, 5, extra);
    ok(drgdip()
        .arg("group")
        .arg("--scheme")
        .arg(scheme)
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output));
    let (ih, inputs) = read_csv(&input);
    let (_, outs) = read_csv(&output);
    assert_eq!(inputs.len(), outs.len());
    let (gc, dc) = (col(&ih, "gender"), col(&ih, "diagnoses"));
    let mut success = 0;
    for (i, o) in inputs.iter().zip(&outs) {
        if o[1] == "SUCCESS" {
            success += 1;
        } else {
            assert!(!o[6].is_empty(), "{} {} has a reason", o[0], o[1]);
        }
        if i[gc].is_empty() || i[dc].contains("X99.999") {
            assert_ne!(o[1], "SUCCESS", "bad row {} is rejected", o[0]);
        }
    }
    (outs.len(), success)
}

#[test]
fn generated_records_group_with_the_demo_scheme() {
    let (n, success) = group_generated(&root().join("data/demo/scheme.json"), &[], "demo");
    assert!(success * 100 >= n * 97, "{success} of {n} SUCCESS");
    assert!(success < n, "some deliberately bad rows");
}

#[test]
fn generated_records_group_with_the_national_scheme() {
    let Some(scheme) = shared_file("schemes/opendrg/chs_drg_11.json") else {
        return;
    };
    let flag = scheme.to_str().unwrap().to_string();
    let (n, success) = group_generated(&scheme, &["--scheme", &flag], "national");
    assert!(success * 100 >= n * 95, "{success} of {n} SUCCESS");
}

/// Runs a build script into a temporary file and asserts the committed file is byte for byte what
/// it builds; returns the committed contents.
fn assert_script_rebuilds(script: &str, committed: &str) -> Vec<u8> {
    let name = Path::new(committed)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let out = tmp(&name);
    let res = Command::new("sh")
        .arg(root().join(script))
        .arg(&out)
        .env("DRGDIP", env!("CARGO_BIN_EXE_drgdip"))
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let built = std::fs::read(&out).unwrap();
    let kept = std::fs::read(root().join(committed)).unwrap();
    assert!(
        built == kept,
        "{committed} differs from what {script} builds: rerun the script and commit"
    );
    kept
}

#[test]
fn demo_catalog_is_what_the_script_builds() {
    assert_script_rebuilds(
        "scripts/build-demo-catalog.sh",
        "data/demo/dip-catalog.json",
    );
}

#[test]
fn demo_weights_are_what_the_script_builds() {
    let committed = String::from_utf8(assert_script_rebuilds(
        "scripts/build-demo-weights.sh",
        "data/demo/drg-weights.csv",
    ))
    .unwrap();
    // The header is the contract; every demo DRG the generator produces has a positive weight.
    let mut lines = committed.lines();
    assert_eq!(lines.next(), Some("drg,cases,mean_cost,weight"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.len() >= 20, "{} DRGs", rows.len());
    for r in &rows {
        assert!(r[3].parse::<f64>().unwrap() > 0.0, "{r:?}");
    }
}

#[test]
fn demo_catalog_settles_generated_records() {
    let path = root().join("data/demo/dip-catalog.json");
    let catalog = DipCatalog::load(&path).unwrap();
    assert_eq!(catalog.hospitals.len(), 20);
    assert!(catalog.procedures.len() >= 17);
    catalog.compile("dip-catalog.json").unwrap();
    let (input, output) = (tmp("dip.csv"), tmp("dip.out.csv"));
    gen(&input, 5000, 21, &["--months", "6"]);
    ok(drgdip()
        .args(["dip", "group", "--policy", "national", "--catalog"])
        .arg(&path)
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output));
    let (ih, inputs) = read_csv(&input);
    let (oh, outs) = read_csv(&output);
    let (cc, sc, rc) = (
        col(&ih, "total_cost"),
        col(&oh, "status"),
        col(&oh, "reason"),
    );
    let mut okay = 0;
    for (i, o) in inputs.iter().zip(&outs) {
        if o[sc] == "OK" {
            okay += 1;
        } else {
            assert!(!o[rc].is_empty(), "{} has a reason", o[0]);
        }
        if i[cc].starts_with('-') {
            assert_eq!(o[sc], "PARAM_ERROR", "{}", o[0]);
        }
    }
    assert!(okay * 100 >= outs.len() * 97, "{okay} of {} OK", outs.len());
}

#[test]
fn build_catalog_rejects_a_duplicate_hospital() {
    let h = tmp("dup-hospitals.json");
    let one = r#"{"code":"H01","factor":1,"mean_cost_factor_employee":1,"mean_cost_factor_resident":1,
        "basic_mean_cost_factor_employee":1,"basic_mean_cost_factor_resident":1,
        "point_price_employee":1,"point_price_resident":1}"#;
    std::fs::write(&h, format!("[{one},{one}]")).unwrap();
    let hist = tmp("dup-history.csv");
    std::fs::write(
        &hist,
        "year,diagnoses,procedures,total_cost\n2024,J18.900,,100\n",
    )
    .unwrap();
    let out = drgdip()
        .args(["dip", "build-catalog", "--input"])
        .arg(&hist)
        .arg("--output")
        .arg(tmp("dup.json"))
        .arg("--hospitals")
        .arg(&h)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"H01\" is listed twice"), "{err}");
}

#[test]
fn group_keeps_named_columns_and_rejects_unknown_ones() {
    let dir = std::env::temp_dir().join(format!("drgdip-keep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.csv");
    std::fs::write(
        &input,
        "id,gender,age,age_days,weight,dept,los,leaving_type,diagnoses,procedures,total_cost,note\n\
         k1,2,33,,,05,5,1,O82.000|Z37.000,74.1x01,8000.5,\"a, b\"\n",
    )
    .unwrap();
    let run = |keep: &str| {
        Command::new(env!("CARGO_BIN_EXE_drgdip"))
            .args(["group", "--scheme"])
            .arg(root().join("data/demo/scheme.json"))
            .arg("--input")
            .arg(&input)
            .args(["--output", "-", "--keep", keep])
            .output()
            .unwrap()
    };
    let ok = run("total_cost,note");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let text = String::from_utf8(ok.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,status,mdc,adrg,drg,drg_name,reason,total_cost,note")
    );
    assert!(lines.next().unwrap().ends_with(",8000.5,\"a, b\""));
    let bad = run("nope");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no column \"nope\""));
}
