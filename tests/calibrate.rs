//! Calibration from history: a DIP catalog and DRG weights computed by hand, a property over random
//! histories (scores average to K, every row accounted for, the catalog compiles), and both
//! commands end to end.

use std::collections::BTreeMap;
use std::process::Command;

use drgdip::grouper::calibrate::drg::DrgWeigher;
use drgdip::grouper::calibrate::{Trim, YearWeights};
use drgdip::grouper::dip::calibrate::{
    DipCalibration, DipCalibrationReport, DipCalibrator, HistoryRecord,
};
use drgdip::grouper::dip::{DipCatalog, GroupKind, ProcedureAttr, TreatmentType};
use drgdip::grouper::Codes;
use proptest::prelude::*;

fn dictionary() -> DipCatalog {
    let attr = |code: &str, treatment_type| ProcedureAttr {
        code: code.into(),
        treatment_type,
    };
    DipCatalog::dictionary(
        "dictionary",
        vec![
            attr("51.2200", TreatmentType::Surgery),
            attr("88.0100", TreatmentType::Diagnostic),
            attr("96.0400", TreatmentType::Therapeutic),
            attr("39.7900", TreatmentType::Interventional),
        ],
        vec!["99.9900".into()],
    )
}

/// (year, principal, procedures, cost in yuan).
type Row<'a> = (i32, &'a str, &'a str, &'a str);

