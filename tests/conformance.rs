//! Conformance with the reference grouper (OpenDRG, Python) on the shared vectors.
//!
//! Every row goes through the single-record API and the batch API, with code mapping off (must agree
//! 100.00%) and on (must agree except the rows listed in `tests/DIFFERENCES.csv`, where the reference's
//! first-occurrence mapping defect decides the answer; with `MappingMode::ReferenceFirstOccurrence`
//! those rows agree too).

use std::collections::BTreeMap;

use grouper::{Grouper, MappingMode, Options, Scheme, Status};

use crate::harness::{fields, read_vectors, shared_file, VectorRow};

const NOMAP: Options = Options {
    map_codes: false,
    mapping_mode: MappingMode::PerCode,
};
const MAP: Options = Options {
    map_codes: true,
    mapping_mode: MappingMode::PerCode,
};
const MAP_REFERENCE: Options = Options {
    map_codes: true,
    mapping_mode: MappingMode::ReferenceFirstOccurrence,
};

/// A documented disagreement: (version, id) -> the full row
/// `version,id,reference_status,reference_drg,our_status,our_drg,reason`.
fn documented_differences() -> BTreeMap<(String, String), Vec<String>> {
    let text = include_str!("DIFFERENCES.csv");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    rdr.records()
        .map(|r| {
            let r = r.expect("DIFFERENCES.csv is valid CSV");
            assert_eq!(r.len(), 7, "DIFFERENCES.csv rows have 7 columns");
            (
                (r[0].to_string(), r[1].to_string()),
                r.iter().map(str::to_string).collect(),
            )
        })
        .collect()
}

/// Why a row differs: the code lists as the reference mapped them against per-code mapping.
fn mapping_reason(scheme: &Scheme, row: &VectorRow) -> String {
    let rec = row.record();
    let (_, ours) = Grouper::with_options(scheme, MAP).group_traced(&rec);
    let (_, theirs) = Grouper::with_options(scheme, MAP_REFERENCE).group_traced(&rec);
    let mut parts = Vec::new();
    if ours.diagnoses != theirs.diagnoses {
        parts.push(format!(
            "diagnoses {} map to [{}] per code but to [{}] by the reference",
            row.diagnoses,
            ours.diagnoses.join(" "),
            theirs.diagnoses.join(" ")
        ));
    }
    if ours.procedures != theirs.procedures {
        parts.push(format!(
            "procedures {} map to [{}] per code but to [{}] by the reference",
            row.procedures,
            ours.procedures.join(" "),
            theirs.procedures.join(" ")
        ));
    }
    format!(
        "first-occurrence mapping defect (FORMAT.md 2.1): {}",
        parts.join("; ")
    )
}

struct Outcome {
    rows: usize,
    /// id -> (expected, got) for rows that disagree.
    diffs: BTreeMap<String, ([String; 4], [String; 4])>,
}

fn run(scheme: &Scheme, rows: &[VectorRow], options: Options, mapped: bool) -> Outcome {
    let grouper = Grouper::with_options(scheme, options);
    let records: Vec<_> = rows.iter().map(VectorRow::record).collect();
    let batch = grouper.group_slice(&records);
    let streamed: Vec<_> = grouper.group_iter(records.iter().copied(), 1000).collect();
    let mut diffs = BTreeMap::new();
    let mut compared = 0;
    for ((row, rec), (b, st)) in rows.iter().zip(&records).zip(batch.iter().zip(&streamed)) {
        let single = grouper.group(rec);
        assert_eq!(
            &single, b,
            "batch API differs from single API on {}",
            row.id
        );
        assert_eq!(
            &single, st,
            "iterator API differs from single API on {}",
            row.id
        );
        assert_eq!(
            single.status != Status::Success,
            single.reason.is_some(),
            "{}: every non-success status, and only those, carries a reason",
            row.id
        );
        let want = if mapped { &row.mapped } else { &row.unmapped };
        if want[0] == "EXCEPTION" {
            // The reference raised (its own defect, or a comparison on a missing value): no answer.
            continue;
        }
        compared += 1;
        let got = fields(&single);
        if &got != want {
            diffs.insert(row.id.clone(), (want.clone(), got));
        }
    }
    Outcome {
        rows: compared,
        diffs,
    }
}

