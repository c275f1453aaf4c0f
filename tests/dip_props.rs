//! Property tests for DIP grouping: arbitrary and mutated records never panic, always get one result,
//! and the result is consistent, under every preset.

use std::sync::OnceLock;

use drgdip::grouper::dip::{
    CompiledCatalog, DipGrouper, DipPolicy, DipRecord, DipStatus, Insurance,
};
use drgdip::grouper::{Codes, Num};
use proptest::prelude::*;

use crate::harness::shared_file;

struct Fixture {
    catalog: CompiledCatalog,
    dx: Vec<String>,
    procs: Vec<String>,
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        let catalog = drgdip::cli::dip::load_catalog(&shared_file("dip/catalog.json")?).ok()?;
        let mut rdr = csv::Reader::from_path(shared_file("dip/cases.csv")?).ok()?;
        let h = rdr.headers().ok()?.clone();
        let (d, p) = (
            h.iter().position(|x| x == "diagnoses")?,
            h.iter().position(|x| x == "procedures")?,
        );
        let mut dx = Vec::new();
        let mut procs = Vec::new();
        for r in rdr.records().map_while(Result::ok) {
            dx.extend(r[d].split('|').map(str::to_string));
            procs.extend(
                r[p].split('|')
                    .filter(|x| !x.is_empty())
                    .map(str::to_string),
            );
        }
        dx.sort();
        dx.dedup();
        procs.sort();
        procs.dedup();
        Some(Fixture { catalog, dx, procs })
    })
    .as_ref()
}

#[derive(Clone, Debug)]
struct Owned {
    hospital: String,
    insurance: Option<Insurance>,
    dates: [String; 3],
    leaving: String,
    dx: String,
    procs: String,
    cost: Num,
}

fn joined(pool: &'static [String], max: usize) -> impl Strategy<Value = String> {
    let code = prop_oneof![
        4 => prop::sample::select(pool).prop_map(|s| s.to_string()),
        1 => "[A-Za-z0-9.x+*-]{0,10}",
    ];
    prop::collection::vec(code, 0..max).prop_map(|v| v.join("|"))
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        (1900i32..2030, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        Just(String::new()),
        ".{0,10}",
    ]
}

fn owned(f: &'static Fixture) -> impl Strategy<Value = Owned> {
    (
        prop_oneof![
            Just("H01".to_string()),
            Just("H02".to_string()),
            Just("H03".to_string()),
            ".{0,3}"
        ],
        prop_oneof![
            Just(Some(Insurance::Employee)),
            Just(Some(Insurance::Resident)),
            Just(None)
        ],
        [date(), date(), date()],
        prop_oneof![Just("5".to_string()), Just("1".to_string()), ".{0,2}"],
        joined(&f.dx, 5),
        joined(&f.procs, 6),
        prop_oneof![
            (0.0f64..500_000.0).prop_map(Num::Value),
            Just(Num::Missing),
            Just(Num::Invalid),
            any::<f64>().prop_map(Num::from),
        ],
    )
        .prop_map(
            |(hospital, insurance, dates, leaving, dx, procs, cost)| Owned {
                hospital,
                insurance,
                dates,
                leaving,
                dx,
                procs,
                cost,
            },
        )
}

#[test]
fn dip_grouping_is_total_and_consistent() {
    let Some(f) = fixture() else {
        return;
    };
    let policies = [
        DipPolicy::national(),
        DipPolicy::nodedip_base(),
        DipPolicy::nodedip_xiaogan(),
    ];
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(256));
    let result = runner.run(&prop::collection::vec(owned(f), 1..12), |batch| {
        for p in &policies {
            let g = DipGrouper::new(&f.catalog, p);
            for o in &batch {
                let r = DipRecord {
                    id: "p",
                    hospital: &o.hospital,
                    insurance: o.insurance,
                    birth_date: &o.dates[0],
                    admit_date: &o.dates[1],
                    discharge_date: &o.dates[2],
                    leaving_type: &o.leaving,
                    diagnoses: Codes::Joined(&o.dx),
                    procedures: Codes::Joined(&o.procs),
                    total_cost: o.cost,
                    ..DipRecord::default()
                };
                let a = g.group(&r);
                let b = g.group_traced(&r);
                prop_assert_eq!(a.status, b.status);
                prop_assert_eq!(a.group.map(|x| &x.code), b.group.map(|x| &x.code));
                if a.status == DipStatus::Ok {
                    prop_assert!(a.group.is_some() && a.reason.is_none());
                    prop_assert!(
                        a.settle_score.is_finite() || !o.cost.value().unwrap_or(0.0).is_finite()
                    );
                    prop_assert_eq!(
                        b.candidates
                            .iter()
                            .filter(|c| c.removed_by.is_none())
                            .count(),
                        1
                    );
                } else {
                    prop_assert!(a.reason.is_some(), "{:?}", a);
                }
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
