//! Supervision signals over hand-built stays: for every rule a set that fires and one just outside
//! its threshold, the Zhejiang readmission vector G7 (settlement-policy.md §8), independence from
//! the order of the stays, and `[signals]` tables the policy loader must reject with the key named.

use settlement::case::{Bundle, Case, DrgOutcome, DrgResult};
use settlement::engine::{Engine, GroupWeight};
use settlement::money::{Fen, Ratio, Rounding};
use settlement::points::Points;
use settlement::policy::{Policy, PolicyError};
use settlement::settle::{Inputs, Ledger};
use settlement::signals::{
    detect, Date, SignalError, SignalKind, SignalRules, Signals, Split, Stay,
};

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn ratio(s: &str) -> Ratio {
    s.parse().unwrap()
}

/// A plain stay: patient P1 at H1, 2025-03-01 to 2025-03-05 (4 days), group ES35 of ADRG ES3,
/// cost 7,000.00 against a standard of 10,000.00, mean LOS 7, no outpatient spending.
fn stay(id: &str) -> Stay {
    Stay {
        id: id.into(),
        patient: Some("P1".into()),
        hospital: "H1".into(),
        admit_date: Some(day("2025-03-01")),
        discharge_date: Some(day("2025-03-05")),
        los: Some(4),
        group: "ES35".into(),
        adrg: Some("ES3".into()),
        split: Some(Split::Without),
        principal: "J18.900".into(),
        total_cost: Fen(700_000),
        group_standard: Some(Fen(1_000_000)),
        uncomplicated_standard: None,
        group_mean_los: Some(Ratio::int(7)),
        outpatient_cost_around: Some(Fen::ZERO),
    }
}

/// A stay admitted `gap` days after [`stay`]'s discharge, staying 3 days.
fn later(id: &str, gap: i32) -> Stay {
    let admit = Date::from_days(day("2025-03-05").days() + gap);
    Stay {
        admit_date: Some(admit),
        discharge_date: Some(Date::from_days(admit.days() + 3)),
        los: Some(3),
        ..stay(id)
    }
}

fn rules(toml: &str) -> SignalRules {
    SignalRules::from_toml(toml, "test").unwrap_or_else(|e| panic!("{e}"))
}

fn run(rules: &SignalRules, stays: &[Stay]) -> Signals {
    detect(rules, stays).unwrap_or_else(|e| panic!("{e}"))
}

/// Ids of the stays with `kind`.
fn fired(s: &Signals, kind: SignalKind) -> Vec<&str> {
    s.cases
        .iter()
        .filter(|c| c.signal == kind)
        .map(|c| c.id.as_str())
        .collect()
}

fn readmission(window: u32, extra: &str) -> SignalRules {
    rules(&format!(
        "[signals.readmission]\nwindow_days = {window}\nsame = \"group\"\nsame_hospital = false\n\
         source = \"test\"\n{extra}"
    ))
}

#[test]
fn readmission_window_is_inclusive() {
    // (window, days from discharge to readmission, fires): Zhejiang 15 days [S8], Jinhua 10 [S12].
    let rows = [
        (15, 0, true),
        (15, 14, true),
        (15, 15, true),
        (15, 16, false),
        (10, 10, true),
        (10, 11, false),
    ];
    for (window, gap, fires) in rows {
        let s = run(&readmission(window, ""), &[stay("A"), later("B", gap)]);
        let want: &[&str] = if fires { &["A"] } else { &[] };
        assert_eq!(
            fired(&s, SignalKind::Readmission),
            want,
            "window {window}, gap {gap}"
        );
        let r = s.rule(SignalKind::Readmission).unwrap();
        assert_eq!(
            (r.assessed, r.not_assessed, r.fired),
            (2, 0, u64::from(fires))
        );
    }
}

