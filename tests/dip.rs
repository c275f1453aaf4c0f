//! DIP conformance with the public Node-DIP grouper on `../shared/dip/` (both of its strategies), via
//! the library and the CLI, and the documented departures of the national policy.

use drgdip::io::row::Row;
use std::collections::BTreeMap;
use std::process::Command;

use drgdip::cli::dip::load_catalog;
use drgdip::grouper::dip::policy::divergences;
use drgdip::grouper::dip::{CompiledCatalog, DipGrouper, DipGrouping, DipPolicy, DipStatus};
use drgdip::io::csv::DipColumns;

use crate::harness::shared_file;

/// The expected columns compared, with the suffix of each preset in `cases.csv`.
const EXACT: [&str; 5] = [
    "status",
    "dip_code",
    "dip_type",
    "treatment_type",
    "deviation",
];
const CLOSE: [&str; 2] = ["supplement_factor", "settle_score"];

struct Cases {
    header: Row,
    rows: Vec<Row>,
    col: BTreeMap<String, usize>,
}

fn cases() -> Option<(CompiledCatalog, Cases)> {
    let catalog = load_catalog(&shared_file("dip/catalog.json")?).expect("reference catalog loads");
    let path = shared_file("dip/cases.csv")?;
    let mut rdr = csv::ReaderBuilder::new().from_path(&path).unwrap();
    let header = Row::from(rdr.byte_headers().unwrap());
    let col = header
        .iter()
        .enumerate()
        .map(|(i, h)| (String::from_utf8_lossy(h).into_owned(), i))
        .collect();
    let rows: Vec<Row> = rdr.byte_records().map(|r| Row::from(&r.unwrap())).collect();
    assert_eq!(rows.len(), 8142, "cases.csv holds 8,142 records");
    Some((catalog, Cases { header, rows, col }))
}

fn cell<'a>(c: &Cases, row: &'a Row, name: &str) -> &'a str {
    std::str::from_utf8(&row[c.col[name]]).unwrap()
}

/// Our answer for the compared columns, as strings in the vectors' vocabulary.
fn ours(g: &DipGrouping<'_>) -> BTreeMap<&'static str, String> {
    let ok = g.status == DipStatus::Ok;
    let mut m = BTreeMap::new();
    m.insert("status", g.status.as_str().to_string());
    m.insert(
        "dip_code",
        g.group
            .filter(|_| ok)
            .map_or(String::new(), |x| x.code.clone()),
    );
    m.insert(
        "dip_type",
        g.kind.filter(|_| ok).map_or("", |k| k.as_str()).to_string(),
    );
    m.insert(
        "treatment_type",
        g.treatment_type
            .filter(|_| ok)
            .map_or("", |t| t.as_str())
            .to_string(),
    );
    m.insert(
        "deviation",
        g.deviation
            .filter(|_| ok)
            .map_or("", |d| d.as_str())
            .to_string(),
    );
    m.insert(
        "supplement_factor",
        g.supplement
            .filter(|_| ok)
            .map_or(String::new(), |s| s.factor.to_string()),
    );
    m.insert(
        "settle_score",
        if ok {
            g.settle_score.to_string()
        } else {
            String::new()
        },
    );
    m
}

fn close(a: &str, b: &str) -> bool {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => (x - y).abs() <= 1e-6 * x.abs().max(y.abs()).max(1e-12),
        _ => a == b,
    }
}

/// Compares answers with the expected columns (`suffix` = "" or "_xiaogan"); returns the mismatches.
fn compare(
    c: &Cases,
    suffix: &str,
    answer: impl Fn(usize) -> BTreeMap<&'static str, String>,
) -> Vec<String> {
    let mut bad = Vec::new();
    for (i, row) in c.rows.iter().enumerate() {
        let got = answer(i);
        for name in EXACT.iter().chain(&CLOSE) {
            let want = cell(c, row, &format!("{name}{suffix}"));
            let ok = if CLOSE.contains(name) {
                close(want, &got[name])
            } else {
                want == got[name]
            };
            if !ok {
                bad.push(format!(
                    "{} ({}): {name} expected {want:?}, got {:?}",
                    cell(c, row, "id"),
                    cell(c, row, "origin"),
                    got[name]
                ));
            }
        }
    }
    bad
}

