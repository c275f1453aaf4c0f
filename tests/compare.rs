//! `drgdip compare` and `drgdip sweep` end to end (issue #6): a comparison whose every fen is worked
//! out by hand, mirrored deltas when the policies swap places, byte-identical runs whatever the
//! thread count, every input row accounted for in every scenario, sweep endpoints equal to separate
//! `settle` runs, and bad parameters refused with a message that says what exists.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::harness::{self, col, drgdip, ok, read_csv, root};

fn tmp(name: &str) -> PathBuf {
    harness::tmp("compare", name)
}

/// The hand-built comparison: `tests/compare/{cases.csv, a.toml, b.toml, weights.csv}`.
fn data(name: &str) -> PathBuf {
    root().join("tests/compare").join(name)
}

/// A generated demo month of `cases` rows (seed 7); each test its own file, so none reads a file
/// another is still writing.
fn month(name: &str, cases: u64) -> PathBuf {
    let p = tmp(name);
    ok(drgdip()
        .args(["gen", "--cases", &cases.to_string(), "--seed", "7", "--out"])
        .arg(&p));
    p
}

fn compare(cases: &Path, policies: &[PathBuf], out: &Path, extra: &[&str]) -> String {
    let mut cmd = drgdip();
    cmd.args(["compare", "--cases"]).arg(cases);
    for p in policies {
        cmd.arg("--policy").arg(p);
    }
    cmd.arg("--out").arg(out).args(extra);
    ok(&mut cmd)
}

/// A CSV file as maps from column name to value, one per row.
fn records(p: &Path) -> Vec<BTreeMap<String, String>> {
    let (h, rows) = read_csv(p);
    rows.into_iter()
        .map(|r| h.iter().cloned().zip(r).collect())
        .collect()
}