fn show(diffs: &BTreeMap<String, ([String; 4], [String; 4])>) -> String {
    diffs
        .iter()
        .take(20)
        .map(|(id, (w, g))| format!("  {id}: reference {w:?}, ours {g:?}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_main_version(version: &str) {
    let Some(vectors) = shared_file(&format!("vectors/{version}.csv")) else {
        return;
    };
    let Some(path) = shared_file(&format!("schemes/opendrg/{version}.json")) else {
        return;
    };
    let scheme = Scheme::load(&path).expect("scheme loads");
    let rows = read_vectors(&vectors);
    assert_eq!(rows.len(), 20_000, "{version}: vector file has 20,000 rows");

    let nomap = run(&scheme, &rows, NOMAP, false);
    assert_eq!(nomap.rows, rows.len());
    assert!(
        nomap.diffs.is_empty(),
        "{version} without mapping: {} of {} rows differ:\n{}",
        nomap.diffs.len(),
        nomap.rows,
        show(&nomap.diffs)
    );

    let map = run(&scheme, &rows, MAP, true);
    let documented_rows = documented_differences();
    let documented: Vec<String> = documented_rows
        .keys()
        .filter(|(v, _)| v == version)
        .map(|(_, id)| id.clone())
        .collect();
    let got: Vec<String> = map.diffs.keys().cloned().collect();
    if std::env::var_os("DRGDIP_PRINT_DIFFERENCES").is_some() {
        let by_id: BTreeMap<&str, &VectorRow> = rows.iter().map(|r| (r.id.as_str(), r)).collect();
        let mut w = csv::Writer::from_writer(Vec::new());
        for (id, (want, ours)) in &map.diffs {
            let reason = mapping_reason(&scheme, by_id[id.as_str()]);
            w.write_record([version, id, &want[0], &want[3], &ours[0], &ours[3], &reason])
                .unwrap();
        }
        print!("{}", String::from_utf8(w.into_inner().unwrap()).unwrap());
    }
    assert_eq!(
        got,
        documented,
        "{version} with mapping: the rows that differ are not exactly those in DIFFERENCES.csv:\n{}",
        show(&map.diffs)
    );

    for (id, (want, ours)) in &map.diffs {
        if let Some(doc) = documented_rows.get(&(version.to_string(), id.clone())) {
            assert_eq!(
                doc[2..6],
                [
                    want[0].clone(),
                    want[3].clone(),
                    ours[0].clone(),
                    ours[3].clone()
                ],
                "{version} {id}: DIFFERENCES.csv records other answers than today's"
            );
        }
    }

    let reference = run(&scheme, &rows, MAP_REFERENCE, true);
    assert!(
        reference.diffs.is_empty(),
        "{version} with the reference's first-occurrence mapping: {} rows differ:\n{}",
        reference.diffs.len(),
        show(&reference.diffs)
    );
    println!(
        "{version}: {} rows, 100.00% without mapping, {} documented differences with mapping",
        rows.len(),
        documented.len()
    );
}

#[test]
fn chs_drg_11_agrees_with_reference() {
    check_main_version("chs_drg_11");
}

#[test]
fn chongqing_2022_agrees_with_reference() {
    check_main_version("chongqing_2022");
}

#[test]
fn guangxi_2022_agrees_with_reference() {
    check_main_version("guangxi_2022");
}

#[test]
fn documented_differences_are_for_the_mapping_defect_only() {
    for ((version, id), row) in documented_differences() {
        let reason = &row[6];
        assert!(
            reason.contains("first-occurrence"),
            "{version} {id}: a documented difference must be the first-occurrence mapping defect, got {reason:?}"
        );
    }
}

/// The 25 other regional versions: 4,000 rows each. Rows where the reference itself raised
/// (`EXCEPTION`) have no answer and are left out; every other row must agree without mapping, and
/// with the reference's mapping mode when mapping is on.
#[test]
fn every_other_version_agrees_with_reference() {
    let Some(dir) = shared_file("vectors/more") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("vectors/more is readable")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 25, "vectors/more holds 25 versions");
    let mut failures = Vec::new();
    for f in files {
        let version = f.file_stem().unwrap().to_string_lossy().to_string();
        let scheme = Scheme::load(
            shared_file(&format!("schemes/opendrg/{version}.json")).expect("scheme for vectors"),
        )
        .expect("scheme loads");
        let rows = read_vectors(&f);
        let nomap = run(&scheme, &rows, NOMAP, false);
        let map = run(&scheme, &rows, MAP_REFERENCE, true);
        println!(
            "{version}: {} rows; without mapping {} compared, {} differ; with mapping {} compared, {} differ",
            rows.len(),
            nomap.rows,
            nomap.diffs.len(),
            map.rows,
            map.diffs.len()
        );
        if !nomap.diffs.is_empty() {
            failures.push(format!(
                "{version} without mapping:\n{}",
                show(&nomap.diffs)
            ));
        }
        if !map.diffs.is_empty() {
            failures.push(format!("{version} with mapping:\n{}", show(&map.diffs)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