#[test]
fn g7_earlier_stay_points_halved() {
    // settlement-policy.md G7 (Zhejiang, S8): earlier stay 157.5 points, the same DRG readmitted
    // within 15 days -> the earlier stay is settled at 78.75 points; the readmission keeps its own.
    let r = readmission(15, "earlier_points_share = 0.5");
    let s = run(&r, &[later("B", 9), stay("A")]);
    assert_eq!(s.adjustments.len(), 1);
    let adj = s.adjustment("A").expect("the earlier stay is adjusted");
    assert_eq!(
        (adj.hospital.as_str(), adj.readmission.as_str()),
        ("H1", "B")
    );
    assert_eq!(adj.share, ratio("0.5"));
    let points = adj
        .apply(
            "157.5".parse::<Points>().unwrap(),
            Rounding::HalfAwayFromZero,
        )
        .unwrap();
    assert_eq!(points, "78.75".parse::<Points>().unwrap());
    assert!(s.adjustment("B").is_none());
    let c = s.for_case("A").next().unwrap();
    assert!(
        c.evidence
            .contains("readmitted as B at H1 on 2025-03-14, 9 days after discharge on 2025-03-05"),
        "{}",
        c.evidence
    );
    assert!(
        c.evidence.contains("this stay's points × 0.5"),
        "{}",
        c.evidence
    );
    assert!(c.parameters.contains("earlier_points_share=0.5"));
}

#[test]
fn readmission_without_a_share_only_flags() {
    // Jinhua's consequence is not in the excerpt (S12): a policy can flag without paying less.
    let s = run(&readmission(10, ""), &[stay("A"), later("B", 10)]);
    assert_eq!(fired(&s, SignalKind::Readmission), ["A"]);
    assert!(s.adjustments.is_empty());
    assert!(s.adjustment("A").is_none());
}

#[test]
fn readmission_pairs_only_like_with_like() {
    let other_group = Stay {
        group: "ES33".into(),
        split: Some(Split::Cc),
        ..later("B", 5)
    };
    let other_patient = Stay {
        patient: Some("P2".into()),
        ..later("B", 5)
    };
    let other_hospital = Stay {
        hospital: "H2".into(),
        ..later("B", 5)
    };
    let overlapping = Stay {
        admit_date: Some(day("2025-03-04")),
        ..later("B", 5)
    };
    let chemo = Stay {
        principal: "Z51.100".into(),
        ..later("B", 5)
    };
    let adrg = "same = \"adrg\"";
    // (what, rule lines replacing the defaults, stays, earlier stays flagged)
    let rows: Vec<(&str, &str, Vec<Stay>, Vec<&str>)> = vec![
        (
            "another group",
            "",
            vec![stay("A"), other_group.clone()],
            vec![],
        ),
        ("same ADRG", adrg, vec![stay("A"), other_group], vec!["A"]),
        (
            "another patient",
            "",
            vec![stay("A"), other_patient],
            vec![],
        ),
        (
            "another hospital, any",
            "",
            vec![stay("A"), other_hospital.clone()],
            vec!["A"],
        ),
        (
            "another hospital, same required",
            "same_hospital = true",
            vec![stay("A"), other_hospital],
            vec![],
        ),
        (
            "overlapping stays",
            "",
            vec![stay("A"), overlapping],
            vec![],
        ),
        (
            "chemotherapy readmission",
            "",
            vec![stay("A"), chemo.clone()],
            vec![],
        ),
        (
            "a real readmission after the chemotherapy",
            "",
            vec![stay("A"), chemo, later("C", 12)],
            vec!["A", "B"],
        ),
        (
            "a chain pairs each stay with the next",
            "",
            vec![stay("A"), later("B", 5), later("C", 10)],
            vec!["A", "B"],
        ),
    ];
    for (what, lines, stays, want) in rows {
        let mut text = String::from(
            "[signals.readmission]\nwindow_days = 15\nsource = \"test\"\n\
             exempt_diagnosis_prefixes = [\"Z51.0\", \"Z51.1\"]\n",
        );
        text.push_str(lines);
        text.push('\n');
        for (key, default) in [
            ("same", "same = \"group\""),
            ("same_hospital", "same_hospital = false"),
        ] {
            if !lines.contains(&format!("{key} =")) {
                text.push_str(default);
                text.push('\n');
            }
        }
        let s = run(&rules(&text), &stays);
        assert_eq!(fired(&s, SignalKind::Readmission), want, "{what}");
    }
}

