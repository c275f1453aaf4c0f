//! The signals of a run as files: `signals.csv` (one row per signal on a stay),
//! `signal_findings.csv` (one row per hospital × ADRG finding), extra `hospitals.csv` columns (the
//! count of each signal per hospital) and a `signals` object for `summary.json`. [`write_run`] does
//! all four in a statement directory already written.
//!
//! Findings are on a hospital, not on a stay, so they have their own file rather than rows with an
//! empty id in `signals.csv`: every row of `signals.csv` names a stay, and every row of
//! `signal_findings.csv` a hospital and an ADRG. Both files are written whenever the policy has a
//! `[signals]` table (with only a header when nothing fired, or when the CC/MCC-rate rule did not
//! run), so their presence says the signals ran.

use std::path::Path;

use serde_json::{json, Value};
use settlement::signals::{SignalKind, Signals};

use super::run::RunCounts;
use crate::io::csv::write_row;
use crate::io::parquet::ColumnType;
use crate::io::rows::write_rows;

/// Columns of `signals.csv`: the stay, its hospital, the signal (`readmission`, `low_admission`,
/// `upcoding_cc`, `cost_transfer`, `long_stay`, `short_stay`), the other stay of a readmission
/// pair, the evidence in words and the rule's parameters with its source.
pub const SIGNALS_CSV_COLUMNS: [&str; 6] = [
    "id",
    "hospital",
    "signal",
    "related",
    "evidence",
    "parameters",
];

/// Columns of `signal_findings.csv`: hospital, ADRG, signal (`upcoding_rate`), the hospital's stays
/// in the ADRG (splits by CC/MCC only) and how many of them in a CC or MCC split, the evidence and
/// the parameters.
pub const FINDINGS_CSV_COLUMNS: [&str; 7] = [
    "hospital",
    "adrg",
    "signal",
    "stays",
    "with_cc_mcc",
    "evidence",
    "parameters",
];

/// The file names, in the output directory.
pub const SIGNALS_FILE: &str = "signals.csv";
/// See [`SIGNALS_FILE`].
pub const FINDINGS_FILE: &str = "signal_findings.csv";

/// Writes the per-stay signals (CSV, or Parquet when the name ends in `.parquet`), in the order of
/// [`Signals::cases`] (stay id, then signal). Returns the rows written.
pub fn signals_csv(path: &Path, s: &Signals) -> Result<u64, String> {
    let rows = s.cases.iter().map(|c| {
        [
            c.id.as_str(),
            c.hospital.as_str(),
            c.signal.as_str(),
            c.related.as_deref().unwrap_or(""),
            c.evidence.as_str(),
            c.parameters.as_str(),
        ]
    });
    write_rows(path, &SIGNALS_CSV_COLUMNS, &[ColumnType::Utf8; 6], rows)
}

/// Writes the hospital × ADRG findings (CSV, or Parquet by the name), by hospital then ADRG.
/// Returns the rows written.
pub fn findings_csv(path: &Path, s: &Signals) -> Result<u64, String> {
    use ColumnType::{Int64, Utf8};
    let rows = s.findings.iter().map(|f| {
        [
            f.hospital.clone(),
            f.adrg.clone(),
            f.signal.as_str().to_string(),
            f.stays.to_string(),
            f.with_cc_mcc.to_string(),
            f.evidence.clone(),
            f.parameters.clone(),
        ]
    });
    let types = [Utf8, Utf8, Utf8, Int64, Int64, Utf8, Utf8];
    write_rows(path, &FINDINGS_CSV_COLUMNS, &types, rows)
}

/// Writes [`SIGNALS_FILE`] and [`FINDINGS_FILE`] into `dir` (which must exist).
pub fn write_files(dir: &Path, s: &Signals) -> Result<(), String> {
    signals_csv(&dir.join(SIGNALS_FILE), s)?;
    findings_csv(&dir.join(FINDINGS_FILE), s)?;
    Ok(())
}

/// The extra `hospitals.csv` columns, one per signal in [`SignalKind::ALL`] order:
/// `signals_readmission`, `signals_low_admission`, `signals_upcoding_cc`, `signals_upcoding_rate`,
/// `signals_cost_transfer`, `signals_long_stay`, `signals_short_stay`. Each holds the hospital's
/// stays with that signal, except `signals_upcoding_rate`: the ADRGs where the hospital's CC/MCC
/// share fired. See [`hospital_signal_cells`].
pub fn hospital_signal_columns() -> Vec<String> {
    SignalKind::ALL
        .iter()
        .map(|k| format!("signals_{}", k.as_str()))
        .collect()
}