fn fen(r: &BTreeMap<String, String>, k: &str) -> i64 {
    r.get(k)
        .unwrap_or_else(|| panic!("no column {k}"))
        .parse()
        .unwrap_or_else(|e| panic!("{k}: {e}"))
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

// The hand computation (tests/compare/*). Policy A: DRG points, 100 points per unit of weight, every
// coefficient 1, a `rate` pool with an announced point value of 10 yuan = 1,000 fen per point, fund
// basis (the fund pays points × 1,000 fen). Policy B: the same with 9.70 yuan (970 fen) per point,
// 3% lower, and the level-1 coefficient 1.1. Weights: ES35 0.5, FR39 1.0, FM19 2.0, HC29 1.5.
//
// row  id  hospital        group  weight  A points  A fen             B points        B fen
//  1   c1  H1 (level 3)    ES35   0.5      50       50 × 1000 =  50,000   50         50 × 970 =  48,500
//  2   c2  H1              FR39   1.0     100                   100,000  100                     97,000
//  3   c3  H1              FM19   2.0     200                   200,000  200                    194,000
//  4   c4  H2 (level 1)    ES35   0.5      50                    50,000   50 × 1.1 = 55          53,350
//  5   c5  H2              HC29   1.5     150                   150,000  150 × 1.1 = 165        160,050
//  6   c6  H2              FQY    (QY: ambiguous = ffs) 3,000.00 − 600.00 yuan = 240,000 in both
//  7   c7  H2              FR39   total_cost −100.00: rejected in both
//  8   c2  H1              FR39   the id c2 again: rejected as a duplicate in both
//
// H1: A 350,000, B 339,500, delta −10,500 (−3.00%). H2: A 440,000, B 453,400, delta +13,400
// (13,400 / 440,000 = +3.045…% → 3.05). Points: H1 350 in both; H2 200 (A), 220 (B).
// Pool (budget 10,000.00 yuan, no reserve): paid A 790,000, B 792,900; balance 210,000 and 207,100
// (delta −2,900 = −(−10,500 + 13,400)).
// Groups (every row under its A group): ES35 2 rows, 100,000 → 101,850 (+1,850); FM19 200,000 →
// 194,000 (−6,000); FQY 240,000 both; FR39 3 rows, 1 settled, 100,000 → 97,000 (−3,000); HC29
// 150,000 → 160,050 (+10,050). The group deltas add up to the hospitals' (+2,900).
#[test]
fn hand_computed_deltas_to_the_fen() {
    let out = tmp("hand");
    let err = compare(
        &data("cases.csv"),
        &[data("a.toml"), data("b.toml")],
        &out,
        &[],
    );
    assert!(err.contains("a: 8 rows in, 6 settled, 2 rejected"), "{err}");
    assert!(err.contains("b: 8 rows in, 6 settled, 2 rejected"), "{err}");

    let h = records(&out.join("hospitals.csv"));
    assert_eq!(h.len(), 2);
    let expect = [
        (
            "H1", "3", 350_000, 339_500, -10_500, "-3.00", "350.0000", "350.0000",
        ),
        (
            "H2", "1", 440_000, 453_400, 13_400, "3.05", "200.0000", "220.0000",
        ),
    ];
    for (r, (code, level, a, b, d, pct, pa, pb)) in h.iter().zip(expect) {
        assert_eq!(r["hospital"], code);
        assert_eq!(r["level"], level);
        assert_eq!(fen(r, "a.payment_fen"), a, "{code}");
        assert_eq!(fen(r, "b.payment_fen"), b, "{code}");
        assert_eq!(fen(r, "b.delta_fen"), d, "{code}");
        assert_eq!(r["b.delta_pct"], pct, "{code}");
        assert_eq!(r["a.points"], pa, "{code}");
        assert_eq!(r["b.points"], pb, "{code}");
        assert_eq!(fen(r, "a.cases"), 3);
        assert!(!r.contains_key("a.delta_fen"), "the baseline has no delta");
    }
    // CMI: H1 (0.5 + 1 + 2) / 3; H2 (0.5 + 1.5) / 2, the QY case has no weight. FFS share of H2:
    // 3,000 / 19,000 of its cost.
    assert_eq!(h[0]["a.cmi"], "1.1667");
    assert_eq!(h[1]["b.cmi"], "1.0000");
    assert_eq!(h[1]["a.ffs_share"], "0.1579");

    let g = records(&out.join("groups.csv"));
    let got: Vec<(String, i64, i64, i64, i64)> = g
        .iter()
        .map(|r| {
            (
                r["group"].clone(),
                fen(r, "rows"),
                fen(r, "a.payment_fen"),
                fen(r, "b.payment_fen"),
                fen(r, "b.delta_fen"),
            )
        })
        .collect();
    let want = [
        ("ES35", 2, 100_000, 101_850, 1_850),
        ("FM19", 1, 200_000, 194_000, -6_000),
        ("FQY", 1, 240_000, 240_000, 0),
        ("FR39", 3, 100_000, 97_000, -3_000),
        ("HC29", 1, 150_000, 160_050, 10_050),
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|(c, n, a, b, d)| (c.to_string(), *n, *a, *b, *d))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        fen(&g[3], "a.settled"),
        1,
        "FR39: one of three rows settles"
    );

    let p = records(&out.join("pools.csv"));
    assert_eq!(p.len(), 2);
    assert_eq!(
        (fen(&p[0], "paid_fen"), fen(&p[0], "balance_fen")),
        (790_000, 210_000)
    );
    assert_eq!(
        (fen(&p[1], "paid_fen"), fen(&p[1], "balance_fen")),
        (792_900, 207_100)
    );
    assert_eq!(fen(&p[1], "balance_delta_fen"), -2_900);
    assert_eq!(p[1]["point_value"], "9.700000");

    let rej = records(&out.join("rejected.csv"));
    assert_eq!(rej.len(), 4, "two rows per scenario");
    assert!(rej
        .iter()
        .any(|r| r["id"] == "c7" && r["reason"].contains("total_cost")));
    assert!(rej
        .iter()
        .any(|r| r["id"] == "c2" && r["reason"].contains("duplicate")));

    let s = json(&out.join("summary.json"));
    let wl = &s["winners_and_losers"][0];
    assert_eq!(wl["scenario"], "b");
    assert_eq!(wl["gaining_most"][0]["hospital"], "H2");
    assert_eq!(wl["gaining_most"][0]["delta_fen"], 13_400);
    assert_eq!(wl["losing_most"][0]["hospital"], "H1");
    assert_eq!(wl["losing_most"][0]["delta_fen"], -10_500);
    assert_eq!(s["scenarios"][1]["totals"]["balance_fen"], 207_100);
    assert_eq!(s["scenarios"][1]["delta"]["balance_fen"], -2_900);

    // KPIs per scenario, with their definitions: 44,000 of 47,000 yuan of inpatient cost on the
    // DRG route (the rejected rows are not settled cost), one QY case of six.
    let k = records(&out.join("kpis.csv"));
    let kpi = |sc: &str, key: &str| {
        k.iter()
            .find(|r| r["scenario"] == sc && r["kpi"] == key)
            .unwrap_or_else(|| panic!("no KPI {key} for {sc}"))
            .clone()
    };
    assert_eq!(kpi("a", "by_disease_share")["number"], "0.936170");
    assert!(kpi("a", "by_disease_share")["targets"].contains("≥70% met"));
    assert_eq!(kpi("b", "qy_rate")["number"], "0.166667");
    assert_eq!(kpi("b", "method_mix.ffs")["number"], "0.063830");
    assert_eq!(kpi("b", "cmi.level3")["number"], "1.1667");
    assert!(!kpi("b", "primary_share")["definition"].is_empty());
}