#[test]
fn readmission_pairs_with_the_nearest_later_stay() {
    // B and C are both within the window of A: A pairs with B (the nearest), once.
    let s = run(
        &readmission(15, "earlier_points_share = 0.5"),
        &[later("C", 12), stay("A"), later("B", 5)],
    );
    let a: Vec<_> = s.for_case("A").collect();
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].related.as_deref(), Some("B"));
    let adjusted: Vec<&str> = s.adjustments.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(adjusted, ["A", "B"]);
}

#[test]
fn readmission_without_patient_or_dates_is_not_assessed() {
    let no_patient = Stay {
        patient: None,
        ..later("B", 3)
    };
    let no_dates = Stay {
        admit_date: None,
        ..later("C", 3)
    };
    let backwards = Stay {
        discharge_date: Some(day("2025-02-01")),
        ..later("D", 3)
    };
    let s = run(
        &readmission(15, ""),
        &[stay("A"), no_patient, no_dates, backwards],
    );
    assert!(fired(&s, SignalKind::Readmission).is_empty());
    let r = s.rule(SignalKind::Readmission).unwrap();
    assert_eq!((r.assessed, r.not_assessed), (1, 3));
}

#[test]
fn low_admission_fires_strictly_below_the_share() {
    let r = rules(
        "[signals.low_admission]\ncost_share_below = 0.3\nlos_at_most = 3\nsource = \"S26 tool threshold\"",
    );
    // Standard 10,000.00: the bound is 3,000.00. (id, cost in fen, LOS, fires)
    let rows = [
        ("at", 300_000, 2, false),
        ("under", 299_999, 2, true),
        ("under, los at bound", 299_999, 3, true),
        ("under, los above", 299_999, 4, false),
    ];
    let stays: Vec<Stay> = rows
        .iter()
        .map(|&(id, cost, los, _)| Stay {
            total_cost: Fen(cost),
            los: Some(los),
            ..stay(id)
        })
        .collect();
    let s = run(&r, &stays);
    for (id, _, _, fires) in rows {
        assert_eq!(s.for_case(id).count(), usize::from(fires), "{id}");
    }
    let c = s.for_case("under").next().unwrap();
    assert_eq!(
        c.evidence,
        "cost 2999.99 < 0.3 × group ES35 standard 10000.00 = 3000.00; LOS 2 ≤ 3 days"
    );
    assert_eq!(
        c.parameters,
        "cost_share_below=0.3; los_at_most=3; source=S26 tool threshold"
    );
}

#[test]
fn low_admission_needs_a_group_standard() {
    let r = rules("[signals.low_admission]\ncost_share_below = 0.5\nsource = \"t\"");
    let no_standard = Stay {
        group_standard: None,
        total_cost: Fen(1),
        ..stay("A")
    };
    let ungrouped = Stay {
        group: String::new(),
        total_cost: Fen(1),
        ..stay("B")
    };
    let s = run(&r, &[no_standard, ungrouped, stay("C")]);
    assert!(s.cases.is_empty());
    let sum = s.rule(SignalKind::LowAdmission).unwrap();
    assert_eq!((sum.assessed, sum.not_assessed, sum.fired), (1, 2, 0));
}

