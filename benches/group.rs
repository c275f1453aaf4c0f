//! Grouping throughput on the shared vector records (20,000 per scheme), single thread and rayon,
//! with code mapping on (the CLI default) and off; plus scheme load time.
//!
//! Run: `cargo bench --bench group` (needs `../shared` or `DRGDIP_SHARED`).

use drgdip::io::row::Row;
use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use drgdip::io::csv::Columns;
use grouper::{Grouper, Options, Record, Scheme};

const VERSIONS: [&str; 3] = ["chs_drg_11", "chongqing_2022", "guangxi_2022"];

fn shared() -> PathBuf {
    std::env::var("DRGDIP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// The raw rows of a vector file and their columns.
struct Rows(Columns, Vec<Row>);

impl Rows {
    fn load(version: &str) -> Option<Rows> {
        let p = shared().join(format!("vectors/{version}.csv"));
        let mut rdr = csv::Reader::from_path(&p).ok()?;
        let cols = Columns::from_header(&Row::from(rdr.byte_headers().ok()?)).ok()?;
        let rows = rdr
            .byte_records()
            .map(|r| r.map(|r| Row::from(&r)))
            .collect::<Result<_, _>>()
            .ok()?;
        Some(Rows(cols, rows))
    }

    fn records(&self) -> Vec<Record<'_>> {
        self.1
            .iter()
            .filter_map(|r| self.0.record(r).ok())
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