fn calibrate(rows: &[Row<'_>], min_cases: u64, trim: Trim) -> (DipCatalog, DipCalibrationReport) {
    let params = DipCalibration {
        min_cases,
        trim,
        ..DipCalibration::default()
    };
    let dict = dictionary();
    let mut cal = DipCalibrator::new(params, Some(&dict)).unwrap();
    for (i, &(year, principal, procs, cost)) in rows.iter().enumerate() {
        let r = HistoryRecord {
            year,
            principal,
            procedures: Codes::Joined(procs),
            total_cost: cost,
        };
        cal.add(i as u64 + 2, &r);
    }
    cal.finish().unwrap()
}

fn by_code(c: &DipCatalog) -> BTreeMap<&str, (GroupKind, f64, f64)> {
    c.groups
        .iter()
        .map(|g| (g.code.as_str(), (g.kind, g.avg_cost.unwrap(), g.score)))
        .collect()
}

/// Three years, one core combination of exactly 3 cases (threshold 3), one of 2 (folds), a
/// comprehensive conservative case.
const TABLE: [Row<'static>; 6] = [
    (2022, "K80.100", "51.2200", "1000"),
    (2023, "K80.101", "51.2200", "2000"),
    (2024, "K80.102", "51.2200|99.9900", "3000"),
    (2024, "K80.100", "51.2200|88.0100", "4000"),
    (2024, "K80.100", "88.0100|51.2200", "6000"),
    (2023, "K81.000", "", "500"),
];

#[test]
fn hand_computed_catalog_with_1_2_7_weights() {
    let (cat, rep) = calibrate(&TABLE, 3, Trim::None);
    let g = by_code(&cat);
    // Core K80.1 × 51.2200: (0.1·1000 + 0.2·2000 + 0.7·3000) / (0.1 + 0.2 + 0.7) = 2600.
    assert_eq!(g["K80.1-1"].0, GroupKind::Core);
    assert_eq!(g["K80.1-1"].1, 2600.0);
    // K80.1 × 51.2200+88.0100 has 2 cases (< 3): folded into K80 相关手术, both 2024: mean 5000.
    assert_eq!(
        g["K80-Z4"],
        (GroupKind::Comprehensive, 5000.0, g["K80-Z4"].2)
    );
    assert_eq!(g["K81-Z0"].1, 500.0);
    // All cases: (0.1·1000 + 0.2·(2000 + 500) + 0.7·(3000 + 4000 + 6000)) / (0.1 + 0.2·2 + 0.7·3)
    let mean = (100.0 + 500.0 + 9100.0) / 2.6;
    assert!((rep.overall_mean_cost - mean).abs() < 0.005);
    assert_eq!(
        g["K80.1-1"].2,
        ((2600.0 / mean * 100.0) * 1e4_f64).round() / 1e4
    );
    assert_eq!(g["K80.1-1"].2, 69.6907);
    assert_eq!(g["K80-Z4"].2, 134.0206);
    assert_eq!(g["K81-Z0"].2, 13.4021);
    assert_eq!((rep.core_cases, rep.cases_used), (3, 6));
    assert_eq!(rep.core_coverage, 0.5);
    assert!(!rep.meets_coverage_guideline);
    let w: Vec<f64> = rep.years.iter().map(|y| y.weight).collect();
    assert_eq!(w, [0.1, 0.2, 0.7]);

    // Threshold 2: the 2-case combination becomes core K80.1-2 (sequence by sorted combination).
    let (cat, rep) = calibrate(&TABLE, 2, Trim::None);
    let g = by_code(&cat);
    assert_eq!(g["K80.1-1"].1, 2600.0);
    assert_eq!(g["K80.1-2"], (GroupKind::Core, 5000.0, g["K80.1-2"].2));
    assert_eq!(cat.groups[1].procedures.as_deref(), Some("51.2200+88.0100"));
    assert_eq!(rep.core_coverage, 5.0 / 6.0);
    cat.compile("built").unwrap();
}

#[test]
fn trimming_is_per_group_and_the_mean_is_over_kept_cases() {
    // One group of 5 cases in one year: 100, 110, 120, 130, 1000.
    let mut rows: Vec<Row<'_>> = ["100", "110", "120", "130", "1000"]
        .iter()
        .map(|c| (2024, "J18.000", "", *c))
        .collect();
    rows.push((2024, "K35.800", "", "115"));
    // IQR: Q1 110, Q3 130, fences [80, 160]: 1000 goes; J18 mean 115 = K35 mean 115.
    let (cat, rep) = calibrate(&rows, 5, Trim::Iqr);
    let g = by_code(&cat);
    assert_eq!((rep.trimmed, g["J18.0-1"].1), (1, 115.0));
    assert_eq!(rep.overall_mean_cost, 115.0);
    assert_eq!(g["J18.0-1"].2, 100.0);
    assert_eq!(g["K35-Z0"].2, 100.0);
    // p10-90: P10 = 104, P90 = 652: 100 and 1000 go; mean (110 + 120 + 130) / 3 = 120.
    let (cat, rep) = calibrate(&rows, 5, Trim::Percentile { lo: 10.0, hi: 90.0 });
    assert_eq!((rep.trimmed, by_code(&cat)["J18.0-1"].1), (2, 120.0));
    // The one-case group keeps its case; the all-case mean is (360 + 115) / 4.
    assert_eq!(rep.overall_mean_cost, 118.75);
}

#[test]
fn drg_weights_by_hand() {
    let mut w = DrgWeigher::new(YearWeights::default(), Trim::None);
    w.add(2, 2023, "ES31", "1000");
    w.add(3, 2024, "ES31", "2000");
    w.add(4, 2024, "FT35", "4000");
    w.add(5, 2024, "FT35", "-1");
    w.skip_not_grouped();
    let (weights, report) = w.finish().unwrap();
    // Two years: 2:7. ES31 (2/9·1000 + 7/9·2000) / 1 = 1777.78; all (2000/9 + 42000/9) / (16/9) = 2750.
    let got: Vec<(&str, u64, f64, f64)> = weights
        .iter()
        .map(|x| (x.drg.as_str(), x.cases, x.mean_cost, x.weight))
        .collect();
    assert_eq!(
        got,
        [("ES31", 2, 1777.78, 0.6465), ("FT35", 1, 4000.0, 1.4545)]
    );
    assert_eq!(report.overall_mean_cost, 2750.0);
    assert_eq!(
        (
            report.rows_read,
            report.cases_used,
            report.rejections.count,
            report.skipped_not_grouped
        ),
        (5, 3, 1, 1)
    );
}

const PRINCIPALS: [&str; 6] = [
    "K80.100", "K80.101", "K80.200", "J18.000", "J18.900", "I10.x00",
];
const PROCEDURES: [&str; 6] = [
    "51.2200", "88.0100", "96.0400", "39.7900", "99.9900", "77.7777",
];

/// A random row: year offset, principal index, procedure indexes, cost text.
type RandomRow = (i32, usize, Vec<usize>, String);

/// A base year, rows, and the core threshold.
fn history() -> impl Strategy<Value = (i32, Vec<RandomRow>, u64)> {
    let row = (
        0..3i32,
        0..PRINCIPALS.len(),
        prop::collection::vec(0..PROCEDURES.len(), 0..3),
        prop_oneof![
            8 => (0u32..5_000_000).prop_map(|f| format!("{}.{:02}", f / 100, f % 100)),
            1 => Just("-1".to_string()),
            1 => Just("n/a".to_string()),
        ],
    );
    (2019..2024i32, prop::collection::vec(row, 1..120), 1u64..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn scores_average_to_k_and_every_row_is_counted((base, rows, min) in history()) {
        let owned: Vec<(i32, &str, String, &str)> = rows
            .iter()
            .map(|(y, p, pr, c)| {
                let procs: Vec<&str> = pr.iter().map(|&i| PROCEDURES[i]).collect();
                (base + y, PRINCIPALS[*p], procs.join("|"), c.as_str())
            })
            .collect();
        let table: Vec<Row<'_>> = owned.iter().map(|(y, p, pr, c)| (*y, *p, pr.as_str(), *c)).collect();
        let valid = rows.iter().filter(|r| r.3 != "-1" && r.3 != "n/a").count() as u64;
        if valid == 0 {
            return Ok(());
        }
        let params = DipCalibration { min_cases: min, ..DipCalibration::default() };
        let dict = dictionary();
        let mut cal = DipCalibrator::new(params, Some(&dict)).unwrap();
        for (i, &(year, principal, procs, cost)) in table.iter().enumerate() {
            cal.add(i as u64, &HistoryRecord { year, principal, procedures: Codes::Joined(procs), total_cost: cost });
        }
        let (cat, rep) = match cal.finish() {
            Ok(x) => x,
            // All valid costs zero: scores are undefined, and said so.
            Err(e) => { prop_assert!(e.to_string().contains("zero")); return Ok(()); }
        };
        prop_assert_eq!(rep.rows_read, table.len() as u64);
        prop_assert_eq!(rep.cases_used + rep.rejections.count, rep.rows_read);
        prop_assert_eq!(rep.cases_used, valid);

        // Each used case's group, found again from the catalog: its core combination, else its
        // comprehensive group (3 characters × treatment type).
        let weight: BTreeMap<i32, f64> = rep.years.iter().map(|y| (y.year, y.weight)).collect();
        let types: BTreeMap<&str, TreatmentType> =
            dict.procedures.iter().map(|p| (p.code.as_str(), p.treatment_type)).collect();
        let (mut num, mut den) = (0.0, 0.0);
        for &(year, principal, procs, cost) in &table {
            if cost == "-1" || cost == "n/a" {
                continue;
            }
            let mut codes: Vec<&str> = procs.split('|').filter(|c| !c.is_empty() && *c != "99.9900").collect();
            codes.sort_unstable();
            codes.dedup();
            let expr = (!codes.is_empty()).then(|| codes.join("+"));
            let core = cat.groups.iter().find(|g| {
                g.kind == GroupKind::Core && g.diagnosis == principal[..5] && g.procedures == expr
            });
            let group = core.or_else(|| {
                let t = codes.iter().filter_map(|c| types.get(c)).max_by_key(|t| t.rank())
                    .map_or(TreatmentType::Conservative, |t| t.reported());
                cat.groups.iter().find(|g| {
                    g.kind == GroupKind::Comprehensive && g.diagnosis == principal[..3] && g.treatment_type == Some(t)
                })
            });
            let group = group.expect("every used case has a group");
            num += weight[&year] * group.score;
            den += weight[&year];
        }
        prop_assert!((num / den - 100.0).abs() < 1e-4, "mean score {}", num / den);
        prop_assert_eq!(rep.core_groups + rep.comprehensive_groups, cat.groups.len());
        cat.compile("built").unwrap();
    }
}

fn drgdip() -> Command {
    Command::new(env!("CARGO_BIN_EXE_drgdip"))
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("drgdip-calibrate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn cli_builds_a_catalog_that_loads_and_compiles() {
    let input = tmp("history.csv");
    let mut csv = String::from("id,year,diagnoses,procedures,total_cost,dept\n");
    for (i, (year, dx, procs, cost)) in TABLE.iter().enumerate() {
        csv.push_str(&format!("{i},{year},{dx}|I10.x00,\"{procs}\",{cost},x\n"));
    }
    csv.push_str("9,2024,K80.100,,-20,x\n");
    std::fs::write(&input, csv).unwrap();
    let dict = tmp("dictionary.json");
    std::fs::write(&dict, serde_json::to_string(&dictionary()).unwrap()).unwrap();
    let (output, report) = (tmp("built.json"), tmp("report.json"));
    let res = drgdip()
        .args([
            "dip",
            "build-catalog",
            "--min-cases",
            "3",
            "--trim",
            "iqr",
            "--input",
        ])
        .arg(&input)
        .arg("--dictionary")
        .arg(&dict)
        .arg("--output")
        .arg(&output)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{stderr}");
    assert!(
        stderr.contains("core coverage 50.00% of cases (below the guideline of 85%)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 8: total_cost: -20 is negative"),
        "{stderr}"
    );
    let cat = DipCatalog::load(&output).unwrap();
    assert!(cat.provenance.contains("min_cases 3") && cat.provenance.contains("trim iqr"));
    assert_eq!(cat.groups.len(), 3);
    assert_eq!(
        (cat.procedures.len(), cat.excluded_procedures.len()),
        (4, 1)
    );
    assert_eq!(cat.groups[0].avg_cost, Some(2600.0));
    cat.compile("built.json").unwrap();
    let rep: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(rep["rejections"]["count"], 1);
    assert_eq!(rep["cases_used"], 6);

    // More years than weights: an error naming the years.
    let res = drgdip()
        .args(["dip", "build-catalog", "--year-weights", "3:7", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(tmp("never.json"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(
        !res.status.success() && stderr.contains("3 years (2022, 2023, 2024)"),
        "{stderr}"
    );
}

#[test]
fn cli_drg_weights_by_hand() {
    let input = tmp("grouped.csv");
    std::fs::write(
        &input,
        "id,status,year,drg,total_cost\n1,SUCCESS,2023,ES31,1000\n2,SUCCESS,2024,ES31,2000\n\
         3,SUCCESS,2024,FT35,4000\n4,FAIL,2024,,\n5,SUCCESS,2024,FT35,x\n",
    )
    .unwrap();
    let output = tmp("weights.csv");
    let res = drgdip()
        .args(["drg", "weights", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{stderr}");
    assert!(
        stderr.contains("5 rows read, 3 cases used, 1 not grouped, 1 rejected"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "drg,cases,mean_cost,weight\nES31,2,1777.78,0.6465\nFT35,1,4000.00,1.4545\n"
    );
}