#[test]
fn upcoding_cc_split_without_cost_effect() {
    let r = rules("[signals.upcoding]\ncc_cost_share_at_most = 1\nsource = \"illustrative\"");
    // ES31 (MCC) standard 14,000.00; ES35 (without CC/MCC) 9,000.00.
    let mcc = |id: &str, cost: i64| Stay {
        group: "ES31".into(),
        split: Some(Split::Mcc),
        total_cost: Fen(cost),
        group_standard: Some(Fen(1_400_000)),
        uncomplicated_standard: Some(Fen(900_000)),
        ..stay(id)
    };
    let cheap_without = Stay {
        total_cost: Fen(100),
        ..stay("without")
    };
    let unknown_split = Stay {
        split: None,
        ..mcc("unknown", 100)
    };
    let s = run(
        &r,
        &[
            mcc("at", 900_000),
            mcc("above", 900_001),
            cheap_without,
            unknown_split,
        ],
    );
    assert_eq!(fired(&s, SignalKind::UpcodingCc), ["at"]);
    assert_eq!(
        s.cases[0].evidence,
        "group ES31 (MCC split) (its own standard 14000.00): cost 9000.00 ≤ 1 × 9000.00 = 9000.00, \
         the standard of the ADRG's split without CC/MCC"
    );
    let sum = s.rule(SignalKind::UpcodingCc).unwrap();
    assert_eq!((sum.assessed, sum.not_assessed, sum.fired), (3, 1, 1));
    assert!(s.rule(SignalKind::UpcodingRate).is_none());
}

/// `n` stays of hospital `h` in ADRG ES3, the first `cc` of them in the CC split.
fn adrg_stays(h: &str, n: usize, cc: usize) -> Vec<Stay> {
    (0..n)
        .map(|i| Stay {
            hospital: h.into(),
            patient: Some(format!("{h}-P{i}")),
            group: if i < cc { "ES33" } else { "ES35" }.into(),
            split: Some(if i < cc { Split::Cc } else { Split::Without }),
            ..stay(&format!("{h}-{i:03}"))
        })
        .collect()
}

#[test]
fn upcoding_rate_compares_hospitals_with_the_region() {
    let r = rules(
        "[signals.upcoding]\nhospital_rate_ratio_above = 1.5\nmin_cases = 30\nsource = \"illustrative\"",
    );
    // H1 15 of 30 (50%), H2 5 of 30: region 20 of 60 = 1/3; 1.5 × 1/3 = 50%: at the bound, no signal.
    let at: Vec<Stay> = [adrg_stays("H1", 30, 15), adrg_stays("H2", 30, 5)].concat();
    let s = run(&r, &at);
    assert!(s.findings.is_empty());
    assert_eq!(s.regional.len(), 1);
    assert_eq!((s.regional[0].stays, s.regional[0].with_cc_mcc), (60, 20));
    assert_eq!(s.regional[0].rate(), Some(Ratio::new(1, 3).unwrap()));

    // H1 16 of 30 (53.33%): region 21 of 60 = 35%; 1.5 × 35% = 52.5% < 53.33%: H1 fires.
    let above: Vec<Stay> = [adrg_stays("H1", 30, 16), adrg_stays("H2", 30, 5)].concat();
    let s = run(&r, &above);
    assert_eq!(s.findings.len(), 1);
    let f = &s.findings[0];
    assert_eq!(
        (f.hospital.as_str(), f.adrg.as_str(), f.stays, f.with_cc_mcc),
        ("H1", "ES3", 30, 16)
    );
    assert_eq!(
        f.evidence,
        "ADRG ES3: 16 of 30 stays in CC/MCC splits (53.33%); region 21 of 60 (35.00%); \
         1.52 times the regional share, above 1.5"
    );
    assert_eq!(s.hospital("H1").unwrap().adrgs_flagged, Some(1));
    assert_eq!(s.hospital("H2").unwrap().adrgs_flagged, Some(0));
    // No per-stay signal: the finding is on the hospital.
    assert!(s.cases.is_empty());

    // The same shares with 29 stays at H1: under min_cases, not compared.
    let few: Vec<Stay> = [adrg_stays("H1", 29, 16), adrg_stays("H2", 30, 5)].concat();
    let s = run(&r, &few);
    assert!(s.findings.is_empty());
    let sum = s.rule(SignalKind::UpcodingRate).unwrap();
    assert_eq!((sum.assessed, sum.not_assessed), (1, 1));
}