#[test]
fn swapping_the_policies_mirrors_the_deltas() {
    let (ab, ba) = (tmp("ab"), tmp("ba"));
    let cases = data("cases.csv");
    compare(&cases, &[data("a.toml"), data("b.toml")], &ab, &[]);
    compare(&cases, &[data("b.toml"), data("a.toml")], &ba, &[]);
    for (file, key) in [("hospitals.csv", "hospital"), ("groups.csv", "group")] {
        let x = records(&ab.join(file));
        let y = records(&ba.join(file));
        assert_eq!(x.len(), y.len(), "{file}");
        for (r, s) in x.iter().zip(&y) {
            assert_eq!(r[key], s[key]);
            assert_eq!(
                fen(r, "b.delta_fen"),
                -fen(s, "a.delta_fen"),
                "{file} {}",
                r[key]
            );
            assert_eq!(r["a.payment_fen"], s["a.payment_fen"]);
            assert_eq!(r["b.payment_fen"], s["b.payment_fen"]);
        }
    }
    let x = json(&ab.join("summary.json"));
    let y = json(&ba.join("summary.json"));
    assert_eq!(
        x["scenarios"][1]["delta"]["payment_fen"].as_i64().unwrap(),
        -y["scenarios"][1]["delta"]["payment_fen"].as_i64().unwrap()
    );
    assert_eq!(
        x["winners_and_losers"][0]["gaining_most"][0]["hospital"],
        y["winners_and_losers"][0]["losing_most"][0]["hospital"]
    );
}

/// The demo region under DRG (the baseline), DIP and an announced point value 3% lower.
fn demo_policies() -> Vec<PathBuf> {
    vec![
        root().join("data/demo/policy.toml"),
        root().join("data/scenarios/demo-dip.toml"),
        root().join("data/scenarios/demo-pv-minus-3.toml"),
    ]
}

#[test]
fn runs_are_byte_identical_whatever_the_thread_count() {
    let cases = month("month-threads.csv", 3000);
    let mut dirs = Vec::new();
    for threads in ["1", "2", "4"] {
        let out = tmp(&format!("threads-{threads}"));
        let mut cmd = drgdip();
        cmd.env("RAYON_NUM_THREADS", threads)
            .args(["compare", "--cases"])
            .arg(&cases);
        for p in demo_policies() {
            cmd.arg("--policy").arg(p);
        }
        cmd.arg("--out")
            .arg(&out)
            .arg("--report")
            .arg(out.join("report.html"));
        ok(&mut cmd);
        dirs.push(out);
    }
    for f in [
        "hospitals.csv",
        "groups.csv",
        "crosswalk.csv",
        "pools.csv",
        "kpis.csv",
        "rejected.csv",
        "summary.json",
        "report.html",
    ] {
        let first = std::fs::read(dirs[0].join(f)).unwrap();
        assert!(!first.is_empty(), "{f}");
        for d in &dirs[1..] {
            assert!(
                first == std::fs::read(d.join(f)).unwrap(),
                "{f} differs in {}",
                d.display()
            );
        }
    }
    let page = std::fs::read_to_string(dirs[0].join("report.html")).unwrap();
    assert!(!page.contains("<script") && page.contains("<svg"));
    for label in ["policy", "demo-dip", "demo-pv-minus-3", "H01", "H20"] {
        assert!(page.contains(label), "{label}");
    }
}