fn library_agrees(preset: &str, suffix: &str) {
    let Some((catalog, c)) = cases() else {
        return;
    };
    let policy = DipPolicy::preset(preset).unwrap();
    let g = DipGrouper::new(&catalog, &policy);
    let cols = DipColumns::from_header(&c.header).unwrap();
    let bad = compare(&c, suffix, |i| {
        ours(&g.group(&cols.record(&c.rows[i]).unwrap()))
    });
    assert!(
        bad.is_empty(),
        "{preset}: {} mismatches:\n{}",
        bad.len(),
        bad[..bad.len().min(20)].join("\n")
    );
    // The traced path gives the same answers.
    for row in c.rows.iter().take(500) {
        let r = cols.record(row).unwrap();
        let (a, b) = (g.group(&r), g.group_traced(&r));
        assert_eq!(ours(&a), ours(&b));
        if b.status == DipStatus::Ok {
            assert_eq!(
                b.candidates
                    .iter()
                    .filter(|x| x.removed_by.is_none())
                    .count(),
                1,
                "one chosen"
            );
        }
    }
}

#[test]
fn nodedip_base_reproduced_by_the_library() {
    library_agrees("nodedip-base", "");
}

#[test]
fn nodedip_xiaogan_reproduced_by_the_library() {
    library_agrees("nodedip-xiaogan", "_xiaogan");
}

#[test]
fn both_presets_reproduced_by_the_cli() {
    let Some((_, c)) = cases() else {
        return;
    };
    for (preset, suffix) in [("nodedip-base", ""), ("nodedip-xiaogan", "_xiaogan")] {
        let out =
            std::env::temp_dir().join(format!("drgdip-dip-{}-{preset}.csv", std::process::id()));
        let res = Command::new(env!("CARGO_BIN_EXE_drgdip"))
            .args(["dip", "group", "--policy", preset, "--catalog"])
            .arg(shared_file("dip/catalog.json").unwrap())
            .arg("--input")
            .arg(shared_file("dip/cases.csv").unwrap())
            .arg("--output")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            res.status.success(),
            "{}",
            String::from_utf8_lossy(&res.stderr)
        );
        let mut rdr = csv::Reader::from_path(&out).unwrap();
        let h = rdr.headers().unwrap().clone();
        for required in [
            "id",
            "status",
            "dip_code",
            "dip_type",
            "treatment_type",
            "supplement_factor",
            "deviation",
            "settle_score",
        ] {
            assert!(h.iter().any(|x| x == required), "output column {required}");
        }
        let got: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
        assert_eq!(got.len(), c.rows.len(), "one output row per input row");
        let pos = |n: &str| h.iter().position(|x| x == n).unwrap();
        let bad = compare(&c, suffix, |i| {
            assert_eq!(&got[i][0], cell(&c, &c.rows[i], "id"), "input order kept");
            EXACT
                .iter()
                .chain(&CLOSE)
                .map(|n| (*n, got[i][pos(n)].to_string()))
                .collect()
        });
        assert!(
            bad.is_empty(),
            "CLI {preset}: {} mismatches:\n{}",
            bad.len(),
            bad[..bad.len().min(20)].join("\n")
        );
    }
}

/// The table in docs/DIP.md: per switch, how many cases change when it alone takes its national
/// value.
#[test]
fn documented_departures_from_the_reference_hold() {
    let Some((catalog, c)) = cases() else {
        return;
    };
    let doc = include_str!("../docs/DIP.md");
    let documented = |switch: &str| -> usize {
        let line = doc
            .lines()
            .find(|l| {
                l.starts_with(&format!("| `{switch}` |"))
                    || (switch == "all" && l.starts_with("| all (national policy)"))
            })
            .unwrap_or_else(|| panic!("docs/DIP.md has no row for {switch}"));
        line.split('|').nth(3).unwrap().trim().parse().unwrap()
    };
    let cols = DipColumns::from_header(&c.header).unwrap();
    let records: Vec<_> = c.rows.iter().map(|r| cols.record(r).unwrap()).collect();
    let base = DipPolicy::nodedip_base();
    let g0 = DipGrouper::new(&catalog, &base);
    let before: Vec<String> = records.iter().map(|r| g0.group(r).outcome()).collect();
    let changed = |p: &DipPolicy| {
        let g = DipGrouper::new(&catalog, p);
        records
            .iter()
            .zip(&before)
            .filter(|(r, b)| g.group(r).outcome() != **b)
            .count()
    };
    let mut all_moved = base.clone();
    for d in divergences() {
        let mut p = base.clone();
        (d.apply)(&mut p);
        (d.apply)(&mut all_moved);
        assert_eq!(
            changed(&p),
            documented(d.switch),
            "cases changed by {}",
            d.switch
        );
    }
    // Moving every switch gives exactly the national policy (no undocumented difference).
    all_moved.name = "national".into();
    assert_eq!(
        all_moved,
        DipPolicy::national(),
        "every national/base difference is a documented divergence"
    );
    assert_eq!(changed(&DipPolicy::national()), documented("all"));
}