#[test]
fn cost_transfer_fires_strictly_above_the_share() {
    let r = rules(
        "[signals.cost_transfer]\noutpatient_share_above = 0.3\nwindow_days = 7\nsource = \"illustrative\"",
    );
    // Stay 7,000.00: outpatient 3,000.00 is exactly 30% of the episode; 3,000.01 is above.
    let with = |id: &str, outpatient: i64| Stay {
        outpatient_cost_around: Some(Fen(outpatient)),
        ..stay(id)
    };
    let unknown = Stay {
        outpatient_cost_around: None,
        ..stay("unknown")
    };
    let s = run(&r, &[with("at", 300_000), with("above", 300_001), unknown]);
    assert_eq!(fired(&s, SignalKind::CostTransfer), ["above"]);
    assert_eq!(
        s.cases[0].evidence,
        "outpatient 3000.01 within 7 days around the stay is 30.00% of 10000.01 \
         (outpatient + stay 7000.00), above 30.00%"
    );
    let sum = s.rule(SignalKind::CostTransfer).unwrap();
    assert_eq!((sum.assessed, sum.not_assessed), (2, 1));
    // The caller sums outpatient spending over this window: 7 days either side, inclusive.
    let rule = r.cost_transfer.as_ref().unwrap();
    assert_eq!(
        rule.window(day("2025-03-01"), day("2025-03-05")),
        (day("2025-02-22"), day("2025-03-12"))
    );
}

#[test]
fn los_long_and_short_stays() {
    let r = rules(
        "[signals.los]\nabove_mean_times = 3\nabove_days = 60\nbelow_days = 2\nsource = \"济南 JN9 (short stays)\"",
    );
    let los = |id: &str, days: u32, mean: &str| Stay {
        los: Some(days),
        group_mean_los: Some(ratio(mean)),
        ..stay(id)
    };
    let no_mean = Stay {
        group_mean_los: None,
        ..los("no-mean-61", 61, "1")
    };
    let stays = [
        los("mean-21", 21, "7"),   // 3 × 7 = 21: not above
        los("mean-22", 22, "7"),   // above
        los("frac-21", 21, "7.3"), // 3 × 7.3 = 21.9
        los("frac-22", 22, "7.3"),
        los("days-60", 60, "100"),
        los("days-61", 61, "100"),
        no_mean,
        los("short-1", 1, "7"),
        los("short-2", 2, "7"),
    ];
    let s = run(&r, &stays);
    let mut long = fired(&s, SignalKind::LongStay);
    long.sort();
    assert_eq!(long, ["days-61", "frac-22", "mean-22", "no-mean-61"]);
    assert_eq!(fired(&s, SignalKind::ShortStay), ["short-1"]);
    let c = s.for_case("frac-22").next().unwrap();
    assert_eq!(
        c.evidence,
        "LOS 22 > 3 × group ES35 mean LOS 7.30 = 21.90 days"
    );
    let c = s.for_case("days-61").next().unwrap();
    assert_eq!(c.evidence, "LOS 61 > 60 days");
}

#[test]
fn los_without_a_mean_is_not_assessed_by_the_mean_alone() {
    let r = rules("[signals.los]\nabove_mean_times = 3\nsource = \"t\"");
    let s = run(
        &r,
        &[
            Stay {
                group_mean_los: None,
                los: Some(100),
                ..stay("A")
            },
            Stay {
                los: None,
                ..stay("B")
            },
        ],
    );
    assert!(s.cases.is_empty());
    let sum = s.rule(SignalKind::LongStay).unwrap();
    assert_eq!((sum.assessed, sum.not_assessed), (0, 2));
    assert!(s.rule(SignalKind::ShortStay).is_none());
}

