//! Supervision signals in the CLI's formats: `drgdip gen` keeps every old column byte for byte and
//! adds `patient_id` and `outpatient_cost` (with readmissions within 30 days); stays filled from
//! generated rows through the real grouping and pricing (DRG and DIP); `signals.csv` and
//! `signal_findings.csv` columns; the group mean LOS of a run computed exactly; the scenario policy
//! `data/scenarios/demo-signals.toml` and its tables.

use drgdip::io::row::Row;
use std::collections::HashMap;
use std::path::PathBuf;

use drgdip::cli::settle::{read_weights, Source};
use drgdip::gen::{self, Accepted, GenOptions};
use drgdip::io::cases::{dip_bundle, drg_bundle, SettleColumns};
use drgdip::io::csv::{Columns, DipColumns};
use drgdip::io::signals::adjust::Adjustments;
use drgdip::io::signals::run::{detect_run, fill_group_mean_los};
use drgdip::io::signals::write;
use drgdip::io::signals::{stay_lenient, SignalColumns};
use grouper::dip::{DipCatalog, DipGrouper, DipPolicy};
use grouper::{Grouper, Options, Scheme};
use settlement::case::Case;
use settlement::engine::Engine;
use settlement::money::{Fen, Ratio};
use settlement::price::Value;
use settlement::signals::{Date, SignalKind, SignalRules, Signals, Stay};
use settlement::slip::{Key, Slip};

use crate::harness::{self, read_csv, root};

/// The columns `drgdip gen` wrote before the signal columns, in order.
const OLD_COLUMNS: [&str; 22] = [
    "id",
    "hospital",
    "hospital_level",
    "fund_type",
    "locality",
    "insurance_type",
    "gender",
    "age",
    "age_days",
    "weight",
    "dept",
    "los",
    "leaving_type",
    "diagnoses",
    "procedures",
    "icu_hours",
    "birth_date",
    "admit_date",
    "discharge_date",
    "total_cost",
    "patient_share",
    "hos_code",
];

/// Generated rows, in process: (header, rows).
fn generate(cases: u64, seed: u64, months: u32, years: Option<(i32, i32)>) -> Vec<Row> {
    let accepted = Accepted::from_scheme_json(gen::DEMO_SCHEME, "demo").unwrap();
    let opts = GenOptions {
        hospitals: 20,
        cases,
        months,
        seed,
        years,
    };
    let mut out = Vec::new();
    gen::generate(&opts, &accepted, &mut out).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_slice());
    r.byte_records().map(|r| Row::from(&r.unwrap())).collect()
}

fn position(header: &Row, name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name.as_bytes())
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// The old columns of every row (header included) as CSV text, and its XXH3-128 fingerprint.
fn old_columns(rows: &[Row], extra: &[&str]) -> (String, Key) {
    let idx: Vec<usize> = OLD_COLUMNS
        .iter()
        .chain(extra)
        .map(|c| position(&rows[0], c))
        .collect();
    let mut text = Vec::new();
    for r in rows {
        drgdip::io::csv::write_row(
            &mut text,
            idx.iter().map(|&i| std::str::from_utf8(&r[i]).unwrap()),
        );
    }
    let text = String::from_utf8(text).unwrap();
    let key = Key::of(&text);
    (text, key)
}

/// The fingerprints of the old columns, taken from `drgdip gen` before the signal columns were
/// added (commit 664c4cc): 20,000 rows with seed 1 (the demo month), and 5,000 rows with seed 7
/// over 2022-2024, 3 months a year (with the `year` column).
const OLD_DEMO_MONTH: Key = Key([17801900911924103691, 9758222534910511483]);
const OLD_YEARS: Key = Key([3354192551097514855, 14113057905225321067]);

