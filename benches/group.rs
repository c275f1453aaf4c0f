//! Grouping throughput on the shared vector records (20,000 per scheme), single thread and rayon,
//! with code mapping on (the CLI default) and off; plus scheme load time.
//!
//! Run: `cargo bench --bench group` (needs `../shared` or `DRGDIP_SHARED`).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use grouper::{Codes, Grouper, Num, Options, Record, Scheme};

const VERSIONS: [&str; 3] = ["chs_drg_11", "chongqing_2022", "guangxi_2022"];

fn shared() -> PathBuf {
    std::env::var("DRGDIP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// The input columns of a vector file, owned.
struct Rows(Vec<[String; 11]>);

impl Rows {
    fn load(version: &str) -> Option<Rows> {
        let p = shared().join(format!("vectors/{version}.csv"));
        let mut rdr = csv::Reader::from_path(&p).ok()?;
        let h = rdr.headers().ok()?.clone();
        let names = [
            "id",
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
        ];
        let idx: Vec<usize> = names
            .iter()
            .map(|n| h.iter().position(|x| x == *n))
            .collect::<Option<_>>()?;
        let rows = rdr
            .records()
            .map(|r| {
                let r = r.expect("vector row");
                std::array::from_fn(|k| r[idx[k]].to_string())
            })
            .collect();
        Some(Rows(rows))
    }

    fn records(&self) -> Vec<Record<'_>> {
        self.0
            .iter()
            .map(|f| Record {
                id: &f[0],
                gender: &f[1],
                age: Num::parse(&f[2]),
                age_days: Num::parse(&f[3]),
                weight: Num::parse(&f[4]),
                dept: &f[5],
                los: Num::parse(&f[6]),
                leaving_type: &f[7],
                diagnoses: Codes::Joined(&f[8]),
                procedures: Codes::Joined(&f[9]),
                icu_hours: Num::parse(&f[10]),
            })
            .collect()
    }
}

fn bench_grouping(c: &mut Criterion) {
    for version in VERSIONS {
        let scheme_path = shared().join(format!("schemes/opendrg/{version}.json"));
        let (Ok(scheme), Some(rows)) = (Scheme::load(&scheme_path), Rows::load(version)) else {
            eprintln!("NOTICE: {version}: shared scheme or vectors not found, bench skipped");
            continue;
        };
        let records = rows.records();
        let mut g = c.benchmark_group(format!("group/{version}"));
        g.throughput(Throughput::Elements(records.len() as u64));
        for (label, map_codes) in [("map", true), ("nomap", false)] {
            let grouper = Grouper::with_options(
                &scheme,
                Options {
                    map_codes,
                    ..Options::default()
                },
            );
            g.bench_function(BenchmarkId::new("single_thread", label), |b| {
                b.iter(|| {
                    let mut n = 0usize;
                    for r in &records {
                        n += black_box(grouper.group(r)).drg.len();
                    }
                    n
                })
            });
            g.bench_function(BenchmarkId::new("rayon", label), |b| {
                b.iter(|| black_box(grouper.group_slice(&records)).len())
            });
        }
        g.finish();

        let bytes = std::fs::read(&scheme_path).expect("scheme readable");
        let mut g = c.benchmark_group("load");
        g.sample_size(10);
        g.bench_function(version, |b| {
            b.iter(|| Scheme::from_json_slice(black_box(&bytes), version).expect("loads"))
        });
        g.finish();
    }
}

criterion_group!(benches, bench_grouping);
criterion_main!(benches);