const ALL_RULES: &str = r#"
[signals.readmission]
window_days = 15
same = "group"
same_hospital = false
earlier_points_share = 0.5
exempt_diagnosis_prefixes = ["Z51.0", "Z51.1"]
source = "浙江 S8"
[signals.low_admission]
cost_share_below = 0.3
source = "S26 tool threshold"
[signals.upcoding]
cc_cost_share_at_most = 1
hospital_rate_ratio_above = 1.5
min_cases = 5
source = "illustrative"
[signals.cost_transfer]
outpatient_share_above = 0.3
window_days = 7
source = "illustrative"
[signals.los]
above_mean_times = 3
below_days = 2
source = "illustrative"
"#;

/// Stays on which every rule fires somewhere, over three hospitals.
fn mixed() -> Vec<Stay> {
    let mut v = Vec::new();
    for (h, n, cc) in [("H1", 8, 7), ("H2", 10, 2), ("H3", 6, 1)] {
        v.extend(adrg_stays(h, n, cc));
    }
    for (i, s) in v.iter_mut().enumerate() {
        s.los = Some((i % 25) as u32);
        s.total_cost = Fen(150_000 + 40_000 * (i as i64 % 7));
        s.outpatient_cost_around = Some(Fen(90_000 * (i as i64 % 4)));
        if s.split == Some(Split::Cc) {
            s.uncomplicated_standard = Some(Fen(300_000));
        }
        // Three stays per patient, 3 days apart: readmissions within and across hospitals.
        s.patient = Some(format!("P{}", i / 3));
        let admit = day("2025-01-01").days() + 6 * (i as i32);
        s.admit_date = Some(Date::from_days(admit));
        s.discharge_date = Some(Date::from_days(admit + 3));
    }
    v
}

#[test]
fn output_does_not_depend_on_the_order_of_the_stays() {
    let r = rules(ALL_RULES);
    let stays = mixed();
    let want = run(&r, &stays);
    for kind in SignalKind::ALL {
        let fired = want.rule(kind).map(|s| s.fired);
        assert!(fired > Some(0), "{kind:?} never fires in the mixed set");
    }
    let mut shuffled = stays.clone();
    shuffled.reverse();
    assert_eq!(run(&r, &shuffled), want, "reversed");
    // A fixed pseudo-random permutation (Fisher-Yates with a linear congruential generator).
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for round in 0..5 {
        for i in (1..shuffled.len()).rev() {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            shuffled.swap(i, (x >> 33) as usize % (i + 1));
        }
        assert_eq!(run(&r, &shuffled), want, "shuffle {round}");
    }
}

#[test]
fn hospital_counts_and_rates() {
    let r = rules("[signals.low_admission]\ncost_share_below = 0.3\nsource = \"t\"");
    let low = |id: &str, h: &str| Stay {
        hospital: h.into(),
        total_cost: Fen(100),
        ..stay(id)
    };
    let s = run(
        &r,
        &[
            low("1", "H1"),
            stay("2"),
            stay("3"),
            stay("4"),
            Stay {
                hospital: "H2".into(),
                ..stay("5")
            },
        ],
    );
    let h1 = s.hospital("H1").unwrap();
    assert_eq!(h1.stays, 4);
    assert_eq!(h1.count(SignalKind::LowAdmission), Some(1));
    assert_eq!(
        h1.rate(SignalKind::LowAdmission),
        Some(Ratio::new(1, 4).unwrap())
    );
    // A rule that ran and found nothing says 0; a rule that did not run says nothing.
    let h2 = s.hospital("H2").unwrap();
    assert_eq!(h2.count(SignalKind::LowAdmission), Some(0));
    assert_eq!(h2.count(SignalKind::Readmission), None);
    assert_eq!(h2.adrgs_flagged, None);
}

#[test]
fn duplicate_ids_are_rejected() {
    let r = readmission(15, "");
    let e = detect(&r, &[stay("A"), later("A", 2)]).unwrap_err();
    assert_eq!(e, SignalError::DuplicateId { id: "A".into() });
    assert!(e.to_string().contains("give every stay its own id"));
}

