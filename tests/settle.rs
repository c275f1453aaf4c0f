//! `drgdip settle` end to end: the file contract (cases.csv, hospitals.csv, summary.json,
//! rejected.csv), every row accounted for, point-value pools closed to the fen at every level
//! (pool = Σ hospitals = Σ cases), and weights calibrated from a history grouped with a real scheme.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::harness::shared_file;
use crate::harness::{self, col, drgdip, ok, read_csv};

fn tmp(name: &str) -> PathBuf {
    harness::tmp("settle", name)
}

fn gen(out: &Path, cases: u64, extra: &[&str]) {
    ok(drgdip()
        .args(["gen", "--cases", &cases.to_string(), "--seed", "7", "--out"])
        .arg(out)
        .args(extra));
}

/// A `summary.json` without its lines naming input files (two runs on copies of the same cases
/// differ only there).
fn without_file_names(summary: &str) -> String {
    summary
        .lines()
        .filter(|l| !l.contains("\"file\""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks the contract of an output directory; returns the summary.
fn check_statement(dir: &Path, rows_in: usize) -> serde_json::Value {
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let counts = &summary["counts"];
    let (ch, cases) = read_csv(&dir.join("cases.csv"));
    let (_, rejected) = read_csv(&dir.join("rejected.csv"));
    assert_eq!(counts["cases_in"], rows_in as u64);
    assert_eq!(counts["cases_settled"], cases.len() as u64);
    assert_eq!(counts["cases_rejected"], rejected.len() as u64);
    assert_eq!(
        cases.len() + rejected.len(),
        rows_in,
        "every row in comes out"
    );
    assert!(
        rejected.iter().all(|r| !r[1].is_empty()),
        "a reason for every rejection"
    );
    // Per pool: Σ case fund = paid (before capitation); point-value pools pay the distributable
    // amount exactly.
    let mut by_pool: HashMap<String, i64> = HashMap::new();
    let (pool, fund) = (col(&ch, "pool"), col(&ch, "fund_fen"));
    for c in &cases {
        *by_pool.entry(c[pool].clone()).or_default() += c[fund].parse::<i64>().unwrap();
    }
    let pools = summary["pools"].as_array().unwrap();
    assert!(!pools.is_empty());
    for p in pools {
        let id = p["id"].as_str().unwrap();
        let paid = p["paid_fen"].as_i64().unwrap();
        let cap = p["capitation_fen"].as_i64().unwrap();
        assert_eq!(
            by_pool.get(id).copied().unwrap_or(0) + cap,
            paid,
            "pool {id}"
        );
        for key in ["budget_fen", "reserve_fen", "distributable_fen", "paid_fen"] {
            assert!(p[key].is_i64(), "pool {id} {key}");
        }
        assert_eq!(
            p["budget_fen"].as_i64().unwrap() - p["reserve_fen"].as_i64().unwrap(),
            p["distributable_fen"].as_i64().unwrap()
        );
        match p["closure"].as_str().unwrap() {
            "point_value" => {
                assert_eq!(paid, p["distributable_fen"].as_i64().unwrap(), "pool {id}");
                assert!(p["point_value"].is_string());
            }
            "rate" | "actual" => {}
            other => panic!("closure {other}"),
        }
    }
    // Hospitals: Σ payment = Σ case fund.
    let (hh, hospitals) = read_csv(&dir.join("hospitals.csv"));
    let pay = col(&hh, "payment_fen");
    let total_h: i64 = hospitals
        .iter()
        .map(|h| h[pay].parse::<i64>().unwrap())
        .sum();
    let total_c: i64 = cases.iter().map(|c| c[fund].parse::<i64>().unwrap()).sum();
    assert_eq!(total_h, total_c);
    summary
}

#[test]
fn demo_policy_settles_a_generated_month_to_the_fen() {
    let input = tmp("month.csv");
    gen(&input, 4000, &[]);
    let out = tmp("month-out");
    let err = ok(drgdip()
        .args(["settle", "--cases"])
        .arg(&input)
        .arg("--out")
        .arg(&out));
    assert!(err.contains("4000 cases in"), "{err}");
    let summary = check_statement(&out, 4000);
    assert_eq!(summary["policy"]["name"], "drgdip demo region");
    // The demo policy uses every inpatient route the generated month can reach.
    let routes = &summary["routes"];
    for r in ["drg", "per_diem", "fixed_rate", "exclusion"] {
        assert!(
            routes[r]["cases"].as_u64().unwrap() > 0,
            "route {r}: {routes}"
        );
    }
    // Bad rows (negative costs) are rejected with the field named.
    let (_, rejected) = read_csv(&out.join("rejected.csv"));
    assert!(rejected.iter().any(|r| r[1].contains("total_cost")));
    // A case formula names the coefficient components.
    let (ch, cases) = read_csv(&out.join("cases.csv"));
    let f = col(&ch, "formula");
    assert!(cases
        .iter()
        .any(|c| c[f].contains("level 1.05 × cmi_incentive 1.02")));
}

#[test]
fn stored_and_compressed_spills_settle_alike_and_leave_no_file_behind() {
    let input = tmp("spill.csv");
    gen(&input, 2500, &[]);
    let (plain, packed) = (tmp("spill-plain"), tmp("spill-lz4"));
    for (out, extra) in [(&plain, Some("--uncompressed-spill")), (&packed, None)] {
        ok(drgdip()
            .args(["settle", "--cases"])
            .arg(&input)
            .arg("--out")
            .arg(out)
            .args(extra));
        let mut names: Vec<String> = std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["cases.csv", "hospitals.csv", "rejected.csv", "summary.json"],
            "{extra:?}"
        );
    }
    for f in ["cases.csv", "hospitals.csv", "rejected.csv", "summary.json"] {
        let x = std::fs::read_to_string(plain.join(f)).unwrap();
        let y = std::fs::read_to_string(packed.join(f)).unwrap();
        if f == "summary.json" {
            assert_eq!(without_file_names(&x), without_file_names(&y), "{f}");
        } else {
            assert_eq!(x, y, "{f}");
        }
    }
}

#[test]
fn same_cases_in_another_order_give_the_same_fen() {
    let input = tmp("order.csv");
    gen(&input, 1500, &[]);
    let text = std::fs::read_to_string(&input).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let reversed = tmp("order-reversed.csv");
    std::fs::write(&reversed, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    let (a, b) = (tmp("order-a"), tmp("order-b"));
    for (i, o) in [(&input, &a), (&reversed, &b)] {
        ok(drgdip()
            .args(["settle", "--cases"])
            .arg(i)
            .arg("--out")
            .arg(o));
    }
    for f in ["cases.csv", "hospitals.csv", "summary.json"] {
        let x = std::fs::read_to_string(a.join(f)).unwrap();
        let y = std::fs::read_to_string(b.join(f)).unwrap();
        if f == "summary.json" {
            // The file names differ; everything else must not.
            assert_eq!(without_file_names(&x), without_file_names(&y), "{f}");
        } else if f == "cases.csv" {
            // Cases come out in input order; each case's row (its fen included) must not change.
            let sorted = |s: &str| {
                let mut v: Vec<String> = s.lines().map(str::to_string).collect();
                v.sort();
                v
            };
            assert_eq!(x.lines().next(), y.lines().next());
            assert_eq!(sorted(&x), sorted(&y), "{f}");
            assert_ne!(x, y, "the reversed input should give reversed rows");
        } else {
            assert_eq!(x, y, "{f}");
        }
    }
}

#[test]
fn weights_calibrate_from_a_history_grouped_with_a_real_scheme() {
    let Some(scheme) = shared_file("schemes/opendrg/chs_drg_11.json") else {
        return;
    };
    let history = tmp("history.csv");
    ok(drgdip()
        .args([
            "gen",
            "--cases",
            "6000",
            "--years",
            "2022-2024",
            "--months",
            "12",
            "--scheme",
        ])
        .arg(&scheme)
        .arg("--out")
        .arg(&history));
    let month = tmp("real-month.csv");
    gen(&month, 2000, &["--scheme", scheme.to_str().unwrap()]);
    let out = tmp("real-out");
    let err = ok(drgdip()
        .args(["settle", "--scheme"])
        .arg(&scheme)
        .arg("--history")
        .arg(&history)
        .arg("--cases")
        .arg(&month)
        .arg("--out")
        .arg(&out));
    assert!(err.contains("weights calibrated from"), "{err}");
    check_statement(&out, 2000);
    // The calibrated table is kept with the statement, and the month's DRGs found their weights.
    let (wh, weights) = read_csv(&out.join("drg-weights.csv"));
    assert!(weights.len() > 5);
    let (ch, cases) = read_csv(&out.join("cases.csv"));
    let (route, note) = (col(&ch, "route"), col(&ch, "note"));
    let drg = cases.iter().filter(|c| c[route] == "drg").count();
    assert!(
        drg * 10 > cases.len() * 8,
        "{drg} of {} by DRG",
        cases.len()
    );
    assert!(!cases.iter().any(|c| c[note].contains("no weight")));
    let _ = wh;
}

#[test]
fn a_bad_policy_names_the_key_to_fix() {
    let p = tmp("bad-policy.toml");
    let demo = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/demo/policy.toml"),
    )
    .unwrap();
    std::fs::write(
        &p,
        demo.replacen("reserve_share = 0.05", "reserve_share = 1.5", 1),
    )
    .unwrap();
    let out = drgdip()
        .args(["settle", "--policy"])
        .arg(&p)
        .args(["--cases", "-", "--out"])
        .arg(tmp("bad-out"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("pools[0].reserve_share"), "{err}");
}

#[test]
fn approved_special_review_cases_beyond_the_quota_are_paid_as_the_bundle_would() {
    // Approve every DRG case of one hospital: the demo quota (5% of the hospital's cases, rounded
    // down) honours the first approved cases in id order; the rest keep their bundle pricing.
    let input = tmp("review.csv");
    gen(&input, 3000, &[]);
    let plain = tmp("review-plain");
    ok(drgdip()
        .args(["settle", "--cases"])
        .arg(&input)
        .arg("--out")
        .arg(&plain));
    let (ch, cases) = read_csv(&plain.join("cases.csv"));
    let (id, hosp, route, note, fund) = (
        col(&ch, "id"),
        col(&ch, "hospital"),
        col(&ch, "route"),
        col(&ch, "note"),
        col(&ch, "fund_fen"),
    );
    let hospital = "H01";
    let mine: Vec<&Vec<String>> = cases.iter().filter(|c| c[hosp] == hospital).collect();
    let mut approved: Vec<String> = mine
        .iter()
        .filter(|c| c[route] == "drg")
        .map(|c| c[id].clone())
        .collect();
    approved.sort();
    let quota = mine.len() * 5 / 100;
    assert!(
        approved.len() > quota && quota > 0,
        "the test needs more approvals than the quota"
    );
    let list = tmp("review-approved.csv");
    std::fs::write(&list, format!("id\n{}\n", approved.join("\n"))).unwrap();
    let out = tmp("review-out");
    ok(drgdip()
        .args(["settle", "--cases"])
        .arg(&input)
        .arg("--special-review")
        .arg(&list)
        .arg("--out")
        .arg(&out));
    let (hh, hospitals) = read_csv(&out.join("hospitals.csv"));
    let h = hospitals.iter().find(|h| h[0] == hospital).unwrap();
    assert_eq!(h[col(&hh, "review_approved")], approved.len().to_string());
    assert_eq!(h[col(&hh, "review_honoured")], quota.to_string());
    let (ch2, cases2) = read_csv(&out.join("cases.csv"));
    let by_id: HashMap<&str, &Vec<String>> = cases2
        .iter()
        .map(|c| (c[col(&ch2, "id")].as_str(), c))
        .collect();
    for (k, a) in approved.iter().enumerate() {
        let c = by_id[a.as_str()];
        if k < quota {
            assert_eq!(
                c[col(&ch2, "route")],
                "special_review",
                "{a} is within the quota"
            );
        } else {
            assert_eq!(c[col(&ch2, "route")], "drg", "{a} is over the quota");
            assert!(c[col(&ch2, "note")].contains("quota"), "{a}: {}", c[note]);
        }
    }
    // Cases of other hospitals keep their pricing (their fen may move with the point value).
    let before: HashMap<&str, &Vec<String>> = cases.iter().map(|c| (c[id].as_str(), c)).collect();
    for c in cases2
        .iter()
        .filter(|c| c[col(&ch2, "hospital")] != hospital)
    {
        assert_eq!(
            before[c[col(&ch2, "id")].as_str()][route],
            c[col(&ch2, "route")]
        );
    }
    let _ = fund;
}

#[test]
fn a_signals_policy_halves_earlier_stays_and_the_pools_still_close_to_the_fen() {
    let input = tmp("signals.csv");
    gen(&input, 4000, &[]);
    let out = tmp("signals-out");
    ok(drgdip()
        .args(["settle", "--policy"])
        .arg(harness::root().join("data/scenarios/demo-signals.toml"))
        .arg("--cases")
        .arg(&input)
        .arg("--out")
        .arg(&out));
    check_statement(&out, 4000);
    let (sh, signals) = read_csv(&out.join("signals.csv"));
    let readmitted: Vec<&str> = signals
        .iter()
        .filter(|s| s[col(&sh, "signal")] == "readmission")
        .map(|s| s[col(&sh, "id")].as_str())
        .collect();
    assert!(
        !readmitted.is_empty(),
        "the generated month has readmissions"
    );
    let (ch, cases) = read_csv(&out.join("cases.csv"));
    let (id, points, formula) = (col(&ch, "id"), col(&ch, "points"), col(&ch, "formula"));
    let mut halved = 0;
    for c in cases
        .iter()
        .filter(|c| readmitted.contains(&c[id].as_str()))
    {
        if c[points].is_empty() {
            continue; // paid at a rate or fee for service: flagged, not adjusted
        }
        // "…; readmission X within the window: 66.0731 × 0.5 = 33.0366 points"
        let step = c[formula].rsplit("within the window: ").next().unwrap();
        let (before, after) = step.split_once(" × 0.5 = ").expect("the halving step");
        let after = after.trim_end_matches(" points");
        assert_eq!(
            after, c[points],
            "the points column shows the adjusted points"
        );
        // In 0.0001-point units, halved and rounded half away from zero (the demo's rule).
        let units = |t: &str| t.replace('.', "").parse::<i64>().unwrap();
        assert_eq!(units(after), (units(before) + 1) / 2, "{}", c[id]);
        halved += 1;
    }
    assert!(halved > 0);
    let (hh, hospitals) = read_csv(&out.join("hospitals.csv"));
    let n = col(&hh, "signals_readmission");
    let total: usize = hospitals
        .iter()
        .map(|h| h[n].parse::<usize>().unwrap())
        .sum();
    assert_eq!(total, readmitted.len());
}