/// The cells of [`hospital_signal_columns`] for one hospital: a count (`0` included) for every
/// rule that ran, empty for a rule that did not (so "not checked" and "none found" differ).
pub fn hospital_signal_cells(s: &Signals, hospital: &str) -> Vec<String> {
    let h = s.hospital(hospital);
    SignalKind::ALL
        .iter()
        .map(|&k| {
            if s.rule(k).is_none() {
                return String::new();
            }
            let n = match k {
                SignalKind::UpcodingRate => h.and_then(|h| h.adrgs_flagged),
                _ => h.and_then(|h| h.count(k)),
            };
            n.unwrap_or(0).to_string()
        })
        .collect()
}

/// The `signals` object of `summary.json`: one entry per rule that ran (parameters with the
/// source, stays assessed, not assessed and fired), the regional CC/MCC shares compared against,
/// and the totals (stays with a signal, findings, points adjustments).
pub fn summary_json(s: &Signals) -> Value {
    let rules: Vec<Value> = s
        .rules
        .iter()
        .map(|r| {
            json!({
                "signal": r.signal.as_str(),
                "name_zh": r.signal.name_zh(),
                "per_stay": r.signal.is_per_stay(),
                "parameters": r.parameters,
                "assessed": r.assessed,
                "not_assessed": r.not_assessed,
                "fired": r.fired,
            })
        })
        .collect();
    let regional: Vec<Value> = s
        .regional
        .iter()
        .map(|r| {
            json!({
                "adrg": r.adrg,
                "stays": r.stays,
                "with_cc_mcc": r.with_cc_mcc,
                "rate": r.rate().map(|x| x.approx(4)),
            })
        })
        .collect();
    let mut flagged: Vec<&str> = s.cases.iter().map(|c| c.id.as_str()).collect();
    flagged.dedup();
    let stays: u64 = s.hospitals.iter().map(|h| h.stays).sum();
    json!({
        "stays": stays,
        "stays_with_signals": flagged.len(),
        "case_signals": s.cases.len(),
        "findings": s.findings.len(),
        "points_adjustments": s.adjustments.len(),
        "rules": rules,
        "regional_rates": regional,
    })
}

/// Adds the signals to a statement directory that already holds `hospitals.csv` and
/// `summary.json` (after `statement::write_summaries`): writes [`SIGNALS_FILE`] and
/// [`FINDINGS_FILE`], appends [`hospital_signal_columns`] to every row of `hospitals.csv` (the
/// file is rewritten; its other cells keep their bytes), and adds to `summary.json` a `signals`
/// object ([`summary_json`] with the run's counts under `run`).
pub fn write_run(dir: &Path, s: &Signals, counts: &RunCounts) -> Result<(), String> {
    write_files(dir, s)?;
    let path = dir.join("hospitals.csv");
    let name = path.display().to_string();
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice());
    let mut out = Vec::with_capacity(bytes.len() + 64 * 16);
    let mut hospital = None;
    for (i, row) in r.records().enumerate() {
        let row = row.map_err(|e| format!("{name}: {e}"))?;
        let mut cells: Vec<String> = row.iter().map(str::to_string).collect();
        match hospital {
            None => {
                hospital = Some(
                    cells
                        .iter()
                        .position(|c| c == "hospital")
                        .ok_or_else(|| format!("{name}: no column hospital"))?,
                );
                cells.extend(hospital_signal_columns());
            }
            Some(h) => {
                let code = cells
                    .get(h)
                    .ok_or_else(|| format!("{name} line {}: no hospital", i + 1))?;
                let extra = hospital_signal_cells(s, code);
                cells.extend(extra);
            }
        }
        write_row(&mut out, cells.iter().map(String::as_str));
    }
    std::fs::write(&path, out).map_err(|e| format!("cannot write {name}: {e}"))?;

    let path = dir.join("summary.json");
    let name = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut doc: Value = serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
    let mut signals = summary_json(s);
    signals["run"] = json!({
        "stays_in": counts.stays_in,
        "duplicates_left_out": counts.duplicates,
        "unreadable_columns": counts.unreadable,
        "first_problem": counts.first_problem,
        "groups_with_mean_los": counts.groups_with_mean_los,
    });
    let Some(obj) = doc.as_object_mut() else {
        return Err(format!("{name}: not a JSON object"));
    };
    obj.insert("signals".into(), signals);
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {name}: {e}"))
}