#[test]
fn no_rules_no_signals() {
    let s = run(&SignalRules::default(), &[stay("A"), later("B", 1)]);
    assert!(s.cases.is_empty() && s.rules.is_empty() && s.adjustments.is_empty());
    assert_eq!(s.hospitals.len(), 1);
}

const BASE: &str = r#"
schema = "drgdip-policy/1"
[policy]
name = "signals test"
region = "test"
version = "1"
effective_from = "2025-01-01"
bundle = "drg"
period = "month"
[[pools]]
id = "inpatient"
fund_types = ["*"]
localities = ["*"]
service_line = "inpatient"
budget_yuan = 100000
reserve_share = 0.05
closure = "point_value"
basis = "fund"
[drg]
method = "points"
points_per_weight = 100
ambiguous = { pay = "ffs" }
ungroupable = { pay = "ffs" }
source = "test"
[ffs]
basis = "cost_minus_patient_share"
source = "test"
"#;

fn policy(signals: &str) -> Result<Policy, PolicyError> {
    Policy::from_toml(&format!("{BASE}{signals}"), "policy.toml")
}

#[test]
fn invalid_signal_tables_are_rejected_with_the_key_named() {
    let readm = "[signals.readmission]\nsame = \"group\"\nsame_hospital = false\nsource = \"t\"\n";
    // (table, text the error must contain)
    let rows = [
        (format!("{readm}window_days = 0"), "signals.readmission.window_days: must be at least 1 day"),
        (format!("{readm}window_days = -1"), "window_days = -1"),
        (
            format!("{readm}window_days = 15\nearlier_points_share = 1.5"),
            "signals.readmission.earlier_points_share: 1.5 is not a share between 0 and 1",
        ),
        (
            format!("{readm}window_days = 15\nexempt_diagnosis_prefixes = [\"Z51.1\", \"\"]"),
            "signals.readmission.exempt_diagnosis_prefixes[1]",
        ),
        (format!("{readm}window = 15"), "unknown field `window`"),
        (
            "[signals.readmission]\nwindow_days = 15\nsame = \"drg\"\nsame_hospital = false\nsource = \"t\"".into(),
            "unknown variant `drg`, expected `group` or `adrg`",
        ),
        (
            "[signals.readmission]\nwindow_days = 15\nsame = \"group\"\nsource = \"t\"".into(),
            "missing field `same_hospital`",
        ),
        (
            "[signals.low_admission]\ncost_share_below = 0\nsource = \"t\"".into(),
            "signals.low_admission.cost_share_below: 0 must be positive",
        ),
        (
            "[signals.low_admission]\ncost_share_below = 1.2\nsource = \"t\"".into(),
            "signals.low_admission.cost_share_below: 1.2 is not a share",
        ),
        ("[signals.upcoding]\nsource = \"t\"".into(), "signals.upcoding: give cc_cost_share_at_most"),
        (
            "[signals.upcoding]\nhospital_rate_ratio_above = 1.5\nsource = \"t\"".into(),
            "signals.upcoding.min_cases: hospital_rate_ratio_above needs min_cases",
        ),
        (
            "[signals.upcoding]\ncc_cost_share_at_most = 1\nmin_cases = 30\nsource = \"t\"".into(),
            "signals.upcoding.min_cases: only applies with hospital_rate_ratio_above",
        ),
        (
            "[signals.upcoding]\nhospital_rate_ratio_above = 0.8\nmin_cases = 30\nsource = \"t\"".into(),
            "signals.upcoding.hospital_rate_ratio_above: 0.8 must be at least 1",
        ),
        (
            "[signals.upcoding]\nhospital_rate_ratio_above = 1.5\nmin_cases = 0\nsource = \"t\"".into(),
            "signals.upcoding.min_cases: must be at least 1",
        ),
        (
            "[signals.cost_transfer]\noutpatient_share_above = 1\nwindow_days = 7\nsource = \"t\"".into(),
            "signals.cost_transfer.outpatient_share_above: 1 can never be exceeded",
        ),
        (
            "[signals.cost_transfer]\noutpatient_share_above = 0.3\nwindow_days = 0\nsource = \"t\"".into(),
            "signals.cost_transfer.window_days: must be at least 1 day",
        ),
        ("[signals.los]\nsource = \"t\"".into(), "signals.los: give above_mean_times"),
        (
            "[signals.los]\nabove_days = 5\nbelow_days = 6\nsource = \"t\"".into(),
            "signals.los.below_days: 6 is above above_days 5",
        ),
        ("[signals.los]\nbelow_days = 0\nsource = \"t\"".into(), "signals.los.below_days: must be at least 1"),
        ("[signals.los]\nabove_mean_times = 0\nsource = \"t\"".into(), "signals.los.above_mean_times: 0 must be positive"),
        ("[signals.los]\nbelow_days = 2".into(), "missing field `source`"),
        ("[signals.audit]\nsource = \"t\"".into(), "unknown field `audit`"),
    ];
    for (table, want) in rows {
        let e = policy(&table).expect_err(&table).to_string();
        assert!(e.contains(want), "{table}\n  expected {want:?}\n  got {e}");
        assert!(e.starts_with("policy.toml: "), "{e}");
        // The same table read alone is rejected the same way.
        let alone = SignalRules::from_toml(&table, "policy.toml")
            .unwrap_err()
            .to_string();
        assert!(alone.contains(want), "{table}: alone: {alone}");
    }
}