#[test]
fn gen_keeps_every_old_column_of_every_row() {
    let rows = generate(20_000, 1, 1, None);
    assert_eq!(rows.len(), 20_001);
    let (text, key) = old_columns(&rows, &[]);
    assert_eq!(
        text.lines().nth(1).unwrap(),
        "2025000000001,H08,2,employee,local,employee,2,30,,,05,5,9,O64.100|Z37.000,74.1x00,0,\
         1995-05-13,2025-01-14,2025-01-19,6189.10,777.89,H08",
        "the first row"
    );
    assert_eq!(
        key, OLD_DEMO_MONTH,
        "gen --cases 20000 --seed 1: old columns changed"
    );

    let rows = generate(5_000, 7, 3, Some((2022, 2024)));
    let (_, key) = old_columns(&rows, &["year"]);
    assert_eq!(
        key, OLD_YEARS,
        "gen --years 2022-2024 --months 3 --seed 7: old columns changed"
    );
}

fn text(r: &Row, i: usize) -> &str {
    std::str::from_utf8(&r[i]).unwrap()
}

#[test]
fn gen_patients_are_readmitted_within_30_days() {
    let rows = generate(20_000, 1, 1, None);
    let h = &rows[0];
    let [pid, admit, discharge, gender, age, dept, cost, out] = [
        "patient_id",
        "admit_date",
        "discharge_date",
        "gender",
        "age",
        "dept",
        "total_cost",
        "outpatient_cost",
    ]
    .map(|c| position(h, c));
    assert_eq!(h.len(), 24, "22 old columns, patient_id, outpatient_cost");
    let day = |r: &Row, i| text(r, i).parse::<Date>().unwrap();
    let mut by_patient: HashMap<&str, Vec<&Row>> = HashMap::new();
    let (mut none, mut large) = (0, 0);
    for r in &rows[1..] {
        assert!(text(r, pid).starts_with('P'), "{}", text(r, pid));
        by_patient.entry(text(r, pid)).or_default().push(r);
        let spent = Fen::from_yuan(text(r, out)).unwrap();
        let stay = Fen::from_yuan(text(r, cost)).unwrap();
        assert!(spent.0 >= 0);
        none += u32::from(spent.0 == 0);
        large += u32::from(spent.0 * 2 >= stay.0.abs());
    }
    assert!(
        (3_000..5_000).contains(&none),
        "a fifth spend nothing: {none}"
    );
    assert!(
        (400..1_000).contains(&large),
        "3% spend half the stay or more: {large}"
    );
    let mut readmissions = 0;
    for stays in by_patient.values_mut().filter(|s| s.len() > 1) {
        stays.sort_by_key(|r| day(r, admit));
        for w in stays.windows(2) {
            let gap = day(w[0], discharge).days_until(day(w[1], admit));
            assert!((0..=30).contains(&gap), "gap {gap}");
            assert_eq!(text(w[0], gender), text(w[1], gender));
            assert_eq!(text(w[0], dept), text(w[1], dept), "the same case type");
            let (a, b): (i64, i64) = (
                text(w[0], age).parse().unwrap(),
                text(w[1], age).parse().unwrap(),
            );
            assert!((a - b).abs() <= 1);
            readmissions += 1;
        }
    }
    assert!(
        (200..=1_000).contains(&readmissions),
        "1-5% of the rows are readmissions: {readmissions}"
    );
}

/// A settled stay: the case, the stay, and what its slip is worth.
struct Settled {
    case: Case,
    value: Value,
}

