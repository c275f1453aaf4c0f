//! The demo DRG weights are what `scripts/build-demo-weights.sh` builds (generated history ->
//! `drgdip group --keep year,total_cost` -> `drgdip drg weights`), and `--keep` carries columns.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn demo_weights_are_what_the_script_builds() {
    let out = std::env::temp_dir().join(format!("drgdip-weights-{}.csv", std::process::id()));
    let res = Command::new("sh")
        .arg(root().join("scripts/build-demo-weights.sh"))
        .arg(&out)
        .env("DRGDIP", env!("CARGO_BIN_EXE_drgdip"))
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let built = std::fs::read_to_string(&out).unwrap();
    let committed = std::fs::read_to_string(root().join("data/demo/drg-weights.csv")).unwrap();
    assert!(
        built == committed,
        "data/demo/drg-weights.csv differs from what scripts/build-demo-weights.sh builds: rerun it and commit"
    );
    // Every demo DRG that the generator produces has a positive weight, and the header is the contract.
    let mut lines = committed.lines();
    assert_eq!(lines.next(), Some("drg,cases,mean_cost,weight"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.len() >= 20, "{} DRGs", rows.len());
    for r in &rows {
        assert!(r[3].parse::<f64>().unwrap() > 0.0, "{r:?}");
    }
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