#[cfg(test)]
mod tests {
    use settlement::signals::{detect, SignalRules, Stay};

    use super::*;

    fn found() -> Signals {
        let rules = SignalRules::from_toml(
            "[signals.los]\nabove_days = 30\nbelow_days = 2\nsource = \"test, \\\"quoted\\\"\"\n",
            "test",
        )
        .unwrap();
        let stay = |id: &str, h: &str, los| Stay {
            id: id.into(),
            hospital: h.into(),
            group: "ES35".into(),
            los: Some(los),
            ..Stay::default()
        };
        detect(
            &rules,
            &[stay("a", "H1", 1), stay("b", "H1", 40), stay("c", "H2", 5)],
        )
        .unwrap()
    }

    #[test]
    fn hospital_cells_count_only_the_rules_that_ran() {
        let s = found();
        let cols = hospital_signal_columns();
        assert_eq!(cols.len(), 7);
        assert_eq!(cols[0], "signals_readmission");
        assert_eq!(cols[6], "signals_short_stay");
        assert_eq!(
            hospital_signal_cells(&s, "H1"),
            ["", "", "", "", "", "1", "1"]
        );
        assert_eq!(
            hospital_signal_cells(&s, "H2"),
            ["", "", "", "", "", "0", "0"]
        );
        assert_eq!(
            hospital_signal_cells(&s, "H9"),
            ["", "", "", "", "", "0", "0"]
        );
    }

    #[test]
    fn write_run_extends_a_statement_directory() {
        let dir = std::env::temp_dir().join(format!("drgdip-write-run-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let hospitals = "hospital,level,sharing_formula\nH1,3,\"a, b\"\nH2,2,\n";
        std::fs::write(dir.join("hospitals.csv"), hospitals).unwrap();
        std::fs::write(dir.join("summary.json"), "{\"counts\": {\"cases_in\": 3}}").unwrap();
        let counts = RunCounts {
            stays_in: 3,
            ..RunCounts::default()
        };
        write_run(&dir, &found(), &counts).unwrap();
        let got = std::fs::read_to_string(dir.join("hospitals.csv")).unwrap();
        assert_eq!(
            got,
            "hospital,level,sharing_formula,signals_readmission,signals_low_admission,\
             signals_upcoding_cc,signals_upcoding_rate,signals_cost_transfer,signals_long_stay,\
             signals_short_stay\nH1,3,\"a, b\",,,,,,1,1\nH2,2,,,,,,,0,0\n"
        );
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(v["counts"]["cases_in"], 3);
        assert_eq!(v["signals"]["case_signals"], 2);
        assert_eq!(v["signals"]["run"]["stays_in"], 3);
        let (signals, findings) = (
            std::fs::read_to_string(dir.join(SIGNALS_FILE)).unwrap(),
            std::fs::read_to_string(dir.join(FINDINGS_FILE)).unwrap(),
        );
        assert_eq!(signals.lines().count(), 3);
        assert!(signals.starts_with(
            "id,hospital,signal,related,evidence,parameters\na,H1,short_stay,,LOS 1 < 2 days,"
        ));
        assert!(signals.contains("\"above_days=30; below_days=2; source=test, \"\"quoted\"\"\"\n"));
        assert_eq!(
            findings,
            "hospital,adrg,signal,stays,with_cc_mcc,evidence,parameters\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn summary_lists_each_rule() {
        let v = summary_json(&found());
        assert_eq!(v["stays"], 3);
        assert_eq!(v["stays_with_signals"], 2);
        assert_eq!(v["rules"].as_array().unwrap().len(), 2);
        assert_eq!(v["rules"][0]["signal"], "long_stay");
        assert_eq!(v["rules"][0]["assessed"], 3);
        assert_eq!(v["rules"][0]["fired"], 1);
        assert_eq!(v["rules"][1]["name_zh"], "住院天数过短");
        assert_eq!(v["regional_rates"].as_array().unwrap().len(), 0);
    }
}