#[test]
fn every_row_is_accounted_for_in_every_scenario() {
    let cases = month("month-accounting.csv", 4000);
    let out = tmp("accounting");
    let err = compare(&cases, &demo_policies(), &out, &[]);
    assert!(err.contains("grouped 2 way(s) for 3 scenarios"), "{err}");
    let s = json(&out.join("summary.json"));
    assert_eq!(s["rows_in"], 4000);
    let rejected = records(&out.join("rejected.csv"));
    let groups = records(&out.join("groups.csv"));
    let hospitals = records(&out.join("hospitals.csv"));
    let rows: i64 = groups.iter().map(|g| fen(g, "rows")).sum();
    assert_eq!(rows, 4000, "every row under a baseline group");
    for sc in s["scenarios"].as_array().unwrap() {
        let label = sc["label"].as_str().unwrap();
        let c = &sc["counts"];
        let (settled, rej) = (
            c["cases_settled"].as_i64().unwrap(),
            c["cases_rejected"].as_i64().unwrap(),
        );
        assert_eq!(c["rows_in"], 4000, "{label}");
        assert_eq!(settled + rej, 4000, "{label}");
        assert!(err.contains(&format!(
            "{label}: 4000 rows in, {settled} settled, {rej} rejected"
        )));
        let listed = rejected.iter().filter(|r| r["scenario"] == label).count() as i64;
        assert_eq!(
            listed, rej,
            "{label}: every rejection listed with its reason"
        );
        // The rows settled and the money paid add up the same way by group and by hospital.
        let by_group: i64 = groups
            .iter()
            .map(|g| fen(g, &format!("{label}.settled")))
            .sum();
        assert_eq!(by_group, settled, "{label}");
        let paid_g: i64 = groups
            .iter()
            .map(|g| fen(g, &format!("{label}.payment_fen")))
            .sum();
        let paid_h: i64 = hospitals
            .iter()
            .map(|h| fen(h, &format!("{label}.payment_fen")))
            .sum();
        assert_eq!(paid_g, paid_h, "{label}");
        assert_eq!(
            paid_h,
            sc["totals"]["payment_fen"].as_i64().unwrap(),
            "{label}"
        );
    }
    assert!(rejected.iter().all(|r| !r["reason"].is_empty()));
    // DRG and DIP group the same rows differently: the crosswalk maps every row once.
    let cw = records(&out.join("crosswalk.csv"));
    assert!(cw.iter().all(|r| r["scenario"] == "demo-dip"));
    assert_eq!(cw.iter().map(|r| fen(r, "rows")).sum::<i64>(), 4000);
    let (gh, _) = read_csv(&out.join("groups.csv"));
    col(&gh, "demo-dip.group");
    assert!(
        !gh.contains(&"demo-pv-minus-3.group".to_string()),
        "same grouping as the baseline"
    );
}

/// Writes the demo policy with `budget_yuan = 145000000` (the resident pool) replaced.
fn demo_with_resident_budget(name: &str, budget: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join("data/demo/policy.toml")).unwrap();
    let p = tmp(name);
    let edited = text.replacen(
        "budget_yuan = 145000000",
        &format!("budget_yuan = {budget}"),
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(&p, edited).unwrap();
    p
}

#[test]
fn sweep_endpoints_equal_separate_settle_runs() {
    let cases = month("month-sweep.csv", 3000);
    let out = tmp("sweep");
    ok(drgdip()
        .args(["sweep", "--cases"])
        .arg(&cases)
        .arg("--policy")
        .arg(root().join("data/demo/policy.toml"))
        .args([
            "--param",
            "pools.resident-inpatient.budget_yuan",
            "--range",
            "-5%..+5%",
            "--steps",
            "3",
            "--out",
        ])
        .arg(&out));
    let steps = records(&out.join("sweep.csv"));
    let values: Vec<&str> = steps.iter().map(|s| s["value"].as_str()).collect();
    assert_eq!(values, ["145000000", "137750000", "145000000", "152250000"]);
    assert!(steps.iter().all(|s| s["status"] == "ok"));
    assert_eq!(
        fen(&steps[2], "delta_fen"),
        0,
        "0% is the policy as written"
    );
    let hospitals = records(&out.join("sweep-hospitals.csv"));
    for (step, budget) in [("1", "137750000"), ("3", "152250000")] {
        let policy = demo_with_resident_budget(&format!("budget-{budget}.toml"), budget);
        let dir = tmp(&format!("settle-{budget}"));
        ok(drgdip()
            .args(["settle", "--policy"])
            .arg(&policy)
            .arg("--scheme")
            .arg(root().join("data/demo/scheme.json"))
            .arg("--weights")
            .arg(root().join("data/demo/drg-weights.csv"))
            .arg("--cases")
            .arg(&cases)
            .arg("--out")
            .arg(&dir));
        let settled = records(&dir.join("hospitals.csv"));
        let swept: Vec<_> = hospitals.iter().filter(|h| h["step"] == step).collect();
        assert_eq!(swept.len(), settled.len(), "step {step}");
        for (a, b) in swept.iter().zip(&settled) {
            assert_eq!(a["hospital"], b["hospital"]);
            assert_eq!(
                fen(a, "payment_fen"),
                fen(b, "payment_fen"),
                "step {step} {}",
                a["hospital"]
            );
        }
        let summary = json(&dir.join("summary.json"));
        let row = &steps[step.parse::<usize>().unwrap()];
        for p in summary["pools"].as_array().unwrap() {
            let id = p["id"].as_str().unwrap();
            assert_eq!(
                row[&format!("{id}.point_value")],
                p["point_value"].as_str().unwrap_or(""),
                "step {step} {id}"
            );
            assert_eq!(
                fen(row, &format!("{id}.balance_fen")),
                p["balance_fen"].as_i64().unwrap()
            );
        }
    }
}

