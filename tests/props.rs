//! Property tests: arbitrary and mutated records never panic, always get exactly one result, and the
//! result is internally consistent (and identical whether traced, batched or single).

use std::sync::OnceLock;

use grouper::{Codes, Grouper, Grouping, Num, Options, Record, Scheme, Status};
use proptest::prelude::*;

use crate::harness::{read_vectors, shared_file, VectorRow};

struct Fixture {
    scheme: Scheme,
    rows: Vec<VectorRow>,
    dx_pool: Vec<String>,
    proc_pool: Vec<String>,
}

fn fixture(version: &'static str) -> Option<&'static Fixture> {
    static CELLS: [OnceLock<Option<Fixture>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let i = ["chs_drg_11", "chongqing_2022", "guangxi_2022"]
        .iter()
        .position(|v| *v == version)
        .expect("one of the three main versions");
    CELLS[i]
        .get_or_init(|| {
            let scheme = Scheme::load(shared_file(&format!("schemes/opendrg/{version}.json"))?)
                .expect("scheme loads");
            let rows = read_vectors(&shared_file(&format!("vectors/{version}.csv"))?);
            let mut dx_pool: Vec<String> = rows
                .iter()
                .flat_map(|r| r.diagnoses.split([',', '|']).map(str::to_string))
                .collect();
            let mut proc_pool: Vec<String> = rows
                .iter()
                .flat_map(|r| r.procedures.split([',', '|']).map(str::to_string))
                .collect();
            dx_pool.sort();
            dx_pool.dedup();
            proc_pool.sort();
            proc_pool.dedup();
            Some(Fixture {
                scheme,
                rows,
                dx_pool,
                proc_pool,
            })
        })
        .as_ref()
}

/// A record with owned fields, from which a borrowed [`Record`] is made.
#[derive(Clone, Debug)]
struct Owned {
    gender: String,
    nums: [Num; 5],
    dept: String,
    leaving: String,
    dx: String,
    procs: String,
}

impl Owned {
    fn record(&self) -> Record<'_> {
        Record {
            id: "p",
            gender: &self.gender,
            age: self.nums[0],
            age_days: self.nums[1],
            weight: self.nums[2],
            los: self.nums[3],
            icu_hours: self.nums[4],
            dept: &self.dept,
            leaving_type: &self.leaving,
            diagnoses: Codes::Joined(&self.dx),
            procedures: Codes::Joined(&self.procs),
        }
    }
}

fn num() -> impl Strategy<Value = Num> {
    prop_oneof![
        Just(Num::Missing),
        Just(Num::Invalid),
        (0i64..120).prop_map(Num::from),
        (-5.0f64..5000.0).prop_map(Num::from),
        any::<f64>().prop_map(Num::from),
    ]
}

fn codes(pool: &'static [String]) -> impl Strategy<Value = String> {
    let code = prop_oneof![
        4 => prop::sample::select(pool).prop_map(|s| s.to_string()),
        1 => "[A-Z0-9.x+*-]{0,12}",
        1 => Just(String::new()),
    ];
    (
        prop::collection::vec(code, 0..10),
        prop::collection::vec(prop::bool::ANY, 10),
    )
        .prop_map(|(cs, seps)| {
            let mut out = String::new();
            for (i, c) in cs.iter().enumerate() {
                if i > 0 {
                    out.push(if seps[i] { '|' } else { ',' });
                }
                out.push_str(c);
            }
            out
        })
}

fn owned(f: &'static Fixture) -> impl Strategy<Value = Owned> {
    (
        prop_oneof![
            Just("1".to_string()),
            Just("2".to_string()),
            Just(String::new()),
            Just("男".to_string()),
            ".{0,3}"
        ],
        [num(), num(), num(), num(), num()],
        ".{0,4}",
        prop_oneof![Just("5".to_string()), Just("2".to_string()), ".{0,2}"],
        codes(&f.dx_pool),
        codes(&f.proc_pool),
    )
        .prop_map(|(gender, nums, dept, leaving, dx, procs)| Owned {
            gender,
            nums,
            dept,
            leaving,
            dx,
            procs,
        })
}

/// A vector row with one field replaced.
fn mutated(f: &'static Fixture) -> impl Strategy<Value = Owned> {
    (0..f.rows.len(), 0usize..8, owned(f)).prop_map(move |(i, field, other)| {
        let r = &f.rows[i];
        let mut o = Owned {
            gender: r.gender.clone(),
            nums: [
                Num::parse(&r.age),
                Num::parse(&r.age_days),
                Num::parse(&r.weight),
                Num::parse(&r.los),
                Num::parse(&r.icu_hours),
            ],
            dept: r.dept.clone(),
            leaving: r.leaving_type.clone(),
            dx: r.diagnoses.clone(),
            procs: r.procedures.clone(),
        };
        match field {
            0 => o.gender = other.gender,
            1..=5 => o.nums[field - 1] = other.nums[field - 1],
            6 => o.dx = other.dx,
            _ => o.procs = other.procs,
        }
        o
    })
}

fn consistent(g: &Grouping<'_>) -> Result<(), TestCaseError> {
    match g.status {
        Status::Success => {
            prop_assert!(g.reason.is_none());
            prop_assert!(g.drg.starts_with(g.adrg), "{g:?}");
            prop_assert_eq!(&g.mdc[3..], &g.drg[..1]);
        }
        Status::Qy => {
            prop_assert_eq!(g.adrg, "QY");
            prop_assert!(g.drg.ends_with("QY"));
        }
        _ => prop_assert!(g.reason.is_some(), "{g:?}"),
    }
    Ok(())
}

fn check(f: &'static Fixture, batch: &[Owned]) -> Result<(), TestCaseError> {
    let records: Vec<Record<'_>> = batch.iter().map(Owned::record).collect();
    for options in [
        Options::default(),
        Options {
            map_codes: false,
            ..Options::default()
        },
    ] {
        let g = Grouper::with_options(&f.scheme, options);
        let all = g.group_slice(&records);
        prop_assert_eq!(all.len(), records.len(), "exactly one result per record");
        for (r, b) in records.iter().zip(&all) {
            let single = g.group(r);
            let (traced, _) = g.group_traced(r);
            prop_assert_eq!(&single, b);
            prop_assert_eq!(&single, &traced);
            consistent(&single)?;
        }
    }
    Ok(())
}

fn run_props(version: &'static str, mutate: bool) {
    let Some(f) = fixture(version) else {
        return;
    };
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(128));
    let result = if mutate {
        runner.run(&prop::collection::vec(mutated(f), 1..16), |b| check(f, &b))
    } else {
        runner.run(&prop::collection::vec(owned(f), 1..16), |b| check(f, &b))
    };
    if let Err(e) = result {
        panic!("{version}: {e}");
    }
}

#[test]
fn chs_drg_11_arbitrary_records() {
    run_props("chs_drg_11", false);
}

#[test]
fn chs_drg_11_mutated_vector_records() {
    run_props("chs_drg_11", true);
}

#[test]
fn chongqing_2022_arbitrary_records() {
    run_props("chongqing_2022", false);
}

#[test]
fn chongqing_2022_mutated_vector_records() {
    run_props("chongqing_2022", true);
}

#[test]
fn guangxi_2022_arbitrary_records() {
    run_props("guangxi_2022", false);
}

#[test]
fn guangxi_2022_mutated_vector_records() {
    run_props("guangxi_2022", true);
}