#[test]
fn rules_built_in_code_are_checked_too() {
    let mut r = readmission(15, "");
    r.readmission.as_mut().unwrap().window_days = 0;
    let e = detect(&r, &[stay("A")]).unwrap_err();
    assert!(matches!(e, SignalError::Rules(_)));
    assert!(
        e.to_string().contains("signals.readmission.window_days"),
        "{e}"
    );
}

#[test]
fn a_policy_carries_its_signals() {
    let p = policy(ALL_RULES).unwrap();
    let s = p.signals.as_ref().unwrap();
    let r = s.readmission.as_ref().unwrap();
    assert_eq!(r.window_days, 15);
    assert_eq!(r.earlier_points_share.map(|d| d.0), Some(ratio("0.5")));
    assert!(policy("").unwrap().signals.is_none());
}

#[test]
fn signals_never_change_a_payment_by_themselves() {
    // The same cases settle to the same fen with and without [signals]: only the settlement,
    // applying the adjustments detect() lists, can change a payment.
    let settle = |p: Policy| {
        let w = [(
            "ES35".to_string(),
            GroupWeight {
                weight: "0.4".parse().unwrap(),
                mean_cost: Fen(700_000),
            },
        )];
        let engine = Engine::new(p, w.into_iter().collect()).unwrap();
        let mut ledger = Ledger::new();
        for (id, h) in [("A", "H1"), ("B", "H1"), ("C", "H2")] {
            ledger.add(
                &engine,
                &Case {
                    id: id.into(),
                    hospital: h.into(),
                    hospital_level: Some(2),
                    fund_type: "employee".into(),
                    locality: "local".into(),
                    service_line: "inpatient".into(),
                    discharge_date: "2025-03-05".into(),
                    los: Some(4),
                    dept: String::new(),
                    principal: "J18.900".into(),
                    procedures: vec![],
                    total_cost: Fen(650_000),
                    patient_share: Fen(150_000),
                    fund_amount: None,
                    carve_out: None,
                    special_review: false,
                    bundle: Bundle::Drg(DrgResult {
                        outcome: DrgOutcome::Grouped,
                        code: "ES35".into(),
                        reason: String::new(),
                    }),
                },
            );
        }
        let run = ledger.close(&engine, &Inputs::default()).unwrap();
        (run.pools, run.hospitals)
    };
    assert_eq!(
        settle(policy(ALL_RULES).unwrap()),
        settle(policy("").unwrap())
    );
}