#[test]
fn a_bad_param_is_refused_with_what_exists() {
    let cases = data("cases.csv");
    for (param, says) in [
        (
            "pools.nobody.point_value_yuan",
            "no element of `pools` has id",
        ),
        (
            "drg.point_per_weight",
            "`drg` has no key `point_per_weight`",
        ),
        ("policy.bundle", "not a decimal number"),
        ("pools.3.budget_yuan", "`pools` has 1 element:"),
        ("drg..method", "dotted path"),
    ] {
        let out = tmp(&format!("bad-{}", param.replace('.', "_")));
        let r = drgdip()
            .args(["sweep", "--cases"])
            .arg(&cases)
            .arg("--policy")
            .arg(data("a.toml"))
            .args([
                "--param", param, "--from", "1", "--to", "2", "--steps", "2", "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(!r.status.success(), "{param}");
        assert!(err.contains(says), "{param}: {err}");
        assert!(!out.join("sweep.csv").exists(), "{param}: nothing written");
    }
    let err = drgdip()
        .args(["sweep", "--cases"])
        .arg(&cases)
        .arg("--policy")
        .arg(data("a.toml"))
        .args(["--param", "pools.0.budget_yuan", "--range", "1..2", "--out"])
        .arg(tmp("no-steps"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&err.stderr).contains("--steps N"));
}

#[test]
fn an_invalid_step_is_reported_not_dropped() {
    let out = tmp("invalid-step");
    let err = ok(drgdip()
        .args(["sweep", "--cases"])
        .arg(data("cases.csv"))
        .arg("--policy")
        .arg(data("a.toml"))
        .args([
            "--param",
            "pools.inpatient.reserve_share",
            "--values",
            "0.5,1.5",
            "--out",
        ])
        .arg(&out));
    assert!(err.contains("INVALID"), "{err}");
    let steps = records(&out.join("sweep.csv"));
    assert_eq!(steps.len(), 3, "base and two steps");
    assert_eq!(steps[1]["status"], "ok");
    assert_eq!(fen(&steps[1], "inpatient.balance_fen"), 500_000 - 790_000);
    assert_eq!(steps[2]["status"], "invalid");
    assert!(
        steps[2]["message"].contains("pools[0].reserve_share"),
        "{:?}",
        steps[2]
    );
    let h = records(&out.join("sweep-hospitals.csv"));
    assert!(
        h.iter().all(|r| r["step"] != "2"),
        "no figures for an invalid step"
    );
}

#[test]
fn compare_needs_two_policies_and_matching_labels() {
    let cases = data("cases.csv");
    let r = drgdip()
        .args(["compare", "--cases"])
        .arg(&cases)
        .arg("--policy")
        .arg(data("a.toml"))
        .arg("--out")
        .arg(tmp("one"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&r.stderr).contains("at least two --policy"));
    let r = drgdip()
        .args(["compare", "--cases"])
        .arg(&cases)
        .arg("--policy")
        .arg(data("a.toml"))
        .arg("--policy")
        .arg(data("b.toml"))
        .args(["--label", "only-one", "--out"])
        .arg(tmp("labels"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&r.stderr).contains("one label per policy"));
    // The same file twice gets distinct labels.
    let out = tmp("twice");
    compare(&cases, &[data("a.toml"), data("a.toml")], &out, &[]);
    let (h, _) = read_csv(&out.join("hospitals.csv"));
    col(&h, "a-2.delta_fen");
}

#[test]
fn a_policy_whose_signals_change_payments_is_refused_not_compared_without_them() {
    let cases = month("month-signals.csv", 500);
    let out = drgdip()
        .args(["compare", "--cases"])
        .arg(&cases)
        .arg("--policy")
        .arg(root().join("data/demo/policy.toml"))
        .arg("--policy")
        .arg(root().join("data/scenarios/demo-signals.toml"))
        .arg("--out")
        .arg(tmp("signals-refused"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("earlier_points_share"), "{err}");
}