/// Groups, prices and fills the stays of generated rows under a policy file, as `drgdip settle`
/// does in pass 1; returns the engine, the signal rules, the stays and the settled cases.
fn settle_stays(policy: &str, rows: &[Row]) -> (Engine, SignalRules, Vec<Stay>, Vec<Settled>) {
    let path = root().join(policy);
    let src = Source::load(Some(&path)).unwrap();
    let rules = src
        .policy
        .signals
        .clone()
        .expect("the policy has [signals]");
    let header = &rows[0];
    let settle = SettleColumns::from_header(header).unwrap();
    let signal = SignalColumns::from_header(header).unwrap().only_for(&rules);
    let t = &src.policy.tables;
    let (mut stays, mut settled) = (Vec::new(), Vec::new());
    let mut run = |engine: &Engine, bundle: &dyn Fn(&Row) -> Option<settlement::case::Bundle>| {
        for r in &rows[1..] {
            let Some(b) = bundle(r) else { continue };
            let Ok(case) = settle.case(r, &|_| false, b) else {
                continue;
            };
            let Ok((_, _, pricing)) = engine.price(&case) else {
                continue;
            };
            let (stay, problem) = stay_lenient(&signal, r, &case, engine);
            assert_eq!(problem, None, "generated rows read");
            stays.push(stay);
            settled.push(Settled {
                case,
                value: pricing.primary.value,
            });
        }
    };
    let engine = if let Some(rel) = &t.scheme {
        let (bytes, name) = src.table(rel).unwrap();
        let scheme = Scheme::from_json_slice(&bytes, &name).unwrap();
        let (w, name) = src.table(t.drg_weights.as_deref().unwrap()).unwrap();
        let engine = Engine::new(src.policy.clone(), read_weights(&w, &name).unwrap()).unwrap();
        let g = Grouper::with_options(&scheme, Options::default());
        let cols = Columns::from_header(header).unwrap();
        run(&engine, &|r| {
            cols.record(r).ok().map(|x| drg_bundle(&g.group(&x)))
        });
        engine
    } else {
        let (bytes, name) = src.table(t.dip_catalog.as_deref().unwrap()).unwrap();
        let catalog = DipCatalog::from_slice(&bytes, &name).unwrap();
        let compiled = catalog.compile(&name).unwrap();
        let preset = DipPolicy::preset("national").unwrap();
        let g = DipGrouper::new(&compiled, &preset);
        let cols = DipColumns::from_header(header).unwrap();
        let engine = Engine::new(src.policy.clone(), HashMap::new()).unwrap();
        run(&engine, &|r| {
            cols.record(r).ok().map(|x| dip_bundle(&g.group(&x)))
        });
        engine
    };
    (engine, rules, stays, settled)
}

fn tmp(name: &str) -> PathBuf {
    harness::tmp("signals_io", name)
}

