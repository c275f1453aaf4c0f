//! `drgdip group` end to end: the vectors through the binary, and rows a real export can contain
//! that are not records at all.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::harness::{read_vectors, shared_file};

fn drgdip() -> Command {
    Command::new(env!("CARGO_BIN_EXE_drgdip"))
}

/// Runs `drgdip group --scheme S --input I --output O [extra...]`.
fn run_group(scheme: &Path, input: &Path, output: &Path, extra: &[&str]) -> std::process::Output {
    drgdip()
        .arg("group")
        .args(extra)
        .arg("--scheme")
        .arg(scheme)
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(output)
        .output()
        .unwrap()
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("drgdip-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Reads an output CSV into rows of strings (header included).
fn read_output(p: &Path) -> Vec<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(p)
        .unwrap();
    rdr.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn cli_matches_vectors(version: &str) {
    let Some(vectors) = shared_file(&format!("vectors/{version}.csv")) else {
        return;
    };
    let Some(scheme) = shared_file(&format!("schemes/opendrg/{version}.json")) else {
        return;
    };
    let rows = read_vectors(&vectors);
    let documented: Vec<String> = include_str!("DIFFERENCES.csv")
        .lines()
        .skip(1)
        .filter(|l| l.starts_with(&format!("{version},")))
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect();
    for mapped in [false, true] {
        let out = tmp(&format!("{version}-{mapped}.csv"));
        let flag = if mapped {
            "--map-codes"
        } else {
            "--no-map-codes"
        };
        let res = run_group(&scheme, &vectors, &out, &[flag]);
        assert!(
            res.status.success(),
            "{}",
            String::from_utf8_lossy(&res.stderr)
        );
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert!(
            stderr.contains("20000 rows"),
            "summary line counts rows: {stderr}"
        );
        let got = read_output(&out);
        assert_eq!(
            got[0][..7],
            ["id", "status", "mdc", "adrg", "drg", "drg_name", "reason"]
        );
        assert_eq!(got.len() - 1, rows.len(), "one output row per input row");
        let mut differ = Vec::new();
        let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
        for (row, out) in rows.iter().zip(&got[1..]) {
            assert_eq!(out[0], row.id, "output keeps input order");
            *by_status.entry(out[1].clone()).or_default() += 1;
            let want = if mapped { &row.mapped } else { &row.unmapped };
            if out[1..5] != want[..] {
                differ.push(row.id.clone());
            }
        }
        for (status, n) in &by_status {
            assert!(
                stderr.contains(&format!("{status} {n}")),
                "summary reports {status} {n}: {stderr}"
            );
        }
        if mapped {
            assert_eq!(
                differ, documented,
                "{version}: mapped rows differing via the CLI"
            );
        } else {
            assert!(
                differ.is_empty(),
                "{version}: {} rows differ: {:?}",
                differ.len(),
                &differ[..differ.len().min(5)]
            );
        }
    }
}

#[test]
fn cli_chs_drg_11_matches_vectors() {
    cli_matches_vectors("chs_drg_11");
}

#[test]
fn cli_chongqing_2022_matches_vectors() {
    cli_matches_vectors("chongqing_2022");
}

#[test]
fn cli_guangxi_2022_matches_vectors() {
    cli_matches_vectors("guangxi_2022");
}

#[test]
fn unreadable_rows_are_reported_not_dropped() {
    let Some(scheme) = shared_file("schemes/opendrg/chs_drg_11.json") else {
        return;
    };
    let input = tmp("bad.csv");
    let mut bytes =
        b"extra,id,gender,age,age_days,weight,dept,los,leaving_type,diagnoses,procedures\n"
            .to_vec();
    bytes.extend_from_slice(b"x,ok-1,2,76,27781,,04,3,1,I06.200|S02.700|I06.100,\n");
    bytes.extend_from_slice(b"x,short-2,1,67\n");
    bytes.extend_from_slice(b"x,badutf8-3,1,67,,,03,9,1,I21.0\xff\xfe,\n");
    bytes.extend_from_slice(b"x,age-4,1,abc,,,03,9,1,I21.000,\n");
    bytes.extend_from_slice(b"x,\"quoted,id-5\",2,30,,,03,4,1,O80.000,\n");
    std::fs::write(&input, &bytes).unwrap();
    let out = tmp("bad.out.csv");
    let res = run_group(&scheme, &input, &out, &[]);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let got = read_output(&out);
    assert_eq!(got.len(), 6, "header + one row per input row");
    let ids: Vec<&str> = got[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        ["ok-1", "short-2", "badutf8-3", "age-4", "quoted,id-5"]
    );
    assert_eq!(got[1][1], "SUCCESS");
    assert_eq!(got[2][1], "UNREADABLE");
    assert!(
        got[2][6].contains("line 3") && got[2][6].contains("4 fields"),
        "{:?}",
        got[2]
    );
    assert_eq!(got[3][1], "UNREADABLE");
    assert!(
        got[3][6].contains("diagnoses") && got[3][6].contains("UTF-8"),
        "{:?}",
        got[3]
    );
    assert_eq!(got[4][1], "CHECK_FAILED");
    assert!(got[4][6].starts_with("age"), "{:?}", got[4]);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(
        stderr.contains("UNREADABLE 2") && stderr.contains("5 rows"),
        "{stderr}"
    );
}

#[test]
fn missing_column_is_a_clear_error() {
    let Some(scheme) = shared_file("schemes/opendrg/chs_drg_11.json") else {
        return;
    };
    let input = tmp("nocol.csv");
    std::fs::write(&input, "id,gender,age\n1,1,40\n").unwrap();
    let res = run_group(&scheme, &input, &tmp("nocol.out.csv"), &[]);
    assert_eq!(res.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(stderr.contains("no column \"age_days\""), "{stderr}");
}

#[test]
fn trace_column_explains_the_split() {
    let Some(scheme) = shared_file("schemes/opendrg/chs_drg_11.json") else {
        return;
    };
    let input = tmp("trace.csv");
    std::fs::write(
        &input,
        "id,gender,age,age_days,weight,dept,los,leaving_type,diagnoses,procedures\n\
         t1,2,76,27781,,04,3,1,I06.200|S02.700|I06.100,\n",
    )
    .unwrap();
    let out = tmp("trace.out.csv");
    let res = run_group(&scheme, &input, &out, &["--trace"]);
    assert!(res.status.success());
    let got = read_output(&out);
    assert_eq!(got[0][7], "trace");
    assert_eq!(got[1][4], "FT31");
    let trace = &got[1][7];
    assert!(trace.contains("MDCF entry yes"), "{trace}");
    assert!(trace.contains("FT3 -> FT31 yes: has_mcc: yes"), "{trace}");
    assert!(trace.contains("has_mcc=true"), "{trace}");
}

/// The project's own sample file states, per row, what chs_drg_11 gives it.
#[test]
fn sample_discharges_group_as_documented() {
    let Some(scheme) = shared_file("schemes/opendrg/chs_drg_11.json") else {
        return;
    };
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample-discharges.csv");
    let out = tmp("sample.out.csv");
    let res = run_group(&scheme, &input, &out, &[]);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let mut rdr = csv::Reader::from_path(&input).unwrap();
    let h = rdr.headers().unwrap().clone();
    let e = h.iter().position(|c| c == "expected_chs_drg_11").unwrap();
    let expected: Vec<(String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[e].to_string())
        })
        .collect();
    let got = read_output(&out);
    assert_eq!(got.len() - 1, expected.len());
    for ((id, want), row) in expected.iter().zip(&got[1..]) {
        assert_eq!(&row[0], id);
        let shown = if row[1] == "SUCCESS" {
            &row[4]
        } else {
            &row[1]
        };
        assert_eq!(shown, want, "{id}: {row:?}");
    }
}