#[test]
fn demo_month_under_the_signals_scenario() {
    let rows = generate(20_000, 1, 1, None);
    let (engine, rules, stays, settled) = settle_stays("data/scenarios/demo-signals.toml", &rows);
    assert!(stays.len() > 19_000, "{}", stays.len());
    // DRG stays: ADRG and split from the code, standards from the weight table.
    let grouped: Vec<&Stay> = stays.iter().filter(|s| !s.group.is_empty()).collect();
    assert!(grouped.len() > 18_000);
    for s in &grouped {
        assert_eq!(s.adrg.as_deref(), Some(&s.group[..3]));
        assert!(s.split.is_some(), "{}", s.group);
        assert_eq!(
            s.group_standard,
            engine
                .weight(&s.group)
                .map(|w| w.mean_cost)
                .filter(|m| m.0 != 0)
        );
        assert!(
            s.patient.is_some() && s.admit_date.is_some() && s.outpatient_cost_around.is_some()
        );
    }
    assert!(grouped.iter().any(|s| s.uncomplicated_standard.is_some()));

    let (found, counts) = detect_run(&rules, stays).unwrap();
    assert_eq!(
        (counts.stays_in, counts.duplicates),
        (settled.len() as u64, 0)
    );
    assert_eq!(found.rules.len(), 7, "every rule ran");
    let fired = |k: SignalKind| found.rule(k).unwrap().fired;
    for k in [SignalKind::Readmission, SignalKind::CostTransfer] {
        assert!(fired(k) > 0, "{} fired", k.as_str());
    }
    assert_eq!(
        found.adjustments.len() as u64,
        fired(SignalKind::Readmission)
    );
    for c in found
        .cases
        .iter()
        .filter(|c| c.signal == SignalKind::Readmission)
    {
        let later = c.related.as_deref().unwrap();
        assert!(
            c.evidence
                .starts_with(&format!("readmitted as {later} at ")),
            "{}",
            c.evidence
        );
        assert!(
            c.evidence.ends_with("this stay's points × 0.5"),
            "{}",
            c.evidence
        );
    }

    // Files: signals.csv has a row per signal on a stay, the findings their own file.
    let dir = tmp("demo-month");
    std::fs::create_dir_all(&dir).unwrap();
    write::write_files(&dir, &found).unwrap();
    let (h, rows) = read_csv(&dir.join(write::SIGNALS_FILE));
    assert_eq!(h, write::SIGNALS_CSV_COLUMNS);
    assert_eq!(rows.len(), found.cases.len());
    assert!(rows
        .iter()
        .all(|r| !r[0].is_empty() && !r[4].is_empty() && r[5].contains("source=")));
    let (h, rows) = read_csv(&dir.join(write::FINDINGS_FILE));
    assert_eq!(h, write::FINDINGS_CSV_COLUMNS);
    assert_eq!(rows.len(), found.findings.len());

    // hospitals.csv cells add up to each rule's count; summary.json lists the rules.
    let cols = write::hospital_signal_columns();
    let mut sums = vec![0u64; cols.len()];
    for h in &found.hospitals {
        for (k, cell) in write::hospital_signal_cells(&found, &h.hospital)
            .iter()
            .enumerate()
        {
            sums[k] += cell.parse::<u64>().unwrap();
        }
    }
    for (k, kind) in SignalKind::ALL.iter().enumerate() {
        assert_eq!(sums[k], fired(*kind), "{}", cols[k]);
    }
    let summary = write::summary_json(&found);
    assert_eq!(summary["rules"][0]["signal"], "readmission");
    assert_eq!(summary["points_adjustments"], found.adjustments.len());

    // The adjustments halve the earlier stays' points on the slips.
    adjust_slips(&engine, &found, &settled);
}

/// Applies the run's adjustments to slips built from the settled cases, as the settle run would
/// before closing the pools.
fn adjust_slips(engine: &Engine, found: &Signals, settled: &[Settled]) {
    let adj = Adjustments::new(found);
    let mut slips: Vec<Slip> = settled
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Slip::new(
                Key::of(&s.case.id),
                i as u32,
                0,
                0,
                s.value,
                s.case.patient_share,
            )
        })
        .collect();
    let before = slips.clone();
    let n = adj
        .apply_to_slips(&mut slips, &mut [], engine.stages.points)
        .unwrap();
    let with_points = found
        .adjustments
        .iter()
        .filter(|a| {
            let s = settled.iter().find(|s| s.case.id == a.id).unwrap();
            matches!(s.value, Value::Points(_))
        })
        .count();
    assert_eq!(n as usize, with_points);
    assert!(n > 0);
    for (b, a) in before.iter().zip(&slips) {
        match (b.worth(), adj.of_key(b.key)) {
            (Value::Points(p), Some(x)) => {
                assert_eq!(
                    a.worth(),
                    Value::Points(x.apply(p, engine.stages.points).unwrap())
                )
            }
            _ => assert_eq!(a, b),
        }
    }
}

#[test]
fn dip_stays_take_the_dip_group_and_standard() {
    let rows = generate(5_000, 3, 1, None);
    // The DIP demo policy of Wenshan with the scenario's signals.
    let policy = std::fs::read_to_string(root().join("data/policies/wenshan.toml")).unwrap();
    let scenario =
        std::fs::read_to_string(root().join("data/scenarios/demo-signals.toml")).unwrap();
    let signals = &scenario[scenario.find("[signals.readmission]").unwrap()..];
    let dir = tmp("dip");
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    std::fs::create_dir_all(dir.join("demo")).unwrap();
    std::fs::copy(
        root().join("data/demo/dip-catalog.json"),
        dir.join("demo/dip-catalog.json"),
    )
    .unwrap();
    std::fs::write(
        dir.join("policies/dip.toml"),
        format!("{policy}\n{signals}"),
    )
    .unwrap();
    // An absolute path: `root().join` keeps it.
    let path = dir.join("policies/dip.toml");
    let (_, rules, stays, _) = settle_stays(path.to_str().unwrap(), &rows);
    let grouped: Vec<&Stay> = stays.iter().filter(|s| !s.group.is_empty()).collect();
    assert!(grouped.len() > 4_000, "{}", grouped.len());
    assert!(grouped
        .iter()
        .all(|s| s.adrg.is_none() && s.split.is_none()));
    assert!(grouped.iter().all(|s| s.uncomplicated_standard.is_none()));
    assert!(
        grouped
            .iter()
            .filter(|s| s.group_standard.is_some())
            .count()
            > 4_000
    );
    let (found, _) = detect_run(&rules, stays).unwrap();
    // No split under DIP: the per-stay CC rule assesses nothing, the rate rule compares nothing.
    let cc = found.rule(SignalKind::UpcodingCc).unwrap();
    assert_eq!(cc.assessed, 0);
    assert!(found.rule(SignalKind::Readmission).unwrap().fired > 0);
    assert!(found.regional.is_empty());
}

#[test]
fn group_mean_los_of_generated_stays_is_exact() {
    let rows = generate(3_000, 5, 1, None);
    let (_, _, mut stays, _) = settle_stays("data/scenarios/demo-signals.toml", &rows);
    fill_group_mean_los(&mut stays);
    let mut sums: HashMap<&str, (i128, i128)> = HashMap::new();
    for s in stays.iter().filter(|s| !s.group.is_empty()) {
        let e = sums.entry(&s.group).or_default();
        e.0 += i128::from(s.los.unwrap());
        e.1 += 1;
    }
    for s in &stays {
        let want = sums
            .get(s.group.as_str())
            .map(|&(sum, n)| Ratio::new(sum, n).unwrap());
        assert_eq!(s.group_mean_los, want, "{}", s.group);
    }
}

#[test]
fn scenario_policy_is_the_demo_with_signals() {
    let path = root().join("data/scenarios/demo-signals.toml");
    let src = Source::load(Some(&path)).unwrap();
    let rules = src.policy.signals.as_ref().unwrap();
    let r = rules.readmission.as_ref().unwrap();
    assert_eq!(r.window_days, 15);
    assert_eq!(
        r.earlier_points_share.map(|d| d.0),
        Some(Ratio::new(1, 2).unwrap())
    );
    assert!(rules.low_admission.is_some() && rules.upcoding.is_some());
    assert!(rules.cost_transfer.is_some() && rules.los.is_some());
    // Tables resolve beside the policy file, to the demo's own files.
    let t = &src.policy.tables;
    for rel in [
        t.scheme.as_deref().unwrap(),
        t.drg_weights.as_deref().unwrap(),
    ] {
        let (bytes, _) = src.table(rel).unwrap();
        let name = rel.rsplit('/').next().unwrap();
        assert_eq!(
            bytes,
            std::fs::read(root().join("data/demo").join(name)).unwrap()
        );
    }
    // The rest is the demo policy.
    let demo = Source::load(None).unwrap().policy;
    assert!(demo.signals.is_none());
    assert_eq!(
        format!("{:?}", demo.pools),
        format!("{:?}", src.policy.pools)
    );
    assert_eq!(format!("{:?}", demo.drg), format!("{:?}", src.policy.drg));
    assert_eq!(
        format!("{:?}", demo.hospitals),
        format!("{:?}", src.policy.hospitals)
    );
}
